import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/random.ts';
import * as L from '../../src/linalg/index.ts';

/** y = A·x straight from the column-major definition. */
function refProduct(a: Float64Array, m: number, n: number, x: Float64Array): Float64Array {
  const y = new Float64Array(m);
  for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) y[i] = y[i]! + a[j * m + i]! * x[j]!;
  return y;
}
function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number { let d = 0; for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!)); return d; }

// A Sum with a zero diagonal makes each Dense product a nested one (inside an operation), the path that is staged.
function nestedProduct(D: L.LinearOperator, x: Float64Array): Float64Array {
  const S = L.add(D, L.diagonal(new Float64Array(D.rows)));
  return S.matmat(x).data as Float64Array;
}

for (const sym of [false, true]) {
  test(`a single-entry edit of a staged 300×300 Dense (${sym ? 'symmetric: packed symv' : 'general: gemv'}) is seen by the next product`, () => {
    const n = 300, a = new Float64Array(n * n).fill(1), x = new Float64Array(n).fill(1);
    const D = L.lazify({ rows: n, cols: n, data: a });
    for (let r = 0; r < 3; r++) assert.ok(maxAbs(nestedProduct(D, x), refProduct(a, n, n, x)) < 1e-9, `product ${r}`);
    // The entry is chosen off every 16-entry sample grid: row 137, column 211 (and its mirror for the symmetric case).
    a[211 * n + 137] = -1000;
    if (sym) a[137 * n + 211] = -1000;
    const want = refProduct(a, n, n, x);
    assert.equal(want[137], 299 - 1000);
    assert.ok(maxAbs(nestedProduct(D, x), want) < 1e-9, 'after the edit');
    // Editing only the upper entry breaks exact symmetry: the packed lower triangle must not be used.
    a[137 * n + 211] = 5;
    assert.ok(maxAbs(nestedProduct(D, x), refProduct(a, n, n, x)) < 1e-9, 'after an edit breaking symmetry');
  });
}

test('edits on the ragged edges of a staged symmetric matrix (order 302: a partial last column block, an odd last row pair) are seen', () => {
  const n = 302, a = new Float64Array(n * n), x = Float64Array.from({ length: n }, (_, i) => 1 + i / n);
  for (let j = 0; j < n; j++) for (let i = 0; i <= j; i++) { const v = Math.cos(i + 2 * j); a[j * n + i] = v; a[i * n + j] = v; }
  const D = L.lazify({ rows: n, cols: n, data: a });
  for (const [i, j, mirror] of [[301, 5, true], [300, 301, true], [5, 301, false], [301, 300, false], [2, 1, false], [299, 2, false], [300, 300, false]] as const) {
    for (let r = 0; r < 2; r++) nestedProduct(D, x);
    a[j * n + i] = a[j * n + i]! + 10;
    if (mirror) a[i * n + j] = a[j * n + i]!;
    assert.ok(maxAbs(nestedProduct(D, x), refProduct(a, n, n, x)) < 1e-9, `after editing (${i}, ${j})${mirror ? ' and its mirror' : ''}`);
    if (!mirror) a[i * n + j] = a[j * n + i]!; // symmetric again for the next case
  }
});

test('CG on a staged dense SPD matrix after a single-entry edit between two solves solves the edited system', () => {
  const rng = new Rng(5), n = 300, a = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i <= j; i++) { const v = i === j ? n : 0.1 * rng.gauss(); a[j * n + i] = v; a[i * n + j] = v; }
  const A = L.PSD(L.lazify({ rows: n, cols: n, data: a })), b = Float64Array.from({ length: n }, () => rng.gauss());
  const res = (X: L.Mat) => maxAbs(refProduct(a, n, n, X.data as Float64Array), b);
  assert.ok(res(L.solve(A, b, L.CG({ tol: 1e-12 }))) < 1e-8);
  a[7 * n + 7] = 10 * n; // one diagonal entry
  assert.ok(res(L.solve(A, b, L.CG({ tol: 1e-12 }))) < 1e-8, 'second solve uses the edited matrix');
  a[9 * n + 250] = a[250 * n + 9] = 3;
  assert.ok(res(L.solveWithInfo(A, b, L.CG({ tol: 1e-12 })).X) < 1e-8, 'third solve (solveWithInfo) uses the edited matrix');
});

test('a single-entry edit of a staged Sparse matrix (value or column index) is seen by the next product', () => {
  const rng = new Rng(9), m = 3000, n = 3000, vals: number[] = [], rows: number[] = [], cols: number[] = [];
  for (let t = 0; t < 30000; t++) { vals.push(rng.gauss()); rows.push(rng.int(0, m)); cols.push(rng.int(0, n)); }
  const S = L.Sparse.fromCOO(vals, rows, cols, [m, n]);
  const x = Float64Array.from({ length: n }, () => rng.gauss());
  const ref = () => { const y = new Float64Array(m); for (let i = 0; i < m; i++) for (let k = S.indptr[i]!; k < S.indptr[i + 1]!; k++) y[i] = y[i]! + S.values[k]! * x[S.indices[k]!]!; return y; };
  for (let r = 0; r < 3; r++) assert.ok(maxAbs(nestedProduct(S, x), ref()) < 1e-12);
  S.values[12345] = S.values[12345]! + 100;
  assert.ok(maxAbs(nestedProduct(S, x), ref()) < 1e-12, 'after a value edit');
  S.indices[4321] = (S.indices[4321]! + 1) % n;
  assert.ok(maxAbs(nestedProduct(S, x), ref()) < 1e-12, 'after an index edit');
});

test('cached factorizations (Cholesky, LU, dense view of a Sum) are dropped after a single-entry edit of the storage', () => {
  const n = 50, a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) a[i * n + i] = 2;
  const A = L.PSD(L.lazify({ rows: n, cols: n, data: a })), b = new Float64Array(n).fill(1);
  assert.ok(Math.abs(L.solve(A, b).data[0]! - 0.5) < 1e-14);
  assert.ok(Math.abs(L.logdet(A) - n * Math.log(2)) < 1e-12);
  a[0] = 4;
  assert.ok(Math.abs(L.solve(A, b).data[0]! - 0.25) < 1e-14, 'Cholesky solve after the edit');
  assert.ok(Math.abs(L.logdet(A) - ((n - 1) * Math.log(2) + Math.log(4))) < 1e-12, 'logdet after the edit');
  const G = L.lazify({ rows: n, cols: n, data: Float64Array.from(a) }), S = L.add(G, L.diagonal(new Float64Array(n).fill(1)));
  assert.ok(Math.abs(L.solve(S, b).data[1]! - 1 / 3) < 1e-14);
  (G.A.data as Float64Array)[n + 1] = 9; // entry (1, 1) of the Sum's Dense term
  assert.ok(Math.abs(L.solve(S, b).data[1]! - 0.1) < 1e-14, 'LU of a Sum after an edit of a term');
});

test('edits in the odd last row of a staged symmetric matrix of order 303 are seen (the row paired with padding)', () => {
  const n = 303, a = new Float64Array(n * n), x = Float64Array.from({ length: n }, (_, i) => 1 - i / n);
  for (let j = 0; j < n; j++) for (let i = 0; i <= j; i++) { const v = Math.sin(3 * i + j); a[j * n + i] = v; a[i * n + j] = v; }
  const D = L.lazify({ rows: n, cols: n, data: a });
  for (const [i, j] of [[302, 7], [7, 302], [302, 299], [302, 302], [301, 300]] as const) {
    for (let r = 0; r < 2; r++) nestedProduct(D, x);
    a[j * n + i] = a[j * n + i]! - 3; // one entry: breaks symmetry unless on the diagonal
    assert.ok(maxAbs(nestedProduct(D, x), refProduct(a, n, n, x)) < 1e-9, `after editing (${i}, ${j})`);
    a[i * n + j] = a[j * n + i]!;
    assert.ok(maxAbs(nestedProduct(D, x), refProduct(a, n, n, x)) < 1e-9, `after mirroring (${i}, ${j})`);
  }
});
