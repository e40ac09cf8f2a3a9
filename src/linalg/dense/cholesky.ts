/**
 * Dense Cholesky A = L·Lᵀ (column-major, lower), blocked right-looking (Golub & Van Loan, Matrix Computations, 4th ed.,
 * Alg. 4.2.2 / §4.2.9). Per panel of PANEL columns:
 *   1. L₁₁ = chol(A₁₁) by the unblocked column algorithm (PANEL³/3 work);
 *   2. L₂₁ = A₂₁·L₁₁⁻ᵀ, as one product with the explicit inverse of the small triangle (the inverted-diagonal-block
 *      TRSM of blocked BLAS; L₁₁ of an SPD matrix is as well conditioned as A₁₁'s square root);
 *   3. A₂₂ −= L₂₁·L₂₁ᵀ on the lower triangle only, in column blocks (SYRK by GEMM).
 * Steps 2 and 3 — all of the O(n³) work — go through the core gemm kernel (WebAssembly SIMD); the JS loops only touch
 * the diagonal blocks. Before this, the panel's rank-1 updates ran over every row below it in JS and held a 500×500
 * factorization to ≈ 3 GFLOP/s.
 */
import { gemm } from '../../core/index.ts';
import { NotPositiveDefiniteError } from '../errors.ts';

/** 48 measured best at n = 500–1000 among 32…128 (bench: 500×500 in ≈ 5.6 ms under load vs 14.5 ms before). */
const PANEL = 48;
/** Column-block width of the trailing update (each block's rows start at its diagonal: half the flops of a full A₂₂). */
const UPDATE_BLOCK = 128;

/** Unblocked Cholesky of the kb×kb diagonal block at (k0, k0) of the n×n column-major a. */
function cholDiagonalBlock(a: Float64Array, n: number, k0: number, kb: number, what: string): void {
  for (let j = k0; j < k0 + kb; j++) {
    const jj = j * n;
    const d = a[jj + j]!;
    if (!(d > 0)) {
      throw new NotPositiveDefiniteError(`${what}: the matrix is not positive definite (pivot ${j} is ${d.toPrecision(4)}); use plu / LU for indefinite matrices, or add a shift`, j);
    }
    const s = Math.sqrt(d);
    a[jj + j] = s;
    const inv = 1 / s;
    for (let i = j + 1; i < k0 + kb; i++) a[jj + i] = a[jj + i]! * inv;
    for (let c = j + 1; c < k0 + kb; c++) {
      const f = a[jj + c]!, cc = c * n;
      if (f !== 0) for (let i = c; i < k0 + kb; i++) a[cc + i] = a[cc + i]! - f * a[jj + i]!;
    }
  }
}

/** Inverse of the kb×kb lower triangle at (k0, k0) of a, as a dense kb×kb column-major matrix. */
function invertLowerBlock(a: Float64Array, n: number, k0: number, kb: number): Float64Array {
  const X = new Float64Array(kb * kb);
  // Column c of L⁻¹ solves L·x = e_c by forward substitution (x_i = 0 for i < c).
  for (let c = 0; c < kb; c++) {
    const xo = c * kb;
    X[xo + c] = 1 / a[(k0 + c) * n + k0 + c]!;
    for (let j = c; j < kb; j++) {
      const xj = j === c ? X[xo + c]! : (X[xo + j] = X[xo + j]! / a[(k0 + j) * n + k0 + j]!);
      if (xj !== 0) { const col = (k0 + j) * n + k0; for (let i = j + 1; i < kb; i++) X[xo + i] = X[xo + i]! - xj * a[col + i]!; }
    }
  }
  return X;
}

/** Overwrites the lower triangle of the n×n column-major `a` with L (the strict upper triangle is zeroed). */
export function choleskyInPlace(a: Float64Array, n: number, what = 'cholesky'): void {
  // Scratch for the gemm outputs, allocated once per factorization (per-panel allocations cost ≈ 10 MB at n = 500).
  const ttBuf = new Float64Array(PANEL * n), uBuf = new Float64Array(UPDATE_BLOCK * n);
  for (let k0 = 0; k0 < n; k0 += PANEL) {
    const kb = Math.min(PANEL, n - k0), k1 = k0 + kb, m = n - k1;
    cholDiagonalBlock(a, n, k0, kb, what);
    if (m === 0) break;
    // 2. L₂₁ᵀ = L₁₁⁻¹·A₂₁ᵀ, computed as the kb×m row-major Tt — which is L₂₁ column-major, so the copy back into
    //    a and the reads of step 3 are contiguous.
    const Linv = invertLowerBlock(a, n, k0, kb);
    const Tt = ttBuf.subarray(0, kb * m);
    gemm(kb, m, kb, 1,
      { data: Linv, offset: 0, rowStride: 1, colStride: kb, batchStride: 0 }, // L⁻¹[c, p] stored at c + p·kb
      { data: a, offset: k0 * n + k1, rowStride: n, colStride: 1, batchStride: 0 }, // A₂₁ᵀ[p, i] = a[(k0+p)·n + k1 + i]
      Tt, 0);
    for (let c = 0; c < kb; c++) a.set(Tt.subarray(c * m, (c + 1) * m), (k0 + c) * n + k1);
    // 3. A₂₂ −= L₂₁·L₂₁ᵀ on the lower triangle, by column blocks [c0, c0 + cw) over rows c0..m−1; the gemm writes
    //    the block transposed (cw × rows row-major), i.e. column-major, to subtract along contiguous columns.
    for (let c0 = 0; c0 < m; c0 += UPDATE_BLOCK) {
      const cw = Math.min(UPDATE_BLOCK, m - c0), rows = m - c0;
      const U = uBuf.subarray(0, cw * rows);
      gemm(cw, rows, kb, 1,
        { data: Tt, offset: c0, rowStride: 1, colStride: m, batchStride: 0 },
        { data: Tt, offset: c0, rowStride: m, colStride: 1, batchStride: 0 },
        U, 0);
      for (let c = 0; c < cw; c++) {
        const cc = (k1 + c0 + c) * n + k1 + c0, uc = c * rows;
        for (let i = c; i < rows; i++) a[cc + i] = a[cc + i]! - U[uc + i]!;
      }
    }
  }
  for (let j = 1; j < n; j++) a.fill(0, j * n, j * n + j);
}
