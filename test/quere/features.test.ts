import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerProbabilities, buildFeatures, samplingApproximation, yesNoProbability, type RawRecord } from '../../src/quere/features.ts';
import { boolqTask, nqTask } from '../../src/quere/tasks.ts';

const t = (pairs: [string, number][]) => pairs.map(([text, logprob]) => ({ text, logprob }));
const close = (a: number, b: number, tol = 5e-4) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

test('yesNoProbability reproduces the spec examples: reference reader vs normalized', () => {
  const a = t([['Yes', -0.01], ['No', -4.8], ['yes', -7], ['Sure', -8], ['.', -9]]);
  close(yesNoProbability(a, 'reference').p, 0.0989);
  close(yesNoProbability(a, 'normalized').p, 0.9918);
  const b = t([['Yes', -0.002], ['Sure', -8], ['Certainly', -9], ['Absolutely', -10], ['I', -11]]);
  close(yesNoProbability(b, 'reference').p, 0.4995);
  close(yesNoProbability(b, 'normalized').p, 1.0);
  const c = t([['No', -0.05], ['Yes', -3], ['Not', -6], ['I', -7], ['no', -8]]);
  close(yesNoProbability(c, 'reference').p, 1.0);
  close(yesNoProbability(c, 'normalized').p, 0.0497);
});

test('yesNoProbability: an absent class is bounded by the smallest listed log-prob; both absent → 0.5, missing', () => {
  const r = yesNoProbability(t([['Yes', Math.log(0.5)], ['Maybe', Math.log(0.1)]]));
  close(r.p, 0.5 / 0.6, 1e-12);
  const m = yesNoProbability(t([['Maybe', -1], ['Perhaps', -2]]));
  assert.deepEqual(m, { p: 0.5, missing: true });
  // leading spaces and case do not matter; "Not" is not "no"
  close(yesNoProbability(t([[' yes', Math.log(0.3)], [' NO', Math.log(0.3)], ['Not', Math.log(0.3)]])).p, 0.5, 1e-12);
  assert.throws(() => yesNoProbability([{ text: 'yes', logprob: 0.5 }]), /logprob: number ≤ 0/);
});

test('answerProbabilities: normalized matches whole options; reference sums tokens containing the option', () => {
  const top = t([['A', Math.log(0.6)], ['B', Math.log(0.2)], [' A', Math.log(0.1)], ['C', Math.log(0.05)]]);
  const n = answerProbabilities(top, ['A', 'B', 'C', 'D', 'E']);
  close(n.p[0]!, 0.7 / (0.7 + 0.2 + 0.05 + 0.05 * 2), 1e-9); // D and E absent → bounded by the smallest (0.05)
  const r = answerProbabilities(top, ['A', 'B', 'C', 'D', 'E'], 'reference');
  // reference: A gets log .6 + log .1 (product), D and E start at 0 (probability 1)
  close(r.p[3]!, 1 / (0.06 + 0.2 + 0.05 + 2), 1e-9);
});

const record = (id: string, correct: boolean, nq: number): RawRecord => ({
  id, correct,
  answer: { text: correct ? 'yes' : 'no', top: t([['yes', Math.log(0.7)], ['no', Math.log(0.2)], ['maybe', Math.log(0.05)]]) },
  pre: t([['Yes', Math.log(0.6)], ['No', Math.log(0.4)]]),
  post: t([['No', Math.log(0.9)], ['I', Math.log(0.01)]]),
  followUps: Array.from({ length: nq }, () => t([['Yes', Math.log(0.25)], ['No', Math.log(0.75)]])),
});

test('buildFeatures lays out follow-ups ⊕ answer probs ⊕ pre ⊕ post ⊕ top-5 (58 dims for BoolQ with 49 questions)', () => {
  const qs = Array.from({ length: 49 }, (_, i) => `q${i}?`);
  const f = buildFeatures([record('a', true, 49), record('b', false, 49)], boolqTask, qs);
  assert.equal(f.names.length, 58);
  assert.equal(f.X[0]!.length, 58);
  close(f.X[0]![0]!, 0.25, 1e-12);
  close(f.X[0]![49]!, 0.2 / 0.9, 1e-12); // P(no) among the options ["no", "yes"]
  close(f.X[0]![51]!, 0.6, 1e-12);
  close(f.X[0]![52]!, 0.01 / 0.91, 1e-12); // post: "yes" absent, bounded by the smallest listed probability
  assert.deepEqual(f.groups.topLogprobs, [53, 54, 55, 56, 57]);
  assert.equal(f.paddedItems, 2); // 3 entries padded to 5 with the smallest
  close(f.X[0]![57]!, Math.log(0.05), 1e-12);
  const open = buildFeatures([record('a', true, 2)], nqTask, ['x', 'y']);
  assert.equal(open.X[0]!.length, 2 + 1 + 2 + 5);
  assert.throws(() => buildFeatures([record('a', true, 3)], nqTask, ['x', 'y']), /3 follow-up answers, the battery has 2/);
});

test('samplingApproximation turns probabilities into k-sample frequencies, only in the given columns', () => {
  const X = [Float64Array.from([0.3, 5]), Float64Array.from([1, 5])];
  const a = samplingApproximation(X, [0], 10, 1);
  assert.equal(a[0]![1], 5);
  assert.equal(a[1]![0], 1);
  assert.ok(Number.isInteger(a[0]![0]! * 10));
  assert.deepEqual(samplingApproximation(X, [0], 10, 1), a);
});
