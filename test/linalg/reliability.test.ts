import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/random.ts';
import { Tensor } from '../../src/core/tensor.ts';
import { ArgumentError, NonFiniteError } from '../../src/core/errors.ts';
import * as L from '../../src/linalg/index.ts';

const spd = (n: number, seed: number): Float64Array => {
  const rng = new Rng(seed), a = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i <= j; i++) { const v = i === j ? 4 : 0.5 * rng.gauss() / Math.sqrt(n); a[j * n + i] = v; a[i * n + j] = v; }
  return a;
};

test('lazify rejects non-finite entries with NonFiniteError naming A and the entry (Mat, rows, Tensor)', () => {
  const data = new Float64Array([1, 2, NaN, 4]);
  assert.throws(() => L.lazify({ rows: 2, cols: 2, data }), (e: Error) => e instanceof NonFiniteError && /lazify: A contains NaN at row 0, column 1/.test(e.message));
  assert.throws(() => L.lazify([[1, Infinity], [0, 1]]), NonFiniteError);
  assert.throws(() => L.lazify(new Tensor(new Float64Array([1, 0, -Infinity, 1]), [2, 2])), NonFiniteError);
});

test('solve rejects a non-finite right-hand side, direct or CG, naming B', () => {
  const A = L.PSD(L.lazify([[2, 0], [0, 2]]));
  for (const alg of [L.Auto(), L.CG()]) {
    assert.throws(() => L.solve(A, new Float64Array([NaN, 1]), alg), (e: Error) => e instanceof NonFiniteError && /solve: B contains NaN/.test(e.message));
    assert.throws(() => L.solveWithInfo(A, new Float64Array([1, Infinity]), alg), NonFiniteError);
  }
});

test('storage edited to NaN after lazify is caught before a factorization and by CG, not returned as NaN or a pivot error', () => {
  const a = new Float64Array([2, 0, 0, 2]), A = L.PSD(L.lazify({ rows: 2, cols: 2, data: a })), b = new Float64Array([1, 1]);
  a[3] = NaN;
  assert.throws(() => L.solve(A, b), NonFiniteError);
  assert.throws(() => L.slogdet(A), NonFiniteError);
  assert.throws(() => L.logdet(A), NonFiniteError);
  assert.throws(() => L.eig(A), NonFiniteError);
  assert.throws(() => L.inv(L.lazify([[1, 0], [0, 1]]).add(A)).matmat(b), NonFiniteError);
  assert.throws(() => L.solve(A, b, L.CG()), NonFiniteError);
  const r = L.solveWithInfo(A, b, L.CG());
  assert.equal(r.info!.converged, false, 'the info object still reports the failed solve');
});

test('a CG breakdown throws from solve and is reported by solveWithInfo', () => {
  const A = L.PSD(L.lazify([[1, 0], [0, -1]])), b = new Float64Array([1, 1]); // asserted PSD, indefinite
  assert.throws(() => L.solve(A, b, L.CG()), (e: Error) => e.name === 'ConvergenceError' && /broke down/.test(e.message) && /solveWithInfo/.test(e.message));
  const r = L.solveWithInfo(A, b, L.CG());
  assert.equal(r.info!.breakdown, true);
});

test('Kernel validates blockSize (0 used to loop forever, an array gave zeros) and its inputs', () => {
  const x = L.fromRows([[0], [1], [2]]), k = L.rbf(1);
  assert.throws(() => new L.Kernel(x, x, k, 0), (e: Error) => e instanceof ArgumentError && /blockSize must be a positive integer/.test(e.message));
  assert.throws(() => new L.Kernel(x, x, k, [2, 3] as unknown as number), (e: Error) => e instanceof ArgumentError && /blockSize.*\[2,3\]/.test(e.message));
  assert.throws(() => new L.Kernel(x, x, k, 1.5), ArgumentError);
  assert.throws(() => new L.Kernel(x, x, 'rbf' as unknown as typeof k), ArgumentError);
  const K = new L.Kernel(x, x, k, 2);
  assert.ok(Math.abs(K.matmat(new Float64Array([1, 0, 0])).data[0]! - 1) < 1e-15);
});

test('svd with Lanczos runs Golub–Kahan–Lanczos and matches the dense SVD; an unsupported algorithm is an error', () => {
  const rng = new Rng(4), m = 160, n = 120, a = new Float64Array(m * n);
  for (let i = 0; i < a.length; i++) a[i] = rng.gauss();
  for (let j = 0; j < 3; j++) for (let i = 0; i < m; i++) a[j * m + i] = a[j * m + i]! + (6 - j) * Math.sin(i * (j + 1) / 7); // a separated top
  const A = L.lazify({ rows: m, cols: n, data: a }), k = 4;
  assert.equal(L.explain('svd', A, L.Lanczos(), { k }), 'svd.base.lanczos');
  const want = L.svd(A, k), got = L.svd(A, k, L.Lanczos({ tol: 1e-10, maxIters: 120 }));
  for (let i = 0; i < k; i++) {
    const s = want.S.d[i]!;
    assert.ok(Math.abs(got.S.d[i]! - s) <= 1e-9 * s, `σ${i}: ${got.S.d[i]} vs ${s}`);
    const v = got.V.column(i), u = got.U.column(i), Av = A.matmat(Float64Array.from(v)).data;
    let r = 0; for (let t = 0; t < m; t++) r = Math.max(r, Math.abs(Av[t]! - got.S.d[i]! * u[t]!));
    assert.ok(r < 1e-8 * s, `A·v${i} = σ·u${i} (residual ${r})`);
  }
  // Rank-deficient (exact invariant subspace) and full-rank small cases.
  const low = L.lowRank(L.lazify({ rows: 50, cols: 2, data: Float64Array.from({ length: 100 }, (_, i) => Math.cos(i)) }), null, L.lazify({ rows: 40, cols: 2, data: Float64Array.from({ length: 80 }, (_, i) => Math.sin(i + 1)) }));
  const ld = L.svd(new L.Dense(low.toDense()), 2), ll = L.svd(low, 2, L.Lanczos());
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(ll.S.d[i]! - ld.S.d[i]!) < 1e-10 * ld.S.d[0]!);
  assert.throws(() => L.svd(A, k, L.CG()), (e: Error) => e instanceof ArgumentError && /algorithm cg is not supported/.test(e.message));
});

test('Auto solves a dense SPD of order 1001 by Cholesky (accurate), shows why in explain, and keeps the threshold settable', () => {
  const n = 1001, a = spd(n, 1), A = L.PSD(L.lazify({ rows: n, cols: n, data: a }));
  const ex = L.explain('solve', A);
  assert.match(ex, /^inv\.base\.cholesky\{n=1001 ≤ directLimit 4000, no tol: direct\}$/);
  assert.match(L.explain('solve', A, L.Auto({ directLimit: 1000 })), /^inv\.base\.cg\{n=1001 > directLimit 1000\}$/);
  const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
  const x = L.solve(A, b), r = L.relError(A.matmat(x), b);
  assert.ok(r < 1e-12, `relative residual ${r}`);
  // With a tol the cheaper method by estimate: a sparse tridiagonal-like SPD of order 3000 goes to CG.
  const N = 3000, v: number[] = [], ri: number[] = [], ci: number[] = [];
  for (let i = 0; i < N; i++) { v.push(3); ri.push(i); ci.push(i); if (i + 1 < N) { v.push(-1, -1); ri.push(i, i + 1); ci.push(i + 1, i); } }
  const S = L.PSD(L.Sparse.fromCOO(v, ri, ci, [N, N]));
  assert.match(L.explain('solve', S, L.Auto({ tol: 1e-6 })), /^inv\.base\.cg\{tol 0\.000001: Krylov .* < dense .* flops\}$/);
  assert.match(L.explain('solve', S), /^inv\.base\.cholesky\{/);
});
