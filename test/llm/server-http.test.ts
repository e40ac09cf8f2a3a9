import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadGgufModel } from '../../src/llm/backends/gguf.ts';
import type { GgufLanguageModel } from '../../src/llm/backends/gguf.ts';
import { createOpenAiHttpModel } from '../../src/llm/backends/openai-http.ts';
import { startServer } from '../../src/llm/server.ts';
import type { RunningServer } from '../../src/llm/server.ts';
import { ApiCallError, ServerUnreachableError, UnsupportedCapabilityError } from '../../src/llm/errors.ts';
import { STORIES_PATH, STORIES_SKIP } from './fixtures.ts';

const fast = { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 5000 };
let local: GgufLanguageModel | undefined;
let server: RunningServer | undefined;

before(async () => {
  if (STORIES_SKIP) return;
  local = await loadGgufModel(STORIES_PATH);
  server = await startServer({ model: local, port: 0, modelName: 'stories' });
});
after(async () => {
  await server?.close();
  await local?.close();
});

const remote = () => createOpenAiHttpModel({ baseUrl: server!.url, model: 'stories', retry: fast });

test('startServer listens on 127.0.0.1 and lists its model at /v1/models', { skip: STORIES_SKIP }, async () => {
  assert.match(server!.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  const r = await fetch(`${server!.url}/models`);
  const body = await r.json() as { data: { id: string }[] };
  assert.deepEqual(body.data.map((d) => d.id), ['stories']);
});

test('HTTP nextTokenDistribution returns the local model\'s top-5', { skip: STORIES_SKIP }, async () => {
  const viaHttp = await remote().nextTokenDistribution('Once upon a time');
  const direct = await local!.nextTokenDistribution('Once upon a time', { topK: 5 });
  assert.equal(viaHttp.coverage, 'top-k');
  assert.deepEqual(viaHttp.entries.map((e) => e.text), direct.entries.map((e) => e.text));
  for (let i = 0; i < 5; i++) assert.ok(Math.abs(viaHttp.entries[i]!.logprob - direct.entries[i]!.logprob) < 1e-5);
});

test('HTTP continuationLogprobs (echo) matches teacher forcing in process', { skip: STORIES_SKIP }, async () => {
  const viaHttp = await remote().continuationLogprobs('Once upon a time', ' there was a girl');
  const direct = await local!.continuationLogprobs('Once upon a time', ' there was a girl');
  assert.deepEqual(viaHttp.tokens.map((t) => t.text), direct.tokens.map((t) => t.text));
  assert.ok(Math.abs(viaHttp.total - direct.total) < 1e-4, `${viaHttp.total} vs ${direct.total}`);
});

test('HTTP sample at temperature 0 and chat with top_logprobs go through the real server', { skip: STORIES_SKIP }, async () => {
  const m = remote();
  const s = await m.sample({ prompt: 'Once upon a time', maxTokens: 12, temperature: 0, stop: ['Lily'], topLogprobs: 2 });
  assert.equal(s.text, ', there was a little girl named ');
  assert.equal(s.finishReason, 'stop');
  // The stop string starts inside the token " Lily": the text keeps its leading space, the token list drops it.
  assert.equal(s.tokens.map((t) => t.text).join(''), ', there was a little girl named');
  const c = await m.chat({ messages: [{ role: 'user', content: 'Hi' }], maxTokens: 5, temperature: 0, topLogprobs: 3 });
  assert.ok(c.tokens.length > 0 && c.tokens.every((t) => t.top!.length === 3 && t.top![0]!.logprob === t.logprob));
});

test('HTTP sample with allowedTokens (logit_bias) yields only those tokens and warns that it is soft', { skip: STORIES_SKIP }, async () => {
  const m = remote();
  const allowed: number[] = [];
  for (let d = 0; d <= 9; d++) { const t = await m.tokenize(`a${d}`, { addBos: false }); allowed.push(t[t.length - 1]!); }
  const s = await m.sample({ prompt: 'Once upon a time', maxTokens: 8, temperature: 1, seed: 3, allowedTokens: allowed });
  assert.match(s.text, /^[0-9]{8}$/);
  assert.equal(s.warnings[0]!.setting, 'allowedTokens');
});

test('a 4xx answer is a non-retryable ApiCallError sent once', { skip: STORIES_SKIP }, async () => {
  const m = remote();
  const before = m.httpStats.requests;
  await assert.rejects(m.sample({ prompt: 'x', maxTokens: 1, temperature: 5 }), (e: unknown) =>
    e instanceof ApiCallError && e.status === 400 && !e.isRetryable && /temperature must be a number in 0…2/.test(e.message));
  assert.equal(m.httpStats.requests - before, 1);
});

test('a server that is down gives ServerUnreachableError naming the URL after the retries', async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const m = createOpenAiHttpModel({ baseUrl: `http://127.0.0.1:${port}/v1`, model: 'x', retry: fast });
  await assert.rejects(m.sample({ prompt: 'x', maxTokens: 1 }), (e: unknown) =>
    e instanceof ServerUnreachableError && e.message.includes(`http://127.0.0.1:${port}/v1/completions`) && /ECONNREFUSED/.test(e.message) && /after 3 attempt/.test(e.message));
});

test('a server without logprobs or echo is reported as UnsupportedCapabilityError', async () => {
  // A stub in the shape of a chat-only deployment: completions without logprobs, echo refused with 400.
  const stub = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url !== '/v1/completions' && req.url !== '/v1/chat/completions') { res.statusCode = 404; res.end('{}'); return; }
      const j = JSON.parse(body);
      res.setHeader('content-type', 'application/json');
      if (j.echo) { res.statusCode = 400; res.end(JSON.stringify({ error: { message: 'echo is not supported' } })); return; }
      if (req.url === '/v1/chat/completions') {
        res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] }));
        return;
      }
      res.end(JSON.stringify({ choices: [{ text: ' ok', logprobs: null, finish_reason: 'length' }] }));
    });
  });
  await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(stub.address() as AddressInfo).port}/v1`;
  try {
    const m = createOpenAiHttpModel({ baseUrl: url, model: 'stub', retry: fast });
    await assert.rejects(m.continuationLogprobs('a', 'b'), (e: unknown) => e instanceof UnsupportedCapabilityError && /score a prompt/.test(e.message));
    assert.equal(m.capabilities.promptLogprobs, false);
    await assert.rejects(m.nextTokenDistribution('a'), (e: unknown) => e instanceof UnsupportedCapabilityError && /without logprobs/.test(e.message));
    await assert.rejects(m.chat({ messages: [{ role: 'user', content: 'q' }], maxTokens: 1, topLogprobs: 5 }), UnsupportedCapabilityError);
    await assert.rejects(m.tokenize('a'), (e: unknown) => e instanceof UnsupportedCapabilityError && /tokenize/.test(e.message));
  } finally {
    await new Promise<void>((r) => stub.close(() => r()));
  }
});

test('a Strata-exported character model served over HTTP scores digits as in process', async () => {
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { writeTinyCharModel } = await import('./fixtures.ts');
  const path = join(await mkdtemp(join(tmpdir(), 'strata-serve-char-')), 'char.gguf');
  await writeTinyCharModel(path, 9);
  const own = await loadGgufModel(path);
  const served = await startServer({ model: own, port: 0, modelName: 'char' });
  try {
    const m = createOpenAiHttpModel({ baseUrl: served.url, model: 'char', retry: fast });
    const viaHttp = await m.continuationLogprobs('0.12, 0.15,', ' 0.17,');
    const direct = await own.continuationLogprobs('0.12, 0.15,', ' 0.17,');
    assert.deepEqual(viaHttp.tokens.map((t) => t.text), [' ', '0', '.', '1', '7', ',']);
    assert.deepEqual(viaHttp.tokens.map((t) => t.text), direct.tokens.map((t) => t.text));
    assert.ok(Math.abs(viaHttp.total - direct.total) < 1e-4, `${viaHttp.total} vs ${direct.total}`);
    // Legacy top_logprobs are keyed by text, so tokens sharing a text (e.g. "0" and its byte token <0x30>) keep one
    // entry: the most likely, as in OpenAI's format.
    const top = await m.nextTokenDistribution('0.12,');
    const directTop = (await own.nextTokenDistribution('0.12,', { topK: 5 })).entries;
    const firstByText = directTop.filter((e, i) => directTop.findIndex((d) => d.text === e.text) === i);
    assert.deepEqual(top.entries.map((e) => e.text), firstByText.map((e) => e.text));
    top.entries.forEach((e, i) => assert.ok(Math.abs(e.logprob - firstByText[i]!.logprob) < 1e-5));
  } finally {
    await served.close();
    await own.close();
  }
});
