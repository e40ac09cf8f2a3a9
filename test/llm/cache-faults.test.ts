import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadGgufModel } from '../../src/llm/backends/gguf.ts';
import type { GgufLanguageModel } from '../../src/llm/backends/gguf.ts';
import { createOpenAiHttpModel } from '../../src/llm/backends/openai-http.ts';
import { startServer } from '../../src/llm/server.ts';
import type { RunningServer } from '../../src/llm/server.ts';
import { QueryCache, cacheKey, withCache } from '../../src/llm/cache.ts';
import type { LanguageModel } from '../../src/llm/language-model.ts';
import { Rng } from '../../src/core/index.ts';
import { STORIES_PATH, STORIES_SKIP } from './fixtures.ts';

let local: GgufLanguageModel | undefined;
let upstream: RunningServer | undefined;
let proxy: Server | undefined;
let proxyUrl = '';
const dir = await mkdtemp(join(tmpdir(), 'strata-cache-'));

/** What the fault-injecting proxy saw, per request body. */
const seen = { requests: new Map<string, number>(), delivered: new Map<string, number>(), faults: { 429: 0, 500: 0, drop: 0, slow: 0 } };
const CLIENT_TIMEOUT_MS = 400;

before(async () => {
  if (STORIES_SKIP) return;
  local = await loadGgufModel(STORIES_PATH);
  upstream = await startServer({ model: local, port: 0, modelName: 'stories' });
  const gen = new Rng(2024);
  const rng = (): number => gen.random();
  const faultsPerKey = new Map<string, number>();
  // Loopback only; every request body gets at most 3 faults, so with 5 retries every query completes.
  proxy = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      seen.requests.set(body, (seen.requests.get(body) ?? 0) + 1);
      const n = faultsPerKey.get(body) ?? 0;
      const r = rng();
      if (n < 3 && r < 0.5) {
        faultsPerKey.set(body, n + 1);
        if (r < 0.15) { seen.faults[429]++; res.writeHead(429, { 'retry-after': '0' }).end('{"error":{"message":"rate limited"}}'); return; }
        if (r < 0.3) { seen.faults[500]++; res.writeHead(500).end('{"error":{"message":"boom"}}'); return; }
        if (r < 0.4) { seen.faults.drop++; req.socket.destroy(); return; }
        seen.faults.slow++;
        await new Promise((w) => setTimeout(w, CLIENT_TIMEOUT_MS + 150));
        if (res.destroyed || req.socket.destroyed) return; // the client gave up; its answer is never delivered
      }
      const up = await fetch(`${upstream!.url}${req.url!.replace(/^\/v1/, '')}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await up.text();
      res.on('finish', () => { if (up.ok) seen.delivered.set(body, (seen.delivered.get(body) ?? 0) + 1); });
      res.writeHead(up.status, { 'content-type': 'application/json' }).end(text);
    });
  });
  await new Promise<void>((r) => proxy!.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy!.address() as AddressInfo).port}/v1`;
});
after(async () => {
  if (proxy) { proxy.closeAllConnections(); await new Promise<void>((r) => proxy!.close(() => r())); }
  await upstream?.close();
  await local?.close();
});

/**
 * Deep equality with numbers equal to 1e-5: the server evaluates a prompt after whatever it evaluated before
 * (prefix reuse in llama.cpp's F16 KV cache), so a retried or reordered request can differ in the 7th digit. What
 * the cache returns is compared exactly (third run against second).
 */
function assertClose(actual: unknown, expected: unknown, path = ''): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    assert.ok(actual === expected || Math.abs(actual - expected) <= 1e-5 * Math.max(1, Math.abs(expected)), `${path}: ${actual} vs ${expected}`);
    return;
  }
  if (expected && typeof expected === 'object') {
    assert.ok(actual && typeof actual === 'object', `${path}: not an object`);
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual as object)]);
    for (const k of keys) assertClose((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${path}.${k}`);
    return;
  }
  assert.deepEqual(actual, expected, path);
}

type Query = (m: LanguageModel) => Promise<unknown>;
const queries: Query[] = [];
const words = ['there', 'was', 'a', 'little', 'girl', 'named', 'Lily', 'she', 'loved', 'to', 'play', 'outside'];
for (const w of words) queries.push((m) => m.continuationLogprobs('Once upon a time', ` ${w}`));
for (let seed = 0; seed < 12; seed++) queries.push((m) => m.sample({ prompt: 'The dog', maxTokens: 6, temperature: 1, seed }));

function httpModel(): LanguageModel {
  return createOpenAiHttpModel({
    baseUrl: proxyUrl, model: 'stories', maxConcurrency: 4,
    retry: { maxRetries: 5, baseDelayMs: 10, maxDelayMs: 50, timeoutMs: CLIENT_TIMEOUT_MS },
  });
}

async function run(cachePath: string, count: number): Promise<{ results: unknown[]; stats: ReturnType<QueryCache['stats']> }> {
  const cache = new QueryCache(cachePath);
  try {
    const m = withCache(httpModel(), cache);
    const results = await Promise.all(queries.slice(0, count).map((q) => q(m)));
    return { results, stats: cache.stats() };
  } finally {
    cache.close();
  }
}

test('through 429s, 500s, dropped connections and timeouts no completed query is lost or repeated, and resumption works', { skip: STORIES_SKIP }, async () => {
  const path = join(dir, 'faults.sqlite');
  const expected = [];
  for (const q of queries) expected.push(await q(createOpenAiHttpModel({ baseUrl: upstream!.url, model: 'stories' })));

  // Run 1 is "interrupted" after half of the queries.
  const first = await run(path, 12);
  assertClose(first.results, expected.slice(0, 12));
  // entries: the 12 answers + the model card withCache stores for --replay.
  assert.deepEqual([first.stats.hits, first.stats.misses, first.stats.entries], [0, 12, 13]);
  const bodiesAfterFirst = new Set(seen.requests.keys());

  // Run 2 resumes: the 12 completed queries come from the cache, only the other 12 reach the server.
  const second = await run(path, 24);
  assertClose(second.results, expected);
  assert.deepEqual(second.results.slice(0, 12), first.results, 'resumed answers are exactly the cached ones');
  assert.deepEqual([second.stats.hits, second.stats.misses, second.stats.entries], [12, 12, 25]);
  const newBodies = [...seen.requests.keys()].filter((b) => !bodiesAfterFirst.has(b));
  assert.equal(newBodies.length, 12, 'only the 12 unfinished queries were sent');

  // Every distinct request was answered (delivered with 200) exactly once despite the faults.
  assert.equal(seen.delivered.size, 24);
  for (const [body, n] of seen.delivered) assert.equal(n, 1, `delivered ${n}× for ${body.slice(0, 80)}`);
  const totalRequests = [...seen.requests.values()].reduce((a, b) => a + b, 0);

  // Run 3 is served entirely from the cache: no request reaches the proxy.
  const third = await run(path, 24);
  assert.deepEqual(third.results, second.results);
  assert.deepEqual([third.stats.hits, third.stats.misses], [24, 0]);
  assert.equal([...seen.requests.values()].reduce((a, b) => a + b, 0), totalRequests);
  assert.ok(third.stats.bytes > 0);

  for (const [kind, n] of Object.entries(seen.faults)) assert.ok(n > 0, `fault ${kind} was injected (${n}×)`);
});

test('withCache with noCache returns the model itself; cacheKey ignores field order', () => {
  const cache = new QueryCache(':memory:');
  const fake = { identity: 'x' } as LanguageModel;
  assert.equal(withCache(fake, cache, { noCache: true }), fake);
  assert.equal(cacheKey('m', 'sample', { a: 1, b: [2, { c: 3, d: 4 }] }), cacheKey('m', 'sample', { b: [2, { d: 4, c: 3 }], a: 1 }));
  assert.notEqual(cacheKey('m', 'sample', { a: 1 }), cacheKey('m2', 'sample', { a: 1 }));
  cache.close();
});

test('QueryCache stores -Infinity log-probabilities and reports statistics', () => {
  const cache = new QueryCache(':memory:');
  cache.put('k', 'id', 'kind', { q: 1 }, { logprob: -Infinity, x: [1.5] });
  assert.deepEqual(cache.get('k'), { logprob: -Infinity, x: [1.5] });
  assert.equal(cache.get('missing'), undefined);
  const s = cache.stats();
  assert.deepEqual([s.hits, s.misses, s.entries], [1, 1, 1]);
  cache.close();
});
