import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as C from '../../src/core/index.ts';
import { Optimizer, adam, sgd, adamw, cosineSchedule } from '../../src/optim/index.ts';

test('Adam matches a hand-computed first and second step (Kingma & Ba, Algorithm 1)', () => {
  const p = { w: C.tensor([1, -2]) };
  const opt = adam(p, { lr: 0.1 });
  opt.step({ w: C.tensor([0.5, -1]) });
  // Step 1: m̂ = g, v̂ = g², update = lr · g/|g| (+eps) = ±0.1.
  assert.deepEqual(Array.from(p.w.values()).map((v) => +v.toFixed(6)), [0.9, -1.9]);
  opt.step({ w: C.tensor([0.5, -1]) });
  assert.deepEqual(Array.from(p.w.values()).map((v) => +v.toFixed(6)), [0.8, -1.8]);
});

test('SGD with momentum and per-parameter learning-rate multipliers', () => {
  const p = { a: C.tensor([1]), b: C.tensor([1]) };
  const opt = sgd(p, { lr: 0.1, momentum: 0.5, lrMultipliers: { '$.b': 2 } });
  opt.step({ a: C.tensor([1]), b: C.tensor([1]) });
  opt.step({ a: C.tensor([1]), b: C.tensor([1]) });
  // v1 = 1, v2 = 1.5: a = 1 − 0.1(1 + 1.5) = 0.75; b moves twice as far: 0.5.
  assert.ok(Math.abs(p.a.item() - 0.75) < 1e-12);
  assert.ok(Math.abs(p.b.item() - 0.5) < 1e-12);
});

test('AdamW decays matrices but not vectors, and clipping caps the global norm', () => {
  const p = { w: C.ones([2, 2]), b: C.ones([2]) };
  const opt = adamw(p, { lr: 0.1, weightDecay: 0.5, clipNorm: 1 });
  const info = opt.step({ w: C.zeros([2, 2]), b: C.tensor([3, 4]) });
  assert.equal(info.clipped, true);
  assert.equal(info.gradNorm, 5);
  assert.ok(Math.abs(p.w.get(0, 0) - (1 - 0.1 * 0.5)) < 1e-12);
  assert.ok(Math.abs(p.b.get(0) - 0.9) < 1e-6);
});

test('non-finite gradients and bad options are reported with the parameter path', () => {
  const p = { layers: [{ w: C.ones([2]) }] };
  const opt = adam(p, { lr: 0.1 });
  assert.throws(() => opt.step({ layers: [{ w: C.tensor([1, NaN]) }] }), /gradient of \$\.layers\[0\]\.w is NaN at index 1/);
  assert.throws(() => new Optimizer(p, { lr: -1 }), /lr must be a finite non-negative number/);
  assert.throws(() => adam({ w: C.ones([4]).slice([0, 2]) }, { lr: 1 }), /is a view/);
});

test('cosine schedule warms up linearly and decays to the final rate', () => {
  const s = cosineSchedule({ peak: 1, warmup: 10, total: 110, final: 0.1 });
  assert.ok(Math.abs(s(4) - 0.5) < 1e-12);
  assert.ok(Math.abs(s(10) - 1) < 1e-12);
  assert.ok(Math.abs(s(60) - 0.55) < 1e-12);
  assert.ok(Math.abs(s(500) - 0.1) < 1e-12);
});
