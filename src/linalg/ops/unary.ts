/**
 * f(A) for f ∈ {exp, log, pow(α), custom}: closed forms through the structure (exp(A⊕B) = exp A ⊗ exp B, since the
 * Kronecker-sum terms commute), then V·f(Λ)·Vᵀ for small SelfAdjoint A, Padé expm / eig for small general A, and
 * lazy Lanczos / Arnoldi f(A)v for large A. Every wrapper passes the full argument list to one entry point, so no
 * rule can be missed by a shorter call (CoLA's exp(KronSum) went dense without an explicit algorithm).
 */
import { ArgumentError, ShapeError } from '../../core/index.ts';
import { LinearOperator } from '../operator.ts';
import { Auto, type Algorithm, Cholesky, LU, CG, GMRES } from '../algorithms/config.ts';
import { defineRules, newCtx, resolve, type Ctx, type Rule } from '../dispatch/table.ts';
import { Diagonal, Identity, ScalarMul } from '../operators/diagonal.ts';
import { Dense } from '../operators/dense.ts';
import { Product, Transpose } from '../operators/composite.ts';
import { Kronecker, KronSum } from '../operators/kronecker.ts';
import { BlockDiag } from '../operators/blocks.ts';
import { Circulant } from '../operators/fft.ts';
import { FunctionOperator } from '../operators/function.ts';
import { denseOf, eighOf, isSmall } from './common.ts';
import { factorEigh, inv } from './inv.ts';
import { expm } from '../dense/expm.ts';
import { eigGeneral } from '../dense/eig.ts';
import { luFactor, luSolve } from '../dense/lu.ts';
import { lanczosBlock } from '../algorithms/lanczos.ts';
import { eighTridiagonal } from '../dense/eigh.ts';
import type { Mat } from '../mat.ts';

export interface UnaryFn { tag: 'exp' | 'log' | 'pow' | 'custom'; alpha?: number; f: (x: number) => number; name: string }
export const fnExp: UnaryFn = { tag: 'exp', f: Math.exp, name: 'exp' };
export const fnLog: UnaryFn = { tag: 'log', f: Math.log, name: 'log' };
export const fnPow = (alpha: number): UnaryFn => ({ tag: 'pow', alpha, f: (x) => x ** alpha, name: `pow(${alpha})` });

type R = Rule<UnaryFn, LinearOperator>;
const rec = (A: LinearOperator, alg: Algorithm, f: UnaryFn, ctx: Ctx) => resolve<LinearOperator>('unary', A, alg, f, ctx);
const annotFor = (A: LinearOperator, f: UnaryFn) => (A.isa('PSD') && f.tag !== 'log' && f.tag !== 'custom' ? ['PSD' as const] : A.isa('SelfAdjoint') ? ['SelfAdjoint' as const] : []);

function eigFn(A: LinearOperator, f: UnaryFn, values: Float64Array, V: Float64Array): LinearOperator {
  const n = A.rows, fv = values.map(f.f), out = new Float64Array(n * n);
  // V·f(Λ)·Vᵀ
  for (let k = 0; k < n; k++) { const w = fv[k]!; if (w === 0) continue; const vk = V.subarray(k * n, (k + 1) * n); for (let j = 0; j < n; j++) { const s = w * vk[j]!; for (let i = 0; i < n; i++) out[j * n + i] = out[j * n + i]! + s * vk[i]!; } }
  return withAnn(new Dense({ rows: n, cols: n, data: out }), annotFor(A, f));
}
function withAnn<T extends LinearOperator>(A: T, ann: ('PSD' | 'SelfAdjoint')[]): T {
  if (ann.length === 0) return A;
  const c = Object.create(Object.getPrototypeOf(A)) as T; Object.assign(c, A);
  Object.defineProperty(c, 'annotations', { value: new Set([...A.annotations, ...ann, 'SelfAdjoint']) });
  return c;
}

/** Lazy f(A)·v ≈ ‖v‖·Q·f(T)·e₁ per column from m Lanczos steps (SelfAdjoint A). */
class LanczosUnary extends LinearOperator {
  constructor(readonly A: LinearOperator, readonly fn: UnaryFn, readonly steps: number) { super(A.shape, A.dtype, annotFor(A, fn)); }
  protected _matmat(X: Mat): Mat {
    const n = this.rows, out = new Float64Array(n * X.cols);
    // All columns run as independent Lanczos recurrences sharing one product per step.
    const runs = lanczosBlock(this.A, { rows: n, cols: X.cols, data: Float64Array.from(X.data) }, Math.min(this.steps, n), this.steps > 100 ? 'selective' : 'full');
    runs.forEach((L, c) => {
      if (L.steps === 0) return;
      let nx = 0; for (let i = 0; i < n; i++) nx += X.data[c * n + i]! ** 2; nx = Math.sqrt(nx);
      const m = L.steps, e = eighTridiagonal(L.alpha, L.beta.subarray(0, m - 1), true);
      const coef = new Float64Array(m);
      for (let j = 0; j < m; j++) { const w = this.fn.f(e.values[j]!) * e.vectors![j * m]!; for (let i = 0; i < m; i++) coef[i] = coef[i]! + w * e.vectors![j * m + i]!; }
      for (let j = 0; j < m; j++) { const q = L.Q[j]!, w = nx * coef[j]!; for (let i = 0; i < n; i++) out[c * n + i] = out[c * n + i]! + w * q[i]!; }
    });
    return { rows: n, cols: X.cols, data: out };
  }
  protected _rmatmat(X: Mat): Mat { return this._matmat(X); }
  toString(): string { return `${this.fn.name}(${this.A.toString()})[lanczos]`; }
}

/** Lazy f(A)·v ≈ ‖v‖·Q·f(H)·e₁ from m Arnoldi steps (general A); f(H) by Padé expm for exp, else by eig of H. */
class ArnoldiUnary extends LinearOperator {
  constructor(readonly A: LinearOperator, readonly fn: UnaryFn, readonly steps: number) { super(A.shape, A.dtype); }
  protected _matmat(X: Mat): Mat {
    const n = this.rows, out = new Float64Array(n * X.cols);
    for (let c = 0; c < X.cols; c++) {
      const x = Float64Array.from(X.data.subarray(c * n, (c + 1) * n)); let nx = 0; for (let i = 0; i < n; i++) nx += x[i]! ** 2; nx = Math.sqrt(nx);
      if (nx === 0) continue;
      const m0 = Math.min(this.steps, n), Q: Float64Array[] = [x.map((v) => v / nx)], H = new Float64Array((m0 + 1) * m0);
      let m = m0;
      for (let j = 0; j < m0; j++) {
        const w = Float64Array.from(this.A.matmat({ rows: n, cols: 1, data: Q[j]! }).data);
        for (let pass = 0; pass < 2; pass++) for (let i = 0; i <= j; i++) { let h = 0; for (let t = 0; t < n; t++) h += Q[i]![t]! * w[t]!; H[j * (m0 + 1) + i] = H[j * (m0 + 1) + i]! + h; for (let t = 0; t < n; t++) w[t] = w[t]! - h * Q[i]![t]!; }
        let hn = 0; for (let t = 0; t < n; t++) hn += w[t]! ** 2; hn = Math.sqrt(hn);
        H[j * (m0 + 1) + j + 1] = hn;
        if (hn <= 1e-13 || j + 1 === m0) { m = j + 1; break; }
        Q.push(w.map((v) => v / hn));
      }
      const Hm = new Float64Array(m * m); for (let j = 0; j < m; j++) for (let i = 0; i < m; i++) Hm[j * m + i] = H[j * (m0 + 1) + i]!;
      const fH = denseFn(Hm, m, this.fn);
      for (let j = 0; j < m; j++) { const w = nx * fH[j]!; for (let i = 0; i < n; i++) out[c * n + i] = out[c * n + i]! + w * Q[j]![i]!; } // first column of f(H)
    }
    return { rows: n, cols: X.cols, data: out };
  }
  protected _rmatmat(X: Mat): Mat { return new ArnoldiUnary(this.A.T, this.fn, this.steps).matmat(X); }
  toString(): string { return `${this.fn.name}(${this.A.toString()})[arnoldi]`; }
}

/** f of a small general dense matrix: Padé expm for exp, else V·f(Λ)·V⁻¹ (real spectrum required). */
function denseFn(a: Float64Array, n: number, fn: UnaryFn): Float64Array {
  if (fn.tag === 'exp') return expm(a, n);
  const e = eigGeneral(a, n, true);
  if (e.im.some((v) => v !== 0)) throw new ArgumentError(`${fn.name}: the matrix has complex eigenvalues; only exp is supported for such matrices in v1 (real dtypes)`);
  const V = e.vectors!, FV = new Float64Array(n * n);
  for (let k = 0; k < n; k++) { const w = fn.f(e.re[k]!); for (let i = 0; i < n; i++) FV[k * n + i] = w * V[k * n + i]!; }
  // f(A) = (V f(Λ)) V⁻¹ = (V⁻ᵀ (V f(Λ))ᵀ)ᵀ
  const FVt = new Float64Array(n * n); for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) FVt[i * n + j] = FV[j * n + i]!;
  const X = luSolve(luFactor(V, n), FVt, n, true);
  const out = new Float64Array(n * n); for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) out[i * n + j] = X[j * n + i]!;
  return out;
}

const isIntPow = (f: UnaryFn) => f.tag === 'pow' && Number.isInteger(f.alpha);

export const UNARY_RULES: R[] = [
  { id: 'unary.diagonal', stage: 'structure', match: (A) => A instanceof Diagonal, apply: (A, _a, f) => new Diagonal((A as Diagonal).d.map(f.f)) },
  {
    // A symmetric circulant has a real spectrum ĉ, and f(C) is the circulant with spectrum f(ĉ).
    id: 'unary.circulant', stage: 'structure', match: (A) => A instanceof Circulant && A.isa('SelfAdjoint'),
    apply: (A, _a, f) => { const C = A as Circulant; return withAnn(Circulant.fromSpectrum(C.specRe.map(f.f), new Float64Array(C.rows), C.dtype), annotFor(A, f)); },
  },
  { id: 'unary.scalarmul', stage: 'structure', match: (A) => A instanceof ScalarMul, apply: (A, _a, f) => new ScalarMul(f.f((A as ScalarMul).c), A.rows, A.dtype) },
  { id: 'unary.identity', stage: 'structure', match: (A) => A instanceof Identity, apply: (A, _a, f) => new ScalarMul(f.f(1), A.rows, A.dtype) },
  {
    id: 'unary.blockdiag', stage: 'structure', match: (A) => A instanceof BlockDiag && A.blocks.every((b) => b.isSquare),
    children: (A, alg, f) => (A as BlockDiag).blocks.map((b) => ({ op: 'unary', A: b, alg, opts: f })),
    apply: (A, alg, f, ctx) => new BlockDiag((A as BlockDiag).blocks.map((b) => rec(b, alg, f, ctx)), (A as BlockDiag).multiplicities),
  },
  { id: 'unary.transpose', stage: 'structure', match: (A) => A instanceof Transpose, apply: (A, alg, f, ctx) => rec((A as Transpose).base, alg, f, ctx).T },
  {
    id: 'unary.exp_kronsum', stage: 'structure', match: (A, _a, f) => A instanceof KronSum && f.tag === 'exp',
    children: (A, alg, f) => (A as KronSum).factors.map((b) => ({ op: 'unary', A: b, alg, opts: f })),
    apply: (A, alg, f, ctx) => new Kronecker((A as KronSum).factors.map((b) => rec(b, alg, f, ctx))),
  },
  {
    // Any f of a Kronecker sum of SelfAdjoint factors: factor eigendecompositions, f on the summed spectrum.
    id: 'unary.kronsum_eig', stage: 'structure', match: (A) => A instanceof KronSum && A.factors.every((x) => x.isa('SelfAdjoint')),
    apply: (A, _a, f) => {
      const K = A as KronSum, eigs = K.factors.map(factorEigh);
      const Q = new Kronecker(eigs.map((e, i) => new Dense({ rows: K.factors[i]!.rows, cols: K.factors[i]!.rows, data: e.vectors! })));
      let sums = new Float64Array([0]);
      for (const e of eigs) { const nx = new Float64Array(sums.length * e.values.length); for (let a = 0; a < sums.length; a++) for (let b = 0; b < e.values.length; b++) nx[a * e.values.length + b] = sums[a]! + e.values[b]!; sums = nx; }
      return withAnn(new Product([Q, new Diagonal(sums.map(f.f)), Q.T]), annotFor(A, f));
    },
  },
  {
    id: 'unary.pow_kronecker', stage: 'structure', match: (A, _a, f) => A instanceof Kronecker && f.tag === 'pow' && (A.factors.every((x) => x.isa('PSD')) || isIntPow(f)),
    children: (A, alg, f) => (A as Kronecker).factors.map((b) => ({ op: 'unary', A: b, alg, opts: f })),
    apply: (A, alg, f, ctx) => new Kronecker((A as Kronecker).factors.map((b) => rec(b, alg, f, ctx))),
  },
  {
    id: 'unary.log_kronecker', stage: 'structure', match: (A, _a, f) => A instanceof Kronecker && f.tag === 'log' && A.factors.every((x) => x.isa('PSD')),
    apply: (A, alg, f, ctx) => new KronSum((A as Kronecker).factors.map((b) => rec(b, alg, f, ctx))),
  },
  {
    id: 'unary.pow_scaled', stage: 'structure', match: (A, _a, f) => f.tag === 'pow' && A instanceof Product && A.factors.length === 2 && A.factors[0] instanceof ScalarMul && (A.factors[0] as ScalarMul).c > 0,
    apply: (A, alg, f, ctx) => { const P = A as Product; return rec(P.factors[1]!, alg, f, ctx).scale((P.factors[0] as ScalarMul).c ** f.alpha!); },
  },
  {
    id: 'unary.pow_integer', stage: 'structure', match: (A, _a, f) => f.tag === 'pow' && Number.isInteger(f.alpha) && f.alpha! >= -9 && f.alpha! <= 9,
    apply: (A, alg, f) => {
      const a = f.alpha!;
      if (a === 0) return new Identity(A.rows, A.dtype);
      const base = a > 0 ? A : inv(A, mapInvAlg(alg));
      const k = Math.abs(a);
      return k === 1 ? base : new Product(Array.from({ length: k }, () => base));
    },
  },
  {
    id: 'unary.base.eigh', stage: 'base', match: (A, alg) => A.isa('SelfAdjoint') && (alg.kind === 'eigh' || (alg.kind === 'auto' && isSmall(A, alg))),
    apply: (A, _a, f) => { const e = eighOf(A); return eigFn(A, f, e.values, e.vectors!); },
  },
  {
    id: 'unary.base.eig', stage: 'base', match: (A, alg) => alg.kind === 'eig' || (alg.kind === 'auto' && isSmall(A, alg)),
    apply: (A, _a, f) => new Dense({ rows: A.rows, cols: A.rows, data: denseFn(denseOf(A), A.rows, f) }),
  },
  {
    id: 'unary.base.lanczos', stage: 'base', match: (A, alg) => A.isa('SelfAdjoint') && (alg.kind === 'lanczos' || alg.kind === 'auto'),
    apply: (A, alg, f) => new LanczosUnary(A, f, alg.kind === 'lanczos' ? alg.maxIters : 100),
  },
  { id: 'unary.base.arnoldi', stage: 'base', match: (A, alg) => alg.kind === 'arnoldi' || alg.kind === 'auto', apply: (A, alg, f) => new ArnoldiUnary(A, f, alg.kind === 'arnoldi' ? alg.maxIters : 100) },
];
defineRules('unary', UNARY_RULES);

/** pow(A, −1) maps the f(A) algorithm to its inverse counterpart: Lanczos→CG, Arnoldi→GMRES, Eigh→Cholesky, Eig→LU. */
function mapInvAlg(alg: Algorithm): Algorithm {
  switch (alg.kind) {
    case 'lanczos': return CG({ tol: alg.tol, maxIters: alg.maxIters });
    case 'arnoldi': return GMRES({ tol: alg.tol, maxIters: alg.maxIters });
    case 'eigh': return Cholesky();
    case 'eig': return LU();
    default: return alg;
  }
}

export function applyUnary(f: UnaryFn | ((x: number) => number), A: LinearOperator, alg: Algorithm = Auto()): LinearOperator {
  if (!(A instanceof LinearOperator)) throw new ArgumentError('applyUnary: A must be a LinearOperator');
  if (!A.isSquare) throw new ShapeError(`applyUnary: needs a square operator, got ${A.shape[0]}×${A.shape[1]} ${A.toString()}`);
  const fn: UnaryFn = typeof f === 'function' ? { tag: 'custom', f, name: f.name || 'f' } : f;
  return resolve<LinearOperator>('unary', A, alg, fn, newCtx());
}
export const exp = (A: LinearOperator, alg: Algorithm = Auto()) => applyUnary(fnExp, A, alg);
export const log = (A: LinearOperator, alg: Algorithm = Auto()) => applyUnary(fnLog, A, alg);
export const pow = (A: LinearOperator, alpha: number, alg: Algorithm = Auto()) => {
  if (!Number.isFinite(alpha)) throw new ArgumentError(`pow: alpha must be finite, got ${alpha}`);
  return applyUnary(fnPow(alpha), A, alg);
};
export const sqrt = (A: LinearOperator, alg: Algorithm = Auto()) => pow(A, 0.5, alg);
export const isqrt = (A: LinearOperator, alg: Algorithm = Auto()) => pow(A, -0.5, alg);
export { FunctionOperator };
