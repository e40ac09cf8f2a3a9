/**
 * Dense Cholesky A = L·Lᵀ (column-major, lower), blocked right-looking: each 64-column panel is factored with
 * contiguous column loops, and the trailing update A₂₂ −= L₂₁·L₂₁ᵀ goes through the core gemm kernel, which is
 * where the O(n³) work runs. Golub & Van Loan, Matrix Computations (4th ed.), Alg. 4.2.2 / §4.2.9.
 */
import { gemm } from '../../core/kernels/gemm.ts';
import { NotPositiveDefiniteError } from '../errors.ts';

const PANEL = 64;

/** Overwrites the lower triangle of the n×n column-major `a` with L (the strict upper triangle is zeroed). */
export function choleskyInPlace(a: Float64Array, n: number, what = 'cholesky'): void {
  for (let k0 = 0; k0 < n; k0 += PANEL) {
    const kb = Math.min(PANEL, n - k0), k1 = k0 + kb;
    for (let j = k0; j < k1; j++) {
      const jj = j * n;
      const d = a[jj + j]!;
      if (!(d > 0)) {
        throw new NotPositiveDefiniteError(`${what}: the matrix is not positive definite (pivot ${j} is ${d.toPrecision(4)}); use plu / LU for indefinite matrices, or add a shift`, j);
      }
      const s = Math.sqrt(d);
      a[jj + j] = s;
      const inv = 1 / s;
      for (let i = j + 1; i < n; i++) a[jj + i] = a[jj + i]! * inv;
      // Rank-1 update of the rest of the panel (columns j+1..k1−1, all rows below their diagonal).
      for (let c = j + 1; c < k1; c++) {
        const f = a[jj + c]!, cc = c * n;
        if (f === 0) continue;
        for (let i = c; i < n; i++) a[cc + i] = a[cc + i]! - f * a[jj + i]!;
      }
    }
    const m = n - k1;
    if (m > 0) {
      // T = L₂₁·L₂₁ᵀ (symmetric, so gemm's row-major output reads the same column-major).
      const T = new Float64Array(m * m);
      const L21 = { data: a, offset: k0 * n + k1, rowStride: 1, colStride: n, batchStride: 0 };
      const L21t = { data: a, offset: k0 * n + k1, rowStride: n, colStride: 1, batchStride: 0 };
      gemm(m, m, kb, 1, L21, L21t, T, 0);
      for (let c = 0; c < m; c++) {
        const cc = (k1 + c) * n + k1, tc = c * m;
        for (let i = c; i < m; i++) a[cc + i] = a[cc + i]! - T[tc + i]!;
      }
    }
  }
  for (let j = 1; j < n; j++) a.fill(0, j * n, j * n + j);
}
