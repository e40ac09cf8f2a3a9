/**
 * Property-based tests (fast-check) of `strata serve`'s request validation and of the two pure pieces streaming and
 * top_p rest on: random and mutated bodies give a typed request or a 4xx `RequestError`, never anything else, and an
 * accepted request holds only token ids of the vocabulary.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  checkTokenIdList, parseChatRequest, parseCompletionRequest, parseDetokenizeRequest, parseTokenizeRequest, RequestError,
} from '../../src/llm/server/request.ts';
import type { Body, ModelLimits } from '../../src/llm/server/request.ts';
import { finalTokenCount } from '../../src/llm/backends/gguf.ts';
import { nucleusMask } from '../../src/llm/sampling.ts';

const limits: ModelLimits = { vocabularySize: 512, maxTopLogprobs: 20 };
const RUNS = 400;

/** Either a value or a RequestError with a 4xx status and a non-empty message; anything else fails the property. */
function outcome<T>(f: () => T): T | RequestError {
  try {
    return f();
  } catch (e) {
    assert.ok(e instanceof RequestError, `threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
    assert.ok(e.status >= 400 && e.status < 500 && e.message.length > 0);
    return e;
  }
}

const tokenIdOk = (t: number): boolean => Number.isInteger(t) && t >= 0 && t < limits.vocabularySize;

const validCompletion = fc.record({
  prompt: fc.oneof(fc.string(), fc.array(fc.string(), { minLength: 1, maxLength: 3 }), fc.array(fc.nat(511), { minLength: 1, maxLength: 8 })),
  max_tokens: fc.nat(64), temperature: fc.double({ min: 0, max: 2, noNaN: true }), top_p: fc.double({ min: 0, max: 1, noNaN: true }),
  logprobs: fc.integer({ min: 0, max: 20 }), echo: fc.boolean(), stream: fc.boolean(), n: fc.integer({ min: 1, max: 4 }),
  seed: fc.integer(), stop: fc.option(fc.array(fc.string({ minLength: 1 }), { maxLength: 4 }), { nil: undefined }),
  logit_bias: fc.dictionary(fc.nat(511).map(String), fc.integer({ min: -100, max: 100 }), { maxKeys: 4 }),
}, { requiredKeys: ['prompt'] });

const validChat = fc.record({
  messages: fc.array(fc.record({
    role: fc.constantFrom('system', 'user', 'assistant', 'developer'),
    content: fc.oneof(fc.string(), fc.array(fc.record({ type: fc.constant('text'), text: fc.string() }), { maxLength: 3 })),
  }), { minLength: 1, maxLength: 4 }),
  max_tokens: fc.nat(64), temperature: fc.double({ min: 0, max: 2, noNaN: true }), logprobs: fc.constant(true),
  top_logprobs: fc.integer({ min: 0, max: 20 }), stream: fc.boolean(), seed: fc.integer(),
}, { requiredKeys: ['messages'] });

/** Replace, delete or retype one field of a valid body. */
function mutated(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Body> {
  return fc.tuple(valid, fc.nat(), fc.oneof(fc.constant(undefined), fc.jsonValue(), fc.constantFrom(-1, 512, 1e300, -0, 1.5, 2 ** 53, '7', [], {}, [600], [-1], [[600]])))
    .map(([body, k, v]) => {
      const keys = Object.keys(body);
      const key = keys[k % keys.length]!;
      const out: Body = { ...body };
      if (v === undefined) delete out[key];
      else out[key] = v;
      return out;
    });
}

function assertAcceptedCompletion(r: ReturnType<typeof parseCompletionRequest>): void {
  for (const p of r.prompts) if ('tokens' in p) assert.ok(p.tokens.every(tokenIdOk), JSON.stringify(p.tokens));
  for (const k of Object.keys(r.logitBias ?? {})) assert.ok(tokenIdOk(Number(k)));
  assert.ok(r.temperature >= 0 && r.temperature <= 2 && r.topP >= 0 && r.topP <= 1);
  assert.ok(r.maxTokens === undefined || (Number.isSafeInteger(r.maxTokens) && r.maxTokens >= 0));
  assert.ok(r.logprobs === undefined || (r.logprobs >= 0 && r.logprobs <= 20));
}

test('valid completion bodies are accepted as given', () => {
  fc.assert(fc.property(validCompletion, (body) => {
    const r = parseCompletionRequest(body, limits);
    assertAcceptedCompletion(r);
    assert.equal(r.echo, body.echo ?? false);
    assert.equal(r.maxTokens, body.max_tokens);
  }), { numRuns: RUNS });
});

test('mutated and arbitrary completion bodies give a checked request or a 4xx RequestError', () => {
  fc.assert(fc.property(fc.oneof(mutated(validCompletion), fc.dictionary(fc.constantFrom('prompt', 'max_tokens', 'logprobs', 'logit_bias', 'stop', 'n', 'echo', 'stream_options', 'x'), fc.jsonValue())), (body) => {
    const r = outcome(() => parseCompletionRequest(body, limits));
    if (!(r instanceof RequestError)) assertAcceptedCompletion(r);
  }), { numRuns: RUNS * 2 });
});

test('mutated and arbitrary chat bodies give a checked request or a 4xx RequestError', () => {
  fc.assert(fc.property(fc.oneof(mutated(validChat), fc.dictionary(fc.constantFrom('messages', 'max_tokens', 'top_logprobs', 'logprobs', 'stop', 'x'), fc.jsonValue())), (body) => {
    const r = outcome(() => parseChatRequest(body, limits));
    if (r instanceof RequestError) return;
    assert.ok(r.messages.length > 0 && r.messages.every((m) => typeof m.content === 'string' && ['system', 'user', 'assistant'].includes(m.role)));
    assert.ok(r.topLogprobs === undefined || r.logprobs);
  }), { numRuns: RUNS * 2 });
});

test('token id lists: accepted exactly when every id is in the vocabulary; the error names the first bad index', () => {
  const entry = fc.oneof(fc.nat(511), fc.integer({ min: -5, max: 600 }), fc.double(), fc.jsonValue());
  fc.assert(fc.property(fc.array(entry, { maxLength: 12 }), (tokens) => {
    const r = outcome(() => parseDetokenizeRequest({ tokens }, limits));
    const bad = tokens.findIndex((t) => typeof t !== 'number' || !tokenIdOk(t));
    if (bad < 0) assert.deepEqual(r, tokens);
    else assert.ok(r instanceof RequestError && r.param === 'tokens' && r.message.startsWith(`tokens[${bad}] is `), (r as Error).message);
  }), { numRuns: RUNS });
  assert.throws(() => checkTokenIdList('nope', 'tokens', 512), /tokens must be an array of token ids/);
  fc.assert(fc.property(fc.jsonValue(), (v) => { outcome(() => parseTokenizeRequest({ content: v })); outcome(() => parseDetokenizeRequest({ tokens: v }, limits)); }), { numRuns: RUNS });
});

/** The generation's stop rule (as in `GgufLanguageModel.generate`): cut the text at the first stop string, keep whole tokens before it. */
function finalCount(texts: string[], stop: string[]): number {
  const text = texts.join('');
  const hits = stop.map((s) => text.indexOf(s)).filter((i) => i >= 0);
  const cut = hits.length > 0 ? Math.min(...hits) : text.length;
  let n = 0;
  for (let end = 0; n < texts.length && (end += texts[n]!.length) <= cut;) n++;
  return n;
}

test('streaming holds back exactly the tokens a stop string or stop sequence could still cut', () => {
  const piece = fc.constantFrom('a', 'b', 'ab', ' ', 'ba', 'c', '');
  fc.assert(fc.property(fc.array(piece, { minLength: 1, maxLength: 12 }), fc.array(fc.stringMatching(/^[abc ]{1,3}$/), { maxLength: 3 }), (texts, stop) => {
    // Feed tokens while no stop string is complete, as generation does; every count emitted must survive the end.
    let last = 0;
    for (let t = 1; t <= texts.length; t++) {
      const prefix = texts.slice(0, t);
      if (stop.some((s) => prefix.join('').includes(s))) {
        assert.ok(last <= finalCount(prefix, stop), `${JSON.stringify(prefix)} stop ${JSON.stringify(stop)}`);
        return;
      }
      const c = finalTokenCount(prefix.map((text) => ({ text })), prefix.map((_, i) => i), stop, []);
      assert.ok(c >= last && c <= t);
      last = c;
      // Nothing is held without a reason: with no stop strings every token is final at once.
      if (stop.length === 0) assert.equal(c, t);
    }
  }), { numRuns: RUNS });
  // Token stop sequences (a chat template's end marker): a trailing partial match is held, a complete miss is not.
  assert.equal(finalTokenCount([{ text: 'x' }, { text: 'y' }, { text: 'z' }], [5, 7, 8], [], [[8, 9]]), 2);
  assert.equal(finalTokenCount([{ text: 'x' }, { text: 'y' }, { text: 'z' }], [5, 7, 8], [], [[7, 8, 9]]), 1);
  assert.equal(finalTokenCount([{ text: 'x' }, { text: 'y' }, { text: 'z' }], [5, 7, 8], [], [[9, 9]]), 3);
});

test('nucleusMask keeps the smallest most-likely set whose tempered mass reaches top_p', () => {
  const logits = fc.array(fc.double({ min: -30, max: 5, noNaN: true }), { minLength: 1, maxLength: 20 });
  fc.assert(fc.property(logits, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.1, max: 2, noNaN: true }), (lp, p, temperature) => {
    const masked = [...lp];
    nucleusMask(masked, temperature, p);
    const max = Math.max(...lp);
    const w = lp.map((l) => Math.exp((l - max) / temperature));
    const total = w.reduce((a, b) => a + b, 0);
    const kept = masked.map((l, i) => (l === -Infinity ? -1 : i)).filter((i) => i >= 0);
    assert.ok(kept.length >= 1);
    assert.ok(kept.includes(lp.indexOf(max)), 'the most likely token is kept');
    for (const i of kept) assert.equal(masked[i], lp[i], 'kept entries are unchanged');
    const mass = kept.reduce((a, i) => a + w[i]!, 0);
    assert.ok(mass >= p * total * (1 - 1e-12), `mass ${mass / total} < ${p}`);
    // Minimal: without its least likely member the kept set falls short (ties aside).
    if (kept.length > 1) {
      const least = Math.min(...kept.map((i) => w[i]!));
      const dropped = lp.filter((_, i) => !kept.includes(i)).map((l) => Math.exp((l - max) / temperature));
      assert.ok(mass - least < p * total * (1 + 1e-12) || dropped.some((d) => d >= least));
      assert.ok(dropped.every((d) => d <= least * (1 + 1e-12)), 'no dropped token is more likely than a kept one');
    }
  }), { numRuns: RUNS });
  assert.throws(() => nucleusMask([0], 1, 1.5), /topP must be a number in 0…1/);
});
