/**
 * Part A of the spec's miniature experiment as unit tests: an exact digit "language model" derived from a Gaussian
 * AR(1) predictive checks that token probabilities form a distribution, that NLL/D is the Gaussian density of the raw
 * values, and that sampled forecasts are calibrated — in both digit modes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/index.ts';
import { GaussianOracleModel, normalTail, type GaussianPredictive } from '../../src/forecast/oracle-model.ts';
import { nll } from '../../src/forecast/likelihood.ts';
import { forecast } from '../../src/forecast/pipeline.ts';
import { fitScaler, DEFAULT_SCALER } from '../../src/forecast/scaler.ts';
import { serialize, deserialize } from '../../src/forecast/serialize.ts';
import { presetSettings, withDigitMode, type SerializerSettings } from '../../src/forecast/settings.ts';
import { gaussianNllPerDim } from '../../src/forecast/metrics.ts';

const PHI = 0.8, NOISE = 0.2;

function ar1(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const x = new Float64Array(n);
  x[0] = rng.gauss() * NOISE / Math.sqrt(1 - PHI * PHI);
  for (let t = 1; t < n; t++) x[t] = PHI * x[t - 1]! + NOISE * rng.gauss();
  return x;
}

/** The AR(1) one-step predictive mapped into scaled space y = (x − m)/q. */
function oracleFor(history: Float64Array, s: SerializerSettings, contextSize?: number) {
  const sc = fitScaler(history);
  const predictive = (prev: Float64Array): GaussianPredictive => {
    if (prev.length === 0) return { mean: (0 - sc.offset) / sc.q, std: NOISE / Math.sqrt(1 - PHI * PHI) / sc.q };
    const xPrev = prev[prev.length - 1]! * sc.q + sc.offset;
    return { mean: (PHI * xPrev - sc.offset) / sc.q, std: NOISE / sc.q };
  };
  return { model: new GaussianOracleModel({ settings: s, predictive, ...(contextSize ? { contextSize } : {}) }), scaler: sc };
}

const MODES: [string, SerializerSettings][] = [];
for (const mode of ['round', 'reference'] as const) for (const prec of [2, 3]) MODES.push([`${mode} prec ${prec}`, { ...withDigitMode(presetSettings('llama'), mode), prec }]);

test('normalTail matches known values of the normal tail to ~1e-15', () => {
  assert.equal(normalTail(0), 0.5);
  assert.ok(Math.abs(normalTail(1) / 0.15865525393145707 - 1) < 1e-14);
  assert.ok(Math.abs(normalTail(5) / 2.866515718791939e-7 - 1) < 1e-13);
  assert.ok(Math.abs(normalTail(-2) / 0.9772498680518208 - 1) < 1e-15);
});

for (const [name, s] of MODES) {
  test(`oracle (${name}): next-token probabilities sum to 1 at every position of a serialized series`, async () => {
    const x = ar1(60, 1);
    const { model, scaler } = oracleFor(x, s);
    const text = serialize(scaler.transform(x), s);
    for (let i = 0; i <= text.length; i += 1) {
      const d = await model.nextTokenDistribution(text.slice(0, i));
      const total = d.entries.reduce((a, e) => a + Math.exp(e.logprob), 0);
      assert.ok(Math.abs(total - 1) < 1e-12, `position ${i}: ${total}`);
    }
  });

  test(`nll (${name}): NLL/D of 200 AR(1) targets equals their exact Gaussian NLL within 0.01 nats`, async () => {
    const x = ar1(400, 2);
    const history = x.slice(0, 200), target = x.slice(200);
    const { model, scaler } = oracleFor(history, s);
    const r = await nll(history, target, { model, settings: s, scaler: DEFAULT_SCALER });
    // The oracle conditions on the decoded previous value, exactly as teacher forcing through digits does.
    const decoded = scaler.inverse(deserialize(serialize(scaler.transform(x), s), s)!);
    const mean = Float64Array.from(target, (_, t) => PHI * decoded[199 + t]!);
    const exact = gaussianNllPerDim(target, mean, NOISE);
    assert.ok(Math.abs(r.nllPerDim - exact) < 0.01, `${r.nllPerDim} vs exact ${exact}`);
    assert.equal(r.windows, 1);
    // A short context scores the target in windows of whole steps; with a Markov oracle nothing changes.
    const short = oracleFor(history, s, 64);
    const w = await nll(history, target, { model: short.model, settings: s, scaler: DEFAULT_SCALER });
    assert.ok(w.windows > 5);
    assert.ok(Math.abs(w.nllPerDim - r.nllPerDim) < 1e-9, `${w.nllPerDim} vs ${r.nllPerDim}`);
  });
}

/** Kolmogorov–Smirnov distance between a sample and N(mean, std²). */
function ksDistance(values: number[], mean: number, std: number): number {
  const v = [...values].sort((a, b) => a - b);
  let d = 0;
  v.forEach((x, i) => {
    const F = 1 - normalTail((x - mean) / std);
    d = Math.max(d, Math.abs(F - i / v.length), Math.abs(F - (i + 1) / v.length));
  });
  return d;
}

async function oneStepSamples(s: SerializerSettings, n: number): Promise<{ values: number[]; mean: number; std: number; bin: number }> {
  const x = ar1(40, 3);
  const { model, scaler } = oracleFor(x, s);
  // Exact sampling (topP 1): the forecast default 0.9 would truncate the tails the KS test checks.
  const fc = await forecast(x, 1, { model, settings: s, scaler: DEFAULT_SCALER, numSamples: n, seed: 4, topP: 1 });
  assert.equal(fc.failures, 0);
  const prev = scaler.inverse(deserialize(serialize(scaler.transform(x), s), s)!)[39]!;
  return { values: fc.samples.map((p) => p[0]!), mean: PHI * prev, std: NOISE, bin: scaler.q * 10 ** -s.prec };
}

for (const mode of ['round', 'reference'] as const) {
  test(`forecast (${mode}): 4000 sampled one-step values pass a KS test against the Gaussian and are unbiased`, async () => {
    const s = { ...withDigitMode(presetSettings('llama'), mode), prec: 3 };
    const { values, mean, std } = await oneStepSamples(s, 4000);
    const d = ksDistance(values, mean, std);
    assert.ok(d < 1.628 / Math.sqrt(values.length), `KS distance ${d}`); // p > 0.01
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    assert.ok(Math.abs(m - mean) < 4 * std / Math.sqrt(values.length), `mean ${m} vs ${mean}`);
  });
}

test('forecast (reference, prec 1): without the half-bin correction the samples are biased by −½ bin', async () => {
  const s = { ...withDigitMode(presetSettings('llama'), 'reference'), prec: 1 };
  const withFix = await oneStepSamples(s, 3000);
  const without = await oneStepSamples({ ...s, halfBinCorrection: false }, 3000);
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const se = 4 * NOISE / Math.sqrt(3000);
  assert.ok(Math.abs(mean(withFix.values) - withFix.mean) < se, `corrected bias ${mean(withFix.values) - withFix.mean}`);
  const bias = mean(without.values) - without.mean;
  assert.ok(Math.abs(bias + withFix.bin / 2) < se, `uncorrected bias ${bias}, half bin ${withFix.bin / 2}`);
});

test('nll({compat: "reference"}) also scores the history\'s final separator (the LLaMA path\'s off-by-one)', async () => {
  const s = presetSettings('llama');
  const x = ar1(120, 5);
  const history = x.slice(0, 100), target = x.slice(100);
  // A wide predictive, so that "the number ends here" has a probability well below 1.
  const model = new GaussianOracleModel({ settings: s, predictive: () => ({ mean: 0.5, std: 3 }) });
  const plain = await nll(history, target, { model, settings: s, scaler: DEFAULT_SCALER });
  const ref = await nll(history, target, { model, settings: s, compat: 'reference', scaler: DEFAULT_SCALER });
  const text = serialize(fitScaler(history).transform(history), s);
  const d = await model.nextTokenDistribution(text.slice(0, -1));
  const pSep = Math.exp(d.entries.find((e) => e.text === ',')!.logprob);
  assert.ok(pSep < 0.9, `P(separator) = ${pSep}`);
  assert.ok(Math.abs((ref.perStep[0]! - plain.perStep[0]!) + Math.log(pSep)) < 1e-9);
  for (let t = 1; t < 20; t++) assert.equal(ref.perStep[t], plain.perStep[t]);
});
