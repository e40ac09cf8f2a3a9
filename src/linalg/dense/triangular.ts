/**
 * Triangular solves with many right-hand sides, column-major. Lower: column-oriented forward substitution (axpy on
 * contiguous columns); transposed: dot products. Golub & Van Loan Alg. 3.1.3–3.1.4.
 */
import { gemm } from '../../core/index.ts';
import { SingularError } from '../errors.ts';

/** Block size of the blocked solve; below BLOCKED_MIN_N rows or BLOCKED_MIN_K right-hand sides the plain loops win. */
const TRSM_BLOCK = 48, BLOCKED_MIN_N = 96, BLOCKED_MIN_K = 8;

/**
 * Solves op(T)·X = B in place on B (n×k column-major). `lower` says which triangle of T holds the matrix,
 * `trans` solves with Tᵀ, `unit` assumes a unit diagonal.
 */
export function solveTriangularInPlace(t: ArrayLike<number>, n: number, b: Float64Array, k: number, lower: boolean, trans = false, unit = false): void {
  if (!unit) for (let j = 0; j < n; j++) if (t[j * n + j] === 0) throw new SingularError(`solveTriangular: zero diagonal entry at ${j}; the triangular matrix is singular`);
  if (n >= BLOCKED_MIN_N && k >= BLOCKED_MIN_K && t instanceof Float64Array) { blockedSolve(t, n, b, k, lower, trans, unit); return; }
  substitution(t, n, b, k, lower, trans, unit, 0, n);
}

/**
 * Blocked substitution (the TRSM of level-3 BLAS): solve a TRSM_BLOCK-row diagonal block by plain substitution, then
 * remove its contribution from the remaining rows with one gemm, so O(n²k) of the O(n²k) work runs in the kernel.
 * M = op(T) is lower-triangular when `lower` ≠ `trans`: solved top-down, else bottom-up.
 */
function blockedSolve(t: Float64Array, n: number, b: Float64Array, k: number, lower: boolean, trans: boolean, unit: boolean): void {
  const forward = lower !== trans;
  // M(i, j) = T(i, j) at t[j·n + i], or T(j, i) at t[i·n + j] when transposed.
  const mOp = (r0: number, c0: number) => (trans
    ? { data: t, offset: r0 * n + c0, rowStride: n, colStride: 1, batchStride: 0 }
    : { data: t, offset: c0 * n + r0, rowStride: 1, colStride: n, batchStride: 0 });
  const bOp = (r0: number) => ({ data: b, offset: r0, rowStride: 1, colStride: n, batchStride: 0 });
  const update = (r0: number, rows: number, j0: number, kb: number) => {
    const C = new Float64Array(rows * k);
    gemm(rows, k, kb, 1, mOp(r0, j0), bOp(j0), C, 0);
    for (let c = 0; c < k; c++) { const o = c * n + r0; for (let i = 0; i < rows; i++) b[o + i] = b[o + i]! - C[i * k + c]!; }
  };
  if (forward) {
    for (let j0 = 0; j0 < n; j0 += TRSM_BLOCK) {
      const j1 = Math.min(n, j0 + TRSM_BLOCK);
      substitution(t, n, b, k, lower, trans, unit, j0, j1);
      if (j1 < n) update(j1, n - j1, j0, j1 - j0);
    }
  } else {
    for (let j1 = n; j1 > 0; j1 -= TRSM_BLOCK) {
      const j0 = Math.max(0, j1 - TRSM_BLOCK);
      substitution(t, n, b, k, lower, trans, unit, j0, j1);
      if (j0 > 0) update(0, j0, j0, j1 - j0);
    }
  }
}

/** Plain substitution restricted to rows/columns j0..j1−1 of op(T) (the whole matrix when j0 = 0, j1 = n). */
function substitution(t: ArrayLike<number>, n: number, b: Float64Array, k: number, lower: boolean, trans: boolean, unit: boolean, lo: number, hi: number): void {
  // (lower, no trans) and (upper, trans) run forward; the other two backward.
  const forward = lower !== trans;
  for (let c = 0; c < k; c++) {
    const o = c * n;
    if (!trans) {
      if (forward) {
        for (let j = lo; j < hi; j++) {
          const jj = j * n;
          const x = unit ? b[o + j]! : b[o + j]! / t[jj + j]!;
          b[o + j] = x;
          if (x !== 0) for (let i = j + 1; i < hi; i++) b[o + i] = b[o + i]! - x * t[jj + i]!;
        }
      } else {
        for (let j = hi - 1; j >= lo; j--) {
          const jj = j * n;
          const x = unit ? b[o + j]! : b[o + j]! / t[jj + j]!;
          b[o + j] = x;
          if (x !== 0) for (let i = lo; i < j; i++) b[o + i] = b[o + i]! - x * t[jj + i]!;
        }
      }
    } else if (forward) {
      // Upper triangle, transposed: row j of Tᵀ is column j of T above the diagonal.
      for (let j = lo; j < hi; j++) {
        const jj = j * n;
        let s = b[o + j]!;
        for (let i = lo; i < j; i++) s -= t[jj + i]! * b[o + i]!;
        b[o + j] = unit ? s : s / t[jj + j]!;
      }
    } else {
      for (let j = hi - 1; j >= lo; j--) {
        const jj = j * n;
        let s = b[o + j]!;
        for (let i = j + 1; i < hi; i++) s -= t[jj + i]! * b[o + i]!;
        b[o + j] = unit ? s : s / t[jj + j]!;
      }
    }
  }
}
