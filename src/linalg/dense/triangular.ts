/**
 * Triangular solves with many right-hand sides, column-major. Lower: column-oriented forward substitution (axpy on
 * contiguous columns); transposed: dot products. Golub & Van Loan Alg. 3.1.3–3.1.4.
 */
import { SingularError } from '../errors.ts';

/**
 * Solves op(T)·X = B in place on B (n×k column-major). `lower` says which triangle of T holds the matrix,
 * `trans` solves with Tᵀ, `unit` assumes a unit diagonal.
 */
export function solveTriangularInPlace(t: ArrayLike<number>, n: number, b: Float64Array, k: number, lower: boolean, trans = false, unit = false): void {
  if (!unit) for (let j = 0; j < n; j++) if (t[j * n + j] === 0) throw new SingularError(`solveTriangular: zero diagonal entry at ${j}; the triangular matrix is singular`);
  // (lower, no trans) and (upper, trans) run forward; the other two backward.
  const forward = lower !== trans;
  for (let c = 0; c < k; c++) {
    const o = c * n;
    if (!trans) {
      if (forward) {
        for (let j = 0; j < n; j++) {
          const jj = j * n;
          const x = unit ? b[o + j]! : b[o + j]! / t[jj + j]!;
          b[o + j] = x;
          if (x !== 0) for (let i = j + 1; i < n; i++) b[o + i] = b[o + i]! - x * t[jj + i]!;
        }
      } else {
        for (let j = n - 1; j >= 0; j--) {
          const jj = j * n;
          const x = unit ? b[o + j]! : b[o + j]! / t[jj + j]!;
          b[o + j] = x;
          if (x !== 0) for (let i = 0; i < j; i++) b[o + i] = b[o + i]! - x * t[jj + i]!;
        }
      }
    } else if (forward) {
      // Upper triangle, transposed: row j of Tᵀ is column j of T above the diagonal.
      for (let j = 0; j < n; j++) {
        const jj = j * n;
        let s = b[o + j]!;
        for (let i = 0; i < j; i++) s -= t[jj + i]! * b[o + i]!;
        b[o + j] = unit ? s : s / t[jj + j]!;
      }
    } else {
      for (let j = n - 1; j >= 0; j--) {
        const jj = j * n;
        let s = b[o + j]!;
        for (let i = j + 1; i < n; i++) s -= t[jj + i]! * b[o + i]!;
        b[o + j] = unit ? s : s / t[jj + j]!;
      }
    }
  }
}
