/**
 * The HTTP client against a fault-injecting loopback server: 429/500/503 with and without Retry-After (seconds and
 * HTTP-date), connection resets, truncated and malformed 200s, hangs. Time is injected (a virtual clock whose sleeps
 * return at once), so the back-off schedule is asserted exactly without waiting for it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApiCallError, InsecureConnectionError, InvalidResponseError, QueryCache, ServerUnreachableError, createOpenAiHttpModel,
  openModel, parseRetryAfter, withCache, type HttpClock, type WaitEvent,
} from '../../src/llm/index.ts';
import { runCli } from '../../src/cli/run.ts';
import { testIO } from '../cli/io.ts';

type Fault =
  | { status: number; headers?: Record<string, string>; body?: string }
  | 'reset' | 'hang' | 'truncated' | 'malformed' | 'ok';

let server: Server;
let base = '';
/** Behaviour of the next requests, in order; when empty, answer 'ok'. */
const script: Fault[] = [];
const log: { url: string; authorization?: string; body: string }[] = [];
const hung: ServerResponse[] = [];

const completion = (text: string) => JSON.stringify({ choices: [{ text, finish_reason: 'length', logprobs: null }] });

function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
  log.push({ url: req.url!, authorization: req.headers.authorization, body });
  const f = script.shift() ?? 'ok';
  if (f === 'reset') { req.socket.destroy(); return; }
  if (f === 'hang') { hung.push(res); return; }
  if (f === 'truncated') { res.writeHead(200, { 'content-type': 'application/json' }).end(completion('7').slice(0, 20)); return; }
  if (f === 'malformed') { res.writeHead(200, { 'content-type': 'application/json' }).end('<html>bad gateway</html>'); return; }
  if (f === 'ok') {
    const prompt = (JSON.parse(body) as { prompt?: string }).prompt ?? '';
    res.writeHead(200, { 'content-type': 'application/json' }).end(completion(`re:${prompt}`));
    return;
  }
  // Echo the Authorization header into error bodies, as some proxies do: the client must redact it.
  res.writeHead(f.status, { 'content-type': 'application/json', ...f.headers })
    .end(f.body ?? JSON.stringify({ error: { message: `failure ${f.status}; you sent ${req.headers.authorization ?? 'no key'}` } }));
}

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => handle(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
after(async () => {
  for (const r of hung) r.destroy();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

/** Virtual time: `sleep` records the delay and advances the clock at once. */
function virtualClock(): HttpClock & { sleeps: number[] } {
  let offset = 0;
  const sleeps: number[] = [];
  return { sleeps, now: () => Date.now() + offset, sleep: async (ms) => { sleeps.push(ms); offset += ms; } };
}

const policy = { maxRetries: 5, baseDelayMs: 500, maxDelayMs: 20_000, timeoutMs: 5_000, maxTotalDelayMs: 120_000 };

function model(clock: HttpClock, extra: Record<string, unknown> = {}) {
  return createOpenAiHttpModel({ baseUrl: base, model: 'm', retry: policy, clock, jitterSeed: 11, ...extra });
}

function reset(...faults: Fault[]): void {
  script.length = 0;
  script.push(...faults);
  log.length = 0;
}

test('429/500/503 without Retry-After back off exponentially with equal jitter (not 2–6 ms apart)', async () => {
  reset({ status: 503 }, { status: 500 }, { status: 429 }, { status: 503 }, 'ok');
  const clock = virtualClock();
  const r = await model(clock).sample({ prompt: 'a', maxTokens: 1, seed: 1 });
  assert.equal(r.text, 're:a');
  assert.equal(log.length, 5);
  assert.equal(clock.sleeps.length, 4);
  clock.sleeps.forEach((d, k) => {
    const cap = 500 * 2 ** k;
    assert.ok(d >= cap / 2 && d <= cap, `retry ${k + 1}: ${d} ms outside [${cap / 2}, ${cap}]`);
  });
  // Jitter: the random halves are not all equal.
  assert.ok(new Set(clock.sleeps.map((d, k) => d / (500 * 2 ** k))).size > 1);
});

test('Retry-After in seconds and as an HTTP-date is honoured (capped by maxDelayMs)', async () => {
  const clock = virtualClock();
  const date = new Date(clock.now() + 7_000).toUTCString();
  reset({ status: 429, headers: { 'retry-after': '3' } }, { status: 503, headers: { 'retry-after': date } }, { status: 429, headers: { 'retry-after': '3600' } }, 'ok');
  await model(clock).sample({ prompt: 'b', maxTokens: 1, seed: 1 });
  assert.equal(clock.sleeps[0], 3000);
  // The date was 7 s ahead before the 3 s sleep; HTTP-dates have whole-second resolution.
  assert.ok(clock.sleeps[1]! > 3_000 && clock.sleeps[1]! <= 4_000, `HTTP-date delay ${clock.sleeps[1]}`);
  assert.equal(clock.sleeps[2], 20_000);
  assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.now()), 0);
  assert.equal(parseRetryAfter(null, 0), undefined);
  assert.equal(parseRetryAfter('soon', 0), undefined);
});

test('retries stop at maxRetries, and at the cap on total back-off; the error says how it gave up', async () => {
  reset(...Array.from({ length: 10 }, () => ({ status: 500 })));
  const clock = virtualClock();
  const e = await model(clock).sample({ prompt: 'c', maxTokens: 1, seed: 1 }).catch((x: unknown) => x);
  assert.ok(e instanceof ApiCallError);
  assert.equal(log.length, 6);
  assert.match(e.message, /^POST http:\/\/127\.0\.0\.1:\d+\/v1\/completions failed with HTTP 500 \(gave up after 6 attempt\(s\) and \d+\.\d s of back-off\)/);

  reset(...Array.from({ length: 10 }, () => ({ status: 503, headers: { 'retry-after': '20' } })));
  const capped = virtualClock();
  const e2 = await model(capped, { retry: { ...policy, maxRetries: 50, maxTotalDelayMs: 50_000 } }).sample({ prompt: 'd', maxTokens: 1, seed: 1 }).catch((x: unknown) => x);
  assert.ok(e2 instanceof ApiCallError);
  assert.deepEqual(capped.sleeps, [20_000, 20_000]);
  assert.equal(log.length, 3);
  assert.match(e2.message, /gave up after 3 attempt\(s\) and 40\.0 s of back-off/);
});

test('a 200 with a truncated or malformed JSON body is retried like a 5xx', async () => {
  reset('truncated', 'malformed', 'ok');
  const clock = virtualClock();
  const r = await model(clock).sample({ prompt: 'e', maxTokens: 1, seed: 1 });
  assert.equal(r.text, 're:e');
  assert.equal(log.length, 3);
  reset('truncated', 'truncated', 'truncated');
  const e = await model(virtualClock(), { retry: { ...policy, maxRetries: 2 } }).sample({ prompt: 'f', maxTokens: 1, seed: 1 }).catch((x: unknown) => x);
  assert.ok(e instanceof InvalidResponseError);
  assert.match(e.message, /not complete JSON .* \(after 3 attempt\(s\)\)/);
});

test('connection resets are retried; a server that keeps resetting gives ServerUnreachableError', async () => {
  reset('reset', 'reset', 'ok');
  const r = await model(virtualClock()).sample({ prompt: 'g', maxTokens: 1, seed: 1 });
  assert.equal(r.text, 're:g');
  reset('reset', 'reset', 'reset');
  const e = await model(virtualClock(), { retry: { ...policy, maxRetries: 2 } }).sample({ prompt: 'h', maxTokens: 1, seed: 1 }).catch((x: unknown) => x);
  assert.ok(e instanceof ServerUnreachableError);
  assert.match(e.message, /^cannot reach .* after 3 attempt\(s\)/);
});

test('a hung server times out per attempt (--timeout) and reports progress while waiting', async () => {
  reset('hang', 'hang');
  const events: WaitEvent[] = [];
  const m = createOpenAiHttpModel({
    baseUrl: base, model: 'm', jitterSeed: 1, clock: virtualClock(),
    retry: { ...policy, maxRetries: 1, timeoutMs: 300 }, onWait: (ev) => events.push(ev), waitIntervalMs: 100,
  });
  const e = await m.sample({ prompt: 'i', maxTokens: 1, seed: 1 }).catch((x: unknown) => x);
  assert.ok(e instanceof ServerUnreachableError);
  assert.match(e.message, /after 2 attempt\(s\)/);
  assert.ok(events.some((ev) => ev.phase === 'backoff' && ev.attempt === 2), JSON.stringify(events));
  assert.ok(events.some((ev) => ev.phase === 'response' && ev.attempt === 1), 'a progress event while the first attempt hung');
});

test('an API key is sent only where the user named it, and never appears in an error', async () => {
  const env = { OPENAI_API_KEY: 'sk-openai-secret-1', MY_KEY: 'sk-mine-secret-2' };
  reset('ok');
  const plain = await openModel({ kind: 'http', url: base, model: 'm', env, retry: policy }, { detect: false });
  await plain.sample({ prompt: 'j', maxTokens: 1, seed: 1 });
  assert.equal(log[0]!.authorization, undefined, 'OPENAI_API_KEY must not go to a host that is not OpenAI');

  reset({ status: 401 });
  const keyed = await openModel({ kind: 'http', url: base, model: 'm', env, apiKeyEnv: 'MY_KEY', retry: policy }, { detect: false });
  const e = await keyed.sample({ prompt: 'k', maxTokens: 1, seed: 1 }).catch((x: unknown) => x);
  assert.equal(log[0]!.authorization, 'Bearer sk-mine-secret-2');
  assert.ok(e instanceof ApiCallError);
  assert.ok(!e.message.includes('sk-mine-secret-2') && !e.responseBody.includes('sk-mine-secret-2'), e.message);
  assert.match(e.message, /\[redacted\]/);

  await assert.rejects(openModel({ kind: 'http', url: base, model: 'm', env, apiKeyEnv: 'UNSET_VAR' }), /--api-key-env UNSET_VAR: the variable is not set/);
  await assert.rejects(openModel({ kind: 'http', url: 'http://10.1.2.3:8080/v1', model: 'm', env, apiKeyEnv: 'MY_KEY' }), /refusing to send the API key over plain http/);
});

test('a URL with user:pass@ is refused before any request, without echoing the password', async () => {
  reset();
  const url = base.replace('http://', 'http://alice:hunter2@');
  const e = await openModel({ kind: 'http', url, model: 'm' }).catch((x: unknown) => x);
  assert.ok(e instanceof InsecureConnectionError);
  assert.ok(!(e as Error).message.includes('hunter2'));
  assert.equal(log.length, 0);
});

test('a --url with a query string keeps it after the endpoint path', async () => {
  reset({ status: 404 }, 'ok', 'ok');
  const m = await openModel({ kind: 'http', url: `${base}?api-version=2024-06-01`, model: 'm', retry: policy });
  assert.deepEqual(log.map((l) => l.url), ['/tokenize?api-version=2024-06-01', '/v1/completions?api-version=2024-06-01']);
  assert.equal(m.capabilities.tokenize, false);
  await m.sample({ prompt: 'l', maxTokens: 1, seed: 1 });
  assert.equal(log[2]!.url, '/v1/completions?api-version=2024-06-01');
});

test('every query that completed through the faults is in the cache, and none holds the key or the prompt', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-http-faults-'));
  try {
    const cache = new QueryCache(join(dir, 'c.sqlite'));
    // 6 prompts; prompt 'p3' fails for good (400), the others go through 500s, resets and a truncated body.
    reset({ status: 500 }, 'reset', 'truncated');
    const m = withCache(createOpenAiHttpModel({ baseUrl: base, model: 'm', retry: policy, clock: virtualClock(), jitterSeed: 3, apiKey: 'sk-cache-secret-3', maxConcurrency: 1 }), cache);
    const prompts = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5'].map((p) => `${p} ${'history,'.repeat(50)}`);
    const results = [];
    for (const p of prompts) {
      if (p.startsWith('p3')) script.unshift({ status: 400 });
      results.push(await m.sample({ prompt: p, maxTokens: 1, seed: 1 }).then((r) => r.text, (e: Error) => e));
    }
    assert.ok(results[3] instanceof ApiCallError);
    const rows = cache.storedRequests().filter((r) => r.kind === 'sample');
    assert.equal(rows.length, 5, 'the 5 completed queries are stored');
    for (const r of rows) {
      assert.ok(!r.request.includes('history,history'), 'the prompt is stored as a hash');
      assert.match(r.request, /"prompt":"sha256:[0-9a-f]{64}"/);
      assert.ok(!r.request.includes('sk-cache-secret-3') && !r.response.includes('sk-cache-secret-3'));
    }
    // A rerun asks the server nothing for the 5 stored prompts.
    log.length = 0;
    for (const [i, p] of prompts.entries()) if (i !== 3) await m.sample({ prompt: p, maxTokens: 1, seed: 1 });
    assert.equal(log.length, 0);
    cache.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--cache under a path where mkdir cannot succeed fails at once with a clear error', () => {
  assert.throws(() => new QueryCache('/proc/strata-x/y/cache.sqlite'), /cannot create the directory \/proc\/strata-x/);
  const dir = mkdtempSync(join(tmpdir(), 'strata-cache-file-'));
  try {
    const file = join(dir, 'plain');
    new QueryCache(join(dir, 'ok', 'deeper', 'c.sqlite')).close();
    writeFileSync(file, 'x');
    assert.throws(() => new QueryCache(join(file, 'c.sqlite')), /is not a directory/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});


test('strata forecast --timeout bounds each attempt against a hung server and fails with the cause in words', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-timeout-'));
  try {
    writeFileSync(join(dir, 's.csv'), 'y\n1\n2\n3\n4\n5\n');
    reset('hang', 'hang');
    const io = testIO(dir);
    const code = await runCli(['forecast', '--csv', 's.csv', '--column', 'y', '--horizon', '2', '--url', base, '--model-name', 'm',
      '--timeout', '0.3', '--retries', '1', '--no-cache'], io);
    assert.equal(code, 1, io.stderr.text);
    assert.match(io.stderr.text, /cannot reach http:\/\/127\.0\.0\.1:\d+\/tokenize after 2 attempt\(s\)/);
    // The retry was announced on stderr while it waited.
    assert.match(io.stderr.text, /forecast: .*; retry 1 in \d+\.\d s/);
    assert.equal(log.length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
