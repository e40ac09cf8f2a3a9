import {
  Tensor, matmul, mul, div, add, sub, exp, sum, mean, max, logsumexp, reshape, noGrad, stack, slice, take, indexAdd, zeros, ArgumentError,
} from '../../core/index.ts';
import { softmax } from '../functional.ts';
import {
  COMMON_OPTION_KEYS, applyLinear, checkOptions, checkPositiveInt, denseTensor, describeFactors, effectiveFactor, factorValues,
  initParams, sumSizes, type AuxLosses, type CommonOptions, type StructuredLayer, type StructuredParams,
} from './layer.ts';
import { bttDense, bttForward, bttPlan, checkRanks } from './btt.ts';
import { factorize } from './factorize.ts';
import { degenerateWarnings } from './warnings.ts';

export interface BttMoEOptions extends CommonOptions {
  /** Number of experts E (the BTT rank axis), default 8; in [2, min(dIn, dOut)]. */
  experts?: number;
  /** Experts kept per token, default 2; in [1, E]. */
  topK?: number;
  /** Weight-normalised cores (spec nn §2.7). */
  normalize?: boolean;
}

/** The offset added to each selected gate (spec nn §2.8 step 2) so a selected expert never has weight exactly 0. */
export const GATE_EPS = 1e-6;

export interface BttMoELayer extends StructuredLayer {
  readonly experts: number;
  readonly topK: number;
  /** Gate weights g (rows, E): softmax over the top-k logits + 1e-6, zero elsewhere. Not differentiable. */
  gates(p: StructuredParams, x: Tensor): Tensor;
  /** The dense matrix of Σ_r g_r·BTT_r for one gate vector (toDense uses all gates = 1, the underlying rank-E BTT). */
  denseForGates(p: StructuredParams, gates: readonly number[]): Tensor;
}

/**
 * BTT mixture of experts (spec nn §2.8): a 2-core BTT whose rank axis holds E experts, each a rank-1 BTT;
 * y = Σ_r g_r(x)·(BTT_r x) + b with the gate applied between the cores, Z[g, f, r] *= g_r(x).
 * Gate logits ℓ = x·Wg (Wg zero-initialised, LR multiplier 1); top-k with lowest-index tie breaking (so at
 * initialisation the first k experts are chosen and the load-balancing loss separates them);
 * load-balancing loss per layer E·Σ_e p̄_e·f̄_e + 0.1·mean(logsumexp(ℓ)²), pushed to the `aux` collector.
 * Only the selected experts are computed (gather the routed rows, one rank-1 BTT per expert, scatter-add), so the
 * work is `activeMacs` = BTT·k/E + dIn·E, the routed cost the paper reports; `macs` is that of the underlying
 * rank-E BTT (all experts). Parameters `{ A, B, Wg, b? }`.
 */
export function bttMoE(dIn: number, dOut: number, opts: BttMoEOptions = {}): BttMoELayer {
  const op = 'structured.bttMoE';
  checkOptions(op, opts, [...COMMON_OPTION_KEYS, 'experts', 'topK', 'normalize']);
  checkPositiveInt(op, 'dIn', dIn);
  checkPositiveInt(op, 'dOut', dOut);
  const E = opts.experts ?? 8;
  const k = opts.topK ?? 2;
  checkPositiveInt(op, 'experts', E);
  checkPositiveInt(op, 'topK', k);
  if (E < 2) throw new ArgumentError(`${op}: experts must be at least 2, got ${E}`);
  if (k > E) throw new ArgumentError(`${op}: topK ${k} is larger than the number of experts ${E}; expected 1 ≤ topK ≤ experts`);
  checkRanks(op, E, 2, dIn, dOut);
  const [a, g] = factorize(dIn, 2) as [number, number];
  const [f, e] = factorize(dOut, 2) as [number, number];
  const warnings = [...degenerateWarnings(op, dIn, [a, g]), ...degenerateWarnings(op, dOut, [f, e])];
  const plan = bttPlan([a, g], [f, e], [E]);
  const plan1 = bttPlan([a, g], [f, e], [1]);
  const mode = opts.init ?? 'mup';
  // Fan-in/out are those of one expert, a rank-1 BTT (spec nn §2.8 step 4): they set the init std, the
  // weight-norm cap and the structure-aware learning rates.
  const factors = describeFactors([
    { name: 'A', shape: plan.coreShapes[0]!, fanIn: a, fanOut: f },
    { name: 'B', shape: plan.coreShapes[1]!, fanIn: g, fanOut: e },
  ], mode, opts.zeroInit ?? false);
  const extras = [{ name: 'Wg', shape: [dIn, E], fanIn: dIn, fanOut: E, initStd: 0 }];

  const topKMask = (logits: Tensor): Float64Array => {
    const v = logits.values();
    const rows = logits.shape[0]!;
    const mask = new Float64Array(rows * E);
    for (let i = 0; i < rows; i++) {
      const order = Array.from({ length: E }, (_, j) => j);
      // Stable sort: equal logits keep ascending expert order, so ties go to the lowest index.
      order.sort((x, y) => v[i * E + y]! - v[i * E + x]!);
      for (let j = 0; j < k; j++) mask[i * E + order[j]!] = 1;
    }
    return mask;
  };
  const maskTensor = (m: Float64Array, like: Tensor) => new Tensor(like.dtype === 'float32' ? Float32Array.from(m) : m, like.shape);
  /** Softmax over the selected logits + GATE_EPS on selected entries; differentiable in the logits. */
  const gateWeights = (logits: Tensor, mask: Tensor): Tensor => {
    const shift = noGrad(() => max(logits, -1, true));
    const ex = mul(exp(sub(logits, shift)), mask);
    return add(div(ex, sum(ex, -1, true)), mul(mask, GATE_EPS));
  };

  const layer: BttMoELayer = {
    kind: 'btt-moe', dIn, dOut, factors, extras, experts: E, topK: k, warnings,
    params: sumSizes(factors) + dIn * E, macs: plan.macs + dIn * E, activeMacs: (plan.macs * k) / E + dIn * E,
    bias: opts.bias ?? true, normalize: opts.normalize ?? false,
    description: `btt-moe ${dIn}→${dOut} [α=${a} γ=${g} | φ=${f} ε=${e}] E=${E} k=${k}${opts.normalize ? ' normalised' : ''}`,
    init: (rng, o = {}) => initParams(layer, rng, o.dtype),
    apply: (p, x, aux?: AuxLosses) => {
      if (aux === undefined || typeof aux.push !== 'function') {
        throw new ArgumentError(`${op}.apply: pass an auxiliary-loss collector (createAuxCollector()) as the third argument; the load-balancing loss must not be dropped`);
      }
      return applyLinear(layer, p, x, (x2) => {
        const logits = matmul(x2, p.Wg!);                                        // (rows, E)
        const maskValues = noGrad(() => topKMask(logits));
        const mask = maskTensor(maskValues, logits);
        const gw = gateWeights(logits, mask);
        const rows = x2.shape[0]!;
        // Load balancing: p̄ = mean softmax over all experts, f̄ = selection frequency (constant), both sum to 1.
        const pBar = mean(softmax(logits, -1), 0);
        const freq = new Float64Array(E);
        for (let i = 0; i < rows; i++) for (let j = 0; j < E; j++) freq[j]! += maskValues[i * E + j]! / (rows * k);
        const fBar = new Tensor(logits.dtype === 'float32' ? Float32Array.from(freq) : freq, [E]);
        const lse = logsumexp(logits, -1);
        aux.push(add(mul(sum(mul(pBar, fBar)), E), mul(mean(mul(lse, lse)), 0.1)));
        // Sparse routing: each expert is a rank-1 BTT (its slice of the rank axis of both cores) applied only to the
        // rows routed to it (gather), scaled by its gate and added back (scatter), so the work follows activeMacs.
        // Values and gradients equal the dense masked form Σ_r g_r·BTT_r x: unselected gates are exactly 0.
        const [A, Bc] = factors.map((fi) => effectiveFactor(layer, p, fi)) as [Tensor, Tensor];
        const A4 = reshape(A, [g, a, f, E]);
        const B4 = reshape(Bc, [f, g, E, e]);
        let y: Tensor | null = null;
        for (let r = 0; r < E; r++) {
          const idx: number[] = [];
          for (let i = 0; i < rows; i++) if (maskValues[i * E + r] !== 0) idx.push(i);
          if (idx.length === 0) continue;
          const ids = Int32Array.from(idx);
          const Ar = slice(A4, [null, null, null, r]);                          // (γ, α, φ), stride E
          const Br = slice(B4, [null, null, r, null]);                          // (φ, γ, ε)
          const yr = bttForward(plan1, [Ar, Br], take(x2, ids, 0));             // (n_r, dOut)
          const gr = take(slice(gw, [null, r]), ids, 0);                        // (n_r,)
          const contrib = indexAdd([rows, dOut], mul(yr, reshape(gr, [idx.length, 1])), ids, 0);
          y = y ? add(y, contrib) : contrib;
        }
        return y ?? zeros([rows, dOut], x2.dtype);                              // no rows: nothing routed
      });
    },
    gates: (p, x) => noGrad(() => {
      const x2 = reshape(x, [-1, dIn]);
      const logits = matmul(x2, p.Wg!);
      return gateWeights(logits, maskTensor(topKMask(logits), logits));
    }),
    denseForGates: (p, gates) => {
      if (gates.length !== E) throw new ArgumentError(`${op}.denseForGates: expected ${E} gate values, got ${gates.length}`);
      const v = factorValues(layer, p);
      return denseTensor(bttDense(plan, [v.A!, v.B!], gates), dIn, dOut, p.A!);
    },
    toDense: (p) => layer.denseForGates(p, new Array<number>(E).fill(1)),
  };
  return layer;
}

/** Collects per-layer auxiliary losses during one forward pass; `mean()` is the spec's average over layers. */
export interface AuxCollector extends AuxLosses {
  readonly losses: Tensor[];
  /** Mean of the collected losses (null when none were pushed). */
  mean(): Tensor | null;
}

export function createAuxCollector(): AuxCollector {
  const losses: Tensor[] = [];
  return {
    losses,
    push(loss: Tensor) { losses.push(loss); },
    mean() { return losses.length === 0 ? null : mean(stack(losses)); },
  };
}

