import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogisticProbe, selectC } from '../../src/quere/predictors/logistic.ts';

// The same 40 points as /tmp reference script: x = [sin i, cos 1.7i, ((7i) mod 5)/5], y = [sin i + .5 cos 1.7i + .3((3i mod 4) − 1.5) > .2].
function data(): { X: number[][]; y: number[] } {
  const X: number[][] = [], y: number[] = [];
  for (let i = 0; i < 40; i++) {
    X.push([Math.sin(i), Math.cos(1.7 * i), ((i * 7) % 5) / 5]);
    y.push(Math.sin(i) + 0.5 * Math.cos(1.7 * i) + 0.3 * (((i * 3) % 4) - 1.5) > 0.2 ? 1 : 0);
  }
  return { X, y };
}

// Minimisers of ½‖w‖² + C Σ s_i log(1 + exp(−ỹ_i(w·x_i + b))) found by scipy.optimize.minimize (BFGS, gtol 1e-10).
const SCIPY: { C: number; classWeight: 'balanced' | 'none'; theta: number[] }[] = [
  { C: 1, classWeight: 'balanced', theta: [2.10027197, 0.69553373, 0.6626118, -0.40272232] },
  { C: 0.1, classWeight: 'balanced', theta: [0.68270948, 0.18392492, 0.11808403, -0.08601128] },
  { C: 10, classWeight: 'none', theta: [3.31156948, 1.25773006, 1.87319669, -1.08426468] },
];

for (const ref of SCIPY) {
  test(`LogisticProbe({C: ${ref.C}, classWeight: '${ref.classWeight}'}).fit matches scipy's minimiser`, () => {
    const { X, y } = data();
    const probe = new LogisticProbe({ C: ref.C, classWeight: ref.classWeight }).fit(X, y);
    for (let j = 0; j < 3; j++) assert.ok(Math.abs(probe.weights![j]! - ref.theta[j]!) < 1e-6, `w${j} = ${probe.weights![j]} vs ${ref.theta[j]}`);
    assert.ok(Math.abs(probe.intercept - ref.theta[3]!) < 1e-6, `b = ${probe.intercept} vs ${ref.theta[3]}`);
    assert.ok(probe.info!.converged);
  });
}

test('LogisticProbe with standardize gives the same predictions as fitting on standardised features', () => {
  const { X, y } = data();
  const scaled = X.map((r) => r.map((v, j) => v * (j + 1) * 10 + j));
  const a = new LogisticProbe({ standardize: true }).fit(scaled, y).predictProba(scaled);
  const mean = [0, 1, 2].map((j) => scaled.reduce((s, r) => s + r[j]!, 0) / scaled.length);
  const sd = [0, 1, 2].map((j) => Math.sqrt(scaled.reduce((s, r) => s + (r[j]! - mean[j]!) ** 2, 0) / scaled.length));
  const z = scaled.map((r) => r.map((v, j) => (v - mean[j]!) / sd[j]!));
  const b = new LogisticProbe().fit(z, y).predictProba(z);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 1e-9);
});

test('LogisticProbe.fit refuses a single-class label set, saying why', () => {
  assert.throws(() => new LogisticProbe().fit([[1], [2], [3]], [1, 1, 1]), /all 3 training labels are 1; a probe needs examples of both classes/);
  assert.throws(() => new LogisticProbe().fit([[1], [NaN]], [0, 1]), /feature 0 of row 1 is NaN/);
  assert.throws(() => new LogisticProbe({ C: -1 }), /C must be a finite number > 0/);
  assert.throws(() => new LogisticProbe({ c: 1 } as never), /unknown option 'c'/);
});

test('LogisticProbe survives separable data (penalty keeps weights finite)', () => {
  const X = [[0], [1], [2], [3]];
  const p = new LogisticProbe({ C: 1 }).fit(X, [0, 0, 1, 1]).predictProba(X);
  assert.ok(p[0]! < 0.5 && p[3]! > 0.5);
  assert.ok(Array.from(p).every(Number.isFinite));
});

test('selectC prefers a penalty that generalises on noisy, many-feature data', () => {
  const { X, y } = data();
  const res = selectC(X, y, { Cs: [0.001, 1, 1000], folds: 4 });
  assert.equal(res.scores.length, 3);
  assert.ok(res.scores.every((s) => s.auroc >= 0 && s.auroc <= 1));
  assert.ok([0.001, 1, 1000].includes(res.C));
  const best = Math.max(...res.scores.map((s) => s.auroc));
  assert.equal(res.scores.find((s) => s.C === res.C)!.auroc, best);
});
