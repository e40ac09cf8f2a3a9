/**
 * `strata/forecast`: LLMTime — zero-shot time-series forecasting with a language model (Gruver, Finzi, Qiu & Wilson,
 * NeurIPS 2023) — plus the classical baselines and metrics its figures use.
 */
export { PRESETS, FORECAST_DEFAULTS, presetSettings, withDigitMode, defaultHalfBin, checkSettings, type SerializerSettings, type DigitMode, type PresetName } from './settings.ts';
export { serialize, deserialize, serializeValue, type DeserializeOptions } from './serialize.ts';
export { fitScaler, quantile, DEFAULT_SCALER, type Scaler, type ScalerOptions } from './scaler.ts';
export { forecast, numericPart, CHAT_SYSTEM_PROMPT, CHAT_USER_PREFIX, type ForecastOptions, type ForecastResult, type SamplingPath } from './pipeline.ts';
export { nll, allowedStrings, type NllOptions, type NllResult, type Renormalization } from './likelihood.ts';
export { tune, DARTS_GPT3_GRID, type TuningGrid, type TuneResult } from './tune.ts';
export { normalizedMae, crps, stepQuantiles, stepMedian, gaussianNllPerDim, figureScores, type CrpsOptions, type Scores } from './metrics.ts';
export { autoArima, fitArima, arimaSamples, arimaPointForecast, arimaNll, chooseDifferencing, type ArimaFit, type ArimaOrder } from './baselines/arima.ts';
export { fitSeasonalNaive, seasonalNaiveSamples, seasonalNaiveNll, detectPeriod, type SeasonalNaiveFit } from './baselines/seasonal-naive.ts';
export {
  readCsvColumn, parseCsvColumn, readCsvSeries, parseCsvSeries, futureTimes, formatTime, parseTimeCell, inferStep, stepTime,
  type MissingPolicy, type CsvTable, type CsvSeries, type CsvReadOptions, type TimeIndex, type TimeStep, type TimeFormat,
} from './csv.ts';
export { DARTS_SERIES, loadDartsSeries, splitSeries, dartsAvailable, type SplitSeries } from './darts.ts';
export { GaussianOracleModel, type GaussianPredictive } from './oracle-model.ts';
export { DEFAULT_MODEL_PATH, defaultModelAvailable, exportDigitModel } from './digit-model.ts';
export { syntheticSeries } from './synthetic.ts';
