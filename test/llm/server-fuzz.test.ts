/**
 * A fuzz run against a real `strata serve` process on loopback: ≥ 2,000 random and mutated requests (valid bodies
 * with one field replaced, arbitrary JSON, broken JSON, random paths and methods, streaming, clients that hang up).
 * The server must never crash and never answer 5xx to what a client sent. Bounded in time: it stops by itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { STORIES_PATH, STORIES_SKIP } from './fixtures.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REQUESTS = 2400;
const CONCURRENCY = 8;
const DEADLINE_MS = 240_000;

interface FuzzRequest { method: string; path: string; body?: string; contentType?: string; hangUpAfterMs?: number }

const id = fc.oneof(fc.nat(511), fc.integer({ min: -3, max: 700 }), fc.constantFrom(99999999, -1, 512, 1.5, 2 ** 53));
const tricky = fc.constantFrom(-1, 0, 512, 1e300, -1e300, 1.5, 2 ** 53, '7', '', null, true, [], {}, [600], [-1], [[600]], [{ type: 'image_url' }], 'x'.repeat(5000));
const completion = fc.record({
  prompt: fc.oneof(fc.string({ maxLength: 40 }), fc.array(fc.string({ maxLength: 10 }), { minLength: 1, maxLength: 2 }), fc.array(fc.nat(511), { minLength: 1, maxLength: 6 }), fc.array(id, { minLength: 1, maxLength: 4 })),
  max_tokens: fc.nat(3), temperature: fc.double({ min: 0, max: 2, noNaN: true }), top_p: fc.double({ min: 0, max: 1, noNaN: true }),
  logprobs: fc.integer({ min: 0, max: 5 }), echo: fc.boolean(), stream: fc.boolean(), n: fc.integer({ min: 1, max: 2 }), seed: fc.integer(),
  stop: fc.array(fc.string({ minLength: 1, maxLength: 3 }), { maxLength: 2 }), logit_bias: fc.dictionary(id.map(String), fc.integer({ min: -150, max: 150 }), { maxKeys: 2 }),
  model: fc.constantFrom('stories260K.gguf', 'stories260K.gguf', 'other'),
}, { requiredKeys: ['prompt', 'max_tokens'] });
const chat = fc.record({
  messages: fc.array(fc.record({
    role: fc.constantFrom('system', 'user', 'assistant', 'developer', 'tool'),
    content: fc.oneof(fc.string({ maxLength: 30 }), fc.array(fc.record({ type: fc.constantFrom('text', 'text', 'image_url'), text: fc.string({ maxLength: 10 }) }), { maxLength: 2 })),
  }), { minLength: 1, maxLength: 3 }),
  max_tokens: fc.nat(3), temperature: fc.double({ min: 0, max: 2, noNaN: true }), logprobs: fc.boolean(), top_logprobs: fc.integer({ min: 0, max: 5 }),
  stream: fc.boolean(), stream_options: fc.constant({ include_usage: true }), seed: fc.integer(),
}, { requiredKeys: ['messages', 'max_tokens'] });
const tokenize = fc.record({ content: fc.string({ maxLength: 50 }), add_special: fc.boolean() });
const detokenize = fc.record({ tokens: fc.array(id, { maxLength: 8 }) });

function mutate(arb: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Record<string, unknown>> {
  return fc.tuple(arb, fc.nat(), fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 3 }), tricky)).map(([body, k, v]) => {
    const keys = Object.keys(body);
    const key = keys[k % keys.length]!;
    const out = { ...body };
    if (v === undefined) delete out[key];
    else out[key] = v;
    return out;
  });
}

const postPaths = { '/v1/completions': completion, '/v1/chat/completions': chat, '/tokenize': tokenize, '/detokenize': detokenize } as const;
const anyPost = fc.constantFrom(...Object.keys(postPaths) as (keyof typeof postPaths)[]).chain((path) =>
  fc.record({
    method: fc.constant('POST'), path: fc.constant(path as string),
    body: fc.oneof(
      { weight: 3, arbitrary: postPaths[path].map((b) => JSON.stringify(b)) },
      { weight: 4, arbitrary: mutate(postPaths[path]).map((b) => JSON.stringify(b)) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((b) => JSON.stringify(b)) },
      { weight: 1, arbitrary: fc.tuple(postPaths[path].map((b) => JSON.stringify(b)), fc.nat()).map(([s, k]) => s.slice(0, k % (s.length + 1))) },
      { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
    ),
    contentType: fc.constantFrom('application/json', 'application/json', 'text/plain'),
    hangUpAfterMs: fc.oneof({ weight: 11, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 30 }) }),
  }));
const anyOther = fc.record({
  method: fc.constantFrom('GET', 'GET', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'POST'),
  path: fc.oneof(fc.constantFrom('/v1/models', '/v1/models/stories260K.gguf', '/v1/models/x', '/health', '/', '/v1/completions', '/v1/chat/completions', '/tokenize', '/v1/models/%E0%A4%A'),
    fc.webPath({ size: 'small' })),
  body: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
});
const anyRequest: fc.Arbitrary<FuzzRequest> = fc.oneof({ weight: 5, arbitrary: anyPost }, { weight: 1, arbitrary: anyOther });

test(`strata serve survives ${REQUESTS} random and mutated requests with no crash and no 5xx`, { skip: STORIES_SKIP, timeout: DEADLINE_MS + 60_000 }, async (t) => {
  const env = { ...process.env };
  delete env.STRATA_API_KEY;
  const child = spawn(process.execPath, ['bin/strata.js', 'serve', '--model', STORIES_PATH, '--port', '0', '--context-size', '256'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => { stderr += c; });
  let exited: number | null | undefined;
  child.on('exit', (code) => { exited = code; });
  try {
    const [line] = await once(child.stdout, 'data') as [Buffer];
    const url = line.toString().trim();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const root = url.replace(/\/v1$/, '');
    const requests = fc.sample(anyRequest, { seed: 20261202, numRuns: REQUESTS });
    const statuses = new Map<number | string, number>();
    const fiveHundreds: string[] = [];
    const start = Date.now();
    let next = 0;
    let done = 0;
    async function worker(): Promise<void> {
      while (next < requests.length && Date.now() - start < DEADLINE_MS && exited === undefined) {
        const r = requests[next++]!;
        const controller = new AbortController();
        const timer = r.hangUpAfterMs === undefined ? undefined : setTimeout(() => controller.abort(), r.hangUpAfterMs);
        let status: number | string;
        try {
          const res = await fetch(`${root}${r.path}`, {
            method: r.method, signal: controller.signal,
            headers: r.contentType ? { 'content-type': r.contentType } : {},
            body: r.method === 'GET' || r.method === 'HEAD' ? undefined : r.body,
          });
          const text = await res.text();
          status = res.status;
          // A failure inside a stream arrives as an SSE error event after a 200.
          if (res.status >= 500 || /"type":"server_error"/.test(text)) fiveHundreds.push(`${res.status} ${r.method} ${r.path} ${r.body?.slice(0, 300)} → ${text.slice(0, 300)}`);
        } catch (e) {
          status = controller.signal.aborted ? 'hung up' : `network error ${(e as Error).message}`;
          if (!controller.signal.aborted) fiveHundreds.push(`${r.method} ${r.path} ${r.body?.slice(0, 300)} → ${(e as Error).message}`);
        } finally {
          clearTimeout(timer);
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        done++;
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    t.diagnostic(`${done} requests in ${((Date.now() - start) / 1000).toFixed(1)} s: ${JSON.stringify(Object.fromEntries(statuses))}`);
    assert.equal(exited, undefined, `strata serve exited (${exited}) during the fuzz run: ${stderr.slice(-2000)}`);
    assert.deepEqual(fiveHundreds.slice(0, 5), [], `${fiveHundreds.length} answers were 5xx or broken: ${stderr.slice(-2000)}`);
    assert.ok(done >= 2000, `only ${done} requests within ${DEADLINE_MS / 1000} s`);
    // Both kinds of answer occurred: the generator exercised accepted and refused requests.
    assert.ok((statuses.get(200) ?? 0) > 200 && (statuses.get(400) ?? 0) > 200, JSON.stringify(Object.fromEntries(statuses)));
    assert.equal((await fetch(`${root}/health`)).status, 200);
    assert.doesNotMatch(stderr, /internal error|refused by the model/, 'every client mistake is caught by the request validation');
  } finally {
    if (exited === undefined) {
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit') as [number | null];
      assert.equal(code, 0, `strata serve did not stop cleanly: ${stderr.slice(-1000)}`);
    }
  }
});
