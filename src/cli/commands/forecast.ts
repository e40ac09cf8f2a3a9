/**
 * `strata forecast`: LLMTime forecasts of one CSV column with a local GGUF model (Strata's own digit model by
 * default) or an OpenAI-compatible server; `strata forecast score` scores saved samples with the paper's metrics.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ArgumentError, MissingResourceError } from '../../core/index.ts';
import type { Figure } from '../../experiments/contract.ts';
import { QueryCache, openModel, type LanguageModel } from '../../llm/index.ts';
import { connectionHelp, connectionOptions, modelSpecFromFlags } from '../model-options.ts';
import { renderFigureSvg } from '../../report/svg.ts';
import { readCsvColumn, type MissingPolicy } from '../../forecast/index.ts';
import { DEFAULT_MODEL_PATH } from '../../forecast/index.ts';
import { figureScores, crps } from '../../forecast/index.ts';
import { forecast } from '../../forecast/index.ts';
import { nll } from '../../forecast/index.ts';
import { tune, DARTS_GPT3_GRID } from '../../forecast/index.ts';
import { FORECAST_DEFAULTS, PRESETS, presetSettings, type PresetName } from '../../forecast/index.ts';
import { commonOptions, parseCommandArgs, parseSeed, type CliIO, type Command } from '../command.ts';
import { ProgressRenderer, progressMode } from '../progress.ts';
import { textTable } from '../text-table.ts';

const help = `strata forecast — zero-shot probabilistic forecasts with a language model (LLMTime)

Usage: strata forecast --csv FILE --column NAME --horizon H [options]
       strata forecast score --input FILE.json [--json]

The history is rescaled, written as digits ("259,271,300,"), continued by the model --samples times under a
digits/separator/minus restriction, and parsed back; the table shows the per-step median and the 10–90% interval.

Model (default: Strata's own digit model, ${'models/forecast-digits.gguf'}):
${connectionHelp}
Which sampling path a model gets (detected once per server and kept in the cache):
  local GGUF model           digits-only sampling by an exact mask; temperature and top-p in TypeScript
  server with /tokenize      (llama.cpp server, vLLM, strata serve) completions restricted to the digit tokens by
                             logit bias (+100; +30 with --compat reference, as the paper)
  server without /tokenize   (OpenAI, Ollama, LM Studio) unrestricted completions, numbers parsed out of the text
                             (LLMTime's GPT-3 path)
  chat-only model, or --chat LLMTime's GPT-4 chat prompt; the reply's numbers are parsed out

Forecast:
  --csv FILE --column NAME the series (one numeric column; a header line is required)
  --horizon H              steps to forecast (integer ≥ 1)
  --samples N              completions to draw (default 20)
  --temperature T          default ${FORECAST_DEFAULTS.temperature};  --top-p P  default ${FORECAST_DEFAULTS.topP} (the paper's LLaMA settings)
  --alpha A --beta B       scaler (default ${FORECAST_DEFAULTS.scaler.alpha}, ${FORECAST_DEFAULTS.scaler.beta});  --basic for the basic scaler
  --prec P                 digits after the point (default ${FORECAST_DEFAULTS.prec});  --preset llama|gpt3|chat (default ${FORECAST_DEFAULTS.preset})
  --compat default|reference   'reference' reproduces the authors' truncating digits and quirks
  --missing error|nan|interpolate   missing cells: refuse (default), write as LLMTime's "Nan", or interpolate
  --strict                 a completion with anything but digits/separators fails instead of reading as ≈ 0
  --tune                   choose α ∈ {0.5,0.7,0.9,0.99} and β ∈ {0,0.15,0.3,0.5} by validation NLL/D (the paper's
                           procedure; needs a backend that scores prompts)
  --chat                   prompt a chat model with LLMTime's instructions instead of continuing the digits
  --score                  hold out the last H values: forecast them and print MAE, CRPS and NLL/D
  --seed N                 sampling seed (default 1)
  --plot FILE.svg          history, median and 10–90% band
  --cache FILE             SQLite cache of completions (default .strata/cache.sqlite); --no-cache to skip
  --replay                 rescore from cached completions only; never load or call the model
  --json                   one JSON document on stdout
  -q, --quiet  --debug  -h, --help

Score saved samples (LLMTime's figure metrics: normalised MAE of the per-step median, CRPS over 10 quantile levels
of the first 10 samples):
  strata forecast score --input samples.json --json     # {"truth": [...], "samples": [[...], ...]}

Examples:
  strata forecast --csv air.csv --column '#Passengers' --horizon 24 --plot air.svg
  strata forecast --csv air.csv --column '#Passengers' --horizon 29 --score --json
  strata forecast --csv air.csv --column '#Passengers' --horizon 24 --url http://127.0.0.1:8080/v1 --model-name local
`;

function parseNumber(flag: string, value: string | undefined, fallback: number, check: (v: number) => boolean, expected: string): number {
  if (value === undefined) return fallback;
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v) || !check(v)) throw new ArgumentError(`${flag}: expected ${expected}, got '${value}'`);
  return v;
}

function fmt(v: number): string {
  return Number.isFinite(v) ? (Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(4) : v.toFixed(4).replace(/\.?0+$/, '') || '0') : String(v);
}

async function runScore(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs('forecast score', argv, { ...commonOptions, input: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) { io.stdout.write(help); return 0; }
  if (!values.input) throw new ArgumentError("forecast score: --input FILE.json is required (a file {\"truth\": [...], \"samples\": [[...], ...]})");
  const path = resolve(io.cwd, values.input);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code) throw new MissingResourceError(`forecast score: cannot read ${path}: ${(e as NodeJS.ErrnoException).code}`);
    throw new ArgumentError(`forecast score: ${path} is not valid JSON: ${(e as Error).message}`);
  }
  const d = doc as { truth?: unknown; samples?: unknown };
  if (!d || !Array.isArray(d.truth) || !Array.isArray(d.samples)) {
    throw new ArgumentError(`forecast score: ${path} must hold {"truth": [number, ...], "samples": [[number, ...], ...]} (samples × horizon)`);
  }
  const truth = d.truth as number[];
  const samples = d.samples as number[][];
  if (samples.some((s) => !Array.isArray(s))) throw new ArgumentError('forecast score: "samples" must be an array of arrays (samples × horizon)');
  const scores = figureScores(samples, truth);
  const result = { mae: scores.mae, crps: scores.crps, ...(samples.length >= 2 ? { crps_energy: crps(samples, truth, { method: 'energy' }) } : {}), samples: samples.length, horizon: truth.length };
  if (values.json) io.stdout.write(JSON.stringify(result) + '\n');
  else io.stdout.write(`normalised MAE of the median  ${fmt(result.mae)}\nCRPS (figure rule)            ${fmt(result.crps)}\n${result.crps_energy !== undefined ? `CRPS (fair sample estimator)  ${fmt(result.crps_energy)}\n` : ''}(${result.samples} samples × ${result.horizon} steps)\n`);
  return 0;
}

export const forecastCommand: Command = {
  name: 'forecast',
  summary: 'zero-shot probabilistic forecasts of a CSV column with a language model (LLMTime); score saved samples',
  help,
  async run(argv: string[], io: CliIO): Promise<number> {
    if (argv[0] === 'score') return runScore(argv.slice(1), io);
    const { values } = parseCommandArgs('forecast', argv, {
      ...commonOptions,
      csv: { type: 'string' }, column: { type: 'string' }, horizon: { type: 'string' },
      ...connectionOptions,
      samples: { type: 'string' }, temperature: { type: 'string' }, 'top-p': { type: 'string' },
      alpha: { type: 'string' }, beta: { type: 'string' }, basic: { type: 'boolean' }, prec: { type: 'string' },
      preset: { type: 'string' }, compat: { type: 'string' }, missing: { type: 'string' }, strict: { type: 'boolean' },
      score: { type: 'boolean' }, tune: { type: 'boolean' }, chat: { type: 'boolean' }, seed: { type: 'string' }, plot: { type: 'string' }, cache: { type: 'string' },
      'no-cache': { type: 'boolean' }, replay: { type: 'boolean' }, json: { type: 'boolean' },
    });
    if (values.help) { io.stdout.write(help); return 0; }
    if (!values.csv) throw new ArgumentError('forecast: --csv FILE is required (or use `strata forecast score`)');
    if (!values.column) throw new ArgumentError('forecast: --column NAME is required (the CSV column to forecast)');
    if (values.horizon === undefined) throw new ArgumentError('forecast: --horizon H is required');
    const horizon = parseNumber('--horizon', values.horizon, 0, (v) => Number.isInteger(v) && v >= 1, 'an integer ≥ 1');
    const D = FORECAST_DEFAULTS;
    const numSamples = parseNumber('--samples', values.samples, D.numSamples, (v) => Number.isInteger(v) && v >= 1, 'an integer ≥ 1');
    const temperature = parseNumber('--temperature', values.temperature, D.temperature, (v) => v >= 0, 'a number ≥ 0');
    const topP = parseNumber('--top-p', values['top-p'], D.topP, (v) => v > 0 && v <= 1, 'a number in (0, 1]');
    const alpha = parseNumber('--alpha', values.alpha, D.scaler.alpha, (v) => v > 0 && v <= 1, 'a number in (0, 1]');
    const beta = parseNumber('--beta', values.beta, D.scaler.beta, (v) => v >= 0, 'a number ≥ 0');
    const prec = parseNumber('--prec', values.prec, D.prec, (v) => Number.isInteger(v) && v >= 0 && v <= 8, 'an integer from 0 to 8');
    const seed = parseSeed(values.seed, D.seed);
    const preset = (values.preset ?? D.preset) as PresetName;
    if (!(preset in PRESETS)) throw new ArgumentError(`--preset: expected one of ${Object.keys(PRESETS).join(', ')}, got '${preset}'`);
    const compat = values.compat ?? 'default';
    if (compat !== 'default' && compat !== 'reference') throw new ArgumentError(`--compat: expected 'default' or 'reference', got '${compat}'`);
    const missing = (values.missing ?? 'error') as MissingPolicy;
    if (!['error', 'nan', 'interpolate'].includes(missing)) throw new ArgumentError(`--missing: expected error, nan or interpolate, got '${missing}'`);
    const spec = modelSpecFromFlags('forecast', values, io, DEFAULT_MODEL_PATH);
    if (values.replay && values['no-cache']) throw new ArgumentError('forecast: --replay reads the cache; it cannot be combined with --no-cache');

    const series = readCsvColumn(resolve(io.cwd, values.csv), values.column, { missing }).values;
    const history = values.score ? series.slice(0, series.length - horizon) : series;
    const truth = values.score ? series.slice(series.length - horizon) : null;
    if (history.length < 3) {
      throw new ArgumentError(`forecast: the series has ${series.length} values; ${values.score ? `holding out ${horizon} leaves ${history.length}, ` : ''}need at least 3 to forecast from`);
    }
    if (truth && truth.some((v) => !Number.isFinite(v))) throw new ArgumentError('forecast --score: the held-out tail contains missing values; it cannot be scored');
    const settings = { ...presetSettings(preset, compat === 'reference' ? 'reference' : 'round'), prec };

    const mode = progressMode(io.stderr, values.quiet === true);
    const log = (m: string) => { if (mode !== 'quiet') io.stderr.write(m + '\n'); };
    if (spec.kind === 'gguf' && !existsSync(spec.path)) {
      throw new MissingResourceError(values.model
        ? `forecast: model file ${spec.path} does not exist; pass the path of a .gguf file`
        : `forecast: the default model ${spec.path} is missing; regenerate it with 'npx tsx scripts/train-forecast-model.ts' or pass --model PATH.gguf`);
    }
    const cache = values['no-cache'] ? undefined : new QueryCache(resolve(io.cwd, values.cache ?? '.strata/cache.sqlite'));
    let opened: LanguageModel | undefined;
    try {
      // The cache goes around the model here, so every call below (tune, forecast, nll) is cached and --replay needs
      // nothing but the cache.
      const model = opened = await openModel(spec, { ...(cache ? { cache } : {}), replay: values.replay === true });
      const identity = model.identity;
      const progress = new ProgressRenderer({ stream: io.stderr, mode, prefix: 'forecast' });
      let scalerOptions = { alpha, beta, basic: values.basic === true };
      let tuned: { alpha: number; beta: number; nllPerDim: number } | null = null;
      if (values.tune) {
        if (values.replay) throw new ArgumentError('forecast: --tune scores prompts with the model; it cannot run with --replay');
        if (values.basic) throw new ArgumentError('forecast: --tune searches the advanced scaler\'s α and β; drop --basic');
        const r = await tune(history, horizon, { model, settings, cache, grid: { alpha: DARTS_GPT3_GRID.alpha, beta: DARTS_GPT3_GRID.beta, prec: [prec] } });
        tuned = r.best;
        scalerOptions = { alpha: r.best.alpha, beta: r.best.beta, basic: false };
        log(`tuned on the last ${r.valLength} history values: α ${r.best.alpha}, β ${r.best.beta} (validation NLL/D ${fmt(r.best.nllPerDim)})`);
      }
      const fc = await forecast(history, horizon, {
        model, settings, scaler: scalerOptions, numSamples, temperature, topP, chat: values.chat === true,
        compat, seed, strict: values.strict === true,
        onProgress: (done, total) => progress.update(done, total, 'samples'),
      });
      fc.warnings.forEach((w) => log(`warning: ${w}`));
      const lo = fc.quantile(0.1), hi = fc.quantile(0.9);
      let scores: { mae: number; crps: number; nllPerDim: number | null } | null = null;
      if (truth) {
        const s = figureScores(fc.samples.length >= 1 ? fc.samples : [], truth);
        let nllPerDim: number | null = null;
        if (!values.replay && model.capabilities.promptLogprobs) {
          nllPerDim = (await nll(history, truth, { model, settings, scaler: scalerOptions, compat })).nllPerDim;
        } else if (values.replay) {
          log('note: NLL/D needs the model (teacher-forced scoring); it is not computed in --replay mode');
        } else {
          log(`note: ${model.provider} cannot score prompts, so NLL/D is not available`);
        }
        scores = { mae: s.mae, crps: s.crps, nllPerDim };
      }
      if (values.plot) writeFileSync(resolve(io.cwd, values.plot), plotSvg(history, fc.median, lo, hi, truth, values.column));
      const n = history.length;
      if (values.json) {
        io.stdout.write(JSON.stringify({
          model: identity, horizon, samples: fc.samples.length, failures: fc.failures, padded: fc.padded, cached: fc.cached,
          promptSteps: fc.promptSteps, scaler: { q: fc.scaler.q, offset: fc.scaler.offset, ...scalerOptions }, ...(tuned ? { tuned } : {}),
          median: Array.from(fc.median), p10: Array.from(lo), p90: Array.from(hi),
          ...(scores ? { scores } : {}), warnings: fc.warnings,
        }) + '\n');
      } else {
        const rows = [['step', 'p10', 'median', 'p90', ...(truth ? ['actual'] : [])]];
        for (let t = 0; t < horizon; t++) rows.push([String(n + t + 1), fmt(lo[t]!), fmt(fc.median[t]!), fmt(hi[t]!), ...(truth ? [fmt(truth[t]!)] : [])]);
        io.stdout.write(textTable(rows, 'right'));
        io.stdout.write(`${fc.samples.length} samples (${fc.failures} failed, ${fc.padded} padded, ${fc.cached} from cache) from ${model.modelId}; prompt kept ${fc.promptSteps} of ${n} steps\n`);
        if (scores) io.stdout.write(`held-out ${horizon} steps: MAE ${fmt(scores.mae)}  CRPS ${fmt(scores.crps)}  NLL/D ${scores.nllPerDim === null ? 'n/a' : fmt(scores.nllPerDim)}\n`);
        if (values.plot) io.stdout.write(`plot: ${values.plot}\n`);
      }
      return 0;
    } finally {
      await opened?.close();
      cache?.close();
    }
  },
};

function plotSvg(history: Float64Array, median: Float64Array, lo: Float64Array, hi: Float64Array, truth: Float64Array | null, column: string): string {
  const n = history.length;
  const future = Array.from(median, (_, t) => n + t);
  const figure: Figure = {
    id: 'forecast', title: `Forecast of ${column}`, kind: 'line', xLabel: 'step', yLabel: column,
    series: [
      { name: 'history', x: Array.from(history, (_, i) => i), y: Array.from(history) },
      { name: 'median (10–90% band)', x: future, y: Array.from(median), band: { lo: Array.from(lo), hi: Array.from(hi) } },
      ...(truth ? [{ name: 'actual', x: future, y: Array.from(truth) }] : []),
    ],
  };
  return renderFigureSvg(figure);
}
