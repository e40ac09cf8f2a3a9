/** Structure rules added in round 2: eig of Triangular / Transpose, svd of Kronecker / BlockDiag / Unitary, pinv of
 * BlockDiag / Kronecker (and case 30), banded plu of Tridiagonal. Each against an independent dense computation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/random.ts';
import * as L from '../../src/linalg/index.ts';
import { eye, naiveKron, naiveMatmul, naiveT, randMat, rel } from './helpers.ts';

const mm = naiveMatmul;

test('eig of a Triangular by back-substitution (lower and upper); repeated diagonal values fall back to dense', () => {
  const rng = new Rng(1), n = 7;
  for (const lower of [true, false]) {
    const M = randMat(rng, n, n); for (let i = 0; i < n; i++) M.data[i * n + i] = i + 1 + 0.3 * i * i;
    const T = new L.Triangular(M, lower);
    assert.equal(L.explain('eig', T), 'eig.triangular');
    const e = L.eig(T);
    assert.ok(rel(e.values, Array.from({ length: n }, (_, i) => i + 1 + 0.3 * i * i)) < 1e-15);
    const V = e.vectors.toDense(), D = T.toDense();
    const VL = { ...V, data: V.data.map((v, i) => v * e.values[Math.floor(i / n)]!) };
    assert.ok(rel(mm(D, V), VL) < 1e-12, `A·V = V·Λ (lower=${lower})`);
    const sa = L.eig(T, 2, 'SA');
    assert.deepEqual(Array.from(sa.values), [1, 2.3]);
  }
  const R = new L.Triangular(L.fromRows([[2, 0, 0], [1, 2, 0], [3, 1, 5]]), true);
  assert.equal(L.explain('eig', R), 'eig.base.eig');
  const S = L.PSD(L.lazify(L.fromRows([[2, 1], [1, 3]])));
  assert.equal(L.explain('eig', new L.Transpose(S)), 'eig.transpose[eig.base.eigh]');
  assert.ok(rel(L.eig(new L.Transpose(S)).values, L.eig(S).values) < 1e-15);
});

/** Singular values of a dense matrix from the eigenvalues of AᵀA (an oracle independent of svdJacobi). */
function singularValues(A: L.Mat): number[] {
  const G = mm(naiveT(A), A);
  return Array.from(L.eigh(G.data, G.rows, false).values).map((v) => Math.sqrt(Math.max(v, 0))).sort((a, b) => b - a).slice(0, Math.min(A.rows, A.cols));
}
function checkSvd(name: string, A: L.LinearOperator, k: number, rule: string): void {
  assert.ok(L.explain('svd', A, L.Auto(), { k }).startsWith(rule), `${name}: ${L.explain('svd', A, L.Auto(), { k })}`);
  const r = L.svd(A, k), D = A.toDense();
  const want = singularValues(D).slice(0, k);
  assert.ok(rel(r.S.d, want) < 1e-10, `${name}: singular values ${Array.from(r.S.d)} vs ${want}`);
  const U = r.U.toDense(), V = r.V.toDense();
  assert.ok(rel(mm(naiveT(U), U), eye(k)) < 1e-12 && rel(mm(naiveT(V), V), eye(k)) < 1e-12, `${name}: orthonormal U, V`);
  const US = { ...U, data: U.data.map((v, i) => v * r.S.d[Math.floor(i / U.rows)]!) };
  if (k === Math.min(A.rows, A.cols)) assert.ok(rel(mm(US, naiveT(V)), D) < 1e-12, `${name}: U·S·Vᵀ = A`);
  else assert.ok(rel(mm(L.transposeMat(U), mm(D, V)), { rows: k, cols: k, data: eye(k).data.map((v, i) => v * r.S.d[i % k]!) }) < 1e-12, `${name}: Uᵀ·A·V = S`);
}

test('svd of Kronecker (non-square factors), BlockDiag with multiplicities, Unitary, Identity and c·I follow their factors', () => {
  const rng = new Rng(2);
  const K = L.kron(L.lazify(randMat(rng, 3, 2)), L.lazify(randMat(rng, 2, 4)));
  checkSvd('kronecker', K, 4, 'svd.kronecker');
  assert.equal(L.explain('svd', K, L.Auto(), { k: 6 }), 'svd.base.dense', 'beyond the factor triplets: dense');
  checkSvd('kronecker top-3', K, 3, 'svd.kronecker');
  const B = L.blockDiag([L.lazify(randMat(rng, 3, 2)), L.lazify(randMat(rng, 2, 2))], [2, 1]);
  checkSvd('blockdiag', B, 6, 'svd.blockdiag');
  checkSvd('blockdiag top-2', B, 2, 'svd.blockdiag');
  checkSvd('dct (Unitary)', new L.DCT(8), 8, 'svd.unitary');
  checkSvd('householder (Unitary)', L.householderFor([3, 1, -2, 0.5]), 4, 'svd.unitary');
  checkSvd('identity', new L.Identity(4), 4, 'svd.identity');
  checkSvd('−2·I', new L.ScalarMul(-2, 3), 3, 'svd.scalarmul');
});

test('pinv of BlockDiag and Kronecker are blockwise / factorwise and satisfy the Penrose conditions; case 30', () => {
  const rng = new Rng(3);
  const rankDef = (): L.Mat => { const U = randMat(rng, 4, 2), V = randMat(rng, 2, 3); return mm(U, V); }; // 4×3, rank 2
  for (const [name, A, rule] of [
    ['blockdiag', L.blockDiag([L.lazify(rankDef()), L.lazify(randMat(rng, 2, 3))], [1, 2]), 'pinv.blockdiag'],
    ['kronecker', L.kron(L.lazify(rankDef()), L.lazify(randMat(rng, 2, 2))), 'pinv.kronecker'],
  ] as const) {
    assert.ok(L.explain('pinv', A).startsWith(rule), L.explain('pinv', A));
    const P = L.pinv(A).toDense(), D = A.toDense();
    assert.ok(rel(mm(mm(D, P), D), D) < 1e-10, `${name}: A·A⁺·A = A`);
    assert.ok(rel(mm(mm(P, D), P), P) < 1e-10, `${name}: A⁺·A·A⁺ = A⁺`);
    assert.ok(rel(P, L.pinv(L.noDispatch(A), L.LSTSQ()).toDense()) < 1e-10, `${name}: agrees with dense LSTSQ`);
  }
  // Case 30: A·pinv(A)·B = B for B in A's range; LSTSQ and CG agree.
  for (const A of [new L.Diagonal([0.1, 0.5, 0.22, 8]), L.lazify([[1, 0, 0], [3, -4, 2]])]) {
    const B = A.matmat(randMat(rng, A.cols, 2));
    assert.ok(rel(A.matmat(L.pinv(A).matmat(B)), B) < 3e-5);
    const viaCG = L.pinv(L.noDispatch(A), L.CG({ tol: 1e-12 })).matmat(B), viaLS = L.pinv(L.noDispatch(A), L.LSTSQ()).matmat(B);
    assert.ok(rel(viaCG, viaLS) < 1e-5, `CG vs LSTSQ ${rel(viaCG, viaLS)}`);
  }
});

test('plu of a Tridiagonal is banded (O(n) entries) with partial pivoting: P·L·U = A', () => {
  const rng = new Rng(4);
  for (const n of [1, 2, 9, 2000]) {
    // Sub-diagonal entries larger than the diagonal force row swaps.
    const sub = Array.from({ length: n - 1 }, () => 3 * rng.gauss()), dg = Array.from({ length: n }, () => rng.gauss()), sup = Array.from({ length: n - 1 }, () => rng.gauss());
    const T = new L.Tridiagonal(sub, dg, sup);
    assert.equal(L.explain('plu', T), 'plu.tridiagonal');
    const { P, L: Lf, U } = L.plu(T);
    assert.ok(Lf instanceof L.Sparse && U instanceof L.Sparse && Lf.nnz <= 3 * n && U.nnz <= 3 * n, 'banded factors');
    const X = randMat(rng, n, 2);
    assert.ok(rel(P.matmat(Lf.matmat(U.matmat(X))), T.matmat(X)) < 1e-12, `n=${n}: P·L·U·X = A·X`);
    if (n <= 9) {
      const Ld = Lf.toDense(), Ud = U.toDense();
      for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
        if (i < j) assert.equal(Ld.data[j * n + i], 0);
        if (i === j) assert.equal(Ld.data[j * n + i], 1);
        if (i > j) assert.equal(Ud.data[j * n + i], 0);
        if (i > j) assert.ok(Math.abs(Ld.data[j * n + i]!) <= 1 + 1e-15, 'multipliers bounded by 1 (partial pivoting)');
      }
      if (n === 9) assert.ok(rel(mm(P.toDense(), mm(Ld, Ud)), T.toDense()) < 1e-13);
    }
  }
});
