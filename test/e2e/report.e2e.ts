/**
 * Browser end-to-end test of the demo report (`npm run test:e2e`; not part of `npm test`, which must not need a
 * browser). Two reports are rendered in headless Chromium:
 *
 *  1. the real one: `strata demo --quick` run through the actual binary on the shipped registry;
 *  2. a fixture one: the test-only experiments of test/report/fixtures.ts, which cover every chart kind, a failing
 *     experiment and text that tries to inject markup.
 *
 * For each, every section, badge and figure named in results.json must be present and visible, no console error or
 * page error may occur, no request may leave the file, and a full-page screenshot is written to report/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runExperiments } from '../../src/experiments/runner.ts';
import { repoRoot } from '../../src/experiments/paths.ts';
import type { DemoResults } from '../../src/experiments/results.ts';
import { experimentAnchor } from '../../src/report/html.ts';
import { slug } from '../../src/report/escape.ts';
import { writeReport } from '../../src/report/write.ts';
import { fixtureExperiments } from '../report/fixtures.ts';

const chromiumPath = '/usr/bin/chromium';
const launchArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const screenshotDir = join(repoRoot, 'report');

// In CI the browser is installed by .ci/run, so its absence is a failure there; elsewhere the test says why it skips.
const missingBrowser = existsSync(chromiumPath)
  ? false
  : process.env.CI
    ? false
    : `${chromiumPath} not found: install it with 'apt-get install -y chromium' to run the browser test`;

interface PageProblems {
  console: string[];
  pageErrors: string[];
  requests: string[];
  dialogs: string[];
}

async function openReport(browser: Browser, htmlPath: string): Promise<{ page: Page; problems: PageProblems }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: PageProblems = { console: [], pageErrors: [], requests: [], dialogs: [] };
  const pageUrl = pathToFileURL(htmlPath).href;
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.console.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.pageErrors.push(e.message));
  page.on('request', (r) => {
    if (r.url() !== pageUrl) problems.requests.push(r.url());
  });
  page.on('dialog', (d) => {
    problems.dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(pageUrl, { waitUntil: 'load' });
  return { page, problems };
}

async function assertVisible(page: Page, selector: string, what: string): Promise<void> {
  const locator = page.locator(selector);
  assert.equal(await locator.count(), 1, `${what}: expected exactly one element matching ${selector}`);
  assert.ok(await locator.isVisible(), `${what} (${selector}) is not visible`);
  const box = await locator.boundingBox();
  assert.ok(box && box.width > 0 && box.height > 0, `${what} (${selector}) has an empty bounding box`);
}

/** Every section, badge, figure and table that results.json says should be there. */
async function assertReportMatches(page: Page, results: DemoResults): Promise<void> {
  await assertVisible(page, 'header#top h1', 'title');
  await assertVisible(page, '#environment', 'environment section');
  assert.match((await page.locator('#environment').innerText()), new RegExp(`Node\\.js\\s+${results.environment.node.replace(/\./g, '\\.')}`));
  if (results.experiments.length === 0) {
    await assertVisible(page, '#empty', 'empty-registry notice');
    return;
  }
  await assertVisible(page, 'nav#toc', 'table of contents');
  await assertVisible(page, '#summary table', 'summary table');
  // Paper claims in the summary, foundation checks in their own table: one row per experiment in all.
  assert.equal(await page.locator('#summary tbody tr, #checks tbody tr').count(), results.experiments.length, 'one summary row per experiment');
  assert.equal(await page.locator('nav#toc li').count(), results.experiments.length + 2, 'contents: summary, experiments, environment');

  for (const e of results.experiments) {
    const section = `section#${experimentAnchor(e.name)}`;
    await assertVisible(page, section, `section of ${e.name}`);
    await assertVisible(page, `${section} .exp-head .badge`, `verdict badge of ${e.name}`);
    const badgeText = await page.locator(`${section} .exp-head .badge`).innerText();
    if (e.status === 'failed') {
      assert.match(badgeText, /failed/);
      await assertVisible(page, `${section} .error-box`, `error box of ${e.name}`);
      assert.ok((await page.locator(`${section} .error-box`).innerText()).includes(e.error!.message), 'error message shown verbatim');
    } else {
      const expected = e.kind === 'check' ? (e.verdict === 'reproduced' ? 'check passed' : 'check failed') : e.verdict;
      assert.ok(badgeText.includes(expected), `badge of ${e.name} says '${badgeText}', expected '${expected}'`);
    }
    assert.ok((await page.locator(`${section} .claim`).innerText()).includes(e.claim), `claim of ${e.name} shown verbatim`);
    await assertVisible(page, `${section} pre.command`, `reproduce command of ${e.name}`);
    for (const f of e.figures) {
      const figure = `${section} figure#${experimentAnchor(e.name)}-fig-${slug(f.id)}`;
      await assertVisible(page, figure, `figure ${f.id} of ${e.name}`);
      await assertVisible(page, `${figure} svg`, `chart ${f.id} of ${e.name}`);
      const marks = await page.locator(`${figure} svg .data > *`).count();
      const points = f.series.reduce((n, s) => n + s.x.length, 0);
      if (points > 0) assert.ok(marks > 0, `chart ${f.id} of ${e.name} draws no marks for ${points} points`);
    }
    const metricKeys = new Set([...Object.keys(e.metrics), ...Object.keys(e.reference)]);
    if (metricKeys.size > 0) {
      await assertVisible(page, `${section} table.comparison`, `ours-vs-paper table of ${e.name}`);
      assert.equal(await page.locator(`${section} table.comparison tbody tr`).count(), metricKeys.size);
    }
    assert.equal(await page.locator(`${section} table.data`).count(), e.tables.length, `tables of ${e.name}`);
  }
}

function assertClean(problems: PageProblems): void {
  assert.deepEqual(problems.console, [], 'console errors or warnings');
  assert.deepEqual(problems.pageErrors, [], 'uncaught page errors');
  assert.deepEqual(problems.requests, [], 'the report must not load anything (it is self-contained)');
  assert.deepEqual(problems.dialogs, [], 'a dialog opened: injected script ran');
}

describe('report in headless Chromium', { skip: missingBrowser }, () => {
  let browser: Browser;
  let workDir: string;

  before(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'strata-e2e-'));
    mkdirSync(screenshotDir, { recursive: true });
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: launchArgs });
  });

  after(async () => {
    await browser?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  test('strata demo --quick on the shipped registry renders every section and figure', async () => {
    const out = join(workDir, 'real');
    const run = spawnSync(process.execPath, [join(repoRoot, 'bin/strata.js'), 'demo', '--quick', '--seed', '1', '--out', out], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 20 * 60 * 1000,
    });
    assert.equal(run.status, 0, `strata demo --quick exited ${run.status}\n${run.stderr}`);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as DemoResults;
    const { page, problems } = await openReport(browser, join(out, 'index.html'));
    await assertReportMatches(page, results);
    await page.screenshot({ path: join(screenshotDir, 'screenshot.png'), fullPage: true });
    assertClean(problems);
    await page.close();
  });

  test('fixture report: every chart kind, a failed experiment and injected markup', async () => {
    const noProgress = { update() {}, log() {} };
    const results = await runExperiments(
      fixtureExperiments,
      { seed: 1, quick: false, extended: false, only: null, sharedDataDir: null },
      { progressFor: () => noProgress },
    );
    const written = writeReport(join(workDir, 'fixtures'), results);
    const { page, problems } = await openReport(browser, written.html);
    await assertReportMatches(page, results);
    assert.equal(await page.locator('script').count(), 0, 'no script element may come from escaped text');
    assert.equal(await page.locator('main img').count(), 0, 'no img element may come from escaped text');
    for (const kind of ['line', 'scatter', 'bar']) {
      assert.ok((await page.locator(`svg.chart-${kind}`).count()) > 0, `a ${kind} chart is rendered`);
    }
    assert.ok((await page.locator('svg .band').count()) > 0, 'the uncertainty band is drawn');
    await page.screenshot({ path: join(screenshotDir, 'screenshot-fixtures.png'), fullPage: true });
    assertClean(problems);
    await page.close();
  });
});
