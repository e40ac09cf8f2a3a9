/**
 * Operands staged in WebAssembly memory for the linalg kernels (asm/linalg-kernels.ts): a column-major GEMV, a
 * packed symmetric product, a CSR product and a Krylov basis with multi-vector dot/axpy. The matrix is copied once
 * into a module instance of its own, so each product moves only x and y across the boundary (the core gemm packs
 * both operands on every call, which for one vector costs as much as the product). When a copy may be used — and
 * when it must be checked against the live storage — is decided in staging.ts; the helper thread is helper.ts.
 * Each `create` returns null where the engine cannot run the kernels (module.ts), and callers keep their JS loops.
 */
import { ownInstance, ownModule, sharedInstance, sharedModule, type Exports } from './module.ts';
import { Helper, availableCores } from './helper.ts';

/** Columns per packed block of StagedSymv (the kernel's four f64x2 column registers). */
export const SYMV_W = 4;

/** A column-major m×n float64 matrix staged in its own module instance; `apply(x)` returns A·x. */
export class StagedGemv {
  private readonly ex: Exports;
  private readonly aOff = 0; private readonly xOff: number; private readonly yOff: number;
  private constructor(private readonly a: Float64Array, private readonly m: number, private readonly n: number, ex: Exports) {
    this.ex = ex;
    this.xOff = m * n * 8; this.yOff = this.xOff + n * 8 + 16;
    new Float64Array(ex.memory.buffer, 0, m * n).set(a);
  }
  /** null when the engine has no WebAssembly SIMD (callers keep the JS loop). */
  static create(a: Float64Array, m: number, n: number): StagedGemv | null {
    const mod = ownModule();
    if (!mod) return null;
    return new StagedGemv(a, m, n, ownInstance(mod, (m * n + n + m + 4) * 8));
  }
  /** Brings the copy up to date with the storage: one memcpy (the cost of about one product), exact. */
  refresh(): boolean { new Float64Array(this.ex.memory.buffer, 0, this.m * this.n).set(this.a); return true; }
  apply(x: ArrayLike<number>, out: Float64Array): void {
    const { m, n, ex } = this, buf = ex.memory.buffer;
    const xv = new Float64Array(buf, this.xOff, n), yv = new Float64Array(buf, this.yOff, m);
    for (let j = 0; j < n; j++) xv[j] = x[j]!;
    yv.fill(0);
    const n4 = n - (n % 4);
    ex.gemv(this.aOff, this.xOff, this.yOff, m, n4);
    out.set(yv);
    const a = this.a;
    // Odd last row over the first n4 columns, then the n mod 4 trailing columns, in JS.
    if (m % 2 === 1) { let s = 0; const r = m - 1; for (let j = 0; j < n4; j++) s += a[j * m + r]! * xv[j]!; out[r] = out[r]! + s; }
    for (let j = n4; j < n; j++) { const xj = xv[j]!, o = j * m; for (let i = 0; i < m; i++) out[i] = out[i]! + a[o + i]! * xj; }
  }
}

/**
 * An exactly symmetric float64 matrix (column-major, order n) staged as its packed lower triangle for `symv`: the
 * order is padded with zero rows and columns to N, a multiple of SYMV_W; the W×W diagonal blocks stay in JS. The
 * caller checks symmetry (`isExactlySymmetric`) — this reads only the lower triangle.
 *
 * From SPLIT_MIN on, when the machine has a second core, the packed triangle lives in a shared memory and a worker
 * thread runs the trailing column blocks into its own copy of y while this thread runs the leading ones (split at
 * N(1 − 1/√2), which halves the triangle's area); the two halves are summed here. One product is a few hundred µs
 * of streaming, so the hand-off is an Atomics counter, not a message. Until the worker reports ready, and wherever
 * threads or shared memories are missing, this thread runs all blocks.
 */
export class StagedSymv {
  private readonly xv: Float64Array; private readonly yv: Float64Array; private readonly diag: Float64Array;
  private readonly xOff: number; private readonly yOff: number;
  /** Byte offset of the n² scratch region the storage is copied into for `refresh`. */
  private readonly scratchOff: number;
  private split: { y1: Float64Array; y1Off: number; jSplit: number; aSplit: number; helper: Helper | null } | null = null;
  private constructor(private readonly ex: Exports, private readonly a: Float64Array, private readonly n: number, private readonly N: number, private readonly packed: number, threads: boolean) {
    this.xOff = packed * 8; this.yOff = this.xOff + N * 8;
    const buf = ex.memory.buffer;
    this.xv = new Float64Array(buf, this.xOff, N); this.yv = new Float64Array(buf, this.yOff, N);
    this.diag = new Float64Array(N * SYMV_W);
    this.scratchOff = Math.ceil((packed + 3 * N + 4) * 8 / 16) * 16;
    if (threads) {
      const W = SYMV_W, jSplit = Math.round((N * (1 - Math.SQRT1_2)) / W) * W;
      let aSplit = 0;
      for (let j = 0; j < jSplit; j += W) aSplit += W * (N - j - W);
      const y1Off = this.yOff + N * 8;
      this.split = { y1: new Float64Array(buf, y1Off, N), y1Off, jSplit, aSplit: aSplit * 8, helper: null };
    }
  }
  static create(a: Float64Array, n: number): StagedSymv | null {
    const mod = ownModule();
    if (!mod) return null;
    const W = SYMV_W, N = Math.ceil(n / W) * W;
    let packed = 0;
    for (let j = 0; j < N; j += W) packed += W * (N - j - W);
    const bytes = Math.ceil((packed + 3 * N + 4) * 8 / 16) * 16 + n * n * 8; // + the scratch copy for refresh
    const smod = n >= SPLIT_MIN && availableCores() >= 2 ? sharedModule() : null;
    let ex: Exports, shared: { memory: unknown; ctlOff: number } | null = null;
    if (smod) { const si = sharedInstance(smod, bytes); ex = si.ex; shared = si; }
    else ex = ownInstance(mod, bytes);
    const st = new StagedSymv(ex, a, n, N, packed, !!shared);
    const P = new Float64Array(ex.memory.buffer, 0, packed), at = (i: number, j: number) => (i < n && j < n ? a[j * n + i]! : 0);
    let o = 0;
    for (let j = 0; j < N; j += W) {
      for (let i = j + W; i < N; i += 2) for (let q = 0; q < W; q++) { P[o++] = at(i, j + q); P[o++] = at(i + 1, j + q); }
      // The W×W diagonal block, column-major.
      for (let q = 0; q < W; q++) for (let r = 0; r < W; r++) st.diag[j * W + q * W + r] = at(j + r, j + q);
    }
    if (st.split && shared) { st.split.helper = Helper.start(smod!, shared.memory, ex.memory.buffer, shared.ctlOff, st); if (!st.split.helper) st.split = null; }
    return st;
  }
  /** Whether products currently run split with the worker (it has started and not been given up). */
  get threaded(): boolean { return !!this.split?.helper?.ready; }
  /** Resolves true once the worker has started, false when there is none or it failed to start. */
  whenReady(): Promise<boolean> { return this.split?.helper?.whenReady() ?? Promise.resolve(false); }
  /**
   * Whether the staged triangle still equals the storage, every entry of both triangles (so an edit that breaks
   * symmetry counts as a change): the storage is copied into the instance's scratch region (a memcpy) and the
   * `symcheck` kernel compares each packed entry with its lower and mirrored upper entry; the ragged edges and the
   * diagonal blocks are compared here. False means restage.
   */
  refresh(): boolean {
    const { a, n, N, diag } = this, W = SYMV_W, buf = this.ex.memory.buffer, P = new Float64Array(buf, 0, this.packed);
    new Float64Array(buf, this.scratchOff, n * n).set(a);
    const nFull = n - (n % W);
    if (this.ex.symcheck(this.scratchOff, 0, n, N, nFull) !== 1) return false;
    // Left to this loop: the diagonal blocks and, for odd n, the last row paired with a padding row. Padding itself
    // is zero in the copy and never written, and a partial last column block has no live rows below its diagonal.
    const same = Object.is, r = n - 1;
    for (let j = 0, base = 0; j < N; base += W * (N - j - W), j += W) {
      if (n % 2 === 1 && j < nFull && r >= j + W) {
        const o = base + ((r - j - W) >> 1) * 2 * W;
        for (let q = 0; q < W; q++) if (!same(P[o + 2 * q]!, this.at(r, j + q)) || !same(P[o + 2 * q]!, this.at(j + q, r))) return false;
      }
      for (let q = 0; q < W; q++) for (let rr = 0; rr < W; rr++) if (!same(diag[j * W + q * W + rr]!, this.at(j + rr, j + q))) return false;
    }
    return true;
  }
  private at(i: number, j: number): number { return i < this.n && j < this.n ? this.a[j * this.n + i]! : 0; }
  apply(x: ArrayLike<number>, out: Float64Array): void {
    const { n, N, xv, yv, diag } = this, W = SYMV_W, sp = this.split;
    for (let j = 0; j < n; j++) xv[j] = x[j]!;
    for (let j = n; j < N; j++) xv[j] = 0;
    yv.fill(0);
    if (sp?.helper?.ready) {
      sp.y1.fill(0);
      sp.helper.post('symv', [sp.aSplit, this.xOff, sp.y1Off, sp.jSplit * 8, N * 8, N * 8]);
      this.ex.symv(0, this.xOff, this.yOff, 0, sp.jSplit * 8, N * 8);
      if (sp.helper.finish()) { const y1 = sp.y1; for (let i = 0; i < N; i++) yv[i] = yv[i]! + y1[i]!; }
      else this.ex.symv(sp.aSplit, this.xOff, this.yOff, sp.jSplit * 8, N * 8, N * 8); // y1 abandoned
    } else this.ex.symv(0, this.xOff, this.yOff, 0, N * 8, N * 8);
    for (let j = 0; j < N; j += W) {
      const o = j * W;
      for (let q = 0; q < W; q++) { const xq = xv[j + q]!; for (let r = 0; r < W; r++) yv[j + r] = yv[j + r]! + diag[o + q * W + r]! * xq; }
    }
    out.set(n === N ? yv : yv.subarray(0, n));
  }
}

const SPLIT_MIN = 1024;

/** Whether a column-major square matrix equals its transpose bit for bit, by 32×32 tiles (stops at the first miss). */
export function isExactlySymmetric(a: Float64Array, n: number): boolean {
  const T = 32;
  for (let jb = 0; jb < n; jb += T) for (let ib = jb; ib < n; ib += T) {
    const je = Math.min(n, jb + T), ie = Math.min(n, ib + T);
    for (let j = jb; j < je; j++) for (let i = Math.max(ib, j + 1); i < ie; i++) if (a[j * n + i] !== a[i * n + j]) return false;
  }
  return true;
}

/**
 * A Krylov basis of `cols` vectors of length n plus a work vector w, all in one module instance's memory, with
 * SIMD multi-vector kernels over V_first … V_{first+count−1}: `dot(count, out, first)` (out[k] = V_{first+k}·w) and
 * `axpy(count, h, first)` (w −= Σ h_k·V_{first+k}). The kernels take four vectors per pass, so a count is rounded up
 * to a multiple of 4 over the following columns — dots that are dropped, coefficients that are zero — and four
 * zero columns are reserved past the last one for that; only an odd n's last entry is finished in JS.
 */
export class KrylovBlock {
  readonly V: Float64Array; readonly w: Float64Array; private readonly h: Float64Array;
  private constructor(private readonly ex: Exports, readonly n: number, readonly cols: number) {
    const buf = ex.memory.buffer, vcols = cols + 4;
    this.V = new Float64Array(buf, 0, n * cols);
    this.w = new Float64Array(buf, n * vcols * 8, n);
    this.h = new Float64Array(buf, (n * vcols + n) * 8, cols + 8);
  }
  static create(n: number, cols: number): KrylovBlock | null {
    const mod = ownModule();
    if (!mod) return null;
    return new KrylovBlock(ownInstance(mod, (n * (cols + 4) + n + cols + 8) * 8), n, cols);
  }
  col(j: number): Float64Array { return this.V.subarray(j * this.n, (j + 1) * this.n); }
  private check(count: number, first: number): number {
    if (!(first >= 0 && count >= 0 && first + count <= this.cols)) throw new RangeError(`KrylovBlock: vectors ${first}..${first + count - 1} outside 0..${this.cols - 1}`);
    return (count + 3) & ~3;
  }
  dot(count: number, out: Float64Array, first = 0): void {
    const n = this.n, c4 = this.check(count, first), even = n - (n % 2);
    this.ex.mdot(first * n * 8, c4, this.w.byteOffset, even * 8, n * 8, this.h.byteOffset);
    for (let k = 0; k < count; k++) out[k] = this.h[k]!;
    const V = this.V, w = this.w;
    if (even < n) for (let k = 0; k < count; k++) out[k] = out[k]! + V[(first + k) * n + n - 1]! * w[n - 1]!;
  }
  axpy(count: number, coef: Float64Array, first = 0): void {
    const n = this.n, c4 = this.check(count, first), even = n - (n % 2);
    for (let k = 0; k < c4; k++) this.h[k] = k < count ? coef[k]! : 0;
    this.ex.maxpy(first * n * 8, c4, this.h.byteOffset, this.w.byteOffset, even * 8, n * 8);
    const V = this.V, w = this.w;
    if (even < n) { let s = 0; for (let k = 0; k < count; k++) s += coef[k]! * V[(first + k) * n + n - 1]!; w[n - 1] = w[n - 1]! - s; }
  }
}

/**
 * A float64 CSR matrix staged in its own module instance (values, x and y 8-byte aligned first, then indptr and
 * indices); `apply(x)` copies x in, runs the wasm row loop and returns a fresh y. From SPMV_SPLIT_MIN nonzeros on a
 * machine with a second core the memory is shared and a helper thread (as for StagedSymv) runs the rows after the
 * nonzero midpoint into the same y (disjoint rows, so no reduction is needed).
 */
export class StagedSpmv {
  private readonly xv: Float64Array; private readonly yv: Float64Array;
  private readonly vOff = 0; private readonly xOff: number; private readonly yOff: number; private readonly ipOff: number; private readonly ixOff: number;
  private helper: Helper | null = null; private mSplit = 0;
  private src: { indptr: Int32Array; indices: Int32Array; values: Float64Array } | null = null;
  private constructor(private readonly ex: Exports, private readonly m: number, n: number, private readonly nnz: number) {
    this.xOff = nnz * 8; this.yOff = this.xOff + n * 8; this.ipOff = this.yOff + m * 8; this.ixOff = this.ipOff + (m + 1) * 4;
    const buf = ex.memory.buffer;
    this.xv = new Float64Array(buf, this.xOff, n); this.yv = new Float64Array(buf, this.yOff, m);
  }
  /** null when the engine has no WebAssembly SIMD (callers keep the JS loop). */
  static create(indptr: Int32Array, indices: Int32Array, values: Float64Array, m: number, n: number): StagedSpmv | null {
    const mod = ownModule();
    if (!mod) return null;
    const nnz = indptr[m]!;
    const bytes = nnz * 12 + (n + m) * 8 + (m + 1) * 4 + 64;
    const smod = nnz >= SPMV_SPLIT_MIN && availableCores() >= 2 ? sharedModule() : null;
    let ex: Exports, shared: { memory: unknown; ctlOff: number } | null = null;
    if (smod) { const si = sharedInstance(smod, bytes); ex = si.ex; shared = si; }
    else ex = ownInstance(mod, bytes);
    const st = new StagedSpmv(ex, m, n, nnz), buf = ex.memory.buffer;
    st.src = { indptr, indices, values };
    new Float64Array(buf, st.vOff, nnz).set(values.subarray(0, nnz));
    new Int32Array(buf, st.ipOff, m + 1).set(indptr.subarray(0, m + 1));
    new Int32Array(buf, st.ixOff, nnz).set(indices.subarray(0, nnz));
    if (shared) {
      // First row whose indptr reaches half the nonzeros (binary search).
      let lo = 0, hi = m;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (indptr[mid]! < nnz / 2) lo = mid + 1; else hi = mid; }
      st.mSplit = lo;
      st.helper = Helper.start(smod!, shared.memory, buf, shared.ctlOff, st);
    }
    return st;
  }
  get threaded(): boolean { return !!this.helper?.ready; }
  /** Resolves true once the worker has started, false when there is none or it failed to start. */
  whenReady(): Promise<boolean> { return this.helper?.whenReady() ?? Promise.resolve(false); }
  /** Brings the CSR copy up to date with the arrays (memcpy of each); false when the number of nonzeros changed. */
  refresh(): boolean {
    const s = this.src!, buf = this.ex.memory.buffer, m = this.m, nnz = this.nnz;
    if (s.indptr[m] !== nnz || s.indices.length < nnz || s.values.length < nnz) return false;
    new Int32Array(buf, this.ipOff, m + 1).set(s.indptr.subarray(0, m + 1));
    new Int32Array(buf, this.ixOff, nnz).set(s.indices.subarray(0, nnz));
    new Float64Array(buf, this.vOff, nnz).set(s.values.subarray(0, nnz));
    return true;
  }
  apply(x: Float64Array): Float64Array {
    this.xv.set(x);
    const h = this.helper, m = this.m, k = this.mSplit;
    if (h?.ready) {
      h.post('spmv', [this.ipOff + k * 4, this.ipOff + m * 4, this.ixOff, this.vOff, this.xOff, this.yOff + k * 8]);
      this.ex.spmv(this.ipOff, this.ipOff + k * 4, this.ixOff, this.vOff, this.xOff, this.yOff);
      if (!h.finish()) this.ex.spmv(this.ipOff + k * 4, this.ipOff + m * 4, this.ixOff, this.vOff, this.xOff, this.yOff + k * 8);
    } else this.ex.spmv(this.ipOff, this.ipOff + m * 4, this.ixOff, this.vOff, this.xOff, this.yOff);
    return this.yv.slice();
  }
}
const SPMV_SPLIT_MIN = 1 << 17;
