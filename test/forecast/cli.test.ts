import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/run.ts';
import { testIO } from '../cli/io.ts';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { figureScores } from '../../src/forecast/metrics.ts';
import { DEFAULT_MODEL_PATH, defaultModelAvailable } from '../../src/forecast/digit-model.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
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
  assert.equal(await runCli(['forecast', 'score', '--input', 'missing.json'], io2), 1); // a missing file is a failure, not a usage error
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
    [['--csv', 'c.csv', '--column', 'value', '--horizon', '2', '--quantiles', '0.05,1.2'], /--quantiles: expected comma-separated levels strictly between 0 and 1/],
    [['--csv', 'c.csv', '--column', 'value', '--horizon', '2', '--holdout', '3'], /--holdout 3 .* --horizon must be 3 too/],
    [['--csv', 'c.csv', '--column', 'value', '--holdout', '3', '--score'], /pass --score or --holdout N, not both/],
    [['--csv', 'c.csv', '--column', 'value', '--horizon', '2', '--delimiter', 'ab'], /--delimiter: expected one character/],
    [['--csv', 'long.csv', '--column', 'y', '--horizon', '2'], /Nixtla's long format.*--id-column unique_id/],
    [['--csv', 'gap.csv', '--column', 'y', '--horizon', '2'], /1 time step is missing between 2020-01-02 and 2020-01-04 in 'ds'/],
  ];
  writeFileSync(join(dir, 'long.csv'), 'unique_id,ds,y\nA,2020-01-01,1\nA,2020-01-02,2\nA,2020-01-03,3\nB,2020-01-01,5\nB,2020-01-02,6\nB,2020-01-03,7\n');
  writeFileSync(join(dir, 'gap.csv'), 'ds,y\n2020-01-01,1\n2020-01-02,2\n2020-01-04,4\n2020-01-05,5\n');
  for (const [args, pattern] of cases) {
    const io = testIO(dir);
    // Missing files exit 1 (a failure with the cause in words); everything else here is a usage error (2).
    const expected = /does not exist|cannot read CSV file/.test(pattern.source) ? 1 : 2;
    assert.equal(await runCli(['forecast', ...args], io), expected, `${args.join(' ')}: ${io.stderr.text}`);
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

test('forecast with a newest-first dated file: sorted, future months in the table and in --json with samples and the chosen quantiles', { skip: MODEL_SKIP }, async () => {
  const months = Array.from({ length: 36 }, (_, t) => [`${1949 + Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')}`, (100 + 2 * t + 10 * Math.sin((2 * Math.PI * t) / 12)).toFixed(1)]);
  writeFileSync(join(dir, 'air.csv'), 'Month;Passengers\n' + months.reverse().map((r) => r.join(';')).join('\n') + '\n');
  const io = testIO(dir);
  assert.equal(await runCli(['forecast', '--csv', 'air.csv', '--column', 'Passengers', '--horizon', '3', '--samples', '2', '--no-cache', '--quantiles', '0.05,0.95'], io), 0, io.stderr.text);
  const lines = io.stdout.text.split('\n');
  assert.match(lines[0]!, /^\s*Month\s+p5\s+median\s+p95$/);
  assert.deepEqual(lines.slice(1, 4).map((l) => l.trim().split(/\s+/)[0]), ['1952-01', '1952-02', '1952-03']);
  assert.match(io.stderr.text, /time column 'Month' every 1 month/);
  assert.match(io.stderr.text, /rows were not in time order; sorted by 'Month'/);
  const json = testIO(dir);
  assert.equal(await runCli(['forecast', '--csv', 'air.csv', '--column', 'Passengers', '--horizon', '3', '--samples', '2', '--no-cache', '--quantiles', '0.05,0.95', '--json', '-q'], json), 0, json.stderr.text);
  const doc = JSON.parse(json.stdout.text);
  assert.equal(doc.column, 'Passengers');
  assert.equal(doc.timeColumn, 'Month');
  assert.deepEqual(doc.dates, ['1952-01', '1952-02', '1952-03']);
  assert.equal(doc.lastTime, '1951-12');
  assert.equal(doc.samples.length, 2);
  assert.ok(doc.samples.every((s: number[]) => s.length === 3));
  assert.deepEqual(Object.keys(doc.quantiles), ['0.05', '0.5', '0.95']);
  assert.deepEqual(doc.quantiles['0.5'], doc.median);
  assert.equal(doc.truth, undefined);
});

test('--holdout N --json piped into `forecast score` round-trips (the real binary, a real pipe)', { skip: MODEL_SKIP }, () => {
  const days = Array.from({ length: 40 }, (_, t) => `${new Date(Date.UTC(2021, 0, 1 + t)).toISOString().slice(0, 10)},${(50 + t + 5 * Math.sin(t)).toFixed(2)}`);
  writeFileSync(join(dir, 'daily.csv'), 'ds,y\n' + days.join('\n') + '\n');
  const bin = join(repoRoot, 'bin', 'strata.js');
  const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${bin}" forecast --csv daily.csv --column y --holdout 4 --samples 3 --no-cache --json -q | "${process.execPath}" "${bin}" forecast score --json`], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const scored = JSON.parse(r.stdout);
  assert.equal(scored.horizon, 4);
  assert.equal(scored.samples, 3);
  assert.ok(Number.isFinite(scored.mae) && Number.isFinite(scored.crps) && Number.isFinite(scored.crps_energy));
  // The same document scored from a file gives the same numbers, and its truth is the file's last 4 values.
  const io = testIO(dir);
  return runCli(['forecast', '--csv', 'daily.csv', '--column', 'y', '--holdout', '4', '--samples', '3', '--no-cache', '--json', '-q'], io).then(async (code) => {
    assert.equal(code, 0, io.stderr.text);
    const doc = JSON.parse(io.stdout.text);
    assert.deepEqual(doc.truth, days.slice(-4).map((d) => Number(d.split(',')[1])));
    assert.deepEqual(doc.dates, ['2021-02-06', '2021-02-07', '2021-02-08', '2021-02-09']);
    writeFileSync(join(dir, 'held.json'), io.stdout.text);
    const score = testIO(dir);
    assert.equal(await runCli(['forecast', 'score', '--input', 'held.json', '--json'], score), 0, score.stderr.text);
    assert.deepEqual(JSON.parse(score.stdout.text), scored);
  });
});

test('--id-column forecasts each series of a long-format file; score reads the {series: [...]} document', { skip: MODEL_SKIP }, async () => {
  const rows: string[] = [];
  for (const id of ['north', 'south']) for (let t = 0; t < 12; t++) rows.push(`${id},${2000 + t},${(id === 'north' ? 10 : 100) + t}`);
  writeFileSync(join(dir, 'nixtla.csv'), 'unique_id,ds,y\n' + rows.join('\n') + '\n');
  const io = testIO(dir);
  assert.equal(await runCli(['forecast', '--csv', 'nixtla.csv', '--id-column', 'unique_id', '--time-column', 'ds', '--column', 'y', '--holdout', '2', '--samples', '2', '--no-cache', '--json', '-q'], io), 0, io.stderr.text);
  const doc = JSON.parse(io.stdout.text);
  assert.equal(doc.idColumn, 'unique_id');
  assert.deepEqual(doc.series.map((s: { id: string; dates: string[]; truth: number[] }) => [s.id, s.dates, s.truth]), [['north', ['2010', '2011'], [20, 21]], ['south', ['2010', '2011'], [110, 111]]]);
  writeFileSync(join(dir, 'nixtla.json'), io.stdout.text);
  const score = testIO(dir);
  assert.equal(await runCli(['forecast', 'score', '--input', 'nixtla.json', '--json'], score), 0, score.stderr.text);
  assert.deepEqual(JSON.parse(score.stdout.text).series.map((s: { id: string; horizon: number }) => [s.id, s.horizon]), [['north', 2], ['south', 2]]);
  const text = testIO(dir);
  assert.equal(await runCli(['forecast', '--csv', 'nixtla.csv', '--id-column', 'unique_id', '--time-column', 'ds', '--column', 'y', '--horizon', '1', '--samples', '2', '--no-cache', '-q'], text), 0, text.stderr.text);
  assert.match(text.stdout.text, /^unique_id north\n\s*ds\s+p10\s+median\s+p90\n\s*2012 /);
  assert.match(text.stdout.text, /\nunique_id south\n/);
});

test('a headerless tab-separated file with --no-header --delimiter tab --column 2; the cache location is said on creation', { skip: MODEL_SKIP }, async () => {
  writeFileSync(join(dir, 'plain.tsv'), Array.from({ length: 10 }, (_, t) => `${t}\t${20 + (t % 3)}`).join('\n') + '\n');
  const io = testIO(dir);
  assert.equal(await runCli(['forecast', '--csv', 'plain.tsv', '--no-header', '--delimiter', 'tab', '--column', '2', '--horizon', '2', '--samples', '2', '--cache', 'new/cache.sqlite'], io), 0, io.stderr.text);
  assert.match(io.stdout.text, /^\s*step\s+p10\s+median\s+p90\n\s*11 /);
  assert.match(io.stderr.text, /cache: created .*new\/cache\.sqlite/);
  const again = testIO(dir);
  assert.equal(await runCli(['forecast', '--csv', 'plain.tsv', '--no-header', '--delimiter', 'tab', '--column', '2', '--horizon', '2', '--samples', '2', '--cache', 'new/cache.sqlite'], again), 0);
  assert.doesNotMatch(again.stderr.text, /cache: created/);
});

test('--plot clips the y-axis to the history and median range (±50%) when a model emits outliers, and says so', async () => {
  const { plotSvg, robustRange } = await import('../../src/cli/forecast-plot.ts');
  const history = Float64Array.from({ length: 156 }, (_, t) => 100 + (t % 12));
  const median = Float64Array.from([105, 106, 107]);
  const lo = Float64Array.from([-2e7, 100, 101]), hi = Float64Array.from([1e8, 112, 113]);
  assert.deepEqual(robustRange(history, median, null), [100 - 5.5, 111 + 5.5]);
  const { svg, caption } = plotSvg({ column: 'y', history, truth: null, median, lo, hi, levels: [0.05, 0.95], times: null });
  assert.match(caption, /clipped to \[94\.50, 116\.5\].*2 band values beyond it are drawn at the edge/);
  assert.match(svg, /<desc>The y-axis is clipped/);
  const yLabels = [...svg.match(/<g class="y-axis"[^>]*>(.*?)<\/g>/)![1]!.matchAll(/>([^<]+)<\/text>/g)].map((m) => Number(m[1]));
  assert.ok(yLabels.length >= 2 && Math.max(...yLabels) <= 130 && Math.min(...yLabels) >= 80, `y ticks ${yLabels}`);
  // The x-axis ends at the last forecast step (158 for 156 points + 3 steps), not at a rounded-up 200.
  const xLabels = [...svg.match(/<g class="x-axis"[^>]*>(.*?)<\/g>/)![1]!.matchAll(/>([^<]+)<\/text>/g)].map((m) => Number(m[1]));
  assert.ok(Math.max(...xLabels) <= 158, `x ticks ${xLabels}`);
  // Without outliers nothing is clipped and the caption just describes the figure.
  assert.match(plotSvg({ column: 'y', history, truth: null, median, lo: median, hi: median, levels: [0.1, 0.9] }).caption, /^History, per-step median and the 10%–90% band/);
});
