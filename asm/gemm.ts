/**
 * WebAssembly SIMD matmul kernels for Strata (AssemblyScript source; rebuild with `npm run build:wasm`).
 *
 * Layout follows the GotoBLAS / BLIS scheme (Goto & van de Geijn, "Anatomy of high-performance matrix
 * multiplication", ACM TOMS 34(3), 2008, §4–6): the host packs A into row panels of MR rows and B into column
 * panels of NR columns, each stored k-major and zero-padded to a whole panel, so the micro-kernel below only ever
 * sees full MR×NR tiles and unit-stride streams. C lives in linear memory as a padded row-major block.
 *
 * Compile-time constants (passed with `asc --use NAME=VALUE`):
 *   USE_FMA  1 → relaxed-SIMD fused multiply-add (`f64x2.relaxed_madd`), 0 → plain SIMD mul + add.
 *   MR       rows per micro-tile (4 or 6). NR is always two vectors (4 f64 or 8 f32 columns).
 */

// Block sizes are set per call by the host (kcBlock, mcPanels) so they can be tuned without a rebuild.

@inline function madd<T>(a: v128, b: v128, c: v128): v128 {
  if (USE_FMA) return v128.relaxed_madd<T>(a, b, c);
  return v128.add<T>(v128.mul<T>(a, b), c);
}

/**
 * C[0:MR, 0:NR] (+)= Apanel[0:kc] · Bpanel[0:kc]: `a` points at kc groups of MR scalars, `b` at kc groups of two
 * vectors; `c` is the tile's top-left element, `ldc` the row pitch in bytes. Accumulators stay in registers
 * (2·MR of them), which is why MR is at most 6: x64 has 16 vector registers and each step also needs the two B
 * vectors and one broadcast A value.
 */
@inline function micro<T>(a: usize, b: usize, c: usize, kc: i32, ldc: usize, accumulate: bool): void {
  const S = sizeof<T>();
  let c00 = v128.splat<T>(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  let c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let ai = v128.load_splat<T>(a);
    c00 = madd<T>(ai, b0, c00); c01 = madd<T>(ai, b1, c01);
    ai = v128.load_splat<T>(a, S);
    c10 = madd<T>(ai, b0, c10); c11 = madd<T>(ai, b1, c11);
    ai = v128.load_splat<T>(a, 2 * S);
    c20 = madd<T>(ai, b0, c20); c21 = madd<T>(ai, b1, c21);
    ai = v128.load_splat<T>(a, 3 * S);
    c30 = madd<T>(ai, b0, c30); c31 = madd<T>(ai, b1, c31);
    if (MR > 4) {
      ai = v128.load_splat<T>(a, 4 * S);
      c40 = madd<T>(ai, b0, c40); c41 = madd<T>(ai, b1, c41);
      ai = v128.load_splat<T>(a, 5 * S);
      c50 = madd<T>(ai, b0, c50); c51 = madd<T>(ai, b1, c51);
    }
    a += <usize>MR * <usize>S;
    b += 32;
  }
  if (accumulate) {
    c00 = v128.add<T>(c00, v128.load(c)); c01 = v128.add<T>(c01, v128.load(c, 16));
    c10 = v128.add<T>(c10, v128.load(c + ldc)); c11 = v128.add<T>(c11, v128.load(c + ldc, 16));
    c20 = v128.add<T>(c20, v128.load(c + 2 * ldc)); c21 = v128.add<T>(c21, v128.load(c + 2 * ldc, 16));
    c30 = v128.add<T>(c30, v128.load(c + 3 * ldc)); c31 = v128.add<T>(c31, v128.load(c + 3 * ldc, 16));
    if (MR > 4) {
      c40 = v128.add<T>(c40, v128.load(c + 4 * ldc)); c41 = v128.add<T>(c41, v128.load(c + 4 * ldc, 16));
      c50 = v128.add<T>(c50, v128.load(c + 5 * ldc)); c51 = v128.add<T>(c51, v128.load(c + 5 * ldc, 16));
    }
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
  if (MR > 4) {
    v128.store(c + 4 * ldc, c40); v128.store(c + 4 * ldc, c41, 16);
    v128.store(c + 5 * ldc, c50); v128.store(c + 5 * ldc, c51, 16);
  }
}

/**
 * C = A·B over packed operands: `mPanels` A panels (MR×k each), `nPanels` B panels (k×NR each), C padded to
 * (mPanels·MR)×(nPanels·NR) row-major. Loop order is BLIS's: k-blocks of `kcBlock` (one A micro-panel and one
 * B micro-panel slice stay in L1), groups of `mcPanels` A panels (the packed A block stays in L2), then every B
 * panel against every A panel of the group. k must be ≥ 1 (the host zero-fills C for k = 0).
 */
@inline function gemmPacked<T>(a: usize, b: usize, c: usize, mPanels: i32, nPanels: i32, k: i32, kcBlock: i32, mcPanels: i32): void {
  const S = <usize>sizeof<T>();
  const NR = <usize>(32 / S);
  const ldc = <usize>nPanels * NR * S;
  const aPanelBytes = <usize>MR * <usize>k * S;
  const bPanelBytes = NR * <usize>k * S;
  for (let pc = 0; pc < k; pc += kcBlock) {
    const kc = min(kcBlock, k - pc);
    const accumulate = pc > 0;
    for (let ic = 0; ic < mPanels; ic += mcPanels) {
      const ie = min(ic + mcPanels, mPanels);
      for (let jq = 0; jq < nPanels; jq++) {
        const bp = b + <usize>jq * bPanelBytes + <usize>pc * NR * S;
        const cCol = c + <usize>jq * NR * S;
        for (let ip = ic; ip < ie; ip++) {
          const ap = a + <usize>ip * aPanelBytes + <usize>pc * <usize>MR * S;
          micro<T>(ap, bp, cCol + <usize>ip * <usize>MR * ldc, kc, ldc, accumulate);
        }
      }
    }
  }
}

export function gemm_f64(a: usize, b: usize, c: usize, mPanels: i32, nPanels: i32, k: i32, kcBlock: i32, mcPanels: i32): void {
  gemmPacked<f64>(a, b, c, mPanels, nPanels, k, kcBlock, mcPanels);
}

export function gemm_f32(a: usize, b: usize, c: usize, mPanels: i32, nPanels: i32, k: i32, kcBlock: i32, mcPanels: i32): void {
  gemmPacked<f32>(a, b, c, mPanels, nPanels, k, kcBlock, mcPanels);
}

/** First free byte after the module's static data: the host places its buffers from here on. */
export function heap_base(): usize {
  return __heap_base;
}

/** Rows per micro-tile this build was compiled with, so the host packs A to match. */
export function micro_rows(): i32 {
  return MR;
}
