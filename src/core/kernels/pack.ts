/**
 * Operand packing shared by both matmul backends (GotoBLAS/BLIS packing: Goto & van de Geijn, ACM TOMS 34(3),
 * 2008, §5). Packing turns any strided view — transposed, broadcast, offset — into unit-stride panels the
 * micro-kernels stream through, and zero-pads the last panel so kernels never branch on edge tiles.
 */
import type { FloatArray } from './gemm-types.ts';

/**
 * Pack the rows×depth matrix X (element (i, p) at src[off + i*rs + p*ps]) into ceil(rows/mr) panels of mr rows,
 * each stored depth-major: dst[dOff + panel*mr*depth + p*mr + r] = X[panel*mr + r, p], rows past `rows` as 0.
 * Used for A (rows = m, depth = k) and, with the roles of the strides swapped, for B (rows = n).
 */
export function packPanels(
  src: FloatArray, off: number, rs: number, ps: number, rows: number, depth: number, mr: number,
  dst: FloatArray, dOff: number,
): void {
  const panels = Math.ceil(rows / mr);
  for (let q = 0; q < panels; q++) {
    const base = dOff + q * mr * depth;
    const r0 = q * mr;
    const live = Math.min(mr, rows - r0);
    // Walk the source along its smaller stride so reads are as sequential as the layout allows.
    if (ps <= rs) {
      for (let r = 0; r < live; r++) {
        let s = off + (r0 + r) * rs;
        let d = base + r;
        for (let p = 0; p < depth; p++) {
          dst[d] = src[s];
          s += ps;
          d += mr;
        }
      }
    } else {
      for (let p = 0; p < depth; p++) {
        let s = off + r0 * rs + p * ps;
        const d = base + p * mr;
        for (let r = 0; r < live; r++) {
          dst[d + r] = src[s];
          s += rs;
        }
      }
    }
    if (live < mr) {
      for (let p = 0; p < depth; p++) {
        const d = base + p * mr;
        for (let r = live; r < mr; r++) dst[d + r] = 0;
      }
    }
  }
}
