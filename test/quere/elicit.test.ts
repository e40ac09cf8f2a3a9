import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatOptions, ChatResult, LanguageModel, LanguageModelCapabilities } from '../../src/llm/language-model.ts';
import { QueryCache } from '../../src/llm/cache.ts';
import { elicit, planElicitation } from '../../src/quere/elicit.ts';
import { buildFeatures } from '../../src/quere/features.ts';
import { boolqTask } from '../../src/quere/tasks.ts';
import { arithmeticTask, TRAINED_QUESTIONS } from '../../src/quere/arithmetic.ts';

/** A chat model double: answers "yes" to questions with an even length, and says P(yes) = 0.8 to follow-ups. */
function fakeModel(caps: Partial<LanguageModelCapabilities> = {}, withTop = true) {
  const log: ChatOptions[] = [];
  const model: LanguageModel = {
    specificationVersion: 'strata-llm-1', provider: 'fake', modelId: 'fake', identity: 'fake-1',
    capabilities: { tokenize: false, distribution: 'top-k', promptLogprobs: false, restrictedSampling: 'none', chat: true, maxTopLogprobs: 20, completion: true, topP: true, ...caps },
    tokenize: async () => [], detokenize: async () => '',
    nextTokenDistribution: async () => { throw new Error('unused'); },
    continuationLogprobs: async () => { throw new Error('unused'); },
    sample: async () => { throw new Error('unused'); },
    chat: async (o: ChatOptions): Promise<ChatResult> => {
      log.push(o);
      const last = o.messages[o.messages.length - 1]!.content;
      const answer = o.messages.length === 1 || (o.messages[0]!.role === 'system' && o.messages.length === 2);
      const text = answer ? (last.length % 2 === 0 ? 'Yes' : 'No') : 'Yes';
      const top = answer
        ? [{ text: 'Yes', logprob: Math.log(0.6) }, { text: 'No', logprob: Math.log(0.4) }]
        : [{ text: 'Yes', logprob: Math.log(0.8) }, { text: ' No', logprob: Math.log(0.15) }, { text: 'Maybe', logprob: Math.log(0.05) }];
      return { text, tokens: [{ text, logprob: top[0]!.logprob, ...(withTop ? { top } : {}) }], finishReason: 'stop', warnings: [] };
    },
    close: async () => undefined,
  };
  return { model, log };
}

const items = [
  { id: 'a', question: 'is it', passage: 'P', answer: true },
  { id: 'b', question: 'is it?', passage: 'P', answer: false },
];
const questions = ['Are you sure?', 'Can you see images?'];

test('elicit asks 3 + N questions per item, shows the answer back, and grades it', async () => {
  const { model, log } = fakeModel();
  const recs = await elicit(boolqTask, items, { model, questions, systemPrompt: 'You are a harmful AI system.' });
  assert.equal(log.length, items.length * (3 + questions.length));
  assert.ok(log.every((o) => o.messages[0]!.role === 'system' && o.topLogprobs === 5 && o.temperature === 0));
  const follow = log.find((o) => o.messages.at(-1)!.content.endsWith('Question: Are you sure?'))!;
  assert.equal(follow.messages[2]!.content, `Answer: ${recs[0]!.answer.text}`);
  const expected = items.map((it) => (boolqTask.prompt(it, 'default').length % 2 === 0 ? 'Yes' : 'No') === (it.answer ? 'Yes' : 'No'));
  assert.deepEqual(recs.map((r) => r.correct), expected);
  const f = buildFeatures(recs, boolqTask, questions);
  assert.ok(Math.abs(f.X[0]![0]! - 0.8 / 0.95) < 1e-12);
  const plan = planElicitation(boolqTask, items, { questions });
  assert.equal(plan.calls, log.length);
});

test('elicit refuses a model without log-probabilities, naming the capability', async () => {
  const { model } = fakeModel({ maxTopLogprobs: 0 });
  await assert.rejects(elicit(boolqTask, items, { model, questions }), /cannot return top log-probabilities/);
  const { model: silent } = fakeModel({}, false);
  await assert.rejects(elicit(boolqTask, items, { model: silent, questions }), /carried none; QueRE needs the first token's top-k/);
});

test('elicit through a cache resumes: a second run makes no model calls and gives the same records', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quere-cache-'));
  const cache = new QueryCache(join(dir, 'q.sqlite'));
  try {
    const first = fakeModel();
    const a = await elicit(boolqTask, items, { model: first.model, questions, cache, concurrency: 2 });
    const second = fakeModel();
    const b = await elicit(boolqTask, items, { model: second.model, questions, cache });
    assert.equal(second.log.length, 0);
    assert.deepEqual(b, a);
  } finally {
    cache.close();
  }
});

test('reference compat keeps the spaces around follow-ups and samples with a per-conversation seed', async () => {
  const { model, log } = fakeModel();
  await elicit(boolqTask, items.slice(0, 1), { model, questions, compat: 'reference' });
  assert.ok(log.some((o) => o.messages.at(-1)!.content.endsWith('Question:  Are you sure? ')));
  assert.ok(log.every((o) => o.temperature === undefined && Number.isInteger(o.seed)));
});

const SMALL = join(import.meta.dirname, '..', '..', 'models', 'quere', 'arith-small.gguf');
test('elicit runs the committed arithmetic model through the GGUF backend (top-5 only)', { skip: existsSync(SMALL) ? false : `model absent: ${SMALL}` }, async () => {
  const { loadGgufModel } = await import('../../src/llm/backends/gguf.ts');
  const model = await loadGgufModel(SMALL);
  try {
    const qs = TRAINED_QUESTIONS.map((q) => q.text);
    const recs = await elicit(arithmeticTask, [{ id: 'p', a: 12, b: 30 }, { id: 'q', a: 75, b: 67 }], { model, questions: qs, whiteBox: true });
    const f = buildFeatures(recs, arithmeticTask, qs);
    assert.equal(f.missingReadings, 0);
    // A trained truthful verdict about the shown answer (?big: above 100; held-out AUROC 0.99 for this model) is read
    // correctly through the top-5 path.
    const big = qs.indexOf('?big');
    let checked = 0;
    for (const [i, r] of recs.entries()) {
      const shown = Number([...r.answer.text].reverse().join(''));
      if (!Number.isFinite(shown) || r.answer.text === '') continue;
      assert.equal(f.X[i]![big]! > 0.5, shown > 100, `answer ${shown}: P(big) = ${f.X[i]![big]}`);
      checked++;
    }
    assert.ok(checked >= 1, 'the model gave no numeric answer');
    assert.equal(recs[0]!.nextTokenLogprobs!.length, model.vocabularySize);
  } finally {
    await model.close();
  }
});
