/**
 * Small dense least squares for the classical baselines (a few dozen unknowns): normal equations solved by Gaussian
 * elimination with partial pivoting. A tiny ridge keeps collinear lag matrices (constant stretches) solvable.
 */
import { RuntimeFailure } from '../../core/index.ts';

/** Solve the square system A x = b (A row-major k×k); A and b are not modified. */
export function solveLinear(A: Float64Array, b: Float64Array, k: number): Float64Array {
  const M = Float64Array.from(A), x = Float64Array.from(b);
  for (let col = 0; col < k; col++) {
    let piv = col;
    for (let r = col + 1; r < k; r++) if (Math.abs(M[r * k + col]!) > Math.abs(M[piv * k + col]!)) piv = r;
    if (M[piv * k + col] === 0) throw new RuntimeFailure('solveLinear: singular system');
    if (piv !== col) {
      for (let c = 0; c < k; c++) { const t = M[col * k + c]!; M[col * k + c] = M[piv * k + c]!; M[piv * k + c] = t; }
      const t = x[col]!; x[col] = x[piv]!; x[piv] = t;
    }
    for (let r = col + 1; r < k; r++) {
      const f = M[r * k + col]! / M[col * k + col]!;
      if (f === 0) continue;
      for (let c = col; c < k; c++) M[r * k + c]! -= f * M[col * k + c]!;
      x[r]! -= f * x[col]!;
    }
  }
  for (let r = k - 1; r >= 0; r--) {
    let s = x[r]!;
    for (let c = r + 1; c < k; c++) s -= M[r * k + c]! * x[c]!;
    x[r] = s / M[r * k + r]!;
  }
  return x;
}

/** argmin_β ‖X β − y‖² for X given as rows (n × k), with ridge `ridge`·trace/k on the diagonal. */
export function leastSquares(rows: readonly Float64Array[], y: ArrayLike<number>, ridge = 1e-10): Float64Array {
  const k = rows[0]!.length;
  const A = new Float64Array(k * k), b = new Float64Array(k);
  rows.forEach((x, i) => {
    for (let a = 0; a < k; a++) {
      b[a]! += x[a]! * y[i]!;
      for (let c = 0; c < k; c++) A[a * k + c]! += x[a]! * x[c]!;
    }
  });
  let trace = 0;
  for (let a = 0; a < k; a++) trace += A[a * k + a]!;
  for (let a = 0; a < k; a++) A[a * k + a]! += ridge * (trace / k || 1);
  return solveLinear(A, b, k);
}
