/** The forecast pipeline over the OpenAI-compatible HTTP backend, against a real `strata serve` of the digit model. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../src/llm/server.ts';
import { createOpenAiHttpModel } from '../../src/llm/backends/openai-http.ts';
import { DEFAULT_MODEL_PATH, defaultModelAvailable } from '../../src/forecast/digit-model.ts';
import { forecast } from '../../src/forecast/pipeline.ts';
import { nll } from '../../src/forecast/likelihood.ts';

const SKIP: string | false = defaultModelAvailable() ? false : `model ${DEFAULT_MODEL_PATH} is absent`;

test('forecast and nll over HTTP: server-side sampling restricted by logit bias parses, top-5 renormalised NLL/D is finite', { skip: SKIP }, async () => {
  const server = await startServer({ modelPath: DEFAULT_MODEL_PATH, port: 0 });
  try {
    const model = createOpenAiHttpModel({ baseUrl: server.url, model: 'forecast-digits.gguf' });
    assert.equal(model.capabilities.restrictedSampling, 'logit-bias');
    const history = Float64Array.from({ length: 48 }, (_, t) => 100 + t + 20 * Math.sin((2 * Math.PI * t) / 12));
    const fc = await forecast(history, 6, { model, numSamples: 3, seed: 1, topP: 0.9 });
    assert.equal(fc.failures, 0);
    assert.equal(fc.samples.length, 3);
    // strata serve has /tokenize: the digit tokens are restricted by logit bias, and top-p is forwarded as top_p.
    assert.equal(fc.samplingPath, 'logit-bias');
    assert.ok(!fc.warnings.some((w) => /top-p/.test(w)));
    const r = await nll(history.slice(0, 42), history.slice(42), { model });
    assert.ok(Number.isFinite(r.nllPerDim));
    await assert.rejects(nll(history.slice(0, 42), history.slice(42), { model, renormalize: 'allowed-set' }), /renormalize over the allowed set/);
  } finally {
    await server.close();
  }
});
