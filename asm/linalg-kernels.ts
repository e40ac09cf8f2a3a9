/**
 * WebAssembly SIMD kernels of strata/linalg (AssemblyScript source; rebuild with `npm run build:wasm`, which writes
 * src/linalg/kernels/linalg-wasm-binary.ts). Every argument is a byte address into the module's linear memory or a
 * count; the host (src/linalg/kernels/staged.ts) stages the operands and finishes ragged edges in JS.
 *
 * Two builds of this one source: with its own exported memory (one instance per staged operator), and importing a
 * shared `env.memory` for the worker split (the host and one worker thread run disjoint parts of one product).
 *
 * Products are memory-bound (one Krylov iteration streams the matrix once), so the kernels use plain f64x2
 * multiply-then-add, in a fixed summation order, with no FMA build: the order is what the JS fallbacks use too.
 */

/**
 * y[0:lim] += Σ_{j < n4} A[:, j]·x[j] for column-major A (m rows, column pitch m·8 bytes), four columns per pass so
 * y[i:i+2] is loaded and stored once per four columns; lim = (m & ~1)·8 covers the even rows (the odd last row and
 * the n mod 4 trailing columns are the host's).
 */
export function gemv(a: usize, x: usize, y: usize, m: i32, n4: i32): void {
  const cb = <usize>m << 3;
  const lim = <usize>(m & ~1) << 3;
  for (let j = 0; j < n4; j += 4) {
    const pa0 = a + <usize>j * cb, pa1 = pa0 + cb, pa2 = pa1 + cb, pa3 = pa2 + cb;
    const xp = x + (<usize>j << 3);
    const x0 = v128.load_splat<f64>(xp), x1 = v128.load_splat<f64>(xp, 8), x2 = v128.load_splat<f64>(xp, 16), x3 = v128.load_splat<f64>(xp, 24);
    for (let i: usize = 0; i < lim; i += 16) {
      let acc = v128.load(y + i);
      acc = f64x2.add(acc, f64x2.mul(v128.load(pa0 + i), x0));
      acc = f64x2.add(acc, f64x2.mul(v128.load(pa1 + i), x1));
      acc = f64x2.add(acc, f64x2.mul(v128.load(pa2 + i), x2));
      acc = f64x2.add(acc, f64x2.mul(v128.load(pa3 + i), x3));
      v128.store(y + i, acc);
    }
  }
}

/**
 * out[k] = V_k·w for k < c4 (a multiple of 4), V_k at vb + k·stride, over the first lim bytes (an even number of
 * doubles): four vectors per pass over w, one f64x2 accumulator each.
 */
export function mdot(vb: usize, c4: i32, w: usize, lim: usize, stride: usize, out: usize): void {
  for (let k = 0; k < c4; k += 4) {
    const p0 = vb + <usize>k * stride, p1 = p0 + stride, p2 = p1 + stride, p3 = p2 + stride;
    let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0;
    for (let i: usize = 0; i < lim; i += 16) {
      const wv = v128.load(w + i);
      a0 = f64x2.add(a0, f64x2.mul(v128.load(p0 + i), wv));
      a1 = f64x2.add(a1, f64x2.mul(v128.load(p1 + i), wv));
      a2 = f64x2.add(a2, f64x2.mul(v128.load(p2 + i), wv));
      a3 = f64x2.add(a3, f64x2.mul(v128.load(p3 + i), wv));
    }
    const o = out + (<usize>k << 3);
    store<f64>(o, f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1));
    store<f64>(o, f64x2.extract_lane(a1, 0) + f64x2.extract_lane(a1, 1), 8);
    store<f64>(o, f64x2.extract_lane(a2, 0) + f64x2.extract_lane(a2, 1), 16);
    store<f64>(o, f64x2.extract_lane(a3, 0) + f64x2.extract_lane(a3, 1), 24);
  }
}

/** w[0:lim] −= Σ_{k < c4} h[k]·V_k (V_k at vb + k·stride), four vectors per pass over w. */
export function maxpy(vb: usize, c4: i32, h: usize, w: usize, lim: usize, stride: usize): void {
  for (let k = 0; k < c4; k += 4) {
    const p0 = vb + <usize>k * stride, p1 = p0 + stride, p2 = p1 + stride, p3 = p2 + stride;
    const hp = h + (<usize>k << 3);
    const h0 = v128.load_splat<f64>(hp), h1 = v128.load_splat<f64>(hp, 8), h2 = v128.load_splat<f64>(hp, 16), h3 = v128.load_splat<f64>(hp, 24);
    for (let i: usize = 0; i < lim; i += 16) {
      let t = f64x2.mul(v128.load(p0 + i), h0);
      t = f64x2.add(t, f64x2.mul(v128.load(p1 + i), h1));
      t = f64x2.add(t, f64x2.mul(v128.load(p2 + i), h2));
      t = f64x2.add(t, f64x2.mul(v128.load(p3 + i), h3));
      v128.store(w + i, f64x2.sub(v128.load(w + i), t));
    }
  }
}

/**
 * CSR y[r] = Σ_k v[k]·x[ix[k]] for the rows whose indptr entries lie at byte addresses [ip, ipEnd), y pointing at
 * the first of those rows. Two accumulators per row (even and odd entries, an odd tail into the even one) — the
 * summation order of the JS spmv64, so both give the same bits.
 */
export function spmv(ip: usize, ipEnd: usize, ix: usize, v: usize, x: usize, y: usize): void {
  for (; ip < ipEnd; ip += 4) {
    const start = <usize>load<i32>(ip), end = <usize>load<i32>(ip, 4);
    let k4 = ix + (start << 2), k8 = v + (start << 3);
    const e4 = ix + (end << 2);
    let s0: f64 = 0, s1: f64 = 0;
    for (; k4 + 8 <= e4; k4 += 8, k8 += 16) {
      s0 += load<f64>(k8) * load<f64>(x + (<usize>load<i32>(k4) << 3));
      s1 += load<f64>(k8, 8) * load<f64>(x + (<usize>load<i32>(k4, 4) << 3));
    }
    if (k4 < e4) s0 += load<f64>(k8) * load<f64>(x + (<usize>load<i32>(k4) << 3));
    store<f64>(y, s0 + s1);
    y += 8;
  }
}

/**
 * The off-diagonal-block part of a symmetric product, y += L·x + Lᵀ·x, over the column blocks j0/8 ≤ j < j1/8
 * (a pointing at block j0's first entry) of an order N = nBytes/8, a multiple of 4, whose lower triangle is packed by
 * column blocks of four: for each row pair i, i+1 ≥ j+4 the four pairs [A(i,c), A(i+1,c)], c = j … j+3, lie
 * consecutively (64 bytes). Each stored entry is read once and used twice — an axpy into y[i:i+2] and a dot into
 * y[c] — so a product streams n²/2 doubles instead of n² (cf. BLAS dsymv/dspmv). The 4×4 diagonal blocks are the
 * host's.
 */
export function symv(a: usize, x: usize, y: usize, j0: usize, j1: usize, nBytes: usize): void {
  let pp = a;
  for (let jj = j0; jj < j1; jj += 32) {
    const xp = x + jj;
    const x0 = v128.load_splat<f64>(xp), x1 = v128.load_splat<f64>(xp, 8), x2 = v128.load_splat<f64>(xp, 16), x3 = v128.load_splat<f64>(xp, 24);
    let c0 = f64x2.splat(0), c1 = c0, c2 = c0, c3 = c0;
    for (let ii = jj + 32; ii < nBytes; ii += 16, pp += 64) {
      const a0 = v128.load(pp), a1 = v128.load(pp, 16), a2 = v128.load(pp, 32), a3 = v128.load(pp, 48);
      const xv = v128.load(x + ii);
      let yv = v128.load(y + ii);
      yv = f64x2.add(yv, f64x2.mul(a0, x0));
      yv = f64x2.add(yv, f64x2.mul(a1, x1));
      yv = f64x2.add(yv, f64x2.mul(a2, x2));
      yv = f64x2.add(yv, f64x2.mul(a3, x3));
      v128.store(y + ii, yv);
      c0 = f64x2.add(c0, f64x2.mul(a0, xv));
      c1 = f64x2.add(c1, f64x2.mul(a1, xv));
      c2 = f64x2.add(c2, f64x2.mul(a2, xv));
      c3 = f64x2.add(c3, f64x2.mul(a3, xv));
    }
    const yp = y + jj;
    store<f64>(yp, load<f64>(yp) + (f64x2.extract_lane(c0, 0) + f64x2.extract_lane(c0, 1)));
    store<f64>(yp, load<f64>(yp, 8) + (f64x2.extract_lane(c1, 0) + f64x2.extract_lane(c1, 1)), 8);
    store<f64>(yp, load<f64>(yp, 16) + (f64x2.extract_lane(c2, 0) + f64x2.extract_lane(c2, 1)), 16);
    store<f64>(yp, load<f64>(yp, 24) + (f64x2.extract_lane(c3, 0) + f64x2.extract_lane(c3, 1)), 24);
  }
}

/**
 * Whether the packed lower triangle at pk (symv's layout, order N, the first nFull = 4·⌊n/4⌋ columns) still equals
 * a column-major copy s of the live matrix of order n — both the lower entry A(i, c) and its mirror A(c, i), so an
 * edit of either triangle, or one that breaks symmetry, is seen. Covers the row pairs i, i+1 < n of the full column
 * blocks; the host checks the ragged edges and the diagonal blocks. Compared as bits (i64x2), so −0 ≠ +0.
 */
export function symcheck(s: usize, pk: usize, n: i32, N: i32, nFull: i32): i32 {
  const cb = <usize>n << 3;
  let p = pk;
  for (let j = 0; j < N; j += 4) {
    if (j >= nFull) break;
    const c0 = s + <usize>j * cb, c1 = c0 + cb, c2 = c1 + cb, c3 = c2 + cb;
    let i = j + 4;
    for (; i + 1 < n; i += 2, p += 64) {
      const off = <usize>i << 3;
      // Lower: [A(i,c), A(i+1,c)] for c = j … j+3, contiguous in column c.
      let eq = i64x2.eq(v128.load(p), v128.load(c0 + off));
      eq = v128.and(eq, i64x2.eq(v128.load(p, 16), v128.load(c1 + off)));
      eq = v128.and(eq, i64x2.eq(v128.load(p, 32), v128.load(c2 + off)));
      eq = v128.and(eq, i64x2.eq(v128.load(p, 48), v128.load(c3 + off)));
      // Mirror: A(c, i) for c = j … j+3 is four consecutive doubles of column i (and of column i+1 for row i+1).
      const r0 = s + <usize>i * cb + (<usize>j << 3), r1 = r0 + cb;
      const lo01 = v128.load(r0), lo23 = v128.load(r0, 16), hi01 = v128.load(r1), hi23 = v128.load(r1, 16);
      eq = v128.and(eq, i64x2.eq(v128.load(p), i64x2.shuffle(lo01, hi01, 0, 2)));
      eq = v128.and(eq, i64x2.eq(v128.load(p, 16), i64x2.shuffle(lo01, hi01, 1, 3)));
      eq = v128.and(eq, i64x2.eq(v128.load(p, 32), i64x2.shuffle(lo23, hi23, 0, 2)));
      eq = v128.and(eq, i64x2.eq(v128.load(p, 48), i64x2.shuffle(lo23, hi23, 1, 3)));
      if (!i64x2.all_true(eq)) return 0;
    }
    p += <usize>((N - i) >> 1) * 64; // the padded row pairs, checked by the host
  }
  return 1;
}
