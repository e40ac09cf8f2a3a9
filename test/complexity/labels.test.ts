import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/index.ts';
import { arithmeticEncodeAdaptive, countsFromProbabilities } from '../../src/bounds/index.ts';
import { labelCodeLength, occamBound } from '../../src/complexity/index.ts';
import { labelVerdict } from '../../src/experiments/complexity/label-compression.ts';

test("labelCodeLength's label bits are the arithmetic coder's actual output, within 2 bits (+ quantisation) of Σ −log2 p", () => {
  const rng = new Rng(5), n = 800, C = 10;
  const probs = new Float64Array(n * C);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < C; c++) { const v = Math.exp(rng.gauss()); probs[i * C + c] = v; s += v; }
    for (let c = 0; c < C; c++) probs[i * C + c]! /= s;
    labels[i] = rng.int(0, C);
  }
  const r = labelCodeLength(probs, labels, C, 123);
  const rows = Array.from({ length: n }, (_, i) => countsFromProbabilities(probs.subarray(i * C, i * C + C)));
  assert.equal(r.labelBits, arithmeticEncodeAdaptive(labels, (i) => rows[i]!).bits);
  const quantIdeal = labels.reduce((a, y, i) => a - Math.log2(rows[i]![y]! / 65536), 0);
  assert.ok(r.labelBits >= quantIdeal - 1e-6 && r.labelBits <= quantIdeal + 2, `${r.labelBits} vs ${quantIdeal}`);
  assert.ok(Math.abs(quantIdeal - r.idealLabelBits) < 0.01 * n + 1);
  assert.equal(r.totalBits, r.labelBits + 123);
  assert.equal(r.uncompressedBits, n * Math.log2(10));
  assert.equal(r.ratio, r.uncompressedBits / r.totalBits);
  // A perfect model codes the labels in almost nothing.
  const sure = new Float64Array(n * C);
  labels.forEach((y, i) => { sure[i * C + y] = 1; });
  assert.ok(labelCodeLength(sure, labels, C, 0).labelBits < 0.01 * n + 2);
  assert.throws(() => labelCodeLength(probs, labels.subarray(1), C, 0), /expected n·C/);
});

test('occamBound: kl and Hoeffding forms against hand-computed cases', () => {
  // Hoeffding: 0.1 + √((500·ln2 + ln 20)/(2·1347)) = 0.1 + √(349.57/2694) = 0.1 + 0.36022
  assert.ok(Math.abs(occamBound({ empiricalError: 0.1, kBits: 500, n: 1347, form: 'hoeffding' }).bound - 0.46022) < 1e-4);
  // kl: c = (500·ln2 + ln(2·√1347/0.05))/1347 = (346.574 + 7.2919)/1347 = 0.262707; kl(0.1 ‖ p) = c at p ≈ 0.4281
  const kl = occamBound({ empiricalError: 0.1, kBits: 500, n: 1347 });
  const c = (500 * Math.LN2 + Math.log((2 * Math.sqrt(1347)) / 0.05)) / 1347;
  const p = kl.bound;
  assert.ok(Math.abs(0.1 * Math.log(0.1 / p) + 0.9 * Math.log(0.9 / (1 - p)) - c) < 1e-9);
  assert.equal(kl.form, 'kl');
  assert.ok(Math.abs(c - 0.262707) < 1e-5);
  assert.ok(Math.abs(p - 0.42813) < 1e-4, `${p}`);
});

test('labelVerdict: outcomes on fixture metrics', () => {
  const run = (bound: number, testError: number, ratio: number) => ({ d: 100, bound, testError, code: { ratio } as never });
  assert.equal(labelVerdict([run(0.4, 0.1, 3), run(0.5, 0.1, 2.5)], 450).verdict, 'reproduced');
  assert.equal(labelVerdict([run(0.05, 0.2, 3)], 450).verdict, 'not reproduced'); // a bound below test error: a bug
  assert.equal(labelVerdict([run(0.195, 0.2, 3)], 450).verdict, 'inconclusive'); // within 2 SE of the test error
  assert.equal(labelVerdict([run(0.95, 0.2, 3)], 450).verdict, 'partly reproduced');
  assert.equal(labelVerdict([run(0.95, 0.2, 1.2)], 450).verdict, 'not reproduced');
});
