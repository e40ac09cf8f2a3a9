import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveSeed } from '../../src/core/index.ts';
import {
  runExperiments, scheduleOrder, type DemoResults, type Experiment, type ExperimentRecord, type RunOptions,
} from '../../src/experiments/index.ts';
import { createDemoCommand } from '../../src/cli/commands/demo.ts';
import { runCli } from '../../src/cli/run.ts';
import { barFixture, fixtureExperiments } from '../report/fixtures.ts';
import { contextProbe, crashingFixture, timedFixture, workerExperiments } from './worker-fixtures.ts';
import { testIO } from '../cli/io.ts';

const registry = { module: new URL('./worker-fixtures.ts', import.meta.url).href, exportName: 'workerExperiments' };
const silent = { update() {}, log() {} };
const workDir = mkdtempSync(join(tmpdir(), 'strata-runner-test-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

const base: RunOptions = { seed: 5, quick: true, extended: false, only: null, sharedDataDir: '/data', registry };
/** A record without its wall time, the one field that differs between runs. */
const untimed = ({ seconds: _, ...rest }: ExperimentRecord) => rest;

test('scheduleOrder starts exclusive experiments first, then the rest by budget, longest first, ties in order', () => {
  const e = (name: string, quick: number, exclusive = false): Experiment => ({ ...barFixture, name, budgetSeconds: { full: quick * 2, quick }, exclusive });
  const list = [e('a', 5), e('b', 20), e('t', 1, true), e('c', 20), e('d', 30), e('u', 9, true)];
  assert.deepEqual(scheduleOrder(list, 'quick'), { exclusive: [2, 5], shared: [4, 1, 3, 0] });
});

test('two worker processes give the records of a sequential in-process run, in registry order', async () => {
  const selected = [...fixtureExperiments, contextProbe, timedFixture];
  const sequential = await runExperiments(selected, { ...base, jobs: 1 }, { progressFor: () => silent });
  const parallel = await runExperiments(selected, { ...base, jobs: 2 }, { progressFor: () => silent });
  assert.deepEqual(parallel.experiments.map((r) => r.name), selected.map((x) => x.name));
  assert.deepEqual(parallel.experiments.map(untimed), sequential.experiments.map(untimed));
  assert.equal(parallel.pending, undefined);
  // The probe saw its own derived seed (user seed + name) and the options; NaN and -Infinity crossed the process
  // boundary intact.
  const probe = parallel.experiments.find((r) => r.name === contextProbe.name)!;
  assert.equal(probe.metrics.seed, deriveSeed(5, 'fixture-context-probe'));
  assert.equal(probe.metrics.quick, 'true');
  assert.equal(probe.metrics.data, '/data');
  assert.ok(Number.isNaN(probe.metrics.nan));
  assert.equal(probe.metrics.inf, -Infinity);
  // A failure inside a worker is recorded as in-process (same name and message).
  assert.deepEqual(parallel.experiments.find((r) => r.status === 'failed')!.error, sequential.experiments.find((r) => r.status === 'failed')!.error);
});

test("an experiment's seed depends on the user's seed and its name, not on its position or on --only", async () => {
  const alone = await runExperiments([contextProbe], { ...base, jobs: 1 }, { progressFor: () => silent });
  const last = await runExperiments([barFixture, fixtureExperiments[0]!, contextProbe], { ...base, jobs: 1 }, { progressFor: () => silent });
  assert.equal(alone.experiments[0]!.metrics.seed, last.experiments[2]!.metrics.seed);
  const other = await runExperiments([contextProbe], { ...base, seed: 6, jobs: 1 }, { progressFor: () => silent });
  assert.notEqual(other.experiments[0]!.metrics.seed, alone.experiments[0]!.metrics.seed);
});

test('an exclusive experiment starts when nothing else runs and nothing starts beside it', async () => {
  const events: string[] = [];
  const selected = [fixtureExperiments[0]!, barFixture, timedFixture, fixtureExperiments[1]!];
  await runExperiments(selected, { ...base, jobs: 2 }, {
    progressFor: () => silent,
    onStart: (e) => events.push(`start ${e.name}`),
    onFinish: (r) => events.push(`finish ${r.name}`),
  });
  const running = new Set<string>();
  for (const event of events) {
    const [kind, name] = event.split(' ') as ['start' | 'finish', string];
    if (kind === 'start') {
      if (name === timedFixture.name) assert.equal(running.size, 0, `${name} started beside ${[...running].join(', ')}`);
      else assert.ok(!running.has(timedFixture.name), `${name} started beside the exclusive experiment`);
      running.add(name);
    } else {
      running.delete(name);
    }
  }
  assert.equal(events.length, 8);
});

test('a worker process that dies fails only its experiment; a fresh worker runs the rest', async () => {
  const selected = [crashingFixture, barFixture, contextProbe, fixtureExperiments[1]!];
  const logs: string[] = [];
  const results = await runExperiments(selected, { ...base, jobs: 2 }, { progressFor: () => ({ update() {}, log: (m) => logs.push(m) }) });
  assert.deepEqual(results.experiments.map((r) => r.status), ['failed', 'ok', 'ok', 'ok']);
  assert.match(results.experiments[0]!.error!.message, /experiment 'fixture-crashes' did not finish: the worker process exited with code 3/);
  assert.ok(logs.includes('about to exit'), 'progress logs come back from the worker');
});

test('runExperiments reports the results so far before the first and after each experiment, with the rest pending', async () => {
  const snapshots: DemoResults[] = [];
  await runExperiments(fixtureExperiments.slice(0, 3), { ...base, jobs: 1 }, { progressFor: () => silent, onUpdate: (p) => snapshots.push(structuredClone(p)) });
  assert.deepEqual(snapshots.map((s) => s.experiments.map((r) => r.name)), [
    [], ['fixture-mc-rate'], ['fixture-mc-rate', 'fixture-scatter'], ['fixture-mc-rate', 'fixture-scatter', 'fixture-bars'],
  ]);
  assert.deepEqual(snapshots.map((s) => s.pending), [
    ['fixture-mc-rate', 'fixture-scatter', 'fixture-bars'], ['fixture-scatter', 'fixture-bars'], ['fixture-bars'], undefined,
  ]);
});

test('runExperiments refuses jobs < 1 and jobs > 1 without a registry module', async () => {
  await assert.rejects(runExperiments([barFixture], { ...base, jobs: 0 }, { progressFor: () => silent }), /jobs: expected a positive integer, got 0/);
  const { registry: _, ...noRegistry } = base;
  await assert.rejects(runExperiments([barFixture, contextProbe], { ...noRegistry, jobs: 2 }, { progressFor: () => silent }), /jobs > 1 needs options.registry/);
});

test('strata demo --jobs 2 writes the same results.json as --jobs 1, timings aside', async () => {
  const demo = [createDemoCommand(workerExperiments, () => null, registry)];
  const only = ['--only', 'fixture-mc-rate,fixture-scatter,fixture-bars,fixture-context-probe,fixture-timed'];
  const one = testIO(workDir);
  assert.equal(await runCli(['demo', '--quick', '--jobs', '1', '--out', 'j1', ...only], one, demo), 0, one.stderr.text);
  const two = testIO(workDir);
  assert.equal(await runCli(['demo', '--quick', '--jobs', '2', '--out', 'j2', ...only], two, demo), 0, two.stderr.text);
  const read = (dir: string) => JSON.parse(readFileSync(join(workDir, dir, 'results.json'), 'utf8')) as DemoResults;
  const a = read('j1'), b = read('j2');
  assert.deepEqual(b.experiments.map(untimed), a.experiments.map(untimed));
  assert.deepEqual(b.options, a.options);
  assert.match(two.stderr.text, /linalg\/fixture-timed — budget ~[^\n]+ \(runs alone: it reports timings\)/);
  assert.match(two.stderr.text, /linalg\/fixture-bars: reproduced in/);
  assert.ok(!existsSync(join(workDir, 'j2', `results.json.${process.pid}.tmp`)));
});

test('strata demo keeps results.json up to date while it runs, so an interrupted run keeps finished experiments', async () => {
  let seenOnDisk: DemoResults | null = null;
  let seenFirst: DemoResults | null = null;
  // A previous run's complete results.json must not pass for this run's while its first experiment runs.
  mkdirSync(join(workDir, 'inc'), { recursive: true });
  writeFileSync(join(workDir, 'inc', 'results.json'), JSON.stringify({ experiments: [{ name: 'stale' }] }));
  const first: Experiment = {
    ...fixtureExperiments[0]!,
    async run(ctx) {
      seenFirst = JSON.parse(readFileSync(join(workDir, 'inc', 'results.json'), 'utf8')) as DemoResults;
      return fixtureExperiments[0]!.run(ctx);
    },
  };
  const reader: Experiment = {
    ...barFixture,
    name: 'fixture-reads-results',
    async run(ctx) {
      seenOnDisk = JSON.parse(readFileSync(join(workDir, 'inc', 'results.json'), 'utf8')) as DemoResults;
      return barFixture.run(ctx);
    },
  };
  const io = testIO(workDir);
  assert.equal(await runCli(['demo', '--quick', '--out', 'inc'], io, [createDemoCommand([first, reader], () => null)]), 0, io.stderr.text);
  const before = seenFirst as DemoResults | null;
  assert.deepEqual(before?.experiments, []);
  assert.deepEqual(before?.pending, ['fixture-mc-rate', 'fixture-reads-results']);
  const partial = seenOnDisk as DemoResults | null;
  assert.ok(partial !== null);
  assert.deepEqual(partial.experiments.map((r) => r.name), ['fixture-mc-rate']);
  assert.deepEqual(partial.pending, ['fixture-reads-results']);
  const final = JSON.parse(readFileSync(join(workDir, 'inc', 'results.json'), 'utf8')) as DemoResults;
  assert.equal(final.pending, undefined);
  assert.equal(final.experiments.length, 2);
});

test('strata demo checks --out before the first experiment: a file is a usage error (2), an uncreatable folder exit 1', async () => {
  let ran = 0;
  const spy: Experiment = { ...barFixture, async run(ctx) { ran += 1; return barFixture.run(ctx); } };
  const demo = [createDemoCommand([spy], () => null)];
  const file = join(workDir, 'a-file');
  writeFileSync(file, 'not a folder');
  const cases: [string, number, RegExp][] = [
    [file, 2, /--out: .*a-file exists and is not a directory; expected a directory to write into/],
    [join(file, 'sub'), 2, /--out: cannot create .*a-file\/sub: .*a-file is not a directory/],
  ];
  if (existsSync('/proc/self')) cases.push(['/proc/strata-no-such/dir', 1, /--out: cannot create \/proc\/strata-no-such: /]);
  for (const [out, code, message] of cases) {
    const io = testIO(workDir);
    assert.equal(await runCli(['demo', '--out', out], io, demo), code, io.stderr.text);
    assert.match(io.stderr.text, message);
    assert.doesNotMatch(io.stderr.text, /\n\s+at /);
  }
  assert.equal(ran, 0, 'no experiment ran');
  assert.equal(readFileSync(file, 'utf8'), 'not a folder');
});

test('strata demo --jobs takes a positive integer', async () => {
  for (const bad of ['0', '-1', '1.5', 'two', '']) {
    const io = testIO(workDir);
    assert.equal(await runCli(['demo', `--jobs=${bad}`], io, [createDemoCommand(fixtureExperiments, () => null)]), 2, bad);
    assert.match(io.stderr.text, /--jobs: expected a positive integer/);
  }
});
