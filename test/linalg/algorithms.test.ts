import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/random.ts';
import { Tensor } from '../../src/core/tensor.ts';
import { checkGrad } from '../../src/autodiff/index.ts';
import * as L from '../../src/linalg/index.ts';
import { randMat, rel, spdFromSpectrum } from './helpers.ts';

test('CG: 5 right-hand sides match the dense solve; clustered spectrum converges in few iterations (cases 15–16)', () => {
  const A = L.PSD(L.lazify(spdFromSpectrum(25, 0.75, 1, 1).A)), B = { rows: 25, cols: 5, data: new Float64Array(125).fill(1) };
  const r = L.cg(A, B, L.CG({ tol: 1e-8, maxIters: 100 }));
  assert.ok(r.info.converged);
  assert.ok(rel(r.X, L.solve(A, B, L.Cholesky())) < 1e-6);
  const vals = Array.from({ length: 30 }, (_, i) => [1, 0.5, 0.25][i % 3]!);
  const C = L.PSD(L.lazify(spdFromSpectrum(30, 1, 1, 2, vals).A));
  const r2 = L.cg(C, { rows: 30, cols: 1, data: new Float64Array(30).fill(1) }, L.CG({ tol: 1e-11 }));
  assert.ok(r2.info.iterations < 7, `iterations ${r2.info.iterations}`);
});

test('CG reports non-convergence and refuses a non-PSD operator with the annotation to add', () => {
  const A = L.PSD(L.lazify(spdFromSpectrum(40, 0.5, 1, 4).A));
  const r = L.solveWithInfo(A, new Float64Array(40).fill(1), L.CG({ tol: 1e-14, maxIters: 2 }));
  assert.equal(r.info!.converged, false);
  assert.throws(() => L.solve(L.lazify([[2, 1], [1, 3]]), new Float64Array(2), L.CG()), /PSD\(A\)/);
  assert.throws(() => L.solve(L.lazify([[1, 2, 3]]), new Float64Array(1)), /square/);
  assert.throws(() => L.lazify([[1, 2], [3, 4]]).matmat(new Float64Array(3)), /3 rows/);
  assert.throws(() => L.CG({ tol: 1e-6, tolerance: 3 } as never), /unknown option 'tolerance'/);
  assert.throws(() => L.solve(new L.Diagonal([1, 0]), new Float64Array(2)), L.SingularError);
  assert.throws(() => new L.Diagonal([1, NaN]), /NaN/);
});

test('GMRES: spectrum(0.5) with n − 5 iterations, diag(3,4,5) in 3, exact preconditioner in 1, restart 5 still converges (case 17)', () => {
  const A = L.lazify(spdFromSpectrum(25, 0.5, 1, 5).A), b = new Float64Array(25).fill(1);
  const r = L.gmres(A, L.mat(25, 1, b), L.GMRES({ tol: 1e-8, maxIters: 20 }));
  assert.ok(rel(r.X, L.solve(A, b, L.LU())) < 5e-4);
  const D = L.noDispatch(new L.Diagonal([3, 4, 5]));
  const r3 = L.gmres(D, L.mat(3, 1, new Float64Array([1, 1, 1])), L.GMRES({ tol: 1e-6 }));
  assert.ok(r3.info.iterations <= 3 && r3.info.converged);
  const r1 = L.gmres(L.noDispatch(A), L.mat(25, 1, b), L.GMRES({ tol: 1e-8, P: L.inv(A) }));
  assert.equal(r1.info.iterations, 1);
  const r5 = L.gmres(L.noDispatch(A), L.mat(25, 1, b), L.GMRES({ tol: 1e-8, restart: 5, maxIters: 2000 }));
  assert.ok(r5.info.converged);
});

test('eig: Auto and full-length Lanczos/Arnoldi on a hidden 10×10 SPD reach 1e-8 (case 21), power iteration (case 23)', () => {
  const S = spdFromSpectrum(10, 0.5, 1, 6), A = L.PSD(L.lazify(S.A));
  const e = L.eig(A);
  assert.ok(rel(e.values, [...S.lam].sort((a, b) => a - b)) < 1e-10);
  const sa = L.eig(A, 2, 'SA');
  assert.equal(sa.vectors.shape[1], 2);
  for (const alg of [L.Lanczos({ maxIters: 10 }), L.Arnoldi({ maxIters: 10 })]) {
    const O = alg.kind === 'lanczos' ? L.SelfAdjoint(L.noDispatch(A)) : L.noDispatch(A);
    assert.ok(rel(L.eig(O, 3, 'LA', alg).values, e.values.slice(7)) < 1e-8, alg.kind);
  }
  const p = L.eig(L.noDispatch(new L.Diagonal([10, 9.75, 3, 0.1])), 1, 'LM', L.PowerIteration({ tol: 1e-6, maxIters: 500 }));
  assert.ok(Math.abs(p.values[0]! - 10) / 10 < 1e-4);
});

test('Hutch++ beats Hutchinson at equal matvecs on a decaying spectrum; fixed seed is bitwise reproducible', () => {
  const n = 200, vals = Array.from({ length: n }, (_, i) => 1 / (i + 1) ** 2);
  const A = L.PSD(L.lazify(spdFromSpectrum(n, 1, 1, 8, vals).A)), tr = vals.reduce((a, b) => a + b, 0);
  let errPP = 0, errH = 0, good = 0;
  for (let s = 0; s < 10; s++) {
    const pp = L.hutchPlusPlus(A, 60, s).value, h = L.hutchinsonTrace(A, L.Hutch({ maxProbes: 60, batch: 60, tol: 0, seed: s })).value;
    errPP += Math.abs(pp - tr) / tr; errH += Math.abs(h - tr) / tr; if (Math.abs(pp - tr) / tr < 1e-2) good++;
  }
  assert.ok(errPP < errH, `Hutch++ ${errPP / 10} vs Hutchinson ${errH / 10}`);
  assert.ok(good >= 9);
  assert.equal(L.hutchPlusPlus(A, 60, 3).value, L.hutchPlusPlus(A, 60, 3).value);
});

test('gradients: solve and logdet VJPs for Dense, Diagonal and Kronecker parameters match central differences', () => {
  const rng = new Rng(2);
  const G = randMat(rng, 4, 4); for (let i = 0; i < 4; i++) G.data[i * 4 + i] += 5;
  const p = new Tensor(Float64Array.from(G.data), [16]), b = new Tensor(Float64Array.from([1, -2, 0.5, 3]), [4]);
  const dense = (ps: L.FloatArray[]) => new L.Dense({ rows: 4, cols: 4, data: ps[0]! });
  assert.ok(checkGrad(([q, bb]: Tensor[]) => L.solveAD(dense, [q!], bb!).square().sum(), [p, b]).maxRelError < 1e-6);
  assert.ok(checkGrad(([q]: Tensor[]) => L.logdetAD(dense, [q!]), [p]).maxRelError < 1e-6);
  const dg = new Tensor(Float64Array.from([1.5, 2, 3, 0.7]), [4]);
  assert.ok(checkGrad(([q]: Tensor[]) => L.logdetAD((ps) => new L.Diagonal(ps[0]!), [q!]), [dg]).maxRelError < 1e-6);
  const a = new Tensor(Float64Array.from([3, 1, 1, 2]), [4]), c = new Tensor(Float64Array.from([2, 0.5, 0.3, 4]), [4]);
  const kron = (ps: L.FloatArray[]) => L.kron(new L.Dense({ rows: 2, cols: 2, data: ps[0]! }), new L.Dense({ rows: 2, cols: 2, data: ps[1]! }));
  assert.ok(checkGrad(([x, y]: Tensor[]) => L.logdetAD(kron, [x!, y!]), [a, c]).maxRelError < 1e-6);
  assert.ok(checkGrad(([x, y]: Tensor[]) => L.solveAD(kron, [x!, y!], b).square().sum(), [a, c]).maxRelError < 1e-6);
});

test('dispatch table order is a tested snapshot; explain shows the Kronecker rule tree', () => {
  assert.deepEqual(L.ruleOrder('inv').slice(0, 4), ['inv.identity', 'inv.scalarmul', 'inv.diagonal', 'inv.permutation']);
  assert.deepEqual(L.ruleOrder('inv').slice(-7), ['inv.unitary', 'inv.base.cholesky', 'inv.base.lu', 'inv.base.cg', 'inv.base.minres', 'inv.base.gmres', 'inv.base.precondition']);
  const K = L.kron(L.PSD(L.lazify([[2, 1], [1, 2]])), L.PSD(L.lazify([[3, 1], [1, 3]])));
  assert.equal(L.explain('inv', K), 'inv.kronecker[inv.base.cholesky{n=2 ≤ directLimit 4000, no tol: direct}, inv.base.cholesky{n=2 ≤ directLimit 4000, no tol: direct}]');
  assert.equal(L.explain('inv', K, L.Auto({ directLimit: 1 })), 'inv.kronecker[inv.base.cg{n=2 > directLimit 1}, inv.base.cg{n=2 > directLimit 1}]');
});
