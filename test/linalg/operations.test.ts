import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/random.ts';
import * as L from '../../src/linalg/index.ts';
import { M1, M2, N1, eye, market, naiveLogdet, naiveMatmul, randMat, rel, spdFromSpectrum } from './helpers.ts';

const d = (r: number[][]) => L.lazify(r);

test('annotation soundness: every inferred annotation of the market holds on the dense matrix', () => {
  for (const [name, A] of Object.entries(market())) {
    const D = A.toDense(), n = A.rows;
    if (A.isa('SelfAdjoint')) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) assert.ok(Math.abs(D.data[j * n + i]! - D.data[i * n + j]!) < 1e-12, `${name} SA`);
    if (A.isa('PSD')) assert.ok(L.eigh(D.data, n, false).values[0]! >= -1e-10, `${name} PSD`);
    if (A.isa('Unitary')) assert.ok(rel(naiveMatmul(L.transposeMat(D), D), eye(n)) < 1e-12, `${name} Unitary`);
  }
  assert.ok(market().psd_prod!.isa('PSD'), 'M1·M1ᵀ is inferred PSD');
});

test('inverse across the market: dispatch, dense path and Krylov path agree (case 13)', () => {
  const rng = new Rng(5);
  for (const [name, A] of Object.entries(market())) {
    const n = A.rows, B = randMat(rng, n, 10);
    const X = L.solve(A, B, L.Auto({ tol: 1e-5 }));
    assert.ok(rel(A.matmat(X), B) < 3e-5, `${name}: dispatch residual ${rel(A.matmat(X), B)}`);
    const Xd = L.solve(L.noDispatch(A), B);
    assert.ok(rel(X, Xd) < 3e-5, `${name}: dense path`);
    const O = A.isa('PSD') ? L.PSD(L.noDispatch(A)) : L.noDispatch(A);
    const r = L.solveWithInfo(O, B, A.isa('PSD') ? L.CG({ tol: 1e-10, maxIters: 500 }) : L.GMRES({ tol: 1e-10, maxIters: 500 }));
    assert.ok(r.info?.converged, `${name}: Krylov converged`);
    assert.ok(rel(r.X, Xd) < 1e-4, `${name}: Krylov path ${rel(r.X, Xd)}`);
  }
});

test('logdet across the market against an independent Gauss–Jordan oracle (case 18)', () => {
  for (const [name, A] of Object.entries(market())) {
    const want = naiveLogdet(A.toDense());
    const got = L.slogdet(A);
    assert.ok(Math.abs(got.logabs - want.logabs) <= 3e-4 * Math.max(1, Math.abs(want.logabs)), `${name}: ${got.logabs} vs ${want.logabs}`);
    assert.equal(got.sign, want.sign, `${name} sign`);
    assert.ok(Math.abs(L.logdet(L.noDispatch(A)) - want.logabs) <= 3e-4 * Math.max(1, Math.abs(want.logabs)), `${name} dense path`);
    if (A.isa('PSD') && A.rows > 1) {
      const e = L.slogdet(L.PSD(L.noDispatch(A)), { logAlg: L.Lanczos({ maxIters: A.rows }), traceAlg: 'exact' });
      assert.ok(Math.abs(e.logabs - want.logabs) <= 1e-3 * Math.max(1, Math.abs(want.logabs)), `${name} Lanczos+Exact ${e.logabs} vs ${want.logabs}`);
    }
  }
});

test('regressions CoLA fails: logdet(2·I₅), logdet(0.5·I₅₀) by Lanczos, permutation parity, svd of a signed Diagonal', () => {
  assert.ok(Math.abs(L.logdet(new L.ScalarMul(2, 5)) - 5 * Math.log(2)) < 1e-14);
  const half = L.PSD(L.noDispatch(new L.ScalarMul(0.5, 50)));
  assert.ok(Math.abs(L.logdet(half, { logAlg: L.SLQ({ steps: 10 }) }) + 34.657359) < 1e-5);
  assert.equal(L.slogdet(new L.Permutation([1, 0, 2])).sign, -1);
  const s = L.svd(new L.Diagonal([3, -1, 2]));
  assert.deepEqual([...s.S.d], [3, 2, 1]);
  assert.ok(rel(s.U.mm(s.S).mm(s.V.T).toDense(), L.fromRows([[3, 0, 0], [0, -1, 0], [0, 0, 2]])) < 1e-15);
  const A = L.noDispatch(L.lazify([[2.9, 1, 0], [0, 5.6, 1], [0, 0, 7.5]]));
  assert.ok(Math.abs(L.eig(A, 1, 'SM', L.Arnoldi({ maxIters: 3 })).values[0]! - 2.9) < 1e-8);
  assert.ok(Math.abs(L.eig(A, 1, 'LM', L.Arnoldi()).values[0]! - 7.5) < 1e-8, 'restarted Arnoldi with no start vector');
  const ks = L.kronsum(L.PSD(L.lazify(M1)), L.PSD(L.lazify(M2)));
  assert.equal(L.explain('exp', ks), 'unary.exp_kronsum[unary.base.eigh, unary.base.eigh]');
  assert.match(L.explain('pow', L.kron(L.PSD(L.lazify(M1)), L.PSD(L.lazify(M2))), L.Auto(), { alpha: 0.5 }), /^unary\.pow_kronecker/);
  assert.equal(L.explain('inv', new L.DCT(36)), 'inv.unitary');
});

test('structure rules: Kronecker/KronSum/BlockDiag eig from factors, Woodbury, Schur and KronSum inverse match dense', () => {
  const m = market();
  for (const name of ['psd_kron', 'psd_kronsum', 'psd_blockdiag']) {
    const A = m[name]!, n = A.rows, dense = L.eigh(A.toDense().data, n, false).values;
    const e = L.eig(A, n);
    assert.ok(rel(e.values, dense) < 1e-10, name);
    assert.ok(rel(A.matmat(e.vectors.toDense()), naiveMatmul(e.vectors.toDense(), L.toRows(L.zerosMat(0, 0)).length === 0 ? diagMat(e.values) : diagMat(e.values))) < 1e-10, `${name} A·V = V·Λ`);
  }
  const ks = m.psd_kronsum!;
  const top = L.eig(ks, 2, 'LA').values, all = L.eigh(ks.toDense().data, 4, false).values;
  assert.deepEqual([...top].map((v) => +v.toFixed(10)), [...all.slice(2)].map((v) => +v.toFixed(10)));
  assert.match(L.explain('inv', m.psd_woodbury!), /^inv\.woodbury\[inv\.diagonal\]/);
  assert.match(L.explain('inv', m.psd_block!), /^inv\.block_schur/);
  const rng = new Rng(9);
  for (const name of ['psd_woodbury', 'psd_block', 'square_block']) {
    const A = m[name]!, B = randMat(rng, A.rows, 3);
    assert.ok(rel(L.solve(A, B), L.solve(L.noDispatch(A), B)) < 1e-10, `${name} inv`);
    assert.ok(Math.abs(L.logdet(A) - naiveLogdet(A.toDense()).logabs) < 1e-10 * Math.max(1, Math.abs(L.logdet(A))), `${name} logdet`);
  }
  const T1 = new L.Tridiagonal([-1, -1, -1], [2, 2, 2, 2], [-1, -1, -1]), T2 = new L.Tridiagonal([-1, -1], [3, 3, 3], [-1, -1]);
  const K = L.kronsum(T1, T2), B = randMat(rng, 12, 2);
  assert.equal(L.explain('inv', K), 'inv.kronsum');
  assert.ok(rel(L.solve(K, B), L.solve(L.noDispatch(K), B)) < 1e-12);
});

function diagMat(v: Float64Array): L.Mat { const n = v.length, out = new Float64Array(n * n); for (let i = 0; i < n; i++) out[i * n + i] = v[i]!; return { rows: n, cols: n, data: out }; }

test('trace, diag, exp/sqrt across structure: closed forms equal the dense values (cases 24–27, 31)', () => {
  const A = L.PSD(L.lazify(M1)), B = L.PSD(L.lazify(M2));
  assert.ok(Math.abs(L.trace(L.kron(A, B)) - 10 * 15) < 1e-12);
  assert.deepEqual([...L.diag(L.kronsum(A, B))], [13, 14, 11, 12]);
  const D = L.lazify([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
  for (let k = -2; k <= 2; k++) assert.deepEqual([...L.diag(L.noDispatch(D), k, L.Exact())], [...L.diag(D, k)]);
  assert.deepEqual([...(L.sqrt(new L.Diagonal([0.01, 4, 9])) as L.Diagonal).d], [0.1, 2, 3]);
  const ks = L.kronsum(A, B);
  assert.ok(rel(L.exp(ks).toDense(), L.kron(L.exp(A), L.exp(B)).toDense()) < 1e-12);
  assert.ok(rel(L.exp(ks).toDense(), L.expm(ks.toDense().data, 4)) < 1e-12);
  const S = spdFromSpectrum(15, 0.75, 1, 2);
  const sq = L.sqrt(L.PSD(L.lazify(S.A))).toDense();
  assert.ok(rel(naiveMatmul(sq, sq), S.A) < 1e-10);
  const lz = L.sqrt(L.PSD(L.noDispatch(L.lazify(S.A))), L.Lanczos({ maxIters: 15 })).matmat(new Float64Array(15).fill(1));
  assert.ok(rel(lz, naiveMatmul(sq, { rows: 15, cols: 1, data: new Float64Array(15).fill(1) })) < 1e-3);
  const C = L.cholesky(L.kron(A, B));
  assert.ok(C instanceof L.Kronecker && C.factors.every((f) => f instanceof L.Triangular));
  assert.ok(rel(C.mm(C.T).toDense(), L.kron(A, B).toDense()) < 1e-12);
  const { P, L: Lo, U } = L.plu(L.lazify(N1));
  assert.ok(rel(P.mm(Lo).mm(U).toDense(), L.fromRows(N1)) < 1e-15);
});
