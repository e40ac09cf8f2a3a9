import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pdeVerdict, type PdeMetrics } from '../../src/experiments/pde/neural-ivp.ts';
import { renderReport } from '../../src/report/index.ts';
import { checkExperimentResult } from '../../src/experiments/validate.ts';
import type { DemoResults } from '../../src/experiments/results.ts';

const base: PdeMetrics = {
  steps: 40, stoppedRuns: 0, errA: 0.2, errB: 0.02, errC: 0.005,
  condA0: 1e6, condAEnd: 1e10, condB0: 1e6, condBEnd: 1e8, condCEnd: 1e6, restartCondRatio: 0.1,
};

test('pdeVerdict: every check passing is reproduced', () => {
  const v = pdeVerdict(base);
  assert.equal(v.verdict, 'reproduced');
  assert.ok(v.checks.every((c) => c.passed));
});

test('pdeVerdict: no check passing is not reproduced', () => {
  const v = pdeVerdict({ ...base, errA: 0.004, errB: 0.004, errC: 0.005, condAEnd: 2e6, restartCondRatio: 1.2 });
  assert.equal(v.verdict, 'not reproduced');
  assert.ok(v.checks.every((c) => !c.passed));
});

test('pdeVerdict: some checks passing is partly reproduced; margins are enforced', () => {
  // C beats B by less than the 1.5× margin: that check fails, the others pass.
  const v = pdeVerdict({ ...base, errB: 0.007 });
  assert.equal(v.verdict, 'partly reproduced');
  assert.equal(v.checks.filter((c) => !c.passed).length, 1);
  // cond growth just under 100× fails its check.
  assert.equal(pdeVerdict({ ...base, condAEnd: 9.9e7 }).verdict, 'partly reproduced');
  // No measured restart: that check cannot pass.
  assert.equal(pdeVerdict({ ...base, restartCondRatio: null }).verdict, 'partly reproduced');
});

test('pdeVerdict: cond(M) at the float64 limit is not measurable and cannot count as a pass', () => {
  const sat = { ...base, condA0: 9e14, condAEnd: 4.5e15, condCEnd: 9e14, restartCondRatio: 1.1 };
  const v = pdeVerdict(sat);
  assert.equal(v.verdict, 'partly reproduced');
  assert.deepEqual(v.checks.map((c) => c.measurable), [false, true, false, true]);
  // With the measurable error checks failing too, nothing measured passes.
  assert.equal(pdeVerdict({ ...sat, errA: 0.004, errC: 0.005, errB: 0.004 }).verdict, 'not reproduced');
});

test('pdeVerdict: short or broken runs are inconclusive', () => {
  assert.equal(pdeVerdict({ ...base, steps: 4 }).verdict, 'inconclusive');
  assert.equal(pdeVerdict({ ...base, stoppedRuns: 1 }).verdict, 'inconclusive');
  assert.equal(pdeVerdict({ ...base, errA: NaN }).verdict, 'inconclusive');
});

test('the report validates and renders an inconclusive verdict as its own badge', () => {
  const result = checkExperimentResult('x', { verdict: 'inconclusive', summary: 's', setup: 's', metrics: {}, reference: {}, figures: [], tables: [] });
  const results: DemoResults = {
    schema: 'strata-demo-results/1', createdAt: '2026-01-01T00:00:00Z', options: { seed: 0, quick: true, extended: false, only: null },
    environment: { node: 'v', platform: 'linux', arch: 'x64', cpus: 2, cpuModel: 'c', strataVersion: '0', gitCommit: null, sharedData: false },
    totalSeconds: 1,
    experiments: [{ name: 'pde-neural-ivp', system: 'pde', paper: 'p', claim: 'c', ...result, seconds: 1, status: 'ok', command: 'npm start', budgetSeconds: { full: 1, quick: 1 } }],
  };
  const html = renderReport(results);
  assert.match(html, /badge-inconclusive/);
  assert.match(html, /\? inconclusive/);
  assert.doesNotMatch(html, /✗ not reproduced/);
});
