import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventSamplingVerdict, eventSamplingCriteria, type EventSamplingMetrics } from '../../src/experiments/diffusion/event-sampling.ts';

const good: EventSamplingMetrics = {
  linearFraction: 1, linearKsP: 0.3, logPError: -0.02, logPStderr: 0.02, maxFraction: 0.97, maxKs: 0.05, guidanceKs: [0.6, 0.9], ksNoise: 0.03,
};

test('event-sampling verdict: every criterion met → reproduced', () => {
  assert.equal(eventSamplingVerdict(good), 'reproduced');
  assert.ok(eventSamplingCriteria(good).every((c) => c.outcome === 'pass'));
});

test('event-sampling verdict: a failed KS test or too few samples in the event → partly / not reproduced', () => {
  assert.equal(eventSamplingVerdict({ ...good, linearKsP: 0.001 }), 'partly reproduced');
  assert.equal(eventSamplingVerdict({ ...good, maxKs: 0.7 }), 'partly reproduced');
  assert.equal(eventSamplingVerdict({ linearFraction: 0.5, linearKsP: 0, logPError: 2, logPStderr: 0.01, maxFraction: 0.2, maxKs: 0.9, guidanceKs: [0.5], ksNoise: 0.03 }), 'not reproduced');
});

test('event-sampling verdict: margins within the noise → inconclusive, never reproduced', () => {
  // |error| + 2 SE straddles 0.1
  assert.equal(eventSamplingVerdict({ ...good, logPError: 0.08, logPStderr: 0.03 }), 'inconclusive');
  // KS gap smaller than the two-sample noise level
  assert.equal(eventSamplingVerdict({ ...good, maxKs: 0.58, guidanceKs: [0.6, 0.9] }), 'inconclusive');
  // a clear log P miss is a failure, not inconclusive
  assert.equal(eventSamplingCriteria({ ...good, logPError: 0.3, logPStderr: 0.02 })[2]!.outcome, 'fail');
});

import { learnedScoreVerdict } from '../../src/experiments/diffusion/learned-score.ts';

test('learned-score verdict: agreement, partial agreement, failure, and an under-trained model is inconclusive', () => {
  const ok = { eventFraction: 0.95, ksP: 0.2, heldOutEvents: 80, unconditionalKs: 0.08 };
  assert.equal(learnedScoreVerdict(ok), 'reproduced');
  assert.equal(learnedScoreVerdict({ ...ok, ksP: 1e-5 }), 'partly reproduced');
  assert.equal(learnedScoreVerdict({ ...ok, eventFraction: 0.3 }), 'not reproduced');
  assert.equal(learnedScoreVerdict({ ...ok, unconditionalKs: 0.9 }), 'inconclusive');
  assert.equal(learnedScoreVerdict({ ...ok, heldOutEvents: 5 }), 'inconclusive');
});
