/**
 * Levinson's algorithm for a symmetric positive-definite Toeplitz system T·X = B in O(n²) per right-hand side
 * (Golub & Van Loan, Matrix Computations, 4th ed., Alg. 4.7.2, with Durbin's recursion Alg. 4.7.1 for the Yule–Walker
 * vector y shared by all columns). T = toeplitz(t) with t[0] > 0 on the diagonal.
 *
 * With T normalized to unit diagonal, β_k = Π (1 − α_j²) is the k-th pivot of T's Cholesky factorization (divided
 * by t[0]), so the recursion proves positive definiteness as it goes: T is PD iff t[0] > 0 and every β_k > 0, and the
 * first β_k ≤ 0 is reported as a `NotPositiveDefiniteError` at pivot k.
 */
import { NotPositiveDefiniteError } from '../errors.ts';

/** The pivots β_k of the unit-diagonal T (length n, β₀ = 1), or the first failing index. O(n²). */
export function durbinPivots(t: ArrayLike<number>): { beta: Float64Array; failedAt: number } {
  const n = t.length, beta = new Float64Array(n);
  if (!(t[0]! > 0)) return { beta, failedAt: 0 };
  beta[0] = 1;
  if (n === 1) return { beta, failedAt: -1 };
  const r = normalized(t), y = new Float64Array(n);
  let alpha = -r[0]!, b = 1;
  y[0] = alpha;
  for (let k = 1; k < n; k++) {
    b = (1 - alpha * alpha) * b;
    if (!(b > 0)) return { beta, failedAt: k };
    beta[k] = b;
    if (k < n - 1) { alpha = durbinStep(r, y, k, b); }
  }
  return { beta, failedAt: -1 };
}

/** Solves toeplitz(t)·X = B for the n×m column-major B, in place into a new array. */
export function levinsonSolve(t: ArrayLike<number>, B: ArrayLike<number>, m: number): Float64Array {
  const n = t.length, t0 = t[0]!;
  if (!(t0 > 0)) throw new NotPositiveDefiniteError(`levinson: T[0,0] = ${t0} must be > 0 for a positive-definite Toeplitz matrix`, 0);
  const x = new Float64Array(n * m);
  for (let c = 0; c < m; c++) x[c * n] = B[c * n]! / t0;
  if (n === 1) return x;
  const r = normalized(t), y = new Float64Array(n);
  let alpha = -r[0]!, beta = 1;
  y[0] = alpha;
  for (let k = 1; k < n; k++) {
    beta = (1 - alpha * alpha) * beta;
    if (!(beta > 0)) throw new NotPositiveDefiniteError(`levinson: the Toeplitz matrix is not positive definite (leading ${k + 1}×${k + 1} minor, reflection coefficient ${alpha})`, k);
    for (let c = 0; c < m; c++) {
      const o = c * n;
      // μ = (b_k − r(0:k−1)ᵀ·x(k−1:−1:0)) / β; x(0:k−1) += μ·y(k−1:−1:0); x_k = μ.
      let s = B[o + k]! / t0;
      for (let i = 0; i < k; i++) s -= r[i]! * x[o + k - 1 - i]!;
      const mu = s / beta;
      for (let i = 0; i < k; i++) x[o + i] = x[o + i]! + mu * y[k - 1 - i]!;
      x[o + k] = mu;
    }
    if (k < n - 1) alpha = durbinStep(r, y, k, beta);
  }
  return x;
}

function normalized(t: ArrayLike<number>): Float64Array {
  const n = t.length, r = new Float64Array(Math.max(n - 1, 0));
  for (let i = 1; i < n; i++) r[i - 1] = t[i]! / t[0]!;
  return r;
}

/** Durbin: α = (−r_k − r(0:k−1)ᵀ·y(k−1:−1:0)) / β; y(0:k−1) += α·y(k−1:−1:0) (a symmetric in-place update); y_k = α. */
function durbinStep(r: Float64Array, y: Float64Array, k: number, beta: number): number {
  let s = -r[k]!;
  for (let i = 0; i < k; i++) s -= r[i]! * y[k - 1 - i]!;
  const alpha = s / beta;
  for (let i = 0, j = k - 1; i <= j; i++, j--) {
    const a = y[i]!, b = y[j]!;
    if (i === j) y[i] = a + alpha * a;
    else { y[i] = a + alpha * b; y[j] = b + alpha * a; }
  }
  y[k] = alpha;
  return alpha;
}
