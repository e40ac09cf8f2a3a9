import { Tensor, concat, einsum, reshape, slice, zeros, ArgumentError } from '../../core/index.ts';
import {
  COMMON_OPTION_KEYS, applyLinear, checkOptions, checkPositiveInt, denseTensor, describeFactors, effectiveFactor, factorValues,
  initParams, sumSizes, type CommonOptions, type StructuredLayer,
} from './layer.ts';
import { bttDense, bttForward, bttPlan } from './btt.ts';
import { checkTheta, thetaSizes, type Theta, type ThetaSizes } from './theta.ts';

export interface EinsumOptions extends CommonOptions {
  /** θ = (θα, θβ, θγ, θδ, θε, θφ, θρ) with θα+θβ+θγ = 1 and θδ+θε+θφ = 1. */
  theta: Theta | readonly number[];
  /** Weight-normalised cores (spec nn §2.7). */
  normalize?: boolean;
}

/**
 * The two-factor einsum layer of the continuous family (spec nn §2.4). Input read as X[γ, β, α]; cores
 * A[φ, δ, ρ, γ, α] and B[φ, ε, ρ, γ, β];
 *   Z[f, d, r, g, b] = Σ_a X[g, b, a]·A[f, d, r, g, a],   Y[f, e, d] = Σ_{r,g,b} Z[f, d, r, g, b]·B[f, e, r, g, b],
 * y = flatten(Y). Params φργ(δα + εβ), MACs φδργβ(α + ε); fan-in/out A (α, δφρ), B (βγρ, ε).
 * When β = δ = 1 the layer is a BTT and runs on the BTT kernel with BTT-layout cores A (γ, α, φρ), B (φ, γρ, ε).
 * Rounded sizes that miss dIn / dOut by ≤ 15 % are handled by zero-padding or truncating input / output.
 * Parameters `{ A, B, b? }` (+ `gainA`, `gainB` when normalised).
 */
export function einsumLayer(dIn: number, dOut: number, opts: EinsumOptions): StructuredLayer {
  const op = 'structured.einsum';
  if (opts === undefined || opts === null) throw new ArgumentError(`${op}: options { theta } are required`);
  checkOptions(op, opts, [...COMMON_OPTION_KEYS, 'theta', 'normalize']);
  checkPositiveInt(op, 'dIn', dIn);
  checkPositiveInt(op, 'dOut', dOut);
  const theta = checkTheta(op, opts.theta);
  const s = thetaSizes(op, theta, dIn, dOut);
  const { alpha: a, beta: b, gamma: g, delta: dl, epsilon: e, phi: f, rho: r } = s;
  const routeBtt = b === 1 && dl === 1;
  const plan = routeBtt ? bttPlan([a, g], [f, e], [r]) : null;
  const raw = plan
    ? [
      { name: 'A', shape: plan.coreShapes[0]!, fanIn: a, fanOut: f * r },
      { name: 'B', shape: plan.coreShapes[1]!, fanIn: g * r, fanOut: e },
    ]
    : [
      { name: 'A', shape: [f, dl, r, g, a], fanIn: a, fanOut: dl * f * r },
      { name: 'B', shape: [f, e, r, g, b], fanIn: b * g * r, fanOut: e },
    ];
  const factors = describeFactors(raw, opts.init ?? 'mup', opts.zeroInit ?? false);
  const pad = s.dInCore !== dIn || s.dOutCore !== dOut ? ` (cores ${s.dInCore}→${s.dOutCore}, padded/truncated)` : '';
  const layer: StructuredLayer = {
    kind: 'einsum', dIn, dOut, factors, params: sumSizes(factors), macs: f * dl * r * g * b * (a + e), activeMacs: f * dl * r * g * b * (a + e), extras: [],
    bias: opts.bias ?? true, normalize: opts.normalize ?? false,
    description: `einsum ${dIn}→${dOut} θ=(${theta.join(',')}) [α=${a} β=${b} γ=${g} | δ=${dl} ε=${e} φ=${f}] ρ=${r}${routeBtt ? ' (BTT kernel)' : ''}${pad}`,
    init: (rng, o = {}) => initParams(layer, rng, o.dtype),
    apply: (p, x) => applyLinear(layer, p, x, (x2) => {
      const A = effectiveFactor(layer, p, factors[0]!), B = effectiveFactor(layer, p, factors[1]!);
      const xc = fitWidth(x2, s.dInCore);
      let y: Tensor;
      if (plan) {
        y = bttForward(plan, [A, B], xc);
      } else {
        const n = xc.shape[0]!;
        const X = reshape(xc, [n, g, b, a]);
        const Z = einsum('ngba,fdrga->nfdrgb', X, A);
        y = reshape(einsum('nfdrgb,fergb->nfed', Z, B), [n, s.dOutCore]);
      }
      return fitWidth(y, dOut);
    }),
    toDense: (p) => {
      const v = factorValues(layer, p);
      const core = plan ? bttDense(plan, [v.A!, v.B!]) : einsumDense(s, v.A!, v.B!);
      // Padding/truncation: entries outside the cores' (dInCore, dOutCore) block are zero.
      const out = new Float64Array(dIn * dOut);
      for (let i = 0; i < Math.min(dIn, s.dInCore); i++) for (let j = 0; j < Math.min(dOut, s.dOutCore); j++) out[i * dOut + j] = core[i * s.dOutCore + j]!;
      return denseTensor(out, dIn, dOut, p.A!);
    },
  };
  return layer;
}

/** Zero-pads or truncates the last axis of a (rows, d) matrix to `width`. */
function fitWidth(x: Tensor, width: number): Tensor {
  const d = x.shape[1]!;
  if (d === width) return x;
  if (d > width) return slice(x, [null, [0, width]]);
  return concat([x, zeros([x.shape[0]!, width - d], x.dtype as 'float32' | 'float64')], 1);
}

/** Reference matrix of the general einsum layer: M[(g b a), (f e d)] = Σ_r A[f, d, r, g, a]·B[f, e, r, g, b]. */
function einsumDense(s: ThetaSizes, A: Float64Array, B: Float64Array): Float64Array {
  const { alpha: a, beta: b, gamma: g, delta: dl, epsilon: e, phi: f, rho: r, dInCore, dOutCore } = s;
  const out = new Float64Array(dInCore * dOutCore);
  for (let gi = 0; gi < g; gi++) for (let bi = 0; bi < b; bi++) for (let ai = 0; ai < a; ai++) {
    const row = (gi * b + bi) * a + ai;
    for (let fi = 0; fi < f; fi++) for (let ei = 0; ei < e; ei++) for (let di = 0; di < dl; di++) {
      let sum = 0;
      for (let ri = 0; ri < r; ri++) {
        sum += A[(((fi * dl + di) * r + ri) * g + gi) * a + ai]! * B[(((fi * e + ei) * r + ri) * g + gi) * b + bi]!;
      }
      out[row * dOutCore + (fi * e + ei) * dl + di] = sum;
    }
  }
  return out;
}
