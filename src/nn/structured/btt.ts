import { Tensor, matmul, permute, reshape, ArgumentError } from '../../core/index.ts';
import {
  COMMON_OPTION_KEYS, applyLinear, checkOptions, checkPositiveInt, denseTensor, describeFactors, effectiveFactor, factorValues,
  initParams, sumSizes, type CommonOptions, type StructuredLayer,
} from './layer.ts';
import { factorize } from './factorize.ts';
import { degenerateWarnings } from './warnings.ts';

/**
 * Block Tensor-Train (spec nn §2.3). With c cores, the input is read as x[n_{c−1}, …, n_0] (n_0 fastest) and the
 * output written as y[m_0, …, m_{c−1}] (m_0 slowest). Core k maps input index n_k to output index m_k, carrying the
 * rank index (r_k in, r_{k+1} out, r_0 = r_c = 1), conditioned on the outputs already made (m_<k) and the inputs not
 * yet consumed (n_>k); it is stored as a stack of matrices of shape (M_<k·N_>k, n_k·r_k, m_k·r_{k+1}). For c = 2,
 * (α, γ) = (n_0, n_1), (φ, ε) = (m_0, m_1) and the cores are exactly the spec's A (γ, α, φρ), B (φ, γρ, ε):
 *   y_{fe} = Σ_{g,a,r} B_{f,(g r),e} · A_{g,a,(f r)} · x_{g a}.
 * Params = MACs = Σ_k M_<k·N_>k·n_k·r_k·m_k·r_{k+1} (= ρ·γ·φ·(α + ε) for two cores).
 */
export interface BttPlan {
  n: readonly number[];
  m: readonly number[];
  /** r_0..r_c (first and last are 1). */
  r: readonly number[];
  coreShapes: number[][];
  macs: number;
}

const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

export function bttPlan(n: readonly number[], m: readonly number[], inner: readonly number[]): BttPlan {
  const r = [1, ...inner, 1];
  const coreShapes = n.map((nk, k) => [prod(m.slice(0, k)) * prod(n.slice(k + 1)), nk * r[k]!, m[k]! * r[k + 1]!]);
  return { n, m, r, coreShapes, macs: coreShapes.reduce((a, s) => a + prod(s), 0) };
}

/**
 * The batched-matmul forward of a BTT on x2 (B, Π n). `afterFirst`, when given, rescales the first core's output
 * viewed as (N_>0, B, m_0, r_1) before the second core — the hook BTT-MoE uses to gate experts on the rank axis.
 */
export function bttForward(plan: BttPlan, cores: readonly Tensor[], x2: Tensor, afterFirst?: (z: Tensor) => Tensor): Tensor {
  const { n, m, r } = plan;
  const c = n.length;
  const B = x2.shape[0]!;
  let s = permute(reshape(x2, [B, prod(n.slice(1)), n[0]!]), [1, 0, 2]);             // [N_>0, B, n_0·r_0]
  for (let k = 0; k < c; k++) {
    let z = matmul(s, cores[k]!);                                                      // [M_<k·N_>k, B, m_k·r_{k+1}]
    if (k === 0 && afterFirst) {
      z = reshape(afterFirst(reshape(z, [prod(n.slice(1)), B, m[0]!, r[1]!])), z.shape);
    }
    if (k + 1 === c) return reshape(permute(reshape(z, [prod(m.slice(0, k)), B, m[k]!]), [1, 0, 2]), [B, prod(m)]);
    // Move the next input index n_{k+1} (fastest of n_>k) into the matrix rows, and m_k into the batch.
    const view = reshape(z, [prod(m.slice(0, k)), prod(n.slice(k + 2)), n[k + 1]!, B, m[k]!, r[k + 1]!]);
    s = reshape(permute(view, [0, 4, 1, 3, 2, 5]), [prod(m.slice(0, k + 1)) * prod(n.slice(k + 2)), B, n[k + 1]! * r[k + 1]!]);
  }
  throw new Error('unreachable');
}

/** Reference dense matrix (Π n, Π m) of a BTT, entry by entry from the product of core slices. */
export function bttDense(plan: BttPlan, cores: readonly Float64Array[], gates?: readonly number[]): Float64Array {
  const { n, m, r } = plan;
  const c = n.length;
  const dIn = prod(n), dOut = prod(m);
  const a = new Float64Array(dIn * dOut);
  const ii = new Array<number>(c).fill(0), jj = new Array<number>(c).fill(0);
  for (let row = 0; row < dIn; row++) {
    for (let k = 0, q = row; k < c; k++) { ii[k] = q % n[k]!; q = Math.floor(q / n[k]!); }   // n_0 fastest
    for (let col = 0; col < dOut; col++) {
      for (let k = c - 1, q = col; k >= 0; k--) { jj[k] = q % m[k]!; q = Math.floor(q / m[k]!); } // m_{c−1} fastest
      let v = [1];
      for (let k = 0; k < c; k++) {
        let mIdx = 0;
        for (let j = 0; j < k; j++) mIdx = mIdx * m[j]! + jj[j]!;
        let nIdx = 0;
        for (let j = c - 1; j > k; j--) nIdx = nIdx * n[j]! + ii[j]!;
        const batch = mIdx * prod(n.slice(k + 1)) + nIdx;
        const [, rows, cols] = plan.coreShapes[k]!;
        const core = cores[k]!;
        const w = new Array<number>(r[k + 1]!).fill(0);
        for (let s = 0; s < r[k]!; s++) for (let t = 0; t < r[k + 1]!; t++) {
          w[t]! += v[s]! * core[(batch * rows! + ii[k]! * r[k]! + s) * cols! + jj[k]! * r[k + 1]! + t]!;
        }
        if (k === 0 && gates) for (let t = 0; t < w.length; t++) w[t]! *= gates[t]!;
        v = w;
      }
      a[row * dOut + col] = v[0]!;
    }
  }
  return a;
}

export interface BttOptions extends CommonOptions {
  /** Number of cores c ≥ 2 (default 2). */
  cores?: number;
  /** Internal ranks: one number for all c−1, or a list; each in [1, min(dIn, dOut)]. Default 1. */
  rank?: number | readonly number[];
  /** Weight-normalised cores with learnable scalar gains (spec nn §2.7). Default false. */
  normalize?: boolean;
}

export function checkRanks(op: string, rank: number | readonly number[], c: number, dIn: number, dOut: number): number[] {
  const inner = typeof rank === 'number' ? new Array<number>(c - 1).fill(rank) : [...rank];
  if (inner.length !== c - 1) throw new ArgumentError(`${op}: rank lists the ${c - 1} internal ranks of ${c} cores, got ${inner.length} values`);
  const maxRank = Math.min(dIn, dOut);
  for (const r of inner) {
    checkPositiveInt(op, 'rank', r);
    if (r > maxRank) throw new ArgumentError(`${op}: rank ${r} is out of range for a ${dIn}→${dOut} layer; expected 1 ≤ rank ≤ min(dIn, dOut) = ${maxRank}`);
  }
  return inner;
}

export function coreNames(c: number): string[] {
  return c === 2 ? ['A', 'B'] : Array.from({ length: c }, (_, k) => `G${k + 1}`);
}

/** BTT layer; parameters `{ A, B, b? }` for two cores (`{ G1, …, Gc }` for more), plus `gainA`… when normalised. */
export function btt(dIn: number, dOut: number, opts: BttOptions = {}): StructuredLayer {
  const op = 'structured.btt';
  checkOptions(op, opts, [...COMMON_OPTION_KEYS, 'cores', 'rank', 'normalize']);
  checkPositiveInt(op, 'dIn', dIn);
  checkPositiveInt(op, 'dOut', dOut);
  const c = opts.cores ?? 2;
  checkPositiveInt(op, 'cores', c);
  if (c < 2) throw new ArgumentError(`${op}: cores must be at least 2, got ${c}`);
  const n = factorize(dIn, c), m = factorize(dOut, c);
  const warnings = [...degenerateWarnings(op, dIn, n), ...degenerateWarnings(op, dOut, m)];
  const inner = checkRanks(op, opts.rank ?? 1, c, dIn, dOut);
  const label = c === 2 ? `[α=${n[0]} γ=${n[1]} | φ=${m[0]} ε=${m[1]}] ρ=${inner[0]}` : `[n=${n.join('·')} | m=${m.join('·')}] r=${inner.join(',')}`;
  return Object.assign(bttFromPlan('btt', op, dIn, dOut, bttPlan(n, m, inner), opts, `btt ${dIn}→${dOut} ${label}${opts.normalize ? ' normalised' : ''}`), { warnings });
}

/** A StructuredLayer over a BTT plan whose sizes multiply exactly to dIn and dOut. */
export function bttFromPlan(kind: StructuredLayer['kind'], op: string, dIn: number, dOut: number, plan: BttPlan, opts: CommonOptions & { normalize?: boolean }, description: string): StructuredLayer {
  if (prod(plan.n) !== dIn || prod(plan.m) !== dOut) throw new ArgumentError(`${op}: BTT sizes ${plan.n.join('·')} → ${plan.m.join('·')} do not multiply to ${dIn} → ${dOut}`);
  const names = coreNames(plan.n.length);
  const factors = describeFactors(plan.coreShapes.map((shape, k) => ({
    name: names[k]!, shape, fanIn: shape[1]!, fanOut: shape[2]!,
  })), opts.init ?? 'mup', opts.zeroInit ?? false);
  const layer: StructuredLayer = {
    kind, dIn, dOut, factors, params: sumSizes(factors), macs: plan.macs, activeMacs: plan.macs, extras: [],
    bias: opts.bias ?? true, normalize: opts.normalize ?? false, description,
    init: (rng, o = {}) => initParams(layer, rng, o.dtype),
    apply: (p, x) => applyLinear(layer, p, x, (x2) => bttForward(plan, factors.map((f) => effectiveFactor(layer, p, f)), x2)),
    toDense: (p) => {
      const v = factorValues(layer, p);
      return denseTensor(bttDense(plan, names.map((nm) => v[nm]!)), dIn, dOut, p[names[0]!]!);
    },
  };
  return layer;
}
