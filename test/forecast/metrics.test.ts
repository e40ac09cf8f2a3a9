import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/index.ts';
import { crps, normalizedMae, stepQuantiles, stepMedian, gaussianNllPerDim, figureScores } from '../../src/forecast/metrics.ts';

const S = [[3, 1, 4], [1, 5, 9], [2, 6, 5], [3, 5, 8], [9, 7, 9], [3, 2, 3], [8, 4, 6], [2, 6, 4], [3, 3, 8], [3, 2, 7]];
const Y = [2.5, 4.0, 7.0];

test('crps(samples, y, {method: "figure"}) matches a numpy computation of the figure rule', () => {
  // Value from numpy: 10 levels, np.quantile (type 7), 2·Σ_q Σ_t |(Q − y)(1[y ≤ Q] − q)| / (10·Σ|y|).
  assert.ok(Math.abs(crps(S, Y, { method: 'figure' }) - 0.12118518518518519) < 1e-15);
});

test('crps(figure) uses only the first 10 samples', () => {
  assert.equal(crps([...S, [100, 100, 100]], Y, { method: 'figure' }), crps(S, Y, { method: 'figure' }));
  assert.notEqual(crps([...S, [100, 100, 100]], Y, { method: 'energy' }), crps(S, Y, { method: 'energy' }));
});

test('crps(figure) equals twice the mean pinball loss over the 10 levels (another form of the same sum)', () => {
  const rng = new Rng(3);
  const samples = Array.from({ length: 10 }, () => Array.from({ length: 5 }, () => rng.gauss() * 2 + 10));
  const y = Array.from({ length: 5 }, () => rng.gauss() + 10);
  const Q = stepQuantiles(samples, Array.from({ length: 10 }, (_, k) => (k + 1) / 10));
  let pinball = 0;
  Q.forEach((row, k) => row.forEach((qv, t) => {
    const u = y[t]! - qv, q = (k + 1) / 10;
    pinball += u * (q - (u < 0 ? 1 : 0));
  }));
  const scale = y.reduce((a, b) => a + Math.abs(b), 0);
  assert.ok(Math.abs(crps(samples, y, { method: 'figure' }) - (2 * pinball) / (10 * scale)) < 1e-12);
});

test('crps(energy) of many N(0,1) samples approaches the closed-form Gaussian CRPS', () => {
  const rng = new Rng(11);
  const n = 4000;
  const y = [1, -0.5];
  const samples = Array.from({ length: n }, () => [rng.gauss(), rng.gauss()]);
  // CRPS(N(0,1), y) = y(2Φ(y) − 1) + 2φ(y) − 1/√π (Gneiting & Raftery 2007, eq. 21).
  const Phi = (z: number) => 0.5 * (1 + erf(z / Math.SQRT2));
  const phi = (z: number) => Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI);
  const exact = y.map((v) => v * (2 * Phi(v) - 1) + 2 * phi(v) - 1 / Math.sqrt(Math.PI));
  const expected = (exact[0]! + exact[1]!) / 2 / 0.75;
  assert.ok(Math.abs(crps(samples, y) - expected) < 0.02, `${crps(samples, y)} vs ${expected}`);
});

function erf(x: number): number {
  // Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), enough for a Monte Carlo comparison.
  const s = Math.sign(x), a = Math.abs(x), t = 1 / (1 + 0.3275911 * a);
  const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

test('crps(energy) is 0 for a point mass on the truth and grows with the error', () => {
  assert.equal(crps([[1, 2], [1, 2]], [1, 2]), 0);
  assert.ok(crps([[1.5, 2.5], [1.5, 2.5]], [1, 2]) > crps([[1.1, 2.1], [1.1, 2.1]], [1, 2]));
});

test('normalizedMae(truth, median) matches numpy on the reference example', () => {
  assert.ok(Math.abs(normalizedMae(Y, stepMedian(S)) - 0.1111111111111111) < 1e-15);
  assert.deepEqual(figureScores(S, Y).mae, normalizedMae(Y, stepMedian(S)));
});

test('stepQuantiles never cross, whatever order the levels are given in', () => {
  const rng = new Rng(5);
  const samples = Array.from({ length: 7 }, () => Array.from({ length: 20 }, () => rng.gauss() * 10));
  const levels = [0.9, 0.1, 0.5, 0.25, 0.75, 0.05, 0.95];
  const q = stepQuantiles(samples, levels);
  for (let k = 1; k < q.length; k++) for (let t = 0; t < 20; t++) assert.ok(q[k]![t]! >= q[k - 1]![t]!);
});

test('metrics reject mismatched lengths, non-finite values and an all-zero truth with named arguments', () => {
  assert.throws(() => crps([[1, 2]], [1, 2, 3]), /samples\[0\] has 2 steps, expected 3/);
  assert.throws(() => crps([[1, NaN]], [1, 2], { method: 'figure' }), /samples\[0\]\[1\] is NaN/);
  assert.throws(() => normalizedMae([0, 0], [1, 1]), /mean \|truth\| is 0/);
  assert.throws(() => crps(S, Y, { method: 'pinball' as never }), /method must be/);
  assert.throws(() => normalizedMae([1, Infinity], [1, 1]), /truth\[1\] is Infinity/);
});

test('gaussianNllPerDim equals the textbook density', () => {
  const v = gaussianNllPerDim([1], [0], 2);
  assert.ok(Math.abs(v - (0.5 * Math.log(2 * Math.PI * 4) + 1 / 8)) < 1e-14);
});
