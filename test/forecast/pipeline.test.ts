import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QueryCache, replayModel, sampleToken } from '../../src/llm/index.ts';
import { Rng } from '../../src/core/index.ts';
import type { ChatOptions, LanguageModel, SampleOptions } from '../../src/llm/language-model.ts';
import { GaussianOracleModel } from '../../src/forecast/oracle-model.ts';
import { forecast, numericPart, CHAT_SYSTEM_PROMPT } from '../../src/forecast/pipeline.ts';
import { tune } from '../../src/forecast/tune.ts';
import { fitScaler } from '../../src/forecast/scaler.ts';
import { presetSettings } from '../../src/forecast/settings.ts';
import { deserialize } from '../../src/forecast/serialize.ts';

const s = presetSettings('llama');
const history = Float64Array.from({ length: 40 }, (_, t) => 10 + Math.sin(t / 3) + 0.1 * t);

function oracle(contextSize?: number) {
  const sc = fitScaler(history);
  return new GaussianOracleModel({
    settings: s, ...(contextSize ? { contextSize } : {}),
    predictive: (prev) => ({ mean: prev.length ? prev[prev.length - 1]! : 0.5, std: 0.3 / sc.q }),
  });
}

test('forecast(history, 0) is empty and asks the model nothing', async () => {
  const fc = await forecast(history, 0, { model: scripted([]) });
  assert.equal(fc.samples.length, 0);
  assert.equal(fc.median.length, 0);
});

test('forecast returns samples × horizon, a median between the 10% and 90% quantiles, and non-crossing quantiles', async () => {
  const fc = await forecast(history, 6, { model: oracle(), numSamples: 30, seed: 2 });
  assert.equal(fc.samples.length, 30);
  assert.ok(fc.samples.every((p) => p.length === 6));
  const lo = fc.quantile(0.1), hi = fc.quantile(0.9);
  for (let t = 0; t < 6; t++) assert.ok(lo[t]! <= fc.median[t]! && fc.median[t]! <= hi[t]!);
  assert.ok(fc.prompt.endsWith(','));
});

test('forecast with a small context keeps the newest whole steps and slides the window while generating', async () => {
  const fc = await forecast(history, 30, { model: oracle(48), numSamples: 2, seed: 1 });
  assert.ok(fc.promptSteps < history.length);
  assert.ok(fc.warnings.some((w) => /keeps the last/.test(w)));
  assert.ok(fc.samples.every((p) => p.length === 30));
  assert.equal(fc.padded, 0);
});

test('forecast caches every completion; --replay rescoring gives identical samples without the model', async () => {
  const cache = new QueryCache(':memory:');
  const model = oracle();
  const first = await forecast(history, 5, { model, numSamples: 4, seed: 7, cache });
  assert.equal(first.cached, 0);
  const replay = await forecast(history, 5, { model: replayModel(model.identity, cache), numSamples: 4, seed: 7 });
  assert.equal(replay.cached, 4);
  assert.deepEqual(replay.samples, first.samples);
  // Sample i draws from stream i of the seed: the first 4 of 5 are cached, the 5th is not.
  await assert.rejects(forecast(history, 5, { model: replayModel(model.identity, cache), numSamples: 5, seed: 7 }), /a sample query for oracle:\d+ is not in the cache/);
  cache.close();
});

/** A remote-style backend that returns fixed completions (no distributions). */
function scripted(texts: string[], chats: ChatOptions[] = []): LanguageModel {
  let i = 0;
  return {
    specificationVersion: 'strata-llm-1', provider: 'scripted', modelId: 'scripted', identity: 'scripted',
    capabilities: { tokenize: true, distribution: 'top-k', promptLogprobs: false, restrictedSampling: 'none', chat: true, maxTopLogprobs: 5, completion: true, topP: true },
    tokenize: async (text: string) => Array.from(text, (c) => c.charCodeAt(0)),
    detokenize: async (t: readonly number[]) => String.fromCharCode(...t),
    nextTokenDistribution: async () => { throw new Error('unused'); },
    continuationLogprobs: async () => { throw new Error('unused'); },
    sample: async (_o: SampleOptions) => ({ text: texts[i++ % texts.length]!, tokens: [], finishReason: 'stop', warnings: [] }),
    chat: async (o: ChatOptions) => { chats.push(o); return { text: texts[i++ % texts.length]!, tokens: [], finishReason: 'stop', warnings: [] }; },
    close: async () => {},
  };
}

test('forecast counts failed and padded samples and pads a short sample with its last value', async () => {
  const fc = await forecast(history, 3, { model: scripted(['', '500,600,', 'hello']), numSamples: 3 });
  // '' and 'hello' hold no number: both fail (before the numeric-part parser, 'hello' read as ≈ 0).
  assert.equal(fc.failures, 2);
  assert.equal(fc.padded, 1);
  const sc = fc.scaler;
  const padded = fc.samples[0]!;
  assert.ok(Math.abs(padded[2]! - (0.6 * sc.q + sc.offset)) < 1e-9);
  const strict = await forecast(history, 2, { model: scripted(['500,600,', 'x1,']), numSamples: 2, strict: true });
  assert.equal(strict.failures, 1);
});

test('forecast names the backend and shows a raw completion when every sample fails', async () => {
  await assert.rejects(forecast(history, 2, { model: scripted(['']), numSamples: 2 }), /all 2 samples from scripted failed to parse/);
});

test('forecast refuses bad arguments with named errors', async () => {
  const model = oracle();
  await assert.rejects(forecast(history, -1, { model }), /horizon must be an integer ≥ 0/);
  await assert.rejects(forecast(history, 2, { model, numSamples: 0 }), /numSamples/);
  await assert.rejects(forecast(history, 2, { model, topP: 0 }), /topP/);
  await assert.rejects(forecast([1], 2, { model }), /need at least 2/);
  await assert.rejects(forecast([NaN, NaN, NaN], 2, { model }), /no finite values/);
  await assert.rejects(forecast(history, 2, { model: null as never }), /options\.model is required/);
});

test('sampleToken with topP keeps the smallest set of most likely tokens reaching p', () => {
  const lp = [Math.log(0.15), Math.log(0.5), Math.log(0.05), Math.log(0.3)];
  const rng = new Rng(3);
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 2000; i++) counts[sampleToken(lp, { temperature: 1, topP: 0.75 }, rng)]!++;
  assert.equal(counts[0]! + counts[2]!, 0);
  // Within the nucleus {0.5, 0.3} the draws keep their relative odds 5 : 3 (±4 standard errors).
  const share = counts[1]! / 2000;
  assert.ok(Math.abs(share - 0.625) < 4 * Math.sqrt(0.625 * 0.375 / 2000), `share ${share}`);
});

test('numericPart reads the numbers out of an unrestricted completion', () => {
  const cs = presetSettings('chat');
  assert.equal(numericPart('Sure! 500, 600, -7\n\nThese values…', cs), '500, 600, -7');
  assert.equal(numericPart('no numbers here', cs), '');
  assert.equal(numericPart('500,600,', s), '500,600,');
  assert.equal(numericPart('500,600 ,700', cs), '500, 600, 700');
  assert.deepEqual(Array.from(deserialize(numericPart('Sure: 500,600,700', cs), cs)!), Array.from(deserialize('500, 600, 700', cs)!));
});

test('tune scores every grid point on the held-out part and returns the argmin', async () => {
  const model = oracle();
  const r = await tune(history, 8, { model, settings: s, grid: { alpha: [0.7, 0.99], beta: [0, 0.3], prec: [2, 3] } });
  assert.equal(r.results.length, 8);
  assert.equal(r.valLength, 8);
  assert.equal(r.best.nllPerDim, Math.min(...r.results.map((x) => x.nllPerDim)));
  assert.ok(r.results.every((x) => Number.isFinite(x.nllPerDim)));
});

test('forecast({chat: true}) sends LLMTime\'s instructions; compat reference repeats the final separator', async () => {
  const chats: ChatOptions[] = [];
  const model = scripted(['Sure! 500, 600, 700', '510,610,710,'], chats);
  const cs = presetSettings('chat');
  const fc = await forecast(history, 3, { model, chat: true, numSamples: 2, settings: cs });
  assert.equal(fc.failures, 0);
  assert.equal(chats[0]!.messages[0]!.content, CHAT_SYSTEM_PROMPT);
  const user = chats[0]!.messages[1]!.content;
  assert.match(user, /^Please continue the following sequence without producing any additional text\./);
  assert.ok(user.endsWith(fc.prompt) && !user.endsWith(fc.prompt + cs.timeSep));
  await forecast(history, 3, { model, chat: true, numSamples: 1, settings: cs, compat: 'reference' });
  assert.ok(chats[2]!.messages[1]!.content.endsWith(cs.timeSep + cs.timeSep));
  const noChat = oracle();
  await assert.rejects(forecast(history, 2, { model: noChat, chat: true }), /cannot chat/);
});
