import { test } from 'node:test';
import assert from 'node:assert/strict';
import { beyondNoise, combineOutcomes, allOf, checkVerdict } from '../../src/experiments/verdict.ts';
import { llmtimeVerdict, oracleCheckPasses } from '../../src/experiments/forecast/llmtime.ts';
import { scalingVerdict } from '../../src/experiments/nn/structured-scaling.ts';
import { lrTransferVerdict } from '../../src/experiments/nn/structured-lr-transfer.ts';
import { einsumVerdict, type EinsumStructureMetrics } from '../../src/experiments/nn/structured-einsum-sweep.ts';
import { moeVerdict } from '../../src/experiments/nn/structured-moe.ts';
import { quereVerdict, correctnessOracleCeiling, pairedAurocGain } from '../../src/experiments/quere/arithmetic.ts';
import { colaVerdict } from '../../src/experiments/linalg/cola-structure.ts';
import { digitsCheckPasses } from '../../src/experiments/nn/digits.ts';
import { charlmCheckPasses } from '../../src/experiments/nn/charlm.ts';

test('beyondNoise: the seed range is the margin with ≥ 2 seeds, the single-seed margin with one', () => {
  assert.equal(beyondNoise([0.3, 0.4], 0, 1), 'above'); // mean 0.35 > range 0.1
  assert.equal(beyondNoise([0.1, 0.5], 0, 1), 'within'); // mean 0.3 < range 0.4
  assert.equal(beyondNoise([-0.3, -0.4], 0, 1), 'below');
  assert.equal(beyondNoise([0.3], 0, 0.5), 'within');
  assert.equal(beyondNoise([0.6], 0, 0.5), 'above');
  assert.equal(beyondNoise([], 0, 0.5), 'within');
  assert.equal(beyondNoise([Number.NaN, 1], 0, 0.5), 'within');
});

test('combineOutcomes and allOf', () => {
  assert.equal(combineOutcomes(['pass', 'pass']), 'reproduced');
  assert.equal(combineOutcomes(['pass', 'fail']), 'partly reproduced');
  assert.equal(combineOutcomes(['pass', 'undetermined']), 'partly reproduced');
  assert.equal(combineOutcomes(['fail', 'undetermined']), 'not reproduced');
  assert.equal(combineOutcomes(['undetermined', 'undetermined']), 'inconclusive');
  assert.equal(combineOutcomes([]), 'inconclusive');
  assert.equal(allOf(['pass', 'fail']), 'fail');
  assert.equal(allOf(['pass', 'undetermined']), 'undetermined');
  assert.equal(allOf(['pass', 'pass']), 'pass');
  assert.equal(checkVerdict(true), 'reproduced');
  assert.equal(checkVerdict(false), 'not reproduced');
});

test('llmtimeVerdict: Part B decides; a passing Part A never lifts a failed Part B', () => {
  const good = { oracleNllGap: 0.001, series: 8, seriesBeatingLastValue: 6, crpsRatioToArima: 1.2, nllFinite: true };
  assert.equal(llmtimeVerdict(good), 'reproduced');
  assert.equal(llmtimeVerdict({ ...good, seriesBeatingLastValue: 5 }), 'not reproduced');
  assert.equal(llmtimeVerdict({ ...good, crpsRatioToArima: 1.26 }), 'not reproduced');
  assert.equal(llmtimeVerdict({ ...good, nllFinite: false }), 'not reproduced');
  // A broken pipeline (failed oracle check) cannot vouch for a passing Part B.
  assert.equal(llmtimeVerdict({ ...good, oracleNllGap: 0.5 }), 'inconclusive');
  assert.equal(llmtimeVerdict({ ...good, oracleNllGap: 0.5, crpsRatioToArima: 3 }), 'not reproduced');
  // 3 series (quick): the 6-of-8 rule needs ⌈2.25⌉ = 3 wins.
  assert.equal(llmtimeVerdict({ ...good, series: 3, seriesBeatingLastValue: 2 }), 'not reproduced');
  assert.equal(llmtimeVerdict({ ...good, series: 3, seriesBeatingLastValue: 3 }), 'reproduced');
  assert.equal(oracleCheckPasses(0.009), true);
  assert.equal(oracleCheckPasses(0.011), false);
  assert.equal(oracleCheckPasses(Number.NaN), false);
});

test('scalingVerdict: slopes and MSE gaps must clear the seed range; one seed needs a huge effect', () => {
  const base = { slopes: { dense: [-0.10, -0.11], btt: [-0.20, -0.21], lowrank: [-0.05, -0.05], kron: [-0.06, -0.06] },
    mseLargest: { dense: [0.40, 0.41], btt: [0.35, 0.36], lowrank: [0.50, 0.51], kron: [0.55, 0.56] } };
  assert.equal(scalingVerdict(base).verdict, 'reproduced');
  // BTT shallower than dense beyond noise, the others still behind → partly.
  const shallow = { ...base, slopes: { ...base.slopes, btt: [-0.01, -0.02] } };
  assert.deepEqual(scalingVerdict(shallow), { verdict: 'partly reproduced', btt: 'fail', lowrank: 'pass', kron: 'pass' });
  // Everything opposite → not reproduced.
  assert.equal(scalingVerdict({ slopes: { ...shallow.slopes }, mseLargest: { dense: [0.5, 0.5], lowrank: [0.3, 0.3], kron: [0.3, 0.31], btt: [0.5, 0.5] } }).verdict, 'not reproduced');
  // Noisy seeds: effects inside the seed range → inconclusive.
  const noisy = { slopes: { dense: [-0.1, -0.3], btt: [-0.2, -0.25] }, mseLargest: { dense: [0.3, 0.6], btt: [0.4, 0.4] } };
  assert.equal(scalingVerdict(noisy).verdict, 'inconclusive');
  // Today's recorded single-seed run: BTT −0.013 vs dense −0.045 (shallower, but by less than the huge margin).
  const today = { slopes: { dense: [-0.045], btt: [-0.013], lowrank: [-0.02], kron: [-0.03] }, mseLargest: { dense: [0.45], btt: [0.46], lowrank: [0.5], kron: [0.52] } };
  assert.equal(scalingVerdict(today).verdict, 'inconclusive');
  // One seed with a huge effect still counts.
  assert.equal(scalingVerdict({ slopes: { dense: [-0.05], btt: [-0.4] }, mseLargest: { dense: [0.4], btt: [0.2] } }).verdict, 'reproduced');
  // Dense alone: nothing judged.
  assert.equal(scalingVerdict({ slopes: { dense: [-0.1] }, mseLargest: { dense: [0.4] } }).verdict, 'inconclusive');
});

test('lrTransferVerdict: an unresolvable prediction or a one-step contrast on one seed is inconclusive', () => {
  const three = (a: number, b: number, c: number) => [a, b, c];
  assert.equal(lrTransferVerdict({ shiftStructureAware: three(0, 0, 0), shiftNaive: three(3, 3, 4), expectedNaiveShift: 3.5 }), 'reproduced');
  assert.equal(lrTransferVerdict({ shiftStructureAware: three(1, 1, 1), shiftNaive: three(4, 4, 4), expectedNaiveShift: 3.5 }), 'partly reproduced');
  assert.equal(lrTransferVerdict({ shiftStructureAware: three(3, 3, 3), shiftNaive: three(0, 0, 0), expectedNaiveShift: 3.5 }), 'not reproduced');
  assert.equal(lrTransferVerdict({ shiftStructureAware: three(0, 2, 0), shiftNaive: three(1, 3, 0), expectedNaiveShift: 3.5 }), 'inconclusive');
  // Today's default run: widths 16–128 predict 0.9 half-decade steps, below the grid's resolution.
  assert.equal(lrTransferVerdict({ shiftStructureAware: [0], shiftNaive: [1], expectedNaiveShift: 0.9 }), 'inconclusive');
  assert.equal(lrTransferVerdict({ shiftStructureAware: [0], shiftNaive: [1], expectedNaiveShift: 2 }), 'inconclusive');
  assert.equal(lrTransferVerdict({ shiftStructureAware: [0], shiftNaive: [2], expectedNaiveShift: 2 }), 'reproduced');
});

test('einsumVerdict: groups judged beyond noise; two-point fits are undetermined', () => {
  const s = (name: string, omega: number, psi: number, logRatios: number[], points = 3): EinsumStructureMetrics => ({ name, omega, psi, logRatios, points });
  const ok = [s('dense', 0, 1, [0, 0]), s('kron', 0.5, 1, [0.3, 0.35]), s('lowrank', 0, 0.5, [0.5, 0.45]), s('btt', 0, 1, [-0.2, -0.25])];
  assert.equal(einsumVerdict(ok).verdict, 'reproduced');
  const bttWorse = [...ok.slice(0, 3), s('btt', 0, 1, [0.4, 0.45])];
  assert.deepEqual(einsumVerdict(bttWorse), { verdict: 'partly reproduced', shared: 'pass', lowRank: 'pass', fullRank: 'fail' });
  const opposite = [s('dense', 0, 1, [0]), s('kron', 0.5, 1, [-0.3, -0.35]), s('lowrank', 0, 0.5, [-0.5, -0.45]), s('btt', 0, 1, [0.4, 0.45])];
  assert.equal(einsumVerdict(opposite).verdict, 'not reproduced');
  // One seed, ratios ≈ 1.1: inside the factor-2 single-seed margin.
  const oneSeed = [s('dense', 0, 1, [0]), s('kron', 0.5, 1, [0.1]), s('lowrank', 0, 0.5, [0.1]), s('btt', 0, 1, [0.0])];
  assert.equal(einsumVerdict(oneSeed).verdict, 'inconclusive');
  // A huge single-seed gap counts, but not through two points.
  assert.equal(einsumVerdict([s('dense', 0, 1, [0]), s('kron', 0.5, 1, [1.0])]).verdict, 'reproduced');
  assert.equal(einsumVerdict([s('dense', 0, 1, [0]), s('kron', 0.5, 1, [1.0], 2)]).verdict, 'inconclusive');
});

test('moeVerdict: the paired gain must clear the seed range', () => {
  assert.equal(moeVerdict({ bpcDense: [3.5, 3.52, 3.51], bpcMoe: [3.4, 3.41, 3.42] }), 'reproduced');
  assert.equal(moeVerdict({ bpcDense: [3.4, 3.41, 3.42], bpcMoe: [3.5, 3.52, 3.51] }), 'not reproduced');
  assert.equal(moeVerdict({ bpcDense: [3.5, 3.4, 3.6], bpcMoe: [3.45, 3.5, 3.5] }), 'inconclusive');
  // Today's single seed: a gain of a few hundredths of a bit with no spread known.
  assert.equal(moeVerdict({ bpcDense: [4.2], bpcMoe: [4.15] }), 'inconclusive');
  assert.equal(moeVerdict({ bpcDense: [4.2], bpcMoe: [3.9] }), 'reproduced');
});

test('quereVerdict: follow-ups above chance, a paired gain over the answer probability, adversarial ≥ 0.9', () => {
  const good = { followUpsAurocLo: 0.6, gainOverAnswerProbabilityLo: 0.02, adversarialAccuracy: 0.92 };
  assert.equal(quereVerdict(good), 'reproduced');
  assert.equal(quereVerdict({ ...good, adversarialAccuracy: 0.8 }), 'partly reproduced');
  // The re-run the issue describes: follow-ups at chance, gain CI straddling 0, adversarial below target.
  assert.equal(quereVerdict({ followUpsAurocLo: 0.45, gainOverAnswerProbabilityLo: -0.01, adversarialAccuracy: 0.75 }), 'not reproduced');
  assert.equal(quereVerdict({ followUpsAurocLo: 0.45, gainOverAnswerProbabilityLo: null, adversarialAccuracy: 0.75 }), 'not reproduced');
  assert.equal(quereVerdict({ ...good, gainOverAnswerProbabilityLo: null }), 'partly reproduced');
  // Clean answers right 66%, prefixed right 12%: a correctness oracle reaches 0.77.
  assert.ok(Math.abs(correctnessOracleCeiling(0.66, 0.12) - 0.77) < 1e-12);
  assert.equal(correctnessOracleCeiling(0.5, 0.5), 0.5);
  assert.ok(Math.abs(correctnessOracleCeiling(0.1, 0.9) - 0.9) < 1e-12);
});

test('colaVerdict: accuracy plus ≥ 10× wins on every family', () => {
  const fast = { dense: 50, iterative: 20 };
  assert.equal(colaVerdict({ dispatchError: 1e-12, speedups: [fast, fast, fast], beatsColaRows: 4, colaRows: 4 }), 'reproduced');
  assert.equal(colaVerdict({ dispatchError: 1e-12, speedups: [fast, fast, fast], beatsColaRows: 3, colaRows: 4 }), 'partly reproduced');
  assert.equal(colaVerdict({ dispatchError: 1e-12, speedups: [fast, { dense: 50, iterative: 3 }, fast], beatsColaRows: 4, colaRows: 4 }), 'partly reproduced');
  assert.equal(colaVerdict({ dispatchError: 1e-6, speedups: [fast, fast, fast], beatsColaRows: 4, colaRows: 4 }), 'not reproduced');
  assert.equal(colaVerdict({ dispatchError: 1e-12, speedups: [{ dense: 5, iterative: 50 }], beatsColaRows: 0, colaRows: 0 }), 'not reproduced');
});

test('foundation checks pass or fail on their targets', () => {
  assert.equal(digitsCheckPasses({ testAccuracy: 0.96, seconds: 10 }), true);
  assert.equal(digitsCheckPasses({ testAccuracy: 0.94, seconds: 10 }), false);
  assert.equal(digitsCheckPasses({ testAccuracy: 0.96, seconds: 31 }), false);
  assert.equal(charlmCheckPasses({ valLoss: 2.0, unigramEntropy: 3.0, bigramEntropy: 2.5 }), true);
  assert.equal(charlmCheckPasses({ valLoss: 2.45, unigramEntropy: 3.0, bigramEntropy: 2.5 }), false);
  assert.equal(charlmCheckPasses({ valLoss: 2.0, unigramEntropy: 3.0, bigramEntropy: 1.9 }), false);
});

test('pairedAurocGain: identical probes give a zero interval; a perfect probe over a useless one a positive one', () => {
  const labels = Array.from({ length: 60 }, (_, i) => i % 2 === 0);
  const perfect = Float64Array.from(labels, (v) => (v ? 0.9 : 0.1));
  // Scores unrelated to the labels (period 4 vs the labels' period 2): AUROC exactly 0.5.
  const useless = Float64Array.from(labels, (_, i) => (i % 4 < 2 ? 0.7 : 0.3));
  const same = pairedAurocGain(labels, useless, useless, 1, 200);
  assert.deepEqual([same.estimate, same.lo, same.hi], [0, 0, 0]);
  const gain = pairedAurocGain(labels, perfect, useless, 1, 200);
  assert.ok(Math.abs(gain.estimate - 0.5) < 1e-12, `estimate ${gain.estimate}`);
  assert.ok(gain.lo > 0.2 && gain.hi <= 0.75, `[${gain.lo}, ${gain.hi}]`);
  const reverse = pairedAurocGain(labels, useless, perfect, 1, 200);
  assert.ok(reverse.hi < 0);
});
