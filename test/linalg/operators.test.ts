import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rng } from '../../src/core/random.ts';
import * as L from '../../src/linalg/index.ts';
import { naiveAdd, naiveKron, naiveMatmul, naiveT, randMat, rel } from './helpers.ts';

test('random compositions: toDense equals composing the dense matrices (fast-check)', () => {
  type Node = { op: L.LinearOperator; M: L.Mat };
  const leaf = (rng: Rng, n: number): Node => { const M = randMat(rng, n, n); return { op: L.lazify(M), M }; };
  const build = (rng: Rng, n: number, depth: number, code: number[]): Node => {
    const c = code.shift() ?? 0;
    if (depth === 0 || c === 0) return leaf(rng, n);
    const a = build(rng, n, depth - 1, code), b = build(rng, n, depth - 1, code);
    switch (c % 6) {
      case 1: return { op: a.op.add(b.op), M: naiveAdd(a.M, b.M) };
      case 2: return { op: a.op.mm(b.op), M: naiveMatmul(a.M, b.M) };
      case 3: return { op: a.op.scale(-1.7), M: { ...a.M, data: a.M.data.map((v) => -1.7 * v) } };
      case 4: return { op: a.op.T, M: naiveT(a.M) };
      case 5: return { op: a.op.sub(b.op), M: naiveAdd(a.M, b.M, -1) };
      default: return a;
    }
  };
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 6 }), fc.integer(), (code, n, seed) => {
    const node = build(new Rng(seed), n, 3, [...code]);
    assert.ok(rel(node.op.toDense(), node.M) < 1e-12);
    // Kronecker and block-diagonal of the composite too.
    const K = L.kron(node.op, L.lazify([[1, 2], [0, -1]]));
    assert.ok(rel(K.toDense(), naiveKron(node.M, L.fromRows([[1, 2], [0, -1]]))) < 1e-12);
  }), { numRuns: 60, seed: 7 });
});

test('Dense products: mm, lmm and lazy product agree with AB (CoLA case 1)', () => {
  const A = L.fromRows([[1, 2], [3, 4], [5, 6]]), B = L.fromRows([[1, -1], [2, 0.5]]);
  const AB = naiveMatmul(A, B);
  assert.ok(rel(L.lazify(A).mm(B), AB) < 1e-15);
  assert.ok(rel(L.lazify(B).lmm(A), AB) < 1e-15);
  assert.ok(rel(L.lazify(A).mm(L.lazify(B)).toDense(), AB) < 1e-15);
});

test('non-square Kronecker 2×3 ⊗ 4×2 has shape 8×6 and matches kron (case 3)', () => {
  const rng = new Rng(1), A = randMat(rng, 2, 3), B = randMat(rng, 4, 2);
  const K = L.kron(L.lazify(A), L.lazify(B));
  assert.deepEqual(K.shape, [8, 6]);
  assert.ok(rel(K.toDense(), naiveKron(A, B)) < 1e-14);
  assert.ok(rel(K.T.toDense(), naiveT(naiveKron(A, B))) < 1e-14);
});

test('KronSum Diagonal(.1, −.2) ⊕ I₂ equals kron(A, I) + kron(I, B) (case 4)', () => {
  const ks = L.kronsum(new L.Diagonal([0.1, -0.2]), new L.Identity(2));
  const want = L.fromRows([[1.1, 0, 0, 0], [0, 1.1, 0, 0], [0, 0, 0.8, 0], [0, 0, 0, 0.8]]);
  assert.ok(rel(ks.toDense(), want) < 1e-15);
});

test('Product(4×4, 2×4) throws ShapeError (case 5)', () => {
  assert.throws(() => new L.Product([L.lazify(L.zerosMat(4, 4)), L.lazify(L.zerosMat(2, 4))]), /inner sizes must match/);
});

test('Tridiagonal, slicing, get and getPairs (cases 6–7)', () => {
  const T = new L.Tridiagonal([-0.5, 4, 5], [0.1, 0.2, -0.1, 0.4], [-1, 2, 3]);
  const D = L.fromRows([[0.1, -1, 0, 0], [-0.5, 0.2, 2, 0], [0, 4, -0.1, 3], [0, 0, 5, 0.4]]);
  assert.ok(rel(T.toDense(), D) < 1e-15);
  const A = L.lazify(L.fromRows([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]));
  assert.deepEqual(L.toRows(A.slice([1, 2], [0, 1, 2]).toDense()), [[5, 6, 7], [9, 10, 11]]);
  assert.equal(A.get(1, 2), 7);
  assert.deepEqual([...A.getPairs([0, 2], [3, -1])], [4, 12]);
});

test('Sparse from COO: products, transpose, shuffled and duplicated entries give the identical matrix (case 8)', () => {
  const vals = [4, 5, 6, 1, 2, 3], rows = [2, 2, 2, 0, 0, 1], cols = [0, 1, 2, 1, 3, 3];
  const S = L.Sparse.fromCOO(vals, rows, cols, [3, 4]);
  assert.deepEqual([...S.matmat(new Float64Array([1, 0, -1, 1])).data], [2, 3, -2]);
  assert.deepEqual([...S.rmatmat(new Float64Array([1, 2, 3])).data], [12, 16, 18, 8]);
  const want = [[0, 1, 0, 2], [0, 0, 0, 3], [4, 5, 6, 0]];
  assert.deepEqual(L.toRows(S.toDense()), want);
  assert.deepEqual(L.toRows(S.T.toDense()), L.toRows(naiveT(L.fromRows(want))));
  const perm = [5, 2, 0, 4, 1, 3];
  const shuffled = L.Sparse.fromCOO(perm.map((i) => vals[i]!), perm.map((i) => rows[i]!), perm.map((i) => cols[i]!), [3, 4]);
  assert.deepEqual(L.toRows(shuffled.toDense()), want);
  const dup = L.Sparse.fromCOO([4, 2.5, 2.5, 6, 1, 2, 1, 2], [2, 2, 2, 2, 0, 0, 1, 1], [0, 1, 1, 2, 1, 3, 3, 3], [3, 4]);
  assert.deepEqual(L.toRows(dup.toDense()), want);
  assert.throws(() => L.Sparse.fromCOO([1], [3], [0], [3, 4]), /row index 3/);
});

test('fromFunction without rmatmat: .T throws unless asserted SelfAdjoint (case 9)', () => {
  const A = L.fromRows([[1, 2, 3], [4, 5, 6]]);
  const B = L.fromFunction([2, 3], (X) => L.matmulMat(A, X), (X) => L.matmulMat(A, X, true));
  assert.ok(rel(B.T.toDense(), naiveT(A)) < 1e-15);
  const C = L.fromFunction([2, 2], (X) => X);
  assert.throws(() => C.T, /rmatmat/);
  assert.equal(L.SelfAdjoint(C).T.shape[0], 2);
});

test('Householder reflects x to −x and zeroes entries below idx (case 10)', () => {
  const x = new Float64Array([3, 1, -2, 5]), nx = Math.hypot(...x);
  const H = new L.Householder(x.map((v) => v / nx));
  assert.ok(rel(H.matmat(x).data, x.map((v) => -v)) < 1e-15);
  assert.ok(H.isa('Unitary'));
  const R = L.householderFor(x, 1).matmat(x).data;
  assert.equal(R[0], 3);
  assert.ok(Math.abs(R[2]!) < 1e-14 && Math.abs(R[3]!) < 1e-14);
});

test('kron(Diagonal(1,1), Diagonal(2,4)) is a Diagonal [2,4,2,4] (case 11)', () => {
  const K = L.kron(new L.Diagonal([1, 1]), new L.Diagonal([2, 4]));
  assert.ok(K instanceof L.Diagonal);
  assert.deepEqual([...(K as L.Diagonal).d], [2, 4, 2, 4]);
});

test('noDispatch(D) agrees with D on mm, .T.mm and toDense (case 12)', () => {
  const rng = new Rng(3), B = L.lazify(randMat(rng, 5, 5)), D = new L.Identity(5).sub(B.mm(new L.Diagonal([1, 2, 3, 4, 5])));
  const X = randMat(rng, 5, 2), O = L.noDispatch(D);
  assert.ok(rel(O.mm(X), D.mm(X)) < 1e-15);
  assert.ok(rel(O.T.mm(X), D.T.mm(X)) < 1e-15);
  assert.ok(rel(O.T.toDense(), D.T.toDense()) < 1e-15);
  assert.equal(O.annotations.size, 0);
});

test('annotation inference is sound and fixes CoLA: −A and (−1)·A are not PSD, M·Mᵀ is PSD', () => {
  const M = L.lazify([[6, 2], [2, 4]]), P = L.PSD(M);
  assert.equal(P.neg().isa('PSD'), false);
  assert.equal(P.scale(-1).isa('PSD'), false);
  assert.equal(P.neg().isa('SelfAdjoint'), true);
  assert.equal(M.mm(M.T).isa('PSD'), true);
  assert.equal(M.mm(M).isa('PSD'), false);
  assert.equal(L.kronsum(P, P).isa('PSD'), true);
  assert.equal(new L.Tridiagonal([1, 2], [4, 5, 6], [7, 8]).isa('SelfAdjoint'), false);
  assert.throws(() => L.PSD(L.lazify([[1, 2, 3]])), /square/);
});
