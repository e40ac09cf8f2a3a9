/**
 * Vector kernels of the Krylov loops (Gram–Schmidt, Ritz vectors, dot products) on Float64Array columns. A plain
 * `s += a[i]*b[i]` loop is bound by the latency of one floating-point add per element; these keep four independent
 * accumulators, and the multi-vector forms read w once per four basis vectors, which is what makes classical
 * Gram–Schmidt against a window of 20–40 vectors cheap next to a sparse product.
 */

export function dot(a: Float64Array, b: Float64Array, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, i = 0;
  for (; i + 3 < n; i += 4) { s0 += a[i]! * b[i]!; s1 += a[i + 1]! * b[i + 1]!; s2 += a[i + 2]! * b[i + 2]!; s3 += a[i + 3]! * b[i + 3]!; }
  for (; i < n; i++) s0 += a[i]! * b[i]!;
  return (s0 + s1) + (s2 + s3);
}

export function norm2(a: Float64Array, n: number): number { return Math.sqrt(dot(a, a, n)); }

/**
 * Rows are processed in chunks so that the chunk of w (and of the outputs) stays in L1 while the basis vectors
 * stream past it once: every multi-vector kernel below reads each V[k] exactly once per call.
 */
const CHUNK = 1024;

/** out[k] = V[k]ᵀ·w for k < count, four basis vectors per pass over a chunk of w. */
export function multiDot(V: readonly Float64Array[], count: number, w: Float64Array, n: number, out: Float64Array): void {
  out.fill(0, 0, count);
  for (let i0 = 0; i0 < n; i0 += CHUNK) {
    const i1 = Math.min(n, i0 + CHUNK);
    let k = 0;
    for (; k + 3 < count; k += 4) {
      const v0 = V[k]!, v1 = V[k + 1]!, v2 = V[k + 2]!, v3 = V[k + 3]!;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let i = i0; i < i1; i++) { const x = w[i]!; s0 += v0[i]! * x; s1 += v1[i]! * x; s2 += v2[i]! * x; s3 += v3[i]! * x; }
      out[k] = out[k]! + s0; out[k + 1] = out[k + 1]! + s1; out[k + 2] = out[k + 2]! + s2; out[k + 3] = out[k + 3]! + s3;
    }
    for (; k < count; k++) {
      const v = V[k]!;
      let s0 = 0, s1 = 0, i = i0;
      for (; i + 1 < i1; i += 2) { s0 += v[i]! * w[i]!; s1 += v[i + 1]! * w[i + 1]!; }
      for (; i < i1; i++) s0 += v[i]! * w[i]!;
      out[k] = out[k]! + s0 + s1;
    }
  }
}

/** w ← w − Σₖ h[k]·V[k] (k < count), four basis vectors per pass over a chunk of w. */
export function multiAxpy(V: readonly Float64Array[], count: number, h: Float64Array, w: Float64Array, n: number): void {
  for (let i0 = 0; i0 < n; i0 += CHUNK) {
    const i1 = Math.min(n, i0 + CHUNK);
    let k = 0;
    for (; k + 3 < count; k += 4) {
      const v0 = V[k]!, v1 = V[k + 1]!, v2 = V[k + 2]!, v3 = V[k + 3]!, h0 = h[k]!, h1 = h[k + 1]!, h2 = h[k + 2]!, h3 = h[k + 3]!;
      for (let i = i0; i < i1; i++) w[i] = w[i]! - (h0 * v0[i]! + h1 * v1[i]! + h2 * v2[i]! + h3 * v3[i]!);
    }
    for (; k < count; k++) { const v = V[k]!, hk = h[k]!; if (hk !== 0) for (let i = i0; i < i1; i++) w[i] = w[i]! - hk * v[i]!; }
  }
}

/** One classical Gram–Schmidt pass w ← (I − VVᵀ)w over the first `count` vectors; the coefficients are added to h. */
export function cgsPass(V: readonly Float64Array[], count: number, w: Float64Array, n: number, h?: Float64Array): void {
  const t = new Float64Array(count);
  multiDot(V, count, w, n, t);
  multiAxpy(V, count, t, w, n);
  if (h) for (let k = 0; k < count; k++) h[k] = h[k]! + t[k]!;
}

/** Two classical Gram–Schmidt passes ("twice is enough", Giraud et al. 2005); h receives the summed coefficients. */
export function cgs2(V: readonly Float64Array[], count: number, w: Float64Array, n: number, h?: Float64Array): void {
  cgsPass(V, count, w, n, h);
  cgsPass(V, count, w, n, h);
}

/**
 * One pass, and a second only when the first removed most of w (‖w′‖ < ‖w‖/√2: the DGKS criterion of Daniel,
 * Gragg, Kaufman & Stewart 1976), i.e. when cancellation could have left w′ non-orthogonal. Returns ‖w′‖.
 */
export function cgsDGKS(V: readonly Float64Array[], count: number, w: Float64Array, n: number, h: Float64Array, before: number): number {
  cgsPass(V, count, w, n, h);
  let after = norm2(w, n);
  if (after < Math.SQRT1_2 * before) { cgsPass(V, count, w, n, h); after = norm2(w, n); }
  return after;
}

/** Columns out[c] = Σₖ V[k]·C[k + c·ld] for c < cols (V·C with C column-major, leading dimension ld). */
export function combine(V: readonly Float64Array[], count: number, C: Float64Array, ld: number, cols: number, n: number): Float64Array[] {
  const out: Float64Array[] = Array.from({ length: cols }, () => new Float64Array(n));
  for (let i0 = 0; i0 < n; i0 += CHUNK) {
    const i1 = Math.min(n, i0 + CHUNK);
    for (let c = 0; c < cols; c++) {
      const y = out[c]!, o = c * ld;
      let k = 0;
      for (; k + 3 < count; k += 4) {
        const v0 = V[k]!, v1 = V[k + 1]!, v2 = V[k + 2]!, v3 = V[k + 3]!, c0 = C[o + k]!, c1 = C[o + k + 1]!, c2 = C[o + k + 2]!, c3 = C[o + k + 3]!;
        for (let i = i0; i < i1; i++) y[i] = y[i]! + (c0 * v0[i]! + c1 * v1[i]! + c2 * v2[i]! + c3 * v3[i]!);
      }
      for (; k < count; k++) { const v = V[k]!, ck = C[o + k]!; if (ck !== 0) for (let i = i0; i < i1; i++) y[i] = y[i]! + ck * v[i]!; }
    }
  }
  return out;
}
