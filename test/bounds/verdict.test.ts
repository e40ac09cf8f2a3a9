import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundsConditions, boundsVerdict, type BoundsVerdictMetrics } from '../../src/experiments/bounds/verdict.ts';
import { checkExperimentResult } from '../../src/experiments/validate.ts';

const good: BoundsVerdictMetrics = {
  dims: [250, 500, 1000, 2000, 4000],
  top1Bounds: [0.86, 0.8, 0.78, 0.82, 0.9],
  bpdBounds: [5.2, 4.8, 4.6, 4.9, 5.5],
  top1Random: 1 - 1 / 96,
  bpdRandom: Math.log2(96),
  fullModelTop1Bound: 12,
  fullModelBpdBound: 80,
  samplingTerm: 0.028,
  heldOutViolations: 0,
  subsampledTop1: 0.78,
  fullEvalTop1: 0.77,
};

test('boundsVerdict: all five conditions pass → reproduced', () => {
  assert.deepEqual(boundsConditions(good).map((c) => c.status), ['pass', 'pass', 'pass', 'pass', 'pass']);
  assert.equal(boundsVerdict(good), 'reproduced');
});

test('boundsVerdict: a bound below held-out risk is a bug → not reproduced, whatever else holds', () => {
  assert.equal(boundsVerdict({ ...good, heldOutViolations: 1 }), 'not reproduced');
});

test('boundsVerdict: vacuous best subspace bound → not reproduced (condition 1 fails)', () => {
  const m = { ...good, top1Bounds: [1.05, 1.02, 1.01, 1.03, 1.1] };
  assert.equal(boundsConditions(m)[0]!.status, 'fail');
  assert.equal(boundsVerdict(m), 'not reproduced');
  assert.equal(boundsVerdict({ ...good, bpdBounds: [7, 7, 7, 7, 7] }), 'not reproduced');
});

test('boundsVerdict: monotone bounds (minimum at an end, beyond the margin) → partly reproduced', () => {
  const m = { ...good, top1Bounds: [0.7, 0.75, 0.8, 0.85, 0.9] };
  assert.equal(boundsConditions(m)[2]!.status, 'fail');
  assert.equal(boundsVerdict(m), 'partly reproduced');
  assert.equal(boundsVerdict({ ...good, fullModelTop1Bound: 0.5 }), 'partly reproduced');
  assert.equal(boundsVerdict({ ...good, fullEvalTop1: 0.7 }), 'partly reproduced');
});

test('boundsVerdict: a U shape within the subsample resolution, or no full evaluation → inconclusive', () => {
  const flat = { ...good, top1Bounds: [0.79, 0.785, 0.78, 0.79, 0.795] };
  assert.equal(boundsConditions(flat)[2]!.status, 'inconclusive');
  assert.equal(boundsVerdict(flat), 'inconclusive');
  assert.equal(boundsVerdict({ ...good, subsampledTop1: null, fullEvalTop1: null }), 'inconclusive');
  assert.equal(boundsVerdict({ ...good, dims: [250, 500], top1Bounds: [0.8, 0.81], bpdBounds: [5, 5] }), 'inconclusive');
});

test("checkExperimentResult accepts the 'inconclusive' verdict", () => {
  const r = { verdict: 'inconclusive', summary: '', setup: '', metrics: {}, reference: {}, figures: [], tables: [] };
  assert.equal(checkExperimentResult('x', r).verdict, 'inconclusive');
});

test("renderReport draws an 'inconclusive' badge for an inconclusive experiment", async () => {
  const { renderReport } = await import('../../src/report/index.ts');
  const html = renderReport({
    schema: 'strata-demo-results/1', createdAt: '2026-01-01T00:00:00Z', options: { seed: 1, quick: false, extended: false, only: null },
    environment: { node: 'v20', platform: 'linux', arch: 'x64', cpus: 2, cpuModel: 'cpu', strataVersion: '0.1.0', gitCommit: null, sharedData: false },
    totalSeconds: 1,
    experiments: [{
      name: 'sublora-bounds', system: 'bounds', paper: 'p', claim: 'c', verdict: 'inconclusive', metrics: {}, reference: {}, seconds: 1, status: 'ok',
      summary: 's', setup: 's', command: 'strata demo --only sublora-bounds', budgetSeconds: { full: 1, quick: 1 }, figures: [], tables: [],
    }],
  });
  assert.match(html, /badge badge-inconclusive">\? inconclusive</);
  assert.match(html, /data-verdict="inconclusive"/);
});
