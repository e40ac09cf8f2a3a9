import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Experiment } from '../../src/experiments/contract.ts';
import { runExperiments } from '../../src/experiments/runner.ts';
import type { DemoResults } from '../../src/experiments/results.ts';
import { experimentAnchor, renderReport } from '../../src/report/html.ts';
import { writeReport } from '../../src/report/write.ts';
import { barFixture, checkFixture, failingFixture, fixtureExperiments } from './fixtures.ts';

const silent = { update() {}, log() {} };

async function run(experiments: Experiment[]): Promise<DemoResults> {
  return runExperiments(experiments, { seed: 3, quick: true, extended: false, only: null, sharedDataDir: null }, { progressFor: () => silent });
}

test('renderReport has a summary, contents, one section per experiment and the environment', async () => {
  const results = await run(fixtureExperiments);
  const html = renderReport(results);
  assert.match(html, /^<!doctype html>/);
  for (const id of ['top', 'toc', 'summary', 'environment']) assert.match(html, new RegExp(`id="${id}"`));
  for (const e of fixtureExperiments) {
    assert.match(html, new RegExp(`<section class="experiment" id="${experimentAnchor(e.name)}"`));
    assert.ok(html.includes(`href="#${experimentAnchor(e.name)}"`), `contents link to ${e.name}`);
  }
  assert.equal([...html.matchAll(/<svg /g)].length, 3, 'one chart per fixture figure');
  assert.ok(html.includes(`>${process.version}<`), 'node version in the environment table');
});

test('renderReport escapes claims and error messages (no markup from results reaches the page)', async () => {
  const results = await run([failingFixture]);
  const html = renderReport(results);
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /<img/i);
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(html.includes('&lt;script&gt;alert(&quot;claim&quot;)&lt;/script&gt;'));
});

test('renderReport needs nothing from the network: no external URLs, a CSP that forbids fetching', async () => {
  const html = renderReport(await run(fixtureExperiments));
  // The only URLs allowed are the SVG namespace identifier and in-page anchors.
  const urls = [...html.matchAll(/(?:src|href)="([^"#][^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(urls, ['results.json']);
  assert.doesNotMatch(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, ''), /https?:\/\//);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
});

test('renderReport puts ours beside the paper for every metric key in either record', async () => {
  const results = await run([barFixture]);
  const html = renderReport(results);
  const table = /<table class="comparison">[\s\S]*?<\/table>/.exec(html)![0];
  assert.match(table, /speedup at m=32<\/td><td class="num ours">16<\/td><td class="num paper">16<\/td>/);
});

test('renderReport shows foundation checks as passed/failed in their own section, outside the claims tally', async () => {
  const results = await run([barFixture, checkFixture]);
  assert.equal(results.experiments.find((e) => e.name === 'fixture-check')!.kind, 'check');
  assert.equal(results.experiments.find((e) => e.name === barFixture.name)!.kind, 'claim');
  const html = renderReport(results);
  const summary = /<section id="summary">[\s\S]*?<\/section>/.exec(html)![0];
  const checks = /<section id="checks">[\s\S]*?<\/section>/.exec(html)![0];
  assert.ok(summary.includes(barFixture.name) && !summary.includes('fixture-check'), 'claims only in the summary');
  assert.ok(checks.includes('fixture-check') && !checks.includes(barFixture.name), 'checks only in the checks table');
  assert.match(checks, /✓ check passed/);
  const tally = /<p class="tally">[\s\S]*?<\/p>/.exec(html)![0];
  assert.match(tally, /1 reproduced/, 'the claim is tallied');
  assert.doesNotMatch(tally, /2 reproduced|check/, 'the check is not in the claims tally');
  assert.match(html, /<p class="tally tally-checks">[\s\S]*?1 check passed/);
  // Checks follow the claims, and their section says "Check", not "Claim".
  assert.ok(html.indexOf(`id="${experimentAnchor('fixture-check')}"`) > html.indexOf(`id="${experimentAnchor(barFixture.name)}"`));
  assert.match(html, /<span class="label">Check<\/span> Adding two and two/);
});

test('renderReport reads a results.json written before checks existed (no kind) as all claims', async () => {
  const results = await run([barFixture]);
  for (const e of results.experiments) delete e.kind;
  const html = renderReport(results);
  assert.doesNotMatch(html, /id="checks"/);
  assert.match(/<p class="tally">[\s\S]*?<\/p>/.exec(html)![0], /1 reproduced/);
});

test('renderReport with no experiments says so instead of showing empty tables', async () => {
  const html = renderReport(await run([]));
  assert.match(html, /id="empty"/);
  assert.match(html, /No experiments ran/);
  assert.doesNotMatch(html, /id="summary"/);
});

test('writeReport writes results.json with the fields the issue fixes, per experiment', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-report-'));
  try {
    const written = writeReport(dir, await run(fixtureExperiments));
    const json = JSON.parse(readFileSync(written.json, 'utf8')) as { experiments: Record<string, unknown>[] };
    assert.equal(json.experiments.length, fixtureExperiments.length);
    for (const e of json.experiments) {
      for (const key of ['name', 'system', 'paper', 'claim', 'verdict', 'metrics', 'reference', 'seconds']) {
        assert.ok(key in e, `results.json experiment lacks '${key}'`);
      }
      assert.ok(['reproduced', 'partly reproduced', 'not reproduced'].includes(e.verdict as string));
      assert.equal(typeof e.seconds, 'number');
      assert.equal(typeof e.metrics, 'object');
    }
    assert.match(readFileSync(written.html, 'utf8'), /<section class="experiment"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a --quick run marks every verdict "smoke": a smoke test of the code paths, not a finding', async () => {
  const quick = await run([barFixture, checkFixture]);
  assert.equal(quick.options.quick, true);
  const html = renderReport(quick);
  // Verdict badges (tally chips start with a count and carry no marker).
  const badges = [...html.matchAll(/<span class="badge badge-(?:reproduced|passed)">(?!\d)(.{0,40})/g)].map((m) => m[1]!);
  assert.equal(badges.length, 6, 'two experiments × contents, summary or checks table, section');
  for (const b of badges) assert.match(b, /^<span class="smoke"/, `badge without the smoke marker: ${b}`);
  assert.match(html, /quick \(smoke\) run/);
  const full = renderReport({ ...quick, options: { ...quick.options, quick: false } });
  assert.doesNotMatch(full, /class="smoke"/);
  assert.doesNotMatch(full, /\(smoke/);
});
