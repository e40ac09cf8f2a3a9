/**
 * WebAssembly SIMD matmul kernels for Strata (AssemblyScript source; rebuild with `npm run build:wasm`).
 *
 * Layout follows the GotoBLAS / BLIS scheme (Goto & van de Geijn, "Anatomy of high-performance matrix
 * multiplication", ACM TOMS 34(3), 2008, §4–6): A is packed into row panels of MR rows and B into column panels
 * of NR columns, each stored k-major and zero-padded to a whole panel, so the micro-kernel only ever sees full
 * MR×NR tiles and unit-stride streams. The host copies the operands' raw extents into linear memory; packing
 * (which resolves strides, transposes and broadcasting) and the whole batch loop run here, in one call.
 *
 * Compile-time constants (passed with `asc --use NAME=VALUE`):
 *   USE_FMA  1 → relaxed-SIMD fused multiply-add (`f64x2.relaxed_madd`), 0 → plain SIMD mul + add.
 *   MR       rows per micro-tile (4 or 6).
 *   NRV      vectors per micro-tile row (2 or 3): NR = NRV·16 bytes, i.e. 4 or 6 f64, 8 or 12 f32 columns.
 */

// Block sizes are set per call by the host (kcBlock, mcPanels) so they can be tuned without a rebuild.

@inline function madd<T>(a: v128, b: v128, c: v128): v128 {
  if (USE_FMA) return v128.relaxed_madd<T>(a, b, c);
  return v128.add<T>(v128.mul<T>(a, b), c);
}

/**
 * C[0:MR, 0:NR] (+)= Apanel[0:kc] · Bpanel[0:kc]: `a` points at kc groups of MR scalars, `b` at kc groups of NRV
 * vectors; `c` is the tile's top-left element, `ldc` the row pitch in bytes. The MR·NRV accumulators stay in
 * registers, which bounds the tile: x64 has 16 vector registers and each step also needs the NRV B vectors and
 * one broadcast A value. Rows ≥ MR and vectors ≥ NRV are compiled out.
 */
@inline function micro<T>(a: usize, b: usize, c: usize, kc: i32, ldc: usize, accumulate: bool): void {
  const S = sizeof<T>();
  let c00 = v128.splat<T>(0), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00, c20 = c00, c21 = c00, c22 = c00;
  let c30 = c00, c31 = c00, c32 = c00, c40 = c00, c41 = c00, c42 = c00, c50 = c00, c51 = c00, c52 = c00;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    const b2 = NRV > 2 ? v128.load(b, 32) : b0;
    let ai = v128.load_splat<T>(a);
    c00 = madd<T>(ai, b0, c00); c01 = madd<T>(ai, b1, c01);
    if (NRV > 2) c02 = madd<T>(ai, b2, c02);
    ai = v128.load_splat<T>(a, 1 * S);
    c10 = madd<T>(ai, b0, c10); c11 = madd<T>(ai, b1, c11);
    if (NRV > 2) c12 = madd<T>(ai, b2, c12);
    ai = v128.load_splat<T>(a, 2 * S);
    c20 = madd<T>(ai, b0, c20); c21 = madd<T>(ai, b1, c21);
    if (NRV > 2) c22 = madd<T>(ai, b2, c22);
    ai = v128.load_splat<T>(a, 3 * S);
    c30 = madd<T>(ai, b0, c30); c31 = madd<T>(ai, b1, c31);
    if (NRV > 2) c32 = madd<T>(ai, b2, c32);
    if (MR > 4) {
      ai = v128.load_splat<T>(a, 4 * S);
      c40 = madd<T>(ai, b0, c40); c41 = madd<T>(ai, b1, c41);
      if (NRV > 2) c42 = madd<T>(ai, b2, c42);
      ai = v128.load_splat<T>(a, 5 * S);
      c50 = madd<T>(ai, b0, c50); c51 = madd<T>(ai, b1, c51);
      if (NRV > 2) c52 = madd<T>(ai, b2, c52);
    }
    a += <usize>MR * <usize>S;
    b += <usize>NRV * 16;
  }
  if (accumulate) {
    c00 = v128.add<T>(c00, v128.load(c)); c01 = v128.add<T>(c01, v128.load(c, 16)); if (NRV > 2) c02 = v128.add<T>(c02, v128.load(c, 32));
    c10 = v128.add<T>(c10, v128.load(c + ldc)); c11 = v128.add<T>(c11, v128.load(c + ldc, 16)); if (NRV > 2) c12 = v128.add<T>(c12, v128.load(c + ldc, 32));
    c20 = v128.add<T>(c20, v128.load(c + 2 * ldc)); c21 = v128.add<T>(c21, v128.load(c + 2 * ldc, 16)); if (NRV > 2) c22 = v128.add<T>(c22, v128.load(c + 2 * ldc, 32));
    c30 = v128.add<T>(c30, v128.load(c + 3 * ldc)); c31 = v128.add<T>(c31, v128.load(c + 3 * ldc, 16)); if (NRV > 2) c32 = v128.add<T>(c32, v128.load(c + 3 * ldc, 32));
    if (MR > 4) {
      c40 = v128.add<T>(c40, v128.load(c + 4 * ldc)); c41 = v128.add<T>(c41, v128.load(c + 4 * ldc, 16)); if (NRV > 2) c42 = v128.add<T>(c42, v128.load(c + 4 * ldc, 32));
      c50 = v128.add<T>(c50, v128.load(c + 5 * ldc)); c51 = v128.add<T>(c51, v128.load(c + 5 * ldc, 16)); if (NRV > 2) c52 = v128.add<T>(c52, v128.load(c + 5 * ldc, 32));
    }
  }
  v128.store(c, c00); v128.store(c, c01, 16); if (NRV > 2) v128.store(c, c02, 32);
  v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16); if (NRV > 2) v128.store(c + ldc, c12, 32);
  v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16); if (NRV > 2) v128.store(c + 2 * ldc, c22, 32);
  v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16); if (NRV > 2) v128.store(c + 3 * ldc, c32, 32);
  if (MR > 4) {
    v128.store(c + 4 * ldc, c40); v128.store(c + 4 * ldc, c41, 16); if (NRV > 2) v128.store(c + 4 * ldc, c42, 32);
    v128.store(c + 5 * ldc, c50); v128.store(c + 5 * ldc, c51, 16); if (NRV > 2) v128.store(c + 5 * ldc, c52, 32);
  }
}

/**
 * Pack the rows×depth view X (element (i, p) at src + (i*rs + p*ps)·S) into panels of `w` rows, each stored
 * depth-major and zero-padded to w rows: the layout `micro` streams (Goto & van de Geijn 2008, §5). A is packed
 * with w = MR; B is packed as its transpose (rows = columns of B) with w = NR.
 */
@inline function pack<T>(src: usize, rs: i32, ps: i32, rows: i32, depth: i32, w: i32, dst: usize): void {
  const S = <usize>sizeof<T>();
  const panels = (rows + w - 1) / w;
  for (let q = 0; q < panels; q++) {
    const base = dst + <usize>q * <usize>w * <usize>depth * S;
    const r0 = q * w;
    const live = min(w, rows - r0);
    // Walk the source along its smaller stride so reads are as sequential as the layout allows.
    if (ps <= rs) {
      for (let r = 0; r < live; r++) {
        let s = src + <usize>(r0 + r) * <usize>rs * S;
        let d = base + <usize>r * S;
        for (let p = 0; p < depth; p++) {
          store<T>(d, load<T>(s));
          s += <usize>ps * S;
          d += <usize>w * S;
        }
      }
    } else {
      for (let p = 0; p < depth; p++) {
        let s = src + (<usize>r0 * <usize>rs + <usize>p * <usize>ps) * S;
        const d = base + <usize>p * <usize>w * S;
        for (let r = 0; r < live; r++) {
          store<T>(d + <usize>r * S, load<T>(s));
          s += <usize>rs * S;
        }
      }
    }
    for (let r = live; r < w; r++) {
      let d = base + <usize>r * S;
      for (let p = 0; p < depth; p++) {
        store<T>(d, <T>0);
        d += <usize>w * S;
      }
    }
  }
}

/**
 * C[b] = A[b]·B[b] for b < batch. A[b] (m×k) is the strided view at aRaw with element strides (ars, acs, abs),
 * B[b] (k×n) likewise at bRaw; C[b] is written row-major at c + b·m·n. aPack / bPack are scratch areas for one
 * packed A (ceil(m/MR)·MR·k) and one packed B (ceil(n/NR)·NR·k); `tile` holds one MR×NR edge tile. A broadcast
 * operand (batch stride 0) is packed once. Loop order is BLIS's: k-blocks of `kcBlock` (an A micro-panel slice
 * and a B micro-panel slice stay in L1), groups of `mcPanels` A panels (the packed A block stays in L2), then every
 * B panel against every A panel of the group. k must be ≥ 1 (the host zero-fills C for k = 0).
 */
@inline function gemmBatch<T>(
  aRaw: usize, ars: i32, acs: i32, abs: i32, bRaw: usize, brs: i32, bcs: i32, bbs: i32,
  c: usize, m: i32, n: i32, k: i32, batch: i32, aPack: usize, bPack: usize, tile: usize, kcBlock: i32, mcPanels: i32,
): void {
  const S = <usize>sizeof<T>();
  const NR = <i32>(NRV * 16 / S);
  const mPanels = (m + MR - 1) / MR;
  const nPanels = (n + NR - 1) / NR;
  const ldc = <usize>n * S;
  const tileLd = <usize>NR * S;
  const aPanelBytes = <usize>MR * <usize>k * S;
  const bPanelBytes = <usize>NR * <usize>k * S;
  for (let bi = 0; bi < batch; bi++) {
    if (bi == 0 || abs != 0) pack<T>(aRaw + <usize>bi * <usize>abs * S, ars, acs, m, k, MR, aPack);
    if (bi == 0 || bbs != 0) pack<T>(bRaw + <usize>bi * <usize>bbs * S, bcs, brs, n, k, NR, bPack);
    const cb = c + <usize>bi * <usize>m * ldc;
    for (let pc = 0; pc < k; pc += kcBlock) {
      const kc = min(kcBlock, k - pc);
      const accumulate = pc > 0;
      for (let ic = 0; ic < mPanels; ic += mcPanels) {
        const ie = min(ic + mcPanels, mPanels);
        for (let jq = 0; jq < nPanels; jq++) {
          const bp = bPack + <usize>jq * bPanelBytes + <usize>pc * <usize>NR * S;
          const nLive = min(NR, n - jq * NR);
          for (let ip = ic; ip < ie; ip++) {
            const ap = aPack + <usize>ip * aPanelBytes + <usize>pc * <usize>MR * S;
            const ct = cb + <usize>ip * <usize>MR * ldc + <usize>jq * <usize>NR * S;
            const mLive = min(MR, m - ip * MR);
            if (mLive == MR && nLive == NR) {
              micro<T>(ap, bp, ct, kc, ldc, accumulate);
            } else {
              // Edge tile: run the full micro-kernel on a scratch tile and move only the live part.
              if (accumulate) copyTile<T>(ct, ldc, tile, tileLd, mLive, nLive);
              micro<T>(ap, bp, tile, kc, tileLd, accumulate);
              copyTile<T>(tile, tileLd, ct, ldc, mLive, nLive);
            }
          }
        }
      }
    }
  }
}

@inline function copyTile<T>(src: usize, srcLd: usize, dst: usize, dstLd: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    memory.copy(dst + <usize>r * dstLd, src + <usize>r * srcLd, <usize>cols * <usize>sizeof<T>());
  }
}

export function gemm_f64(
  aRaw: usize, ars: i32, acs: i32, abs: i32, bRaw: usize, brs: i32, bcs: i32, bbs: i32,
  c: usize, m: i32, n: i32, k: i32, batch: i32, aPack: usize, bPack: usize, tile: usize, kcBlock: i32, mcPanels: i32,
): void {
  gemmBatch<f64>(aRaw, ars, acs, abs, bRaw, brs, bcs, bbs, c, m, n, k, batch, aPack, bPack, tile, kcBlock, mcPanels);
}

export function gemm_f32(
  aRaw: usize, ars: i32, acs: i32, abs: i32, bRaw: usize, brs: i32, bcs: i32, bbs: i32,
  c: usize, m: i32, n: i32, k: i32, batch: i32, aPack: usize, bPack: usize, tile: usize, kcBlock: i32, mcPanels: i32,
): void {
  gemmBatch<f32>(aRaw, ars, acs, abs, bRaw, brs, bcs, bbs, c, m, n, k, batch, aPack, bPack, tile, kcBlock, mcPanels);
}

/** First free byte after the module's static data: the host places its buffers from here on. */
export function heap_base(): usize {
  return __heap_base;
}

/** Rows per micro-tile this build was compiled with, so the host sizes packed A to match. */
export function micro_rows(): i32 {
  return MR;
}

/** Columns per micro-tile (NRV vectors) for this build and element size, so the host sizes packed B to match. */
export function micro_cols(elementBytes: i32): i32 {
  return NRV * 16 / elementBytes;
}
