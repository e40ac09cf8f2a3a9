/**
 * `strata serve` driven by the official `openai` npm SDK (a client nobody here wrote): completions, chat, streaming
 * for both, models list/retrieve and the error cases, against the real stories260K model.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { loadGgufModel } from '../../src/llm/backends/gguf.ts';
import type { GgufLanguageModel } from '../../src/llm/backends/gguf.ts';
import { startServer } from '../../src/llm/server.ts';
import type { RunningServer } from '../../src/llm/server.ts';
import { STORIES_PATH, STORIES_SKIP } from './fixtures.ts';

let local: GgufLanguageModel | undefined;
let server: RunningServer | undefined;
let client: OpenAI;

before(async () => {
  if (STORIES_SKIP) return;
  local = await loadGgufModel(STORIES_PATH);
  server = await startServer({ model: local, port: 0, modelName: 'stories' });
  client = new OpenAI({ baseURL: server.url, apiKey: 'not-checked', maxRetries: 0, timeout: 60_000 });
});
after(async () => {
  await server?.close();
  await local?.close();
});

const skip = { skip: STORIES_SKIP };

test('models.list and models.retrieve; an unknown model is a NotFoundError with code model_not_found', skip, async () => {
  const list = await client.models.list();
  assert.deepEqual(list.data.map((m) => [m.id, m.object, m.owned_by]), [['stories', 'model', 'strata']]);
  const one = await client.models.retrieve('stories');
  assert.equal(one.id, 'stories');
  await assert.rejects(client.models.retrieve('gpt-9'), (e: unknown) =>
    e instanceof OpenAI.NotFoundError && e.status === 404 && e.code === 'model_not_found' && /gpt-9/.test(e.message));
  await assert.rejects(client.completions.create({ model: 'gpt-9', prompt: 'x', max_tokens: 1 }), (e: unknown) =>
    e instanceof OpenAI.NotFoundError && e.code === 'model_not_found' && e.param === 'model');
});

test('completions: greedy text, logprobs, echo with a null first log-prob like OpenAI', skip, async () => {
  const r = await client.completions.create({ model: 'stories', prompt: 'Once upon a time', max_tokens: 3, temperature: 0, logprobs: 2, echo: true });
  const c = r.choices[0]!;
  assert.equal(c.text, 'Once upon a time, there was');
  assert.equal(c.finish_reason, 'length');
  const lp = c.logprobs!;
  assert.deepEqual(lp.tokens, ['Once', ' upon', ' a', ' time', ',', ' there', ' was']);
  assert.equal(lp.token_logprobs![0], null);
  assert.equal(lp.top_logprobs![0], null);
  assert.deepEqual(lp.text_offset, [0, 4, 9, 11, 16, 17, 23]);
  for (let i = 1; i < lp.tokens!.length; i++) {
    const top = lp.top_logprobs![i]!;
    assert.equal(Object.keys(top).length, 2);
    // Each token's own log-prob agrees with its entry among the alternatives whenever it is one of the top 2.
    if (lp.tokens![i]! in top) assert.ok(Math.abs(top[lp.tokens![i]!]! - lp.token_logprobs![i]!) < 1e-9);
  }
  assert.ok(Math.abs(lp.token_logprobs![4]! - Math.log(0.969)) < 0.01, `P(",") = ${Math.exp(lp.token_logprobs![4]!)}`);
  assert.deepEqual(r.usage, { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
});

test('completions streaming: the chunks add up to the non-streamed text, stop strings included; usage on request', skip, async () => {
  for (const stop of [undefined, ['Lily'], [' named L']]) {
    const plain = await client.completions.create({ model: 'stories', prompt: 'Once upon a time', max_tokens: 20, temperature: 0, stop, logprobs: 1 });
    const stream = await client.completions.create({
      model: 'stories', prompt: 'Once upon a time', max_tokens: 20, temperature: 0, stop, logprobs: 1, stream: true, stream_options: { include_usage: true },
    });
    let text = '';
    const tokens: string[] = [];
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined | null;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      for (const c of chunk.choices) {
        text += c.text;
        tokens.push(...(c.logprobs?.tokens ?? []));
        if (c.finish_reason) finish = c.finish_reason;
      }
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, plain.choices[0]!.text, JSON.stringify(stop));
    assert.deepEqual(tokens, plain.choices[0]!.logprobs!.tokens);
    assert.equal(finish, plain.choices[0]!.finish_reason);
    assert.deepEqual(usage, plain.usage);
    assert.ok(chunks > 3, `${chunks} chunks: tokens arrive one by one`);
  }
});

test('chat: usage.prompt_tokens counts the templated prompt; text content parts equal a string', skip, async () => {
  const messages = [{ role: 'user' as const, content: 'Tell me a story.' }];
  const r = await client.chat.completions.create({ model: 'stories', messages, max_tokens: 8, temperature: 0, logprobs: true, top_logprobs: 2 });
  const templated = local!.chatPrompt(messages).tokens.length;
  assert.equal(r.usage!.prompt_tokens, templated);
  assert.ok(templated > 5);
  assert.equal(r.usage!.total_tokens, templated + r.usage!.completion_tokens);
  assert.equal(r.choices[0]!.message.role, 'assistant');
  assert.ok(r.choices[0]!.logprobs!.content!.every((t) => t.top_logprobs.length === 2));
  const parts = await client.chat.completions.create({
    model: 'stories', max_tokens: 8, temperature: 0,
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Tell me ' }, { type: 'text', text: 'a story.' }] }],
  });
  assert.equal(parts.choices[0]!.message.content, r.choices[0]!.message.content);
  await assert.rejects(client.chat.completions.create({
    model: 'stories', max_tokens: 1,
    messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://x/y.png' } }] }],
  }), (e: unknown) => e instanceof OpenAI.BadRequestError && /content\[0\].*only text/.test(e.message));
});

test('chat streaming: role first, deltas add up to the non-streamed message, usage chunk last', skip, async () => {
  const messages = [{ role: 'system' as const, content: 'You tell stories.' }, { role: 'user' as const, content: 'Once upon a time' }];
  const plain = await client.chat.completions.create({ model: 'stories', messages, max_tokens: 16, temperature: 0 });
  const stream = await client.chat.completions.create({ model: 'stories', messages, max_tokens: 16, temperature: 0, stream: true, stream_options: { include_usage: true }, logprobs: true });
  let content = '';
  const roles: string[] = [];
  let finish: string | null = null;
  let usage: OpenAI.CompletionUsage | undefined | null;
  let logprobTokens = '';
  for await (const chunk of stream) {
    assert.equal(chunk.object, 'chat.completion.chunk');
    for (const c of chunk.choices) {
      if (c.delta.role) roles.push(c.delta.role);
      content += c.delta.content ?? '';
      logprobTokens += (c.logprobs?.content ?? []).map((t) => t.token).join('');
      if (c.finish_reason) finish = c.finish_reason;
    }
    if (chunk.usage) usage = chunk.usage;
  }
  assert.deepEqual(roles, ['assistant']);
  assert.equal(content, plain.choices[0]!.message.content);
  assert.ok(content.startsWith(logprobTokens));
  assert.equal(finish, plain.choices[0]!.finish_reason);
  assert.deepEqual(usage, plain.usage);
  // The SDK's helper that assembles a streamed chat into a completion agrees too.
  const runner = client.chat.completions.stream({ model: 'stories', messages, max_tokens: 16, temperature: 0 });
  const final = await runner.finalChatCompletion();
  assert.equal(final.choices[0]!.message.content, plain.choices[0]!.message.content);
});

test('top_p is honoured: top_p 0 keeps only the most likely token, so sampling at temperature 1 is greedy', skip, async () => {
  const greedy = await client.completions.create({ model: 'stories', prompt: 'The dog', max_tokens: 12, temperature: 0 });
  for (const seed of [1, 2, 3]) {
    const r = await client.completions.create({ model: 'stories', prompt: 'The dog', max_tokens: 12, temperature: 1, top_p: 0, seed });
    assert.equal(r.choices[0]!.text, greedy.choices[0]!.text);
  }
  // Without the nucleus the same seeds do not all follow the greedy path.
  const free = await Promise.all([1, 2, 3].map((seed) => client.completions.create({ model: 'stories', prompt: 'The dog', max_tokens: 12, temperature: 1, seed })));
  assert.ok(free.some((r) => r.choices[0]!.text !== greedy.choices[0]!.text));
});

test('SDK error classes: bad arguments are BadRequestError naming the param; a wrong key is AuthenticationError', skip, async () => {
  await assert.rejects(client.completions.create({ model: 'stories', prompt: 'x', max_tokens: 1, temperature: 5 }), (e: unknown) =>
    e instanceof OpenAI.BadRequestError && e.param === 'temperature' && /temperature must be a number in 0…2/.test(e.message));
  await assert.rejects(client.completions.create({ model: 'stories', prompt: [700], max_tokens: 1 }), (e: unknown) =>
    e instanceof OpenAI.BadRequestError && e.param === 'prompt' && /prompt\[0\] is 700/.test(e.message));
  await assert.rejects(client.completions.create({ model: 'stories', prompt: 'x', max_tokens: 1, stream: true, logprobs: 99 }), OpenAI.BadRequestError);
  const guarded = await startServer({ model: local!, port: 0, modelName: 'stories', apiKey: 'right' });
  try {
    const wrong = new OpenAI({ baseURL: guarded.url, apiKey: 'wrong', maxRetries: 0 });
    await assert.rejects(wrong.models.list(), (e: unknown) => e instanceof OpenAI.AuthenticationError && e.code === 'invalid_api_key');
    const right = new OpenAI({ baseURL: guarded.url, apiKey: 'right', maxRetries: 0 });
    assert.equal((await right.models.list()).data[0]!.id, 'stories');
  } finally {
    await guarded.close();
  }
});

test('unknown routes are 404, known routes with another method 405; --cors answers preflights', skip, async () => {
  const root = server!.url.replace(/\/v1$/, '');
  for (const path of ['/v1/nothing', '/', '/v1/models/stories/extra/../x'.replace('/..', '')]) {
    const r = await fetch(`${root}${path}`);
    assert.equal(r.status, 404, path);
    assert.equal(((await r.json()) as { error: { type: string } }).error.type, 'invalid_request_error');
  }
  const wrong = await fetch(`${root}/v1/completions`);
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get('allow'), 'POST');
  const noCors = await fetch(`${root}/v1/completions`, { method: 'OPTIONS' });
  assert.equal(noCors.status, 405);
  assert.equal(noCors.headers.get('access-control-allow-origin'), null);
  const withCors = await startServer({ model: local!, port: 0, modelName: 'stories', cors: true, apiKey: 'k' });
  try {
    const pre = await fetch(`${withCors.url}/chat/completions`, {
      method: 'OPTIONS', headers: { origin: 'http://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), '*');
    assert.match(pre.headers.get('access-control-allow-methods')!, /POST/);
    assert.equal(pre.headers.get('access-control-allow-headers'), 'authorization, content-type');
    const get = await fetch(`${withCors.url}/models`, { headers: { authorization: 'Bearer k', origin: 'http://app.example' } });
    assert.equal(get.headers.get('access-control-allow-origin'), '*');
  } finally {
    await withCors.close();
  }
});
