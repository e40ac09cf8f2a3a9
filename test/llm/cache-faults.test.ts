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
import { createRng } from '../../src/llm/sampling.ts';
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
  const rng = createRng(2024);
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
  assert.deepEqual(first.results, expected.slice(0, 12));
  assert.deepEqual([first.stats.hits, first.stats.misses, first.stats.entries], [0, 12, 12]);
  const bodiesAfterFirst = new Set(seen.requests.keys());

  // Run 2 resumes: the 12 completed queries come from the cache, only the other 12 reach the server.
  const second = await run(path, 24);
  assert.deepEqual(second.results, expected);
  assert.deepEqual([second.stats.hits, second.stats.misses, second.stats.entries], [12, 12, 24]);
  const newBodies = [...seen.requests.keys()].filter((b) => !bodiesAfterFirst.has(b));
  assert.equal(newBodies.length, 12, 'only the 12 unfinished queries were sent');

  // Every distinct request was answered (delivered with 200) exactly once despite the faults.
  assert.equal(seen.delivered.size, 24);
  for (const [body, n] of seen.delivered) assert.equal(n, 1, `delivered ${n}× for ${body.slice(0, 80)}`);
  const totalRequests = [...seen.requests.values()].reduce((a, b) => a + b, 0);

  // Run 3 is served entirely from the cache: no request reaches the proxy.
  const third = await run(path, 24);
  assert.deepEqual(third.results, expected);
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
