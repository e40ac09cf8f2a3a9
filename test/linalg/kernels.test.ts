import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/random.ts';
import * as L from '../../src/linalg/index.ts';
import { availableParallelism } from 'node:os';
import { StagedSpmv, StagedSymv, KrylovBlock, isExactlySymmetric } from '../../src/linalg/kernels/staged.ts';
import { kernelSupport } from '../../src/linalg/kernels/module.ts';

const nodeMajor = Number(process.versions.node.split('.')[0]);

test('the linalg wasm kernels (own-memory and shared-memory builds) load on Node ≥ 20 — no silent fallback', () => {
  const s = kernelSupport();
  if (nodeMajor >= 20) {
    assert.equal(s.own, true, `own-memory build: ${s.own}`);
    assert.equal(s.shared, true, `shared-memory build: ${s.shared}`);
  }
});

/** Reference CSR product, one plain accumulator per row. */
function spmvRef(S: L.Sparse, x: Float64Array): Float64Array {
  const m = S.shape[0], y = new Float64Array(m);
  for (let i = 0; i < m; i++) { let s = 0; for (let k = S.indptr[i]!; k < S.indptr[i + 1]!; k++) s += S.values[k]! * x[S.indices[k]!]!; y[i] = s; }
  return y;
}
function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, s = 0; for (let i = 0; i < a.length; i++) { d = Math.max(d, Math.abs(a[i]! - b[i]!)); s = Math.max(s, Math.abs(b[i]!)); } return d / s;
}

test('staged wasm SpMV matches the CSR definition (rows of 0, 1, odd and even lengths; rectangular) and restages after an in-place edit', () => {
  const rng = new Rng(7), m = 3001, n = 2500, vals: number[] = [], rows: number[] = [], cols: number[] = [];
  for (let i = 0; i < m; i++) {
    const len = i % 5 === 0 ? 0 : i % 5 === 1 ? 1 : 2 + (i % 11);
    for (let t = 0; t < len; t++) { vals.push(rng.gauss()); rows.push(i); cols.push(rng.int(0, n)); }
  }
  for (let t = 0; t < 20000; t++) { vals.push(rng.gauss()); rows.push(rng.int(0, m)); cols.push(rng.int(0, n)); }
  const S = L.Sparse.fromCOO(vals, rows, cols, [m, n]);
  assert.ok(S.nnz >= 1 << 14, 'large enough to be staged');
  const x = Float64Array.from({ length: n }, () => rng.gauss());
  const want = spmvRef(S, x);
  const direct = StagedSpmv.create(S.indptr, S.indices, S.values as Float64Array, m, n);
  assert.ok(direct, 'StagedSpmv created');
  assert.ok(maxRel(direct.apply(x), want) < 1e-14, 'StagedSpmv');
  for (let r = 0; r < 3; r++) assert.ok(maxRel(S.matmat({ rows: n, cols: 1, data: x }).data, want) < 1e-14, `product ${r}`);
  // An in-place edit of the values (hit by the sample: every entry scaled) must not be served from the stale copy.
  for (let k = 0; k < S.nnz; k++) S.values[k] = 2 * S.values[k]!;
  const got = S.matmat({ rows: n, cols: 1, data: x }).data;
  assert.ok(maxRel(got, want.map((v) => 2 * v)) < 1e-14, 'after an in-place edit');
});

test('KrylovBlock dot/axpy over a window V_first… with counts not a multiple of 4 (padding columns must not leak)', async () => {
  for (const [n, cols, first, count] of [[4097, 9, 7, 2], [5000, 9, 3, 5], [6, 5, 4, 1], [4100, 9, 0, 9]] as const) {
    const kb = KrylovBlock.create(n, cols);
    assert.ok(kb, 'KrylovBlock created');
    for (let i = 0; i < kb.V.length; i++) kb.V[i] = Math.sin(0.37 * i + 1);
    for (let i = 0; i < n; i++) kb.w[i] = Math.cos(0.71 * i);
    const Vk = (k: number, i: number) => kb.V[(first + k) * n + i]!;
    const want = Array.from({ length: count }, (_, k) => { let s = 0; for (let i = 0; i < n; i++) s += Vk(k, i) * kb.w[i]!; return s; });
    const got = new Float64Array(count + 3).fill(7);
    kb.dot(count, got, first);
    assert.ok(maxRel(got.subarray(0, count), want) < 1e-13, `dot n=${n} first=${first} count=${count}`);
    assert.deepEqual(Array.from(got.subarray(count)), [7, 7, 7], 'only count outputs written');
    const h = Float64Array.from({ length: count }, (_, k) => 0.3 * (k + 1)), w0 = Float64Array.from(kb.w);
    const w2 = Array.from(w0, (v, i) => v - h.reduce((s, hk, k) => s + hk * Vk(k, i), 0));
    kb.axpy(count, h, first);
    assert.ok(maxRel(kb.w, w2) < 1e-14, `axpy n=${n} first=${first} count=${count}`);
  }
  const kb = KrylovBlock.create(4096, 4);
  assert.ok(kb);
  assert.throws(() => kb.dot(3, new Float64Array(3), 2), /KrylovBlock: vectors 2\.\.4 outside 0\.\.3/);
});

test('staged Dense products: an exactly symmetric matrix goes through the packed symv (odd and even orders), others the full GEMV', async () => {
  const rng = new Rng(3);
  for (const [n, sym] of [[257, true], [300, true], [301, false]] as const) {
    const a = new Float64Array(n * n);
    for (let j = 0; j < n; j++) for (let i = 0; i <= j; i++) { const v = rng.gauss(); a[j * n + i] = v; a[i * n + j] = v; }
    if (!sym) a[5 * n + 200] = a[5 * n + 200]! + 1; // A[200, 5] ≠ A[5, 200]
    assert.equal(isExactlySymmetric(a, n), sym, `isExactlySymmetric n=${n}`);
    const x = Float64Array.from({ length: n }, () => rng.gauss());
    const want = new Float64Array(n);
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) want[i] = want[i]! + a[j * n + i]! * x[j]!;
    if (sym) {
      const st = StagedSymv.create(a, n);
      assert.ok(st, 'StagedSymv created');
      const y = new Float64Array(n); st.apply(x, y); assert.ok(maxRel(y, want) < 1e-14, `StagedSymv n=${n}`);
    }
    const D = L.lazify({ rows: n, cols: n, data: a });
    for (let r = 0; r < 3; r++) assert.ok(maxRel(D.matmat({ rows: n, cols: 1, data: x }).data, want) < 1e-14, `Dense product ${r}, n=${n}`);
  }
});

test('StagedSymv split over a worker thread (n ≥ 1024, two cores) gives the same product as one thread', async () => {
  const rng = new Rng(11), n = 1030;
  const a = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i <= j; i++) { const v = rng.gauss(); a[j * n + i] = v; a[i * n + j] = v; }
  const st = StagedSymv.create(a, n);
  assert.ok(st, 'StagedSymv created');
  // Event-based: the worker's ready message (or its error/exit event), not a wall-clock wait.
  if (availableParallelism() >= 2) { assert.equal(await st.whenReady(), true, 'the worker started'); assert.ok(st.threaded); }
  for (let r = 0; r < 3; r++) {
    const x = Float64Array.from({ length: n }, () => rng.gauss()), want = new Float64Array(n), y = new Float64Array(n);
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) want[i] = want[i]! + a[j * n + i]! * x[j]!;
    st.apply(x, y);
    assert.ok(maxRel(y, want) < 1e-14, `product ${r} (threaded ${st.threaded})`);
  }
});

test('StagedSpmv split over a worker thread (nnz ≥ 2¹⁷, two cores) gives the definition’s product', async () => {
  const rng = new Rng(12), m = 32000, n = 15000, vals: number[] = [], rows: number[] = [], cols: number[] = [];
  for (let i = 0; i < m; i++) for (let e = 0; e < (i % 3) * 4 + 1; e++) { vals.push(rng.gauss()); rows.push(i); cols.push(rng.int(0, n)); }
  const S = L.Sparse.fromCOO(vals, rows, cols, [m, n]);
  assert.ok(S.nnz >= 1 << 17);
  const st = StagedSpmv.create(S.indptr, S.indices, S.values as Float64Array, m, n);
  assert.ok(st, 'StagedSpmv created');
  if (availableParallelism() >= 2) { assert.equal(await st.whenReady(), true, 'the worker started'); assert.ok(st.threaded); }
  for (let r = 0; r < 3; r++) {
    const x = Float64Array.from({ length: n }, () => rng.gauss());
    assert.ok(maxRel(st.apply(x), spmvRef(S, x)) < 1e-14, `product ${r} (threaded ${st.threaded})`);
  }
});
