/**
 * The forecast pipeline over the OpenAI-compatible HTTP backend, against a real `strata serve` of the digit model,
 * reached through a loopback proxy that counts requests and can hide endpoints: with /tokenize (logit-bias path),
 * with only /v1/completions and /v1/chat/completions (OpenAI/Ollama/LM Studio shape: unrestricted completions),
 * and chat-only. Also: a repeated run makes no model calls, and a kill -9 loses no completed sample.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer } from '../../src/llm/server.ts';
import { QueryCache, createOpenAiHttpModel, openModel } from '../../src/llm/index.ts';
import { DEFAULT_MODEL_PATH, defaultModelAvailable } from '../../src/forecast/digit-model.ts';
import { forecast } from '../../src/forecast/pipeline.ts';
import { nll } from '../../src/forecast/likelihood.ts';
import { runCli } from '../../src/cli/run.ts';
import { testIO } from '../cli/io.ts';

const SKIP: string | false = defaultModelAvailable() ? false : `model ${DEFAULT_MODEL_PATH} is absent`;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const history = Float64Array.from({ length: 48 }, (_, t) => 100 + t + 20 * Math.sin((2 * Math.PI * t) / 12));

let upstream: RunningServer | undefined;
let proxy: Server | undefined;
let proxyBase = '';
/** Paths the proxy forwards; every other path gets 404 as from a server without that endpoint. */
let allowed: Set<string> | null = null;
/** Requests per path that reached the proxy, and sampling completions (max_tokens > 1) delivered. */
const counts = new Map<string, number>();
let delivered = 0;
let delayMs = 0;
let onDelivered: (() => void) | null = null;
const dir = mkdtempSync(join(tmpdir(), 'strata-forecast-http-'));

before(async () => {
  if (SKIP) return;
  // A 1024-token window (the digit model trained on 256) so LLMTime's English chat instructions, written in byte
  // tokens, fit; the model still answers in digits.
  upstream = await startServer({ modelPath: DEFAULT_MODEL_PATH, port: 0, modelName: 'digits', contextSize: 1024 });
  const origin = upstream.url.replace(/\/v1$/, '');
  proxy = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      const path = req.url!.split('?')[0]!;
      counts.set(path, (counts.get(path) ?? 0) + 1);
      if (allowed && !allowed.has(path)) { res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}'); return; }
      const sampling = path.endsWith('/completions') && ((JSON.parse(body || '{}') as { max_tokens?: number }).max_tokens ?? 0) > 1;
      if (sampling && delayMs) await new Promise((r) => setTimeout(r, delayMs));
      const up = await fetch(`${origin}${req.url}`, { method: req.method, headers: { 'content-type': 'application/json' }, ...(req.method === 'POST' ? { body } : {}) });
      const text = await up.text();
      res.writeHead(up.status, { 'content-type': 'application/json' }).end(text, () => {
        if (sampling && up.ok) { delivered++; onDelivered?.(); }
      });
    });
  });
  await new Promise<void>((r) => proxy!.listen(0, '127.0.0.1', r));
  proxyBase = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/v1`;
  writeFileSync(join(dir, 'series.csv'), `t,y\n${Array.from(history, (v, t) => `${t},${v.toFixed(3)}`).join('\n')}\n`);
});
after(async () => {
  if (proxy) { proxy.closeAllConnections(); await new Promise<void>((r) => proxy!.close(() => r())); }
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

function resetCounts(paths: string[] | null): void {
  allowed = paths ? new Set(paths) : null;
  counts.clear();
  delivered = 0;
  delayMs = 0;
  onDelivered = null;
}
const total = (): number => [...counts.values()].reduce((a, b) => a + b, 0);

test('forecast and nll over HTTP with /tokenize: logit-bias path, top-p forwarded, top-5 renormalised NLL/D is finite', { skip: SKIP }, async () => {
  resetCounts(null);
  const model = await openModel({ kind: 'http', url: proxyBase, model: 'digits' });
  assert.equal(model.capabilities.tokenize, true);
  const fc = await forecast(history, 6, { model, numSamples: 3, seed: 1, topP: 0.9 });
  assert.equal(fc.samplingPath, 'logit-bias');
  assert.equal(fc.failures, 0);
  assert.equal(fc.samples.length, 3);
  assert.ok(!fc.warnings.some((w) => /top-p/.test(w)));
  const r = await nll(history.slice(0, 42), history.slice(42), { model });
  assert.ok(Number.isFinite(r.nllPerDim));
  await assert.rejects(nll(history.slice(0, 42), history.slice(42), { model, renormalize: 'allowed-set' }), /renormalize over the allowed set/);
});

test('a repeated forecast over HTTP makes no model calls: tokenize/detokenize are cached and deduplicated, samples store a prompt hash', { skip: SKIP }, async () => {
  resetCounts(null);
  const cache = new QueryCache(join(dir, 'repeat.sqlite'));
  try {
    const first = await forecast(history, 6, { model: await openModel({ kind: 'http', url: proxyBase, model: 'digits' }, { cache }), numSamples: 4, seed: 5 });
    const detok = counts.get('/detokenize') ?? 0;
    // Only distinct prompt tokens outside the allowed strings' own tokens are detokenized, each once (the digit
    // model writes the prompt in exactly those tokens, so none is needed): not one call per prompt token.
    assert.ok(detok <= 20, `${detok} /detokenize calls for a ${first.prompt.length}-character prompt`);
    assert.ok((counts.get('/tokenize') ?? 0) > 0);
    const sampleRows = cache.storedRequests().filter((r) => r.kind === 'sample');
    assert.equal(sampleRows.length, 4);
    for (const row of sampleRows) {
      assert.ok(!row.request.includes(first.prompt), 'a sample row stores the prompt\'s hash, not the prompt');
      assert.match(row.request, /"prompt":"sha256:/);
    }
    counts.clear();
    const second = await forecast(history, 6, { model: await openModel({ kind: 'http', url: proxyBase, model: 'digits' }, { cache }), numSamples: 4, seed: 5 });
    assert.equal(total(), 0, `the repeated run sent ${JSON.stringify([...counts])}`);
    assert.deepEqual(second.samples, first.samples);
    assert.equal(second.cached, 4);
  } finally {
    cache.close();
  }
});

test('strata forecast --url completes against a server with only /v1/completions and /v1/chat/completions', { skip: SKIP }, async () => {
  resetCounts(['/v1/completions', '/v1/chat/completions']);
  const io = testIO(dir);
  const code = await runCli(['forecast', '--csv', 'series.csv', '--column', 'y', '--horizon', '6', '--samples', '4',
    '--url', proxyBase, '--model-name', 'digits', '--no-cache', '--json'], io);
  assert.equal(code, 0, io.stderr.text);
  const out = JSON.parse(io.stdout.text) as { samples: unknown; median: number[]; warnings: string[] };
  assert.equal(out.median.length, 6);
  assert.ok(out.median.every((v) => Number.isFinite(v)));
  assert.ok(out.warnings.some((w) => /no tokenizer endpoint: completions are unrestricted/.test(w)), JSON.stringify(out.warnings));
  // The tokenizer was probed once (404) and never asked again.
  assert.equal(counts.get('/tokenize'), 1);
  assert.equal(counts.get('/detokenize') ?? 0, 0);
  const help = testIO(dir);
  await runCli(['forecast', '--help'], help);
  assert.match(help.stdout.text, /server without \/tokenize +\(OpenAI, Ollama, LM Studio\) unrestricted completions/);
});

test('a chat-only server gets LLMTime\'s chat prompt', { skip: SKIP }, async () => {
  resetCounts(['/v1/chat/completions']);
  const model = await openModel({ kind: 'http', url: proxyBase, model: 'digits' });
  assert.equal(model.capabilities.completion, false);
  const fc = await forecast(history, 4, { model, numSamples: 3, seed: 2 });
  assert.equal(fc.samplingPath, 'chat');
  assert.ok(fc.warnings.some((w) => /chat-only/.test(w)));
  assert.ok(fc.samples.length + fc.failures === 3);
});

test('kill -9 during `strata forecast --url --samples 12`, then rerun: only the unfinished samples are re-issued', { skip: SKIP }, async () => {
  resetCounts(null);
  const cachePath = join(dir, 'killed.sqlite');
  const args = ['bin/strata.js', 'forecast', '--csv', join(dir, 'series.csv'), '--column', 'y', '--horizon', '6', '--samples', '12',
    '--url', proxyBase, '--model-name', 'digits', '--cache', cachePath, '--json', '-q'];
  delayMs = 150;
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.on('exit', (code, signal) => r(signal ? null : code)));
  onDelivered = () => { if (delivered === 5) child.kill('SIGKILL'); };
  assert.equal(await exited, null, 'the first run was killed');
  const deliveredBeforeKill = delivered;
  const cache = new QueryCache(cachePath);
  const stored = cache.countByKind().sample ?? 0;
  cache.close();
  // Each delivered answer is committed on arrival; at most the one in flight at the kill is lost.
  assert.ok(stored >= deliveredBeforeKill - 1 && stored <= 12, `stored ${stored}, delivered ${deliveredBeforeKill}`);

  resetCounts(null);
  const io = testIO(ROOT);
  assert.equal(await runCli(args.slice(1), io), 0, io.stderr.text);
  assert.equal(delivered, 12 - stored, `re-issued ${delivered} samples with ${stored} cached`);
  assert.equal((counts.get('/tokenize') ?? 0) + (counts.get('/detokenize') ?? 0), 0, 'tokenizer answers came from the cache');
  const out = JSON.parse(io.stdout.text) as { cached: number };
  assert.equal(out.cached, stored);
});

test('createOpenAiHttpModel still works without openModel (capabilities detected on first forecast)', { skip: SKIP }, async () => {
  resetCounts(['/v1/completions', '/v1/chat/completions']);
  const model = createOpenAiHttpModel({ baseUrl: proxyBase, model: 'digits' });
  const fc = await forecast(history, 3, { model, numSamples: 2, seed: 3 });
  assert.equal(fc.samplingPath, 'unrestricted');
});
