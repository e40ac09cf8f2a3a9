/**
 * Shared pieces of the operations: the per-instance factorization cache (a WeakMap, so no state is stored on
 * operators), the size rule of Auto, dense views in float64, and the inverse operators the base rules return.
 */
import { LinearOperator } from '../operator.ts';
import { type Mat, alloc, assertFiniteMat, dtypeOfArray, type LinalgDType } from '../mat.ts';
import { choleskyInPlace } from '../dense/cholesky.ts';
import { luFactor, luSolve, type LUFactors } from '../dense/lu.ts';
import { solveTriangularInPlace } from '../dense/triangular.ts';
import { eigh, type EighResult } from '../dense/eigh.ts';
import type { Algorithm, AutoAlg, CGAlg, GMRESAlg, IterInfo, MINRESAlg } from '../algorithms/config.ts';
import { Auto, CG, GMRES, MINRES } from '../algorithms/config.ts';
import { minres } from '../algorithms/minres.ts';
import { cg } from '../algorithms/cg.ts';
import { gmres } from '../algorithms/gmres.ts';
import { ConvergenceError, PreconditionError } from '../errors.ts';
import { NonFiniteError } from '../../core/index.ts';
import { paren } from '../operators/composite.ts';
import { Dense } from '../operators/dense.ts';
import { Sparse } from '../operators/sparse.ts';
import { Diagonal } from '../operators/diagonal.ts';
import { currentEpoch, fingerprint } from '../kernels/staging.ts';

/**
 * Factorizations are cached per operator and, like the staged wasm copies, must never outlive an in-place edit of
 * the operator's storage: an entry remembers a fingerprint of `params()` (every entry's bits) and is re-verified at
 * its first use in each operation (kernels/staging.ts) — one pass over the storage, against the O(n²)–O(n³) work the
 * cached factors save — and dropped on any difference.
 */
interface Factors { dense?: Float64Array; chol?: Float64Array; lu?: LUFactors; eigh?: EighResult; fp: string; epoch: number }
const cache = new WeakMap<LinearOperator, Factors>();
/** Every typed array an operator holds, directly or through child operators (Sum terms, Kronecker factors, …). */
function storageOf(A: LinearOperator, out: ArrayBufferView[] = [], seen = new Set<object>()): ArrayBufferView[] {
  if (seen.has(A)) return out;
  seen.add(A);
  const visit = (v: unknown): void => {
    if (v instanceof LinearOperator) storageOf(v, out, seen);
    else if (ArrayBuffer.isView(v)) { if (!seen.has(v)) { seen.add(v); out.push(v); } }
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) Object.values(v).forEach(visit); // a Mat
  };
  for (const v of Object.values(A)) visit(v);
  return out;
}
function storageFingerprint(A: LinearOperator): string { return fingerprint(A instanceof Dense ? [A.A.data] : storageOf(A)); }
function entry(A: LinearOperator): Factors {
  let e = cache.get(A);
  const now = currentEpoch();
  if (e && (now < 0 || e.epoch !== now)) {
    const fp = storageFingerprint(A);
    if (fp !== e.fp) e = undefined; else e.epoch = now;
  }
  if (!e) { e = { fp: storageFingerprint(A), epoch: now }; cache.set(A, e); }
  return e;
}

/** The dense matrix of A in float64, column-major (cached). */
export function denseOf(A: LinearOperator): Float64Array {
  const e = entry(A);
  if (!e.dense) {
    // A float64 Dense is used in place (factorizations copy before they overwrite), saving an n² copy per call.
    let d: Float64Array;
    if (A instanceof Dense && A.A.data instanceof Float64Array) d = A.A.data;
    else { const D = A.toDense().data; d = D instanceof Float64Array ? D : Float64Array.from(D); }
    // Once per factorization (O(n²) against its O(n³)), so storage edited after lazify cannot feed NaN into it.
    assertFiniteMat({ rows: A.rows, cols: A.cols, data: d }, 'linalg', `operator ${A.toString()}`);
    e.dense = d;
  }
  return e.dense;
}
export function choleskyOf(A: LinearOperator, what = 'cholesky'): Float64Array {
  const e = entry(A);
  if (!e.chol) { const L = denseOf(A).slice(); choleskyInPlace(L, A.rows, `${what}(${A.toString()})`); e.chol = L; }
  return e.chol;
}
export function luOf(A: LinearOperator): LUFactors {
  const e = entry(A);
  if (!e.lu) e.lu = luFactor(denseOf(A), A.rows);
  return e.lu;
}
export function eighOf(A: LinearOperator): EighResult {
  const e = entry(A);
  if (!e.eigh) e.eigh = eigh(denseOf(A), A.rows, true);
  return e.eigh;
}

export function autoOf(alg: Algorithm): AutoAlg { return alg.kind === 'auto' ? alg : Auto(); }
export function isSmall(A: LinearOperator, alg: Algorithm): boolean { return A.rows * A.cols <= autoOf(alg).denseLimit; }

/** Flops of one product with A: nnz for a Sparse, rows·cols for a Dense and for operators of unknown cost. */
function productCost(A: LinearOperator): number {
  if (A instanceof Sparse) return 2 * A.nnz;
  if (A instanceof Diagonal) return A.rows;
  return 2 * A.rows * A.cols;
}

/**
 * Auto's base case for inv/solve on a square A of order n: dense factorization or a Krylov method.
 *   - n > directLimit: Krylov (a dense factor of that order is not affordable);
 *   - no tol given: dense — the caller asked for the solution, and below directLimit it is affordable (the Krylov
 *     answer would be one to rel. residual 1e-6, CoLA issues #92/#108);
 *   - tol given: the cheaper by estimated flops. Dense: n products to densify (none for a Dense) plus n³/3
 *     (Cholesky) or 2n³/3 (LU). Krylov: iterations × product cost, iterations ≈ min(n, √n·ln(2/tol)) — the CG bound
 *     ½√κ·ln(2/tol) with κ ≈ 4n, the condition number of a second-order discretization on n points (a guess:
 *     κ is unknown before solving, and this one errs towards dense for small n).
 */
export function directChoice(A: LinearOperator, alg: AutoAlg): { dense: boolean; why: string } {
  const n = A.rows, limit = alg.directLimit;
  if (n > limit) return { dense: false, why: `n=${n} > directLimit ${limit}` };
  if (!alg.tolRequested) return { dense: true, why: `n=${n} ≤ directLimit ${limit}, no tol: direct` };
  const f = (v: number) => v.toExponential(1);
  const dense = (A instanceof Dense ? 0 : n * productCost(A)) + (A.isa('PSD') ? 1 / 3 : 2 / 3) * n ** 3;
  const iters = Math.min(n, Math.ceil(Math.sqrt(n) * Math.log(2 / alg.tol)));
  const krylov = iters * productCost(A);
  return dense <= krylov
    ? { dense: true, why: `tol ${alg.tol}: dense ${f(dense)} ≤ Krylov ${f(krylov)} flops` }
    : { dense: false, why: `tol ${alg.tol}: Krylov ${f(krylov)} < dense ${f(dense)} flops` };
}
export function autoDirect(A: LinearOperator, alg: Algorithm): boolean { return alg.kind === 'auto' && directChoice(A, alg).dense; }

export function toF64(X: Mat): Float64Array { return X.data instanceof Float64Array ? X.data : Float64Array.from(X.data); }
export function outMat(rows: number, cols: number, data: Float64Array, dtype: LinalgDType): Mat {
  if (dtype === 'float64') return { rows, cols, data };
  const d = alloc(dtype, data.length); d.set(data); return { rows, cols, data: d };
}

/** A⁻¹ from a dense Cholesky factor: two triangular solves per application; symmetric, so rmatmat = matmat. */
export class CholeskyInverse extends LinearOperator {
  constructor(readonly base: LinearOperator) { super(base.shape, base.dtype, [...base.annotations].filter((a) => a !== 'Unitary' && a !== 'Stiefel')); }
  private solve(X: Mat): Mat {
    const L = choleskyOf(this.base, 'solve'), n = this.rows, b = toF64(X).slice();
    solveTriangularInPlace(L, n, b, X.cols, true, false);
    solveTriangularInPlace(L, n, b, X.cols, true, true);
    return outMat(n, X.cols, b, dtypeOfArray(X.data));
  }
  protected _matmat(X: Mat): Mat { return this.solve(X); }
  protected _rmatmat(X: Mat): Mat { return this.solve(X); }
  toString(): string { return `${paren(this.base)}⁻¹`; }
}

/** A⁻¹ from a dense LU factorization with partial pivoting. */
export class LUInverse extends LinearOperator {
  constructor(readonly base: LinearOperator) { super(base.shape, base.dtype, [...base.annotations].filter((a) => a !== 'Stiefel')); }
  protected _matmat(X: Mat): Mat { return outMat(this.rows, X.cols, luSolve(luOf(this.base), toF64(X), X.cols), dtypeOfArray(X.data)); }
  protected _rmatmat(X: Mat): Mat { return outMat(this.rows, X.cols, luSolve(luOf(this.base), toF64(X), X.cols, true), dtypeOfArray(X.data)); }
  toString(): string { return `${paren(this.base)}⁻¹`; }
}

/**
 * A⁻¹ applied by an iterative solver (CG or GMRES) on every product. `lastInfo` keeps the info of the latest
 * application (spec §2); `solveWithInfo` returns it directly, which is the way to read it.
 */
export class IterativeInverse extends LinearOperator {
  lastInfo: IterInfo | null = null;
  constructor(readonly base: LinearOperator, readonly alg: CGAlg | GMRESAlg | MINRESAlg) {
    super(base.shape, base.dtype, [...base.annotations].filter((a) => a !== 'Stiefel'));
    if (alg.kind === 'cg' && !base.isa('PSD')) throw new PreconditionError(`CG needs a PSD operator, but ${base.toString()} is not annotated PSD; wrap it as PSD(A) if it is symmetric positive definite, or use GMRES`);
    if (alg.kind === 'minres' && !base.isa('SelfAdjoint')) throw new PreconditionError(`MINRES needs a SelfAdjoint operator, but ${base.toString()} is not annotated SelfAdjoint; wrap it as SelfAdjoint(A) if it is symmetric, or use GMRES`);
  }
  solveWithInfo(X: Mat, transposed = false): { X: Mat; info: IterInfo } {
    assertFiniteMat(X, 'solve', 'B');
    const A = transposed && !this.base.isa('SelfAdjoint') ? this.base.T : this.base;
    const r = this.alg.kind === 'cg' ? cg(A, X, this.alg) : this.alg.kind === 'minres' ? minres(A, X, this.alg) : gmres(A, X, this.alg);
    this.lastInfo = r.info;
    return { X: outMat(this.rows, X.cols, r.X.data as Float64Array, dtypeOfArray(X.data)), info: r.info };
  }
  /**
   * A product is an answer, so a solver that broke down (or met a non-finite value) throws here; the partial result
   * and its info are what `solveWithInfo` is for.
   */
  private checked(r: { X: Mat; info: IterInfo }): Mat {
    const { info } = r, name = this.alg.kind.toUpperCase();
    if (!info.residuals.every(Number.isFinite)) {
      throw new NonFiniteError(`solve: ${name} on ${this.base.toString()} produced non-finite residuals after ${info.iterations} iterations — the operator (or preconditioner) has non-finite entries or overflows; use solveWithInfo for the partial result`);
    }
    if (info.breakdown) {
      const cause = this.alg.kind === 'cg' ? 'pᵀAp ≤ 0: the operator is not positive definite' : 'the preconditioner is not positive definite';
      throw new ConvergenceError(`solve: ${name} broke down after ${info.iterations} iterations (${cause}; max residual ${Math.max(...info.residuals).toExponential(2)}); use solveWithInfo for the partial result and its info, or another algorithm`);
    }
    return r.X;
  }
  protected _matmat(X: Mat): Mat { return this.checked(this.solveWithInfo(X)); }
  protected _rmatmat(X: Mat): Mat { return this.checked(this.solveWithInfo(X, true)); }
  toString(): string { return `${paren(this.base)}⁻¹[${this.alg.kind}]`; }
}

export function cgFromAuto(alg: Algorithm): CGAlg {
  if (alg.kind === 'cg') return alg;
  const a = autoOf(alg);
  return CG({ tol: a.tol, maxIters: a.maxIters, P: a.P, strict: a.strict });
}
export function minresFromAuto(alg: Algorithm): MINRESAlg {
  if (alg.kind === 'minres') return alg;
  const a = autoOf(alg);
  return MINRES({ tol: a.tol, maxIters: a.maxIters, P: a.P, strict: a.strict });
}
export function gmresFromAuto(alg: Algorithm): GMRESAlg {
  if (alg.kind === 'gmres') return alg;
  const a = autoOf(alg);
  return GMRES({ tol: a.tol, maxIters: a.maxIters, P: a.P, strict: a.strict });
}
