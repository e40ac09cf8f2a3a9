import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/index.ts';
import { chooseCalibrator, fitIsotonic, fitPlatt } from '../../src/quere/calibration.ts';
import { ece } from '../../src/quere/metrics.ts';

/** Scores that are a monotone but badly calibrated function of the true probability. */
function miscalibrated(n: number, seed: number): { y: number[]; p: number[] } {
  const rng = new Rng(seed);
  const y: number[] = [], p: number[] = [];
  for (let i = 0; i < n; i++) {
    const q = rng.random();
    y.push(rng.random() < q ? 1 : 0);
    p.push(q ** 3); // systematically under-confident for class 1
  }
  return { y, p };
}

test('fitIsotonic returns a non-decreasing map (pool adjacent violators on a hand example)', () => {
  // labels by score: 0, 1, 0, 1 → PAV pools the middle pair to 0.5
  const c = fitIsotonic([0, 1, 0, 1], [0.1, 0.2, 0.3, 0.4]);
  const out = c.apply([0.1, 0.25, 0.4]);
  assert.equal(out[0], 0);
  assert.equal(out[1], 0.5);
  assert.equal(out[2], 1);
});

test('Platt and isotonic calibration reduce ECE on fresh data from the same source', () => {
  const cal = miscalibrated(2000, 1), test_ = miscalibrated(2000, 2);
  const before = ece(test_.y, test_.p);
  for (const fit of [fitPlatt, fitIsotonic]) {
    const after = ece(test_.y, fit(cal.y, cal.p).apply(test_.p));
    assert.ok(after < before / 2, `${fit.name}: ECE ${before.toFixed(3)} → ${after.toFixed(3)}`);
  }
  const choice = chooseCalibrator(cal.y, cal.p, { seed: 1 });
  assert.ok(Number.isFinite(choice.brier.platt) && Number.isFinite(choice.brier.isotonic));
  assert.equal(choice.calibrator.method, choice.brier.isotonic < choice.brier.platt ? 'isotonic' : 'platt');
});

test('calibration refuses a single-class label set', () => {
  assert.throws(() => fitPlatt([1, 1], [0.2, 0.3]), /both classes/);
});
