/**
 * Householder QR of an m×n column-major matrix (m ≥ n): thin Q (m×n) and R (n×n). Golub & Van Loan Alg. 5.2.1.
 * Used to orthonormalize blocks (Hutch++, Nyström, LOBPCG, spectrum test data).
 */
export function qr(a: ArrayLike<number>, m: number, n: number): { Q: Float64Array; R: Float64Array } {
  const A = Float64Array.from(a as ArrayLike<number>);
  const k = Math.min(m, n);
  const vs: Float64Array[] = [], betas: number[] = [];
  for (let j = 0; j < k; j++) {
    const cj = j * m;
    let s = 0;
    for (let i = j; i < m; i++) s += A[cj + i]! ** 2;
    const alpha = Math.sqrt(s);
    const v = new Float64Array(m - j);
    for (let i = j; i < m; i++) v[i - j] = A[cj + i]!;
    const x0 = v[0]!;
    v[0] = x0 + (x0 >= 0 ? alpha : -alpha);
    let vn = 0; for (let i = 0; i < v.length; i++) vn += v[i]! ** 2;
    const beta = vn === 0 ? 0 : 2 / vn;
    vs.push(v); betas.push(beta);
    for (let c = j; c < n; c++) {
      const cc = c * m;
      let t = 0;
      for (let i = j; i < m; i++) t += v[i - j]! * A[cc + i]!;
      t *= beta;
      if (t !== 0) for (let i = j; i < m; i++) A[cc + i] = A[cc + i]! - t * v[i - j]!;
    }
  }
  const R = new Float64Array(n * n);
  for (let c = 0; c < n; c++) for (let i = 0; i <= Math.min(c, k - 1); i++) R[c * n + i] = A[c * m + i]!;
  // Q = H₀·H₁·…·H_{k−1} applied to the first n columns of I, accumulated backwards.
  const Q = new Float64Array(m * n);
  for (let c = 0; c < n; c++) if (c < m) Q[c * m + c] = 1;
  for (let j = k - 1; j >= 0; j--) {
    const v = vs[j]!, beta = betas[j]!;
    if (beta === 0) continue;
    for (let c = 0; c < n; c++) {
      const cc = c * m;
      let t = 0;
      for (let i = j; i < m; i++) t += v[i - j]! * Q[cc + i]!;
      t *= beta;
      if (t !== 0) for (let i = j; i < m; i++) Q[cc + i] = Q[cc + i]! - t * v[i - j]!;
    }
  }
  return { Q, R };
}

/** Orthonormal basis of the columns of an m×n block (thin Q of its QR). */
export function orth(a: ArrayLike<number>, m: number, n: number): Float64Array {
  return qr(a, m, n).Q;
}
