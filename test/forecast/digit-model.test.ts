/** Tests of Strata's committed digit model through llama.cpp; skipped with a message when the file is absent. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, noGrad } from '../../src/core/index.ts';
import { transformer } from '../../src/nn/transformer.ts';
import { softmax } from '../../src/nn/functional.ts';
import { loadGgufModel } from '../../src/llm/backends/gguf.ts';
import { DEFAULT_MODEL_PATH, defaultModelAvailable, loadDigitModelParams } from '../../src/forecast/digit-model.ts';
import { encodeDigits, DIGIT_VOCABULARY } from '../../src/forecast/digit-vocabulary.ts';
import { forecast } from '../../src/forecast/pipeline.ts';
import { nll } from '../../src/forecast/likelihood.ts';

const SKIP: string | false = defaultModelAvailable() ? false : `model ${DEFAULT_MODEL_PATH} is absent (run scripts/train-forecast-model.ts)`;

test('the committed digit model: llama.cpp\'s next-token distribution equals our own forward pass', { skip: SKIP }, async () => {
  const { config, params } = await loadDigitModelParams(DEFAULT_MODEL_PATH);
  assert.equal(config.vocab, DIGIT_VOCABULARY.tokens.length);
  const ids = Array.from(encodeDigits('259,271,300,294,277,307,334,334,309,273,242,271,265,288,'));
  const ours = noGrad(() => {
    const logits = transformer(params, config, new Tensor(Int32Array.from(ids), [1, ids.length]));
    return softmax(logits.slice(0, ids.length - 1)).values() as Float32Array;
  });
  const model = await loadGgufModel(DEFAULT_MODEL_PATH, { kvCacheType: 'F32' });
  try {
    const theirs = await model.nextTokenDistribution({ tokens: ids });
    let maxDiff = 0;
    for (const e of theirs.entries) maxDiff = Math.max(maxDiff, Math.abs(Math.exp(e.logprob) - ours[e.id!]!));
    assert.ok(maxDiff < 1e-4, `max |Δp| = ${maxDiff}`);
    // The model has learned the format: after a separator the next token is a digit, not a byte token.
    const top = theirs.entries[0]!;
    assert.match(top.text, /^[0-9]$/);
  } finally {
    await model.close();
  }
});

test('forecast with the committed model parses every sample of a seasonal series and scores a finite NLL/D', { skip: SKIP }, async () => {
  const history = Float64Array.from({ length: 96 }, (_, t) => 100 + t + 20 * Math.sin((2 * Math.PI * t) / 12));
  const model = await loadGgufModel(DEFAULT_MODEL_PATH);
  try {
    const fc = await forecast(history, 12, { model, numSamples: 4, scaler: { alpha: 0.99, beta: 0.3 }, seed: 3 });
    assert.equal(fc.failures, 0);
    assert.equal(fc.samples.length, 4);
    for (const s of fc.samples) for (const v of s) assert.ok(Number.isFinite(v));
    const target = Float64Array.from({ length: 12 }, (_, t) => 100 + 96 + t + 20 * Math.sin((2 * Math.PI * (96 + t)) / 12));
    const r = await nll(history, target, { model, scaler: { alpha: 0.99, beta: 0.3 } });
    assert.ok(Number.isFinite(r.nllPerDim));
  } finally {
    await model.close();
  }
});
