import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/index.ts';
import { lstsqMinNorm, fitPolynomial, evalPolynomial } from '../../src/complexity/index.ts';
import { polyChecks, polyVerdict, POLY_REFERENCE } from '../../src/experiments/complexity/polynomial.ts';

const close = (a: number, b: number, tol: number) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('lstsqMinNorm matches the closed-form line fit and minimum-norm solutions of rank-deficient systems', () => {
  const xs = [0, 1, 2, 3, 5], ys = [1, 3, 2, 5, 4];
  const mx = xs.reduce((a, b) => a + b) / 5, my = ys.reduce((a, b) => a + b) / 5;
  const slope = xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const w = lstsqMinNorm(xs.flatMap((x) => [1, x]), 5, 2, ys);
  close(w[1]!, slope, 1e-12);
  close(w[0]!, my - slope * mx, 1e-12);
  const u = lstsqMinNorm([1, 1], 1, 2, [2]); // x₁ + x₂ = 2 → (1, 1)
  close(u[0]!, 1, 1e-12); close(u[1]!, 1, 1e-12);
  const z = lstsqMinNorm([0, 1, 0, 2, 0, 3], 3, 2, [1, 2, 3]); // a zero column gets coefficient 0
  assert.equal(z[0], 0); close(z[1]!, 1, 1e-12);
  // Duplicate columns split the weight equally (the minimum-norm choice).
  const d = lstsqMinNorm([1, 1, 2, 2, 3, 3], 3, 2, [2, 4, 6]);
  close(d[0]!, 1, 1e-12); close(d[1]!, 1, 1e-12);
});

test('fitPolynomial recovers a noiseless quadratic in both modes and agrees with the normal equations for degree 2', () => {
  const rng = new Rng(2);
  const x = Array.from({ length: 30 }, () => rng.random());
  const y = x.map((v) => 0.5 - 2 * v + 3 * v * v);
  for (const compat of ['reference', 'default'] as const) {
    const c = fitPolynomial(x, y, 2, 0, compat);
    close(c[0]!, 0.5, 1e-9); close(c[1]!, -2, 1e-9); close(c[2]!, 3, 1e-9);
  }
  const yn = x.map((v) => Math.sin(3 * v));
  // Normal equations (XᵀX)c = Xᵀy solved by Cramer's rule (3×3, well conditioned here).
  const S = (p: number) => x.reduce((a, v) => a + v ** p, 0), T = (p: number) => x.reduce((a, v, i) => a + v ** p * yn[i]!, 0);
  const M = [[S(0), S(1), S(2)], [S(1), S(2), S(3)], [S(2), S(3), S(4)]], r = [T(0), T(1), T(2)];
  const det = (m: number[][]) => m[0]![0]! * (m[1]![1]! * m[2]![2]! - m[1]![2]! * m[2]![1]!) - m[0]![1]! * (m[1]![0]! * m[2]![2]! - m[1]![2]! * m[2]![0]!) + m[0]![2]! * (m[1]![0]! * m[2]![1]! - m[1]![1]! * m[2]![0]!);
  const D = det(M);
  const c = fitPolynomial(x, yn, 2, 0, 'reference');
  for (let k = 0; k < 3; k++) close(c[k]!, det(M.map((row, i) => row.map((v, j) => (j === k ? r[i]! : v)))) / D, 1e-8);
  close(evalPolynomial([1, 2, 3], 2), 17, 0);
});

test('the penalty shrinks high-degree coefficients; reference and default modes differ only through centring', () => {
  const rng = new Rng(4);
  const x = Array.from({ length: 15 }, () => rng.random()).sort((a, b) => a - b);
  const y = x.map((v) => v * v + 0.1 * rng.gauss());
  const free = fitPolynomial(x, y, 10, 0, 'default'), pen = fitPolynomial(x, y, 10, 0.01, 'default');
  const norm = (c: Float64Array) => Math.hypot(...Array.from(c).slice(1));
  assert.ok(norm(pen) < norm(free));
  assert.notDeepEqual(Array.from(fitPolynomial(x, y, 10, 0.01, 'reference')), Array.from(pen));
  assert.throws(() => fitPolynomial([1], [1, 2], 2, 0), /same positive length/);
});

test('polyVerdict: the reference values themselves reproduce; shifted means fail; heavy tails are inconclusive', () => {
  const cells = POLY_REFERENCE.flatMap((r) => [
    { target: r.target, n: r.n, learner: 'deg2' as const, mean: r.deg2, se: r.deg2 / 10, runs: 100 },
    { target: r.target, n: r.n, learner: 'deg10' as const, mean: r.deg10 * 2, se: r.deg10 / 2, runs: 100 },
    { target: r.target, n: r.n, learner: 'deg10-penalised' as const, mean: r.pen, se: r.pen / 10, runs: 100 },
  ]);
  assert.equal(polyVerdict(polyChecks(cells)), 'reproduced');
  const shifted = cells.map((c, i) => (i === 2 ? { ...c, mean: c.mean * 2 } : c));
  assert.equal(polyVerdict(polyChecks(shifted)), 'partly reproduced');
  const allOff = cells.map((c) => (c.learner === 'deg10' ? c : { ...c, mean: c.mean * 3 }));
  assert.equal(polyVerdict(polyChecks(allOff)), 'not reproduced');
  const heavy = cells.map((c) => (c.learner === 'deg10' && c.n === 20 && c.target === 'cos' ? { ...c, mean: 1e4, se: 9e3 } : c));
  assert.equal(polyChecks(heavy).find((c) => c.target === 'cos' && c.n === 20 && c.learner === 'deg10')!.status, 'inconclusive');
  assert.equal(polyVerdict(polyChecks(heavy)), 'inconclusive');
});
