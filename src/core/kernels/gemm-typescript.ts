/**
 * The always-available matmul backend in plain TypeScript: packed panels (see `pack.ts`) and a 4×4 register tile
 * of sixteen scalar accumulators, with a direct strided triple loop for products too small to repay packing.
 * Accumulation is in float64 for both dtypes (JavaScript arithmetic), rounded once when stored to a Float32Array.
 */
import type { FloatArray, GemmOperand } from './gemm-types.ts';
import { packPanels } from './pack.ts';

const MR = 4;
const NR = 4;
/**
 * Up to this many multiply-adds per matrix a direct strided loop beats packing (2×2×2, 3×3×3); from 4×4×4 up the
 * packed 4×4 tile wins (measured: 0.77 vs 1.28 µs at 8³, 7.5 vs 9.8 µs for 64 × 4³).
 */
export const TS_DIRECT_MAX_FLOPS = 32;
/** A panels per group: MR·k·8 bytes each, ~256 KiB per group at k = 1024 keeps the group resident in L2. */
const GROUP_BYTES = 256 * 1024;

let scratchA: Float64Array = new Float64Array(0);
let scratchB: Float64Array = new Float64Array(0);

function scratch(current: Float64Array, size: number): Float64Array {
  return current.length >= size ? current : new Float64Array(Math.max(size, current.length * 2));
}

/** C[b] = A[b]·B[b] for every b < batch, written row-major at out[outOffset + b*m*n]. Arguments are pre-checked. */
export function gemmTypescript(
  m: number, n: number, k: number, batch: number, a: GemmOperand, b: GemmOperand, out: FloatArray, outOffset: number,
): void {
  if (m * n * k <= TS_DIRECT_MAX_FLOPS) {
    for (let bi = 0; bi < batch; bi++) {
      gemmDirect(m, n, k, a.data, a.offset + bi * a.batchStride, a.rowStride, a.colStride,
        b.data, b.offset + bi * b.batchStride, b.rowStride, b.colStride, out, outOffset + bi * m * n);
    }
    return;
  }
  const mPanels = Math.ceil(m / MR);
  const nPanels = Math.ceil(n / NR);
  scratchA = scratch(scratchA, mPanels * MR * k);
  scratchB = scratch(scratchB, nPanels * NR * k);
  const pa = scratchA;
  const pb = scratchB;
  for (let bi = 0; bi < batch; bi++) {
    // A broadcast operand (batchStride 0) is packed once for the whole batch.
    if (bi === 0 || a.batchStride !== 0) {
      packPanels(a.data, a.offset + bi * a.batchStride, a.rowStride, a.colStride, m, k, MR, pa, 0);
    }
    if (bi === 0 || b.batchStride !== 0) {
      packPanels(b.data, b.offset + bi * b.batchStride, b.colStride, b.rowStride, n, k, NR, pb, 0);
    }
    gemmPackedTs(m, n, k, mPanels, nPanels, pa, pb, out, outOffset + bi * m * n);
  }
}

function gemmDirect(
  m: number, n: number, k: number,
  ad: FloatArray, ao: number, ars: number, acs: number,
  bd: FloatArray, bo: number, brs: number, bcs: number,
  out: FloatArray, oo: number,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let ia = ao + i * ars;
      let ib = bo + j * bcs;
      for (let p = 0; p < k; p++) {
        s += ad[ia] * bd[ib];
        ia += acs;
        ib += brs;
      }
      out[oo + i * n + j] = s;
    }
  }
}

function gemmPackedTs(
  m: number, n: number, k: number, mPanels: number, nPanels: number,
  pa: Float64Array, pb: Float64Array, out: FloatArray, oo: number,
): void {
  const group = Math.max(1, Math.floor(GROUP_BYTES / (MR * Math.max(k, 1) * 8)));
  for (let ic = 0; ic < mPanels; ic += group) {
    const ie = Math.min(ic + group, mPanels);
    for (let jq = 0; jq < nPanels; jq++) {
      const j0 = jq * NR;
      const nLive = Math.min(NR, n - j0);
      for (let ip = ic; ip < ie; ip++) {
        const i0 = ip * MR;
        let ia = ip * MR * k;
        let ib = jq * NR * k;
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (let p = 0; p < k; p++) {
          const b0 = pb[ib], b1 = pb[ib + 1], b2 = pb[ib + 2], b3 = pb[ib + 3];
          const a0 = pa[ia], a1 = pa[ia + 1], a2 = pa[ia + 2], a3 = pa[ia + 3];
          c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
          c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
          c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
          c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
          ia += MR;
          ib += NR;
        }
        const mLive = Math.min(MR, m - i0);
        let row = oo + i0 * n + j0;
        if (nLive === NR) {
          out[row] = c00; out[row + 1] = c01; out[row + 2] = c02; out[row + 3] = c03;
          if (mLive > 1) { row += n; out[row] = c10; out[row + 1] = c11; out[row + 2] = c12; out[row + 3] = c13; }
          if (mLive > 2) { row += n; out[row] = c20; out[row + 1] = c21; out[row + 2] = c22; out[row + 3] = c23; }
          if (mLive > 3) { row += n; out[row] = c30; out[row + 1] = c31; out[row + 2] = c32; out[row + 3] = c33; }
        } else {
          storeEdge(out, row, n, mLive, nLive,
            c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32);
        }
      }
    }
  }
}

/** Right-edge tile (fewer than NR live columns, so column 3 is never stored). */
function storeEdge(
  out: FloatArray, row: number, n: number, mLive: number, nLive: number,
  c00: number, c01: number, c02: number, c10: number, c11: number, c12: number,
  c20: number, c21: number, c22: number, c30: number, c31: number, c32: number,
): void {
  const rows = [c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32];
  for (let r = 0; r < mLive; r++) {
    for (let c = 0; c < nLive; c++) out[row + r * n + c] = rows[r * 3 + c]!;
  }
}
