import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runForecastExperiment, oracleCheck, llmtimeVerdict } from '../../src/experiments/forecast/llmtime.ts';
import { DEFAULT_MODEL_PATH, defaultModelAvailable } from '../../src/forecast/digit-model.ts';

const SKIP: string | false = defaultModelAvailable() ? false : `model ${DEFAULT_MODEL_PATH} is absent`;
const silent = { update() {}, log() {} };

test('oracleCheck: the pipeline NLL/D of the exact digit oracle equals the Gaussian NLL in both digit modes', async () => {
  const r = await oracleCheck(3);
  assert.deepEqual(r.map((o) => o.mode), ['round', 'reference']);
  for (const o of r) assert.ok(Math.abs(o.pipeline - o.exact) < 0.01, `${o.mode}: ${o.pipeline} vs ${o.exact}`);
});

test('the forecast experiment (quick) runs on synthetic stand-ins when the Darts data is absent', { skip: SKIP }, async () => {
  const r = await runForecastExperiment({ seed: 1, quick: true, extended: false, sharedDataDir: null, progress: silent });
  assert.match(r.tables[1]!.title, /synthetic stand-ins/);
  const series = new Set(r.tables[1]!.rows.map((row) => row[0]));
  assert.deepEqual([...series], ['synthetic-1', 'synthetic-2', 'synthetic-3']);
  assert.ok(Number.isFinite(r.metrics.crps as number) && Number.isFinite(r.metrics.nll_per_dim as number));
  // The verdict is the pure function of the recorded metrics (its outcomes are tested in test/experiments/verdicts).
  assert.equal(r.verdict, llmtimeVerdict({
    oracleNllGap: r.metrics.oracle_nll_gap as number, series: series.size, seriesBeatingLastValue: r.metrics.series_beating_last_value as number,
    crpsRatioToArima: r.metrics.crps_ratio_to_arima as number, nllFinite: Number.isFinite(r.metrics.nll_per_dim as number),
  }));
  assert.ok((r.metrics.oracle_nll_gap as number) < 0.01);
});
