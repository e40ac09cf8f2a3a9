import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracy, auroc, bootstrapInterval, ece, f1 } from '../../src/quere/metrics.ts';

test('auroc(labels, scores) counts ties as ½ (hand-computed Mann–Whitney 13/16, scipy agrees)', () => {
  const labels = [1, 0, 1, 1, 0, 0, 1, 0];
  const scores = [0.9, 0.3, 0.5, 0.5, 0.5, 0.1, 0.8, 0.7];
  assert.equal(auroc(labels, scores), 13 / 16);
  assert.equal(auroc([true, false], [0.2, 0.8]), 0);
  assert.equal(auroc([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5]), 0.5);
});

test('auroc refuses a single-class label set and mismatched lengths', () => {
  assert.throws(() => auroc([1, 1, 1], [0.1, 0.2, 0.3]), /only class 1.*needs both classes/);
  assert.throws(() => auroc([1, 0], [0.1, 0.2, 0.3]), /2 labels but 3 predictions/);
  assert.throws(() => auroc([1, 2], [0.1, 0.2]), /labels\[1\] must be 0, 1/);
});

test('accuracy and f1 at threshold 0.5', () => {
  const y = [1, 1, 0, 0, 1];
  const p = [0.9, 0.4, 0.6, 0.1, 0.5];
  assert.equal(accuracy(y, p), 3 / 5); // predictions 1,0,1,0,1
  // tp = 2, fp = 1, fn = 1 → 2·2 / (4 + 1 + 1)
  assert.equal(f1(y, p), 4 / 6);
  assert.equal(f1([1, 0], [0.1, 0.2]), 0);
  assert.throws(() => accuracy([1], [1.5]), /expected a probability in \[0, 1\]/);
});

test('ece(labels, p) with 10 bins puts confidence 1.0 in the last bin; reference mode drops it (4 bins)', () => {
  const y = [1, 0, 1, 0];
  const p = [0.9, 0.2, 0.6, 1.0];
  // bins: conf .9 & 1.0 → bin 9 (acc .5, conf .95), .8 → bin 8 (acc 1), .6 → bin 6 (acc 1)
  assert.ok(Math.abs(ece(y, p) - (0.45 * 2 + 0.2 + 0.4) / 4) < 1e-12);
  // reference: .9 and .8 → [.75, 1) (acc 1, conf .85), .6 → [.5, .75); 1.0 falls past the last edge
  assert.ok(Math.abs(ece(y, p, { mode: 'reference' }) - (0.15 * 2 + 0.4) / 4) < 1e-12);
  assert.throws(() => ece(y, p, { bins: 0 }), /bins must be a positive integer/);
});

test('bootstrapInterval brackets the estimate, is reproducible by seed and narrows with more data', () => {
  const make = (n: number) => {
    const y: number[] = [], s: number[] = [];
    for (let i = 0; i < n; i++) { y.push(i % 2); s.push((i % 2) * 0.3 + ((i * 37) % 100) / 100); }
    return { y, s };
  };
  const small = make(60), big = make(600);
  const a = bootstrapInterval(auroc, small.y, small.s, { seed: 3, samples: 300 });
  const b = bootstrapInterval(auroc, small.y, small.s, { seed: 3, samples: 300 });
  assert.deepEqual(a, b);
  assert.ok(a.lo <= a.estimate && a.estimate <= a.hi, JSON.stringify(a));
  const c = bootstrapInterval(auroc, big.y, big.s, { seed: 3, samples: 300 });
  assert.ok(c.hi - c.lo < a.hi - a.lo, `${c.hi - c.lo} vs ${a.hi - a.lo}`);
});
