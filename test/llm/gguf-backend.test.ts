import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadGgufModel } from '../../src/llm/backends/gguf.ts';
import type { GgufLanguageModel } from '../../src/llm/backends/gguf.ts';
import { readGguf } from '../../src/llm/gguf/reader.ts';
import { writeGguf } from '../../src/llm/gguf/writer.ts';
import { InvalidGgufError, ModelNotFoundError } from '../../src/llm/errors.ts';
import { ArgumentError } from '../../src/core/errors.ts';
import { STORIES_PATH, STORIES_SKIP, writeTinyCharModel } from './fixtures.ts';
import { llamaReferenceLogprobs } from './llama-reference.ts';

const dir = await mkdtemp(join(tmpdir(), 'strata-gguf-backend-'));
let stories: GgufLanguageModel | undefined;

before(async () => {
  if (!STORIES_SKIP) stories = await loadGgufModel(STORIES_PATH);
});
after(async () => {
  await stories?.close();
});

test('nextTokenDistribution gives stories260K\'s known probabilities after "Once upon a time"', { skip: STORIES_SKIP }, async () => {
  const d = await stories!.nextTokenDistribution('Once upon a time');
  assert.equal(d.coverage, 'full');
  assert.equal(d.entries.length, 512);
  const total = d.entries.reduce((s, e) => s + Math.exp(e.logprob), 0);
  assert.ok(Math.abs(total - 1) < 1e-5, `probabilities sum to ${total}`);
  assert.equal(d.entries[0]!.text, ',');
  assert.ok(Math.abs(Math.exp(d.entries[0]!.logprob) - 0.969) < 0.001, `P(",") = ${Math.exp(d.entries[0]!.logprob)}`);
  assert.equal(d.entries[1]!.text, ' there');
  assert.ok(Math.abs(Math.exp(d.entries[1]!.logprob) - 0.029) < 0.001, `P(" there") = ${Math.exp(d.entries[1]!.logprob)}`);
});

test('identity is the file sha256', { skip: STORIES_SKIP }, () => {
  assert.equal(stories!.identity, 'gguf:sha256:270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d');
});

test('sample at temperature 0 continues greedily as the spec records', { skip: STORIES_SKIP }, async () => {
  const s = await stories!.sample({ prompt: 'Once upon a time', maxTokens: 30, temperature: 0 });
  assert.ok(s.text.startsWith(', there was a little girl named Lily. She loved to play outside in the park'), s.text);
  assert.equal(s.finishReason, 'length');
  assert.equal(s.tokens.length, 30);
  assert.equal(s.tokens.map((t) => t.text).join(''), s.text);
});

test('continuationLogprobs agrees with nextTokenDistribution token by token', { skip: STORIES_SKIP }, async () => {
  const c = await stories!.continuationLogprobs('Once upon a time', ' there was');
  assert.deepEqual(c.tokens.map((t) => t.text), [' there', ' was']);
  const first = await stories!.nextTokenDistribution('Once upon a time');
  const there = first.entries.find((e) => e.id === c.tokens[0]!.id)!;
  // Teacher forcing evaluates the tokens in one batch; float32 sums in another order differ by ~1e-6.
  assert.ok(Math.abs(there.logprob - c.tokens[0]!.logprob) < 1e-5, `${there.logprob} vs ${c.tokens[0]!.logprob}`);
  const second = await stories!.nextTokenDistribution('Once upon a time there');
  const was = second.entries.find((e) => e.id === c.tokens[1]!.id)!;
  assert.ok(Math.abs(was.logprob - c.tokens[1]!.logprob) < 1e-5, `${was.logprob} vs ${c.tokens[1]!.logprob}`);
  assert.equal(c.total, c.tokens[0]!.logprob + c.tokens[1]!.logprob);
});

test('sample with allowedTokens emits only those tokens and is reproducible by seed', { skip: STORIES_SKIP }, async () => {
  const allowed: number[] = [];
  for (let d = 0; d <= 9; d++) {
    const d1 = await stories!.tokenize(`a${d}`, { addBos: false });
    allowed.push(d1[d1.length - 1]!);
  }
  const a = await stories!.sample({ prompt: 'Once upon a time', maxTokens: 12, temperature: 1, seed: 7, allowedTokens: allowed });
  const b = await stories!.sample({ prompt: 'Once upon a time', maxTokens: 12, temperature: 1, seed: 7, allowedTokens: allowed });
  assert.match(a.text, /^[0-9]{12}$/);
  assert.equal(a.text, b.text);
  assert.ok(a.tokens.every((t) => allowed.includes(t.id!)));
  const restricted = await stories!.nextTokenDistribution('Once upon a time', { allowedTokens: allowed });
  assert.equal(restricted.entries.length, 10);
  assert.ok(restricted.entries.every((e) => e.logprob < -3), 'digits are unlikely after "Once upon a time"');
});

test('sample stops at a stop string and drops it', { skip: STORIES_SKIP }, async () => {
  const s = await stories!.sample({ prompt: 'Once upon a time', maxTokens: 30, temperature: 0, stop: ['Lily'] });
  assert.equal(s.text, ', there was a little girl named ');
  assert.equal(s.finishReason, 'stop');
});

test('chat returns text with top log-probabilities per token', { skip: STORIES_SKIP }, async () => {
  const r = await stories!.chat({ messages: [{ role: 'user', content: 'Tell me a story.' }], maxTokens: 8, temperature: 0, topLogprobs: 3 });
  assert.ok(r.tokens.length > 0);
  for (const t of r.tokens) {
    assert.equal(t.top!.length, 3);
    assert.equal(t.top![0]!.logprob, t.logprob, 'greedy picks the top entry');
  }
});

test('bad arguments are refused with ArgumentError naming the argument', { skip: STORIES_SKIP }, async () => {
  await assert.rejects(async () => stories!.sample({ prompt: 'x', maxTokens: -1 }), (e: unknown) => e instanceof ArgumentError && /maxTokens/.test(e.message));
  await assert.rejects(async () => stories!.nextTokenDistribution('x', { allowedTokens: [600] }), /allowedTokens contains 600, not a token id/);
  await assert.rejects(async () => stories!.chat({ messages: [{ role: 'robot' as never, content: 'x' }], maxTokens: 1 }), /role must be/);
});

test('loadGgufModel refuses a missing file and a non-GGUF file without crashing', async () => {
  await assert.rejects(loadGgufModel(join(dir, 'missing.gguf')), ModelNotFoundError);
  const fake = join(dir, 'fake.gguf');
  await writeFile(fake, Buffer.alloc(4096, 7));
  await assert.rejects(loadGgufModel(fake), InvalidGgufError);
});

test('stories260K read and written back through the GGUF writer gives identical next-token log-probabilities', { skip: STORIES_SKIP }, async () => {
  const src = await readGguf(STORIES_PATH);
  const copyPath = join(dir, 'copy.gguf');
  await writeGguf(copyPath, {
    metadata: src.metadata,
    tensors: src.tensors.map((t) => ({ name: t.name, dims: t.dims, type: t.type, raw: src.tensorData.get(t.name)! })),
  });
  const copy = await loadGgufModel(copyPath);
  try {
    for (const prompt of ['Once upon a time', 'The little dog']) {
      const a = await stories!.nextTokenDistribution(prompt);
      const b = await copy.nextTokenDistribution(prompt);
      assert.deepEqual(b.entries, a.entries);
    }
  } finally {
    await copy.close();
  }
});

test('a random character-level Llama written by llamaGgufTensors loads, tokenizes per character and matches a reference forward pass', async () => {
  const path = join(dir, 'char.gguf');
  const { cfg, weights } = await writeTinyCharModel(path, 42);
  // An F32 KV cache removes llama.cpp's default F16 rounding of keys and values, so the comparison can be tight.
  const m = await loadGgufModel(path, { kvCacheType: 'F32' });
  try {
    const text = '0.12, -3.45,';
    const ids = await m.tokenize(text, { addBos: false });
    assert.equal(ids.length, text.length);
    assert.deepEqual(await Promise.all(ids.map((id) => m.detokenize([id]))), [...text]);
    const letter = await m.tokenize('a', { addBos: false });
    assert.deepEqual(letter, [3 + 17 + 0x61], 'an unknown character falls back to its byte token');
    const withBos = await m.tokenize(text);
    const reference = llamaReferenceLogprobs(cfg, weights, withBos);
    for (let pos = 0; pos < withBos.length; pos++) {
      const d = await m.nextTokenDistribution({ tokens: withBos.slice(0, pos + 1) });
      let maxDiff = 0;
      for (const e of d.entries) maxDiff = Math.max(maxDiff, Math.abs(e.logprob - reference[pos]![e.id!]!));
      assert.ok(maxDiff < 1e-4, `position ${pos}: max |Δ log p| = ${maxDiff}`);
    }
  } finally {
    await m.close();
  }
});

test('scoreOptions normalises multi-token answers over the options', { skip: STORIES_SKIP }, async () => {
  const { scoreOptions } = await import('../../src/llm/score-options.ts');
  const scores = await scoreOptions(stories!, 'Once upon a time', [',', ' there', ' Yes']);
  const sum = scores.reduce((s, x) => s + x.probability, 0);
  assert.ok(Math.abs(sum - 1) < 1e-12, `sum ${sum}`);
  assert.ok(scores[0]!.probability > scores[1]!.probability && scores[1]!.probability > scores[2]!.probability);
  const yes = await stories!.continuationLogprobs('Once upon a time', ' Yes');
  assert.ok(yes.tokens.length > 1, 'a multi-token answer');
  assert.equal(scores[2]!.logprob, yes.total);
});
