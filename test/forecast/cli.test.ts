import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/run.ts';
import { testIO } from '../cli/io.ts';
import { figureScores } from '../../src/forecast/metrics.ts';
import { DEFAULT_MODEL_PATH, defaultModelAvailable } from '../../src/forecast/digit-model.ts';

const dir = mkdtempSync(join(tmpdir(), 'strata-forecast-cli-'));

test('strata forecast score --input f.json --json prints {"mae", "crps"} by the figure rules', async () => {
  const doc = { truth: [2.5, 4.0, 7.0], samples: [[3, 1, 4], [1, 5, 9], [2, 6, 5], [3, 5, 8], [9, 7, 9], [3, 2, 3], [8, 4, 6], [2, 6, 4], [3, 3, 8], [3, 2, 7], [100, 100, 100]] };
  writeFileSync(join(dir, 's.json'), JSON.stringify(doc));
  const io = testIO(dir);
  assert.equal(await runCli(['forecast', 'score', '--input', 's.json', '--json'], io), 0);
  const out = JSON.parse(io.stdout.text);
  // numpy values for the first 10 samples (the 11th is ignored by the figure CRPS; the median uses all 11).
  assert.ok(Math.abs(out.crps - 0.12118518518518519) < 1e-15);
  assert.equal(out.mae, figureScores(doc.samples, doc.truth).mae);
});

test('strata forecast score refuses a malformed file with a clear message', async () => {
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ truth: [1, 2], samples: [[1]] }));
  const io = testIO(dir);
  assert.equal(await runCli(['forecast', 'score', '--input', 'bad.json'], io), 2);
  assert.match(io.stderr.text, /samples\[0\] has 1 steps, expected 2/);
  const io2 = testIO(dir);
  assert.equal(await runCli(['forecast', 'score', '--input', 'missing.json'], io2), 2);
  assert.match(io2.stderr.text, /cannot read/);
});

test('strata forecast rejects a missing column, non-numeric cells, bad horizons and a non-GGUF model', async () => {
  writeFileSync(join(dir, 'a.csv'), 'month,value\n1,10\n2,12\n3,x\n');
  writeFileSync(join(dir, 'b.csv'), 'month,value\n1,10\n2,\n3,11\n4,13\n');
  writeFileSync(join(dir, 'c.csv'), 'month,value\n1,10\n2,11\n3,12\n4,13\n5,12\n');
  writeFileSync(join(dir, 'not.gguf'), 'hello, this is not a model');
  const cases: [string[], RegExp][] = [
    [['--csv', 'a.csv', '--column', 'nope', '--horizon', '2'], /no column 'nope'; its columns are 'month', 'value'/],
    [['--csv', 'a.csv', '--column', 'value', '--horizon', '2'], /row 4, column 'value' is 'x', not a number/],
    [['--csv', 'b.csv', '--column', 'value', '--horizon', '2'], /row 3, column 'value' is missing.*--missing nan/],
    [['--csv', 'c.csv', '--column', 'value', '--horizon', '0'], /--horizon: expected an integer ≥ 1, got '0'/],
    [['--csv', 'c.csv', '--column', 'value', '--horizon', '3', '--score'], /holding out 3 leaves 2, need at least 3/],
    [['--csv', 'c.csv', '--column', 'value', '--horizon', '2', '--model', 'not.gguf', '--no-cache'], /not a loadable GGUF file/],
    [['--csv', 'c.csv', '--column', 'value', '--horizon', '2', '--model', 'absent.gguf', '--no-cache'], /does not exist/],
    [['--csv', 'nofile.csv', '--column', 'value', '--horizon', '2'], /cannot read CSV file/],
  ];
  for (const [args, pattern] of cases) {
    const io = testIO(dir);
    assert.equal(await runCli(['forecast', ...args], io), 2, `${args.join(' ')}: ${io.stderr.text}`);
    assert.match(io.stderr.text, pattern);
  }
});

test('strata forecast reports a server that is down as a failure naming the address', async () => {
  const io = testIO(dir);
  const code = await runCli(['forecast', '--csv', 'c.csv', '--column', 'value', '--horizon', '2', '--url', 'http://127.0.0.1:59997/v1', '--model-name', 'm', '--no-cache', '--samples', '1', '--retries', '1'], io);
  assert.equal(code, 1, io.stderr.text);
  assert.match(io.stderr.text, /cannot reach http:\/\/127\.0\.0\.1:59997\/.*ECONNREFUSED.*is the server running/);
});

const MODEL_SKIP: string | false = defaultModelAvailable() ? false : `model ${DEFAULT_MODEL_PATH} is absent`;

test('strata forecast --score --tune --json --plot with the default model prints scores and writes an SVG', { skip: MODEL_SKIP }, async () => {
  const rows = Array.from({ length: 72 }, (_, t) => `${t},${(100 + t + 15 * Math.sin((2 * Math.PI * t) / 12)).toFixed(2)}`);
  writeFileSync(join(dir, 'seasonal.csv'), 'month,value\n' + rows.join('\n') + '\n');
  const io = testIO(dir);
  const code = await runCli(['forecast', '--csv', 'seasonal.csv', '--column', 'value', '--horizon', '6', '--score', '--tune',
    '--samples', '3', '--json', '--plot', 'p.svg', '--cache', 'c.sqlite', '-q'], io);
  assert.equal(code, 0, io.stderr.text);
  const out = JSON.parse(io.stdout.text);
  assert.equal(out.median.length, 6);
  assert.ok(out.quantiles['0.1'].every((v: number, t: number) => v <= out.median[t] && out.median[t] <= out.quantiles['0.9'][t]));
  assert.equal(out.samples.length, 3);
  assert.equal(out.truth.length, 6);
  assert.ok(Number.isFinite(out.scores.mae) && Number.isFinite(out.scores.crps) && Number.isFinite(out.scores.nllPerDim));
  assert.ok([0.5, 0.7, 0.9, 0.99].includes(out.tuned.alpha));
  assert.match(readFileSync(join(dir, 'p.svg'), 'utf8'), /^<svg[^>]*>[\s\S]*median[\s\S]*<\/svg>\s*$/);
  // The same command with --replay takes every completion from the cache and never loads the model.
  const io2 = testIO(dir);
  assert.equal(await runCli(['forecast', '--csv', 'seasonal.csv', '--column', 'value', '--horizon', '6', '--score', '--samples', '3',
    '--alpha', String(out.tuned.alpha), '--beta', String(out.tuned.beta), '--json', '--cache', 'c.sqlite', '--replay', '-q'], io2), 0, io2.stderr.text);
  const replay = JSON.parse(io2.stdout.text);
  assert.equal(replay.cached, 3);
  assert.deepEqual(replay.median, out.median);
});
