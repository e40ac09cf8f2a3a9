/** slogdet / logdet: structure rules (spec §3.3), then Cholesky / LU when small, SLQ when large. */
import { ArgumentError, ShapeError } from '../../core/index.ts';
import { LinearOperator } from '../operator.ts';
import { Auto, SLQ, type Algorithm, type IterInfo, type SLQAlg } from '../algorithms/config.ts';
import { defineRules, newCtx, resolve, type Child, type Ctx, type Rule } from '../dispatch/table.ts';
import { Diagonal, Identity, ScalarMul } from '../operators/diagonal.ts';
import { Triangular } from '../operators/dense.ts';
import { Product, Transpose } from '../operators/composite.ts';
import { Kronecker, KronSum } from '../operators/kronecker.ts';
import { Block, BlockDiag } from '../operators/blocks.ts';
import { Householder, Permutation, Tridiagonal } from '../operators/special.ts';
import { Circulant, Toeplitz } from '../operators/fft.ts';
import { durbinPivots } from '../dense/levinson.ts';
import { NotPositiveDefiniteError } from '../errors.ts';
import { choleskyOf, isSmall, luOf, autoOf, IterativeInverse } from './common.ts';
import { luFactor, luSlogdet } from '../dense/lu.ts';
import { factorEigh, woodburySplit, WoodburyInverse, inv, isSPDToeplitz } from './inv.ts';
import { slq } from '../algorithms/stochastic.ts';

export interface Slogdet { sign: number; logabs: number; info?: IterInfo }
export interface LogdetOpts { logAlg?: Algorithm; traceAlg?: 'exact' | 'stochastic' }
type O = { traceExact: boolean };
type R = Rule<O, Slogdet>;

const sub = (A: LinearOperator, alg: Algorithm, o: O): Child => ({ op: 'slogdet', A, alg, opts: o });
const rec = (A: LinearOperator, alg: Algorithm, o: O, ctx: Ctx) => resolve<Slogdet>('slogdet', A, alg, o, ctx);
const square = (A: LinearOperator) => A.isSquare;

function fromValues(d: ArrayLike<number>): Slogdet {
  let sign = 1, logabs = 0;
  for (let i = 0; i < d.length; i++) { const v = d[i]!; if (v === 0) return { sign: 0, logabs: -Infinity }; if (v < 0) sign = -sign; logabs += Math.log(Math.abs(v)); }
  return { sign, logabs };
}

/** Parity of a permutation from its cycle count: sign = (−1)^(n − cycles). */
export function permutationSign(p: Int32Array): number {
  const seen = new Uint8Array(p.length); let cycles = 0;
  for (let i = 0; i < p.length; i++) if (!seen[i]) { cycles++; for (let j = i; !seen[j]; j = p[j]!) seen[j] = 1; }
  return (p.length - cycles) % 2 === 0 ? 1 : -1;
}

/** Determinant of a tridiagonal matrix by the continuant recurrence fᵢ = aᵢfᵢ₋₁ − bᵢ₋₁cᵢ₋₁fᵢ₋₂, rescaled each step. */
function tridiagSlogdet(T: Tridiagonal): Slogdet {
  const n = T.rows;
  let f2 = 1, f1 = T.diag[0]!, logscale = 0;
  for (let i = 1; i < n; i++) {
    const f = T.diag[i]! * f1 - T.subdiag[i - 1]! * T.superdiag[i - 1]! * f2;
    f2 = f1; f1 = f;
    const s = Math.max(Math.abs(f1), Math.abs(f2));
    if (s > 1e100 || (s < 1e-100 && s > 0)) { f1 /= s; f2 /= s; logscale += Math.log(s); }
  }
  if (f1 === 0) return { sign: 0, logabs: -Infinity };
  return { sign: Math.sign(f1), logabs: Math.log(Math.abs(f1)) + logscale };
}

export const SLOGDET_RULES: R[] = [
  { id: 'slogdet.identity', stage: 'structure', match: (A) => A instanceof Identity, apply: () => ({ sign: 1, logabs: 0 }) },
  {
    // sign(c)ⁿ and n·log|c| — CoLA returns log|c|.
    id: 'slogdet.scalarmul', stage: 'structure', match: (A) => A instanceof ScalarMul,
    apply: (A) => { const c = (A as ScalarMul).c, n = A.rows; return c === 0 ? { sign: 0, logabs: -Infinity } : { sign: c < 0 && n % 2 === 1 ? -1 : 1, logabs: n * Math.log(Math.abs(c)) }; },
  },
  { id: 'slogdet.diagonal', stage: 'structure', match: (A) => A instanceof Diagonal, apply: (A) => fromValues((A as Diagonal).d) },
  {
    id: 'slogdet.triangular', stage: 'structure', match: (A) => A instanceof Triangular,
    apply: (A) => { const T = A as Triangular, n = A.rows; return fromValues(Float64Array.from({ length: n }, (_, i) => T.A.data[i * n + i]!)); },
  },
  { id: 'slogdet.permutation', stage: 'structure', match: (A) => A instanceof Permutation, apply: (A) => ({ sign: permutationSign((A as Permutation).perm), logabs: 0 }) },
  { id: 'slogdet.tridiagonal', stage: 'structure', match: (A) => A instanceof Tridiagonal, apply: (A) => tridiagSlogdet(A as Tridiagonal) },
  {
    id: 'slogdet.householder', stage: 'structure', match: (A) => A instanceof Householder,
    apply: (A) => { const H = A as Householder; return fromValues([1 - H.beta * H.vNorm2]); },
  },
  {
    // Eigenvalues ĉ = DFT(c): log|det| = Σ log|ĉ_k|. For real c the non-real ĉ come in conjugate pairs (positive
    // products), so the sign is that of the real ones, ĉ₀ and (n even) ĉ_{n/2}.
    id: 'slogdet.circulant', stage: 'structure', match: (A) => A instanceof Circulant,
    apply: (A) => {
      const C = A as Circulant, n = C.rows;
      let logabs = 0;
      for (let k = 0; k < n; k++) { const m = Math.hypot(C.specRe[k]!, C.specIm[k]!); if (m === 0) return { sign: 0, logabs: -Infinity }; logabs += Math.log(m); }
      let sign = Math.sign(C.specRe[0]!);
      if (n % 2 === 0) sign *= Math.sign(C.specRe[n / 2]!);
      return { sign, logabs };
    },
  },
  {
    // det T = t₀ⁿ·Π β_k for SPD Toeplitz T: Durbin's β_k are the ratios of consecutive leading minors of T/t₀. O(n²).
    id: 'slogdet.toeplitz.durbin', stage: 'structure', match: (A) => isSPDToeplitz(A),
    apply: (A) => {
      const t = (A as Toeplitz).col, n = t.length, { beta, failedAt } = durbinPivots(t);
      if (failedAt >= 0) throw new NotPositiveDefiniteError(`slogdet(${A.toString()}): asserted PSD, but the leading ${failedAt + 1}×${failedAt + 1} minor is not positive`, failedAt);
      let logabs = n * Math.log(t[0]!);
      for (let k = 1; k < n; k++) logabs += Math.log(beta[k]!);
      return { sign: 1, logabs };
    },
  },
  {
    id: 'slogdet.transpose', stage: 'structure', match: (A) => A instanceof Transpose,
    children: (A, alg, o) => [sub((A as Transpose).base, alg, o)], apply: (A, alg, o, ctx) => rec((A as Transpose).base, alg, o, ctx),
  },
  {
    id: 'slogdet.iterative_inverse', stage: 'structure', match: (A) => A instanceof IterativeInverse,
    apply: (A, alg, o, ctx) => { const r = rec((A as IterativeInverse).base, alg, o, ctx); return { sign: r.sign, logabs: -r.logabs }; },
  },
  {
    id: 'slogdet.product', stage: 'structure', match: (A) => A instanceof Product && A.factors.every(square),
    children: (A, alg, o) => (A as Product).factors.map((f) => sub(f, alg, o)),
    apply: (A, alg, o, ctx) => (A as Product).factors.map((f) => rec(f, alg, o, ctx)).reduce((a, b) => ({ sign: a.sign * b.sign, logabs: a.logabs + b.logabs })),
  },
  {
    // log|det(⊗Aᵢ)| = Σ (N/nᵢ)·log|det Aᵢ|, sign Π signᵢ^(N/nᵢ).
    id: 'slogdet.kronecker', stage: 'structure', match: (A) => A instanceof Kronecker && A.factors.every(square),
    children: (A, alg, o) => (A as Kronecker).factors.map((f) => sub(f, alg, o)),
    apply: (A, alg, o, ctx) => {
      const N = A.rows; let sign = 1, logabs = 0;
      for (const f of (A as Kronecker).factors) {
        const r = rec(f, alg, o, ctx), p = N / f.rows;
        logabs += p * r.logabs; if (r.sign === 0) return { sign: 0, logabs: -Infinity };
        if (r.sign < 0 && p % 2 === 1) sign = -sign;
        if (Number.isNaN(r.sign)) sign = NaN;
      }
      return { sign, logabs };
    },
  },
  {
    id: 'slogdet.blockdiag', stage: 'structure', match: (A) => A instanceof BlockDiag && A.blocks.every(square),
    children: (A, alg, o) => (A as BlockDiag).blocks.map((f) => sub(f, alg, o)),
    apply: (A, alg, o, ctx) => {
      const B = A as BlockDiag; let sign = 1, logabs = 0;
      B.blocks.forEach((b, i) => { const r = rec(b, alg, o, ctx), m = B.multiplicities[i]!; logabs += m * r.logabs; if (r.sign < 0 && m % 2 === 1) sign = -sign; if (r.sign === 0) sign = 0; });
      return { sign, logabs: sign === 0 ? -Infinity : logabs };
    },
  },
  {
    id: 'slogdet.kronsum', stage: 'structure', match: (A) => A instanceof KronSum && A.factors.every((f) => f.isa('SelfAdjoint')),
    apply: (A) => {
      let sums = new Float64Array([0]);
      for (const f of (A as KronSum).factors) {
        const ev = factorEigh(f).values, next = new Float64Array(sums.length * ev.length);
        for (let a = 0; a < sums.length; a++) for (let b = 0; b < ev.length; b++) next[a * ev.length + b] = sums[a]! + ev[b]!;
        sums = next;
      }
      return fromValues(sums);
    },
  },
  {
    // Matrix determinant lemma: det(D + UCVᵀ) = det D · det C · det(C⁻¹ + VᵀD⁻¹U) (C absent: det(I + VᵀD⁻¹U)).
    id: 'slogdet.woodbury', stage: 'structure', match: (A) => woodburySplit(A) !== null,
    children: (A, alg, o) => [sub(woodburySplit(A)!.D, alg, o)],
    apply: (A, alg, o, ctx) => {
      const { D, L } = woodburySplit(A)!;
      const W = inv(A) as WoodburyInverse;
      const r = L.rank;
      const dD = rec(D, alg, o, ctx);
      const capL = fromDense(W.capacitance, r);
      const dC = L.C ? rec(L.C, alg, o, ctx) : { sign: 1, logabs: 0 };
      return { sign: dD.sign * dC.sign * capL.sign, logabs: dD.logabs + dC.logabs + capL.logabs };
    },
  },
  {
    id: 'slogdet.block_schur', stage: 'structure', match: (A) => A instanceof Block,
    apply: (A, alg, o, ctx) => {
      const K = A as Block;
      const dA = rec(K.A, alg, o, ctx);
      let S: LinearOperator = K.D;
      if (K.B && K.C) S = K.D.sub(K.C.mm(inv(K.A)).mm(K.B));
      const dS = rec(S, alg, o, ctx);
      return { sign: dA.sign * dS.sign, logabs: dA.logabs + dS.logabs };
    },
  },
  {
    id: 'slogdet.base.cholesky', stage: 'base',
    match: (A, alg) => A.isa('PSD') && (alg.kind === 'cholesky' || (alg.kind === 'auto' && isSmall(A, alg))),
    apply: (A) => { const L = choleskyOf(A, 'logdet'), n = A.rows; let s = 0; for (let i = 0; i < n; i++) s += Math.log(L[i * n + i]!); return { sign: 1, logabs: 2 * s }; },
  },
  { id: 'slogdet.base.lu', stage: 'base', match: (A, alg) => alg.kind === 'lu' || (alg.kind === 'auto' && isSmall(A, alg)), apply: (A) => luSlogdet(luOf(A)) },
  {
    // SLQ keeps the sign of the estimate (logdet(0.5·I) < 0); PSD ⇒ sign +1.
    id: 'slogdet.base.slq', stage: 'base', match: (A, alg) => A.isa('PSD') && (alg.kind === 'auto' || alg.kind === 'slq' || alg.kind === 'lanczos'),
    apply: (A, alg, o) => { const e = slq(A, Math.log, slqOf(alg), o.traceExact); return { sign: 1, logabs: e.value, info: e.info }; },
  },
  {
    // Not PSD: ½·SLQ on AᵀA; the sign is unknown (NaN).
    id: 'slogdet.base.slq_normal', stage: 'base', match: (A, alg) => alg.kind === 'auto' || alg.kind === 'slq' || alg.kind === 'lanczos',
    apply: (A, alg, o) => {
      const AtA = A.isa('SelfAdjoint') ? A.mm(A) : A.T.mm(A);
      const e = slq(AtA, Math.log, slqOf(alg), o.traceExact);
      return { sign: NaN, logabs: e.value / 2, info: e.info };
    },
  },
];
defineRules('slogdet', SLOGDET_RULES);

function slqOf(alg: Algorithm): SLQAlg {
  if (alg.kind === 'slq') return alg;
  if (alg.kind === 'lanczos') return SLQ({ steps: alg.maxIters, seed: alg.seed });
  const a = autoOf(alg);
  return SLQ({ seed: a.seed });
}

/** slogdet of a small dense r×r matrix (the Woodbury capacitance) by LU, valid whatever its definiteness. */
function fromDense(a: Float64Array, n: number): Slogdet { return luSlogdet(luFactor(a, n)); }

export function slogdet(A: LinearOperator, opts: LogdetOpts = {}): Slogdet {
  if (!(A instanceof LinearOperator)) throw new ArgumentError('slogdet: A must be a LinearOperator');
  if (!A.isSquare) throw new ShapeError(`slogdet: needs a square operator, got ${A.shape[0]}×${A.shape[1]} ${A.toString()}`);
  for (const k of Object.keys(opts)) if (k !== 'logAlg' && k !== 'traceAlg') throw new ArgumentError(`slogdet: unknown option '${k}'; accepted: logAlg, traceAlg`);
  return resolve<Slogdet>('slogdet', A, opts.logAlg ?? Auto(), { traceExact: opts.traceAlg === 'exact' }, newCtx());
}

/** log|det A| (as CoLA's logdet). */
export function logdet(A: LinearOperator, opts: LogdetOpts = {}): number { return slogdet(A, opts).logabs; }
