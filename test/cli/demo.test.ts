import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Experiment, ExperimentResult } from '../../src/experiments/contract.ts';
import { ArgumentError, RuntimeFailure } from '../../src/core/errors.ts';
import { deriveSeed } from '../../src/core/random.ts';
import { createDemoCommand } from '../../src/cli/commands/demo.ts';
import { runCli } from '../../src/cli/run.ts';
import { runExperiments, selectExperiments } from '../../src/experiments/runner.ts';
import { findSharedDataDir } from '../../src/experiments/paths.ts';
import { experiments as registry } from '../../src/experiments/registry.ts';
import { barFixture, failingFixture, fixtureExperiments, monteCarloFixture, scatterFixture } from '../report/fixtures.ts';
import { testIO } from './io.ts';

const workDir = mkdtempSync(join(tmpdir(), 'strata-demo-test-'));
after(() => rmSync(workDir, { recursive: true, force: true }));
const silent = { update() {}, log() {} };

function demoWith(experiments: Experiment[]) {
  return [createDemoCommand(experiments, () => null)];
}

test('selectExperiments(all, only) keeps registry order and rejects unknown names, listing the known ones', () => {
  const picked = selectExperiments(fixtureExperiments, ['fixture-bars', 'fixture-mc-rate']);
  assert.deepEqual(picked.map((e) => e.name), ['fixture-mc-rate', 'fixture-bars']);
  assert.throws(
    () => selectExperiments(fixtureExperiments, ['nope']),
    (e: unknown) => e instanceof ArgumentError && /--only: unknown experiment 'nope'; expected one of fixture-mc-rate/.test(e.message),
  );
  assert.throws(() => selectExperiments([barFixture, barFixture], null), RuntimeFailure);
});

test('runExperiments records a throwing experiment as failed and still runs the rest', async () => {
  const results = await runExperiments([failingFixture, barFixture], { seed: 1, quick: true, extended: false, only: null, sharedDataDir: null }, { progressFor: () => silent });
  const [failed, ok] = results.experiments;
  assert.equal(failed!.status, 'failed');
  assert.equal(failed!.verdict, 'not reproduced');
  assert.deepEqual(failed!.error, { name: 'RuntimeFailure', message: 'solver diverged at step 3 <img src=x onerror=alert(1)>' });
  assert.equal(ok!.status, 'ok');
  assert.equal(ok!.verdict, 'reproduced');
});

test('runExperiments turns a malformed result into a failure naming the experiment and the field', async () => {
  const bad: Experiment = {
    ...barFixture,
    name: 'bad-result',
    async run() {
      return { verdict: 'maybe', summary: '', setup: '', metrics: {}, reference: {}, figures: [], tables: [] } as unknown as ExperimentResult;
    },
  };
  const uneven: Experiment = {
    ...barFixture,
    name: 'uneven-series',
    async run() {
      return {
        verdict: 'reproduced', summary: '', setup: '', metrics: {}, reference: {}, tables: [],
        figures: [{ id: 'f', title: 't', kind: 'line', xLabel: 'x', yLabel: 'y', series: [{ name: 's', x: [1, 2], y: [1] }] }],
      };
    },
  };
  const results = await runExperiments([bad, uneven], { seed: 1, quick: true, extended: false, only: null, sharedDataDir: null }, { progressFor: () => silent });
  assert.match(results.experiments[0]!.error!.message, /experiment 'bad-result' returned an invalid result: verdict must be one of/);
  assert.match(results.experiments[1]!.error!.message, /series 's' needs x and y arrays of equal length/);
});

test('runExperiments times each experiment with the given clock and passes seed, quick and data dir', async () => {
  let clock = 0;
  let seen: unknown = null;
  const probe: Experiment = {
    ...barFixture,
    name: 'probe',
    async run(ctx) {
      seen = { seed: ctx.seed, quick: ctx.quick, dir: ctx.sharedDataDir };
      clock += 2500;
      return barFixture.run(ctx);
    },
  };
  const results = await runExperiments([probe], { seed: 42, quick: true, extended: false, only: null, sharedDataDir: '/data' }, { progressFor: () => silent, now: () => clock });
  // The experiment's own seed: derived from the user's seed and its name (order-independent).
  assert.deepEqual(seen, { seed: deriveSeed(42, 'probe'), quick: true, dir: '/data' });
  assert.equal(results.experiments[0]!.seconds, 2.5);
  assert.equal(results.totalSeconds, 2.5);
});

test('strata demo writes index.html and results.json and prints a summary; exit 0 when all ran', async () => {
  const io = testIO(workDir);
  const code = await runCli(['demo', '--out', 'r1', '--only', 'fixture-mc-rate,fixture-scatter'], io, demoWith(fixtureExperiments));
  assert.equal(code, 0, io.stderr.text);
  assert.ok(existsSync(join(workDir, 'r1', 'index.html')));
  const json = JSON.parse(readFileSync(join(workDir, 'r1', 'results.json'), 'utf8'));
  assert.deepEqual(json.experiments.map((e: { name: string }) => e.name), ['fixture-mc-rate', 'fixture-scatter']);
  assert.deepEqual(json.options, { seed: 1, quick: false, extended: false, only: ['fixture-mc-rate', 'fixture-scatter'] });
  assert.match(io.stdout.text, /core\s+fixture-mc-rate\s+reproduced/);
  assert.match(io.stdout.text, /Report: r1\/index\.html/);
  assert.match(io.stderr.text, /\[1\/2\] core\/fixture-mc-rate/);
});

test('strata demo with a failing experiment runs the others, reports it and exits 1', async () => {
  const io = testIO(workDir);
  const code = await runCli(['demo', '--out', 'r2'], io, demoWith([failingFixture, scatterFixture]));
  assert.equal(code, 1);
  const json = JSON.parse(readFileSync(join(workDir, 'r2', 'results.json'), 'utf8'));
  assert.deepEqual(json.experiments.map((e: { status: string }) => e.status), ['failed', 'ok']);
  assert.match(io.stderr.text, /1 experiment failed to run: fixture-fails/);
  assert.match(io.stdout.text, /forecast\s+fixture-fails\s+FAILED/);
});

test('strata demo --json prints exactly one JSON document on stdout and logs only on stderr', async () => {
  const io = testIO(workDir);
  const code = await runCli(['demo', '--json', '--quick', '--seed', '9', '--out', 'r3'], io, demoWith([monteCarloFixture]));
  assert.equal(code, 0);
  const doc = JSON.parse(io.stdout.text);
  assert.equal(doc.options.seed, 9);
  assert.equal(doc.experiments[0].name, 'fixture-mc-rate');
  assert.deepEqual(doc, JSON.parse(readFileSync(join(workDir, 'r3', 'results.json'), 'utf8')));
  assert.match(io.stderr.text, /fixture-mc-rate/);
});

test('strata demo --quiet writes nothing to stderr, and without a TTY no control characters', async () => {
  const quiet = testIO(workDir);
  assert.equal(await runCli(['demo', '--quiet', '--out', 'r4'], quiet, demoWith([monteCarloFixture])), 0);
  assert.equal(quiet.stderr.text, '');
  const plain = testIO(workDir);
  assert.equal(await runCli(['demo', '--out', 'r4'], plain, demoWith([monteCarloFixture])), 0);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(plain.stderr.text, /[\x00-\x08\x0b-\x1f\x7f]/);
});

test('strata demo --list --json lists the registry without running it', async () => {
  const io = testIO(workDir);
  let ran = false;
  const spy: Experiment = { ...barFixture, async run(ctx) { ran = true; return barFixture.run(ctx); } };
  assert.equal(await runCli(['demo', '--list', '--json'], io, demoWith([spy])), 0);
  assert.equal(ran, false);
  assert.deepEqual(JSON.parse(io.stdout.text).experiments.map((e: { name: string }) => e.name), ['fixture-bars']);
});

test('strata demo on an empty registry says so clearly and writes an empty report', async () => {
  const io = testIO(workDir);
  assert.equal(await runCli(['demo', '--out', 'r5'], io, demoWith([])), 0);
  assert.match(io.stderr.text, /no experiments are registered yet/);
  assert.match(readFileSync(join(workDir, 'r5', 'index.html'), 'utf8'), /No experiments ran/);
});

test('strata demo usage errors exit 2 and name the argument', async () => {
  const cases: [string[], RegExp][] = [
    [['demo', '--seed=-1'], /--seed: expected an integer from 0 to 4294967295, got '-1'/],
    [['demo', '--seed', '-1'], /Option '--seed' argument is ambiguous/],
    [['demo', '--seed', '4294967296'], /--seed: expected an integer/],
    [['demo', '--seed', '1.5'], /--seed: expected an integer/],
    [['demo', '--only', 'a,,b'], /--only: expected a comma-separated list/],
    [['demo', '--only', 'missing'], /--only: unknown experiment 'missing'/],
    [['demo', '--frobnicate'], /unknown option '--frobnicate'; expected one of --help/],
    [['demo', 'extra'], /unexpected argument 'extra'/],
    [['demo', '--out', ''], /--out: expected a directory path/],
    [['demo', '--out'], /--out/],
  ];
  for (const [argv, message] of cases) {
    const io = testIO(workDir);
    assert.equal(await runCli(argv, io, demoWith(fixtureExperiments)), 2, argv.join(' '));
    assert.match(io.stderr.text, message);
    assert.match(io.stderr.text, /Run 'strata demo --help' for usage/);
    assert.doesNotMatch(io.stderr.text, /\n\s+at /, 'no stack trace for a usage error');
    assert.equal(io.stdout.text, '');
  }
});

test('the shipped registry holds only well-formed, uniquely named experiments', () => {
  selectExperiments(registry, null);
  for (const e of registry) {
    assert.match(e.name, /^[a-z0-9]+(-[a-z0-9]+)*$/, `${e.name} is kebab-case`);
    assert.ok(e.paper.length > 0 && e.claim.length > 0 && e.command.length > 0, `${e.name} declares paper, claim and command`);
    assert.ok(e.budgetSeconds.quick > 0 && e.budgetSeconds.quick <= e.budgetSeconds.full, `${e.name} budget`);
    assert.ok(!e.name.startsWith('fixture-'), 'test fixtures stay out of the registry');
  }
});

test('findSharedDataDir(root) is null when ../shared/data is absent', () => {
  assert.equal(findSharedDataDir(join(workDir, 'no-such-repo')), null);
});
