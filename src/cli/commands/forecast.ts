/**
 * `strata forecast`: LLMTime forecasts of one CSV column with a local GGUF model (Strata's own digit model by
 * default) or an OpenAI-compatible server; `strata forecast score` scores saved samples with the paper's metrics.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ArgumentError, MissingResourceError, NonFiniteError } from '../../core/index.ts';
import { QueryCache, openModel, type LanguageModel } from '../../llm/index.ts';
import {
  readCsvSeries, futureTimes, DEFAULT_MODEL_PATH, figureScores, crps, forecast, nll, tune, DARTS_GPT3_GRID,
  FORECAST_DEFAULTS, PRESETS, presetSettings,
  type MissingPolicy, type CsvSeries, type CsvTable, type TimeIndex, type ForecastResult, type PresetName,
} from '../../forecast/index.ts';
import { connectionHelp, connectionOptions, modelSpecFromFlags } from '../model-options.ts';
import { plotSvg } from '../forecast-plot.ts';
import { commonOptions, parseCommandArgs, parseSeed, type CliIO, type Command } from '../command.ts';
import { ProgressRenderer, progressMode } from '../progress.ts';

/** Where the completion cache goes unless --cache says otherwise (relative to the working directory). */
const DEFAULT_CACHE = '.strata/cache.sqlite';

const help = `strata forecast — zero-shot probabilistic forecasts with a language model (LLMTime)

Usage: strata forecast --csv FILE --column NAME --horizon H [options]
       strata forecast --csv FILE --column NAME --holdout N --json | strata forecast score
       strata forecast score [--input FILE.json] [--json]

The history is rescaled, written as digits ("259,271,300,"), continued by the model --samples times under a
digits/separator/minus restriction, and parsed back; the table shows the per-step quantiles and the median.

Model (default: Strata's own digit model, ${'models/forecast-digits.gguf'}):
${connectionHelp}
Which sampling path a model gets (detected once per server and kept in the cache):
  local GGUF model           digits-only sampling by an exact mask; temperature and top-p in TypeScript
  server with /tokenize      (llama.cpp server, vLLM, strata serve) completions restricted to the digit tokens by
                             logit bias (+100; +30 with --compat reference, as the paper)
  server without /tokenize   (OpenAI, Ollama, LM Studio) unrestricted completions, numbers parsed out of the text
                             (LLMTime's GPT-3 path)
  chat-only model, or --chat LLMTime's GPT-4 chat prompt; the reply's numbers are parsed out

Input (CSV read by csv-parse: quoted fields and quoted newlines work):
  --csv FILE --column NAME the series: one numeric column (its number, from 1, with --no-header)
  --time-column NAME       the time stamps (YYYY-MM, YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS][Z], or numbers); default: the
                           one column whose cells all parse as dates; 'none' for row order. Rows are sorted by it, the
                           spacing must be regular (days, hours, months, quarters, years, …), and the forecast is
                           printed and returned with the future time stamps
  --id-column NAME         long format (Nixtla: unique_id, ds, y): forecast each series separately
  --delimiter C            one character, or 'tab' (default: detected from the first line among , ; tab |)
  --no-header              the file has no header line; name columns by number (--column 2)
  --missing error|nan|interpolate   missing cells and missing time steps: refuse (default), write as LLMTime's
                           "Nan", or interpolate

Forecast:
  --horizon H              steps to forecast (integer ≥ 1)
  --holdout N              hold out the last N values and forecast them (horizon N); --json then carries "truth"
                           beside "samples", which \`strata forecast score\` reads
  --samples N              completions to draw (default ${FORECAST_DEFAULTS.numSamples})
  --quantiles LIST         levels to report, e.g. 0.05,0.5,0.95 (default 0.1,0.5,0.9; the median is always included)
  --temperature T          default ${FORECAST_DEFAULTS.temperature};  --top-p P  default ${FORECAST_DEFAULTS.topP} (the paper's LLaMA settings)
  --alpha A --beta B       scaler (default ${FORECAST_DEFAULTS.scaler.alpha}, ${FORECAST_DEFAULTS.scaler.beta});  --basic for the basic scaler
  --prec P                 digits after the point (default ${FORECAST_DEFAULTS.prec});  --preset llama|gpt3|chat (default ${FORECAST_DEFAULTS.preset})
  --compat default|reference   'reference' reproduces the authors' truncating digits and quirks
  --strict                 a completion with anything but digits/separators fails instead of reading as ≈ 0
  --tune                   choose α ∈ {0.5,0.7,0.9,0.99} and β ∈ {0,0.15,0.3,0.5} by validation NLL/D (the paper's
                           procedure; needs a backend that scores prompts)
  --chat                   prompt a chat model with LLMTime's instructions instead of continuing the digits
  --score                  hold out the last H values: forecast them and print MAE, CRPS and NLL/D
  --seed N                 sampling seed (default ${FORECAST_DEFAULTS.seed})
  --plot FILE.svg          history, median and the outer quantile band; the y-axis is clipped to the range of the
                           history and median widened by half its span (the caption says so when values are clipped)
  --cache FILE             SQLite cache of completions; default ${DEFAULT_CACHE} under the current directory
                           (created on first use, which is reported on stderr); --no-cache to skip
  --replay                 rescore from cached completions only; never load or call the model
  --json                   one JSON document on stdout: column, time column, dates, samples, median, quantiles
                           (and truth with --holdout/--score); with --id-column, {"series": [...]} with one per id
  -q, --quiet  --debug  -h, --help

Score saved samples (LLMTime's figure metrics: normalised MAE of the per-step median, CRPS over 10 quantile levels
of the first 10 samples); reads --input FILE, or standard input when piped:
  strata forecast score --input samples.json --json     # {"truth": [...], "samples": [[...], ...]}

Examples:
  strata forecast --csv air.csv --column '#Passengers' --horizon 24 --plot air.svg
  strata forecast --csv air.csv --column '#Passengers' --horizon 29 --score --json
  strata forecast --csv air.csv --column '#Passengers' --holdout 12 --quantiles 0.05,0.5,0.95 --json | strata forecast score
  strata forecast --csv long.csv --id-column unique_id --time-column ds --column y --horizon 7
  strata forecast --csv data.tsv --delimiter tab --no-header --column 2 --horizon 6
  strata forecast --csv air.csv --column '#Passengers' --horizon 24 --url http://127.0.0.1:8080/v1 --model-name local
`;

function parseNumber(flag: string, value: string | undefined, fallback: number, check: (v: number) => boolean, expected: string): number {
  if (value === undefined) return fallback;
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v) || !check(v)) throw new ArgumentError(`${flag}: expected ${expected}, got '${value}'`);
  return v;
}

function table_(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padStart(widths[c]!)).join('  ')).join('\n') + '\n';
}

function fmt(v: number): string {
  return Number.isFinite(v) ? (Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(4) : v.toFixed(4).replace(/\.?0+$/, '') || '0') : String(v);
}

function parseQuantiles(text: string | undefined): number[] {
  if (text === undefined) return [0.1, 0.5, 0.9];
  const parts = text.split(',').map((t) => t.trim());
  const levels = parts.map(Number);
  if (parts.some((t, i) => t === '' || !Number.isFinite(levels[i]!) || levels[i]! <= 0 || levels[i]! >= 1)) {
    throw new ArgumentError(`--quantiles: expected comma-separated levels strictly between 0 and 1 (e.g. 0.05,0.5,0.95), got '${text}'`);
  }
  // The median is always reported: it is the point forecast.
  return [...new Set([...levels, 0.5])].sort((a, b) => a - b);
}

function parseDelimiter(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (text === 'tab' || text === '\\t') return '\t';
  if ([...text].length !== 1) throw new ArgumentError(`--delimiter: expected one character (',', ';', '|') or 'tab', got '${text}'`);
  return text;
}

function levelLabel(p: number): string {
  return p === 0.5 ? 'median' : `p${Number((p * 100).toPrecision(6))}`;
}

interface Job {
  id: string | null;
  history: Float64Array;
  truth: Float64Array | null;
  /** Time stamps of the history (null without a time column). */
  historyTimes: string[] | null;
  /** The forecast's time stamps: the held-out rows' own, or the steps after the last row. */
  futureTimes: string[] | null;
}

/** Split one series into the history and (with --score / --holdout) the held-out tail, with the future stamps. */
function splitHeldOut(series: CsvSeries, holdout: number, horizon: number, time: TimeIndex | null): Job {
  const what = series.id === null ? 'the series' : `series '${series.id}'`;
  const n = series.values.length;
  const history = series.values.slice(0, n - holdout);
  if (history.length < 3) {
    throw new ArgumentError(`forecast: ${what} has ${n} values; ${holdout ? `holding out ${holdout} leaves ${history.length}, ` : ''}need at least 3 to forecast from`);
  }
  const truth = holdout ? series.values.slice(n - holdout) : null;
  if (truth && truth.some((v) => !Number.isFinite(v))) throw new ArgumentError(`forecast: the held-out tail of ${what} contains missing values; it cannot be scored`);
  const historyTimes = series.times ? series.times.slice(0, n - holdout) : null;
  let future: string[] | null = null;
  if (series.times && series.timeValues && time) {
    future = holdout ? series.times.slice(n - holdout) : futureTimes(time, series.timeValues[n - 1]!, horizon);
  }
  return { id: series.id, history, truth, historyTimes, futureTimes: future };
}

interface SeriesResult {
  job: Job;
  fc: ForecastResult;
  quantiles: Float64Array[];
  scores: { mae: number; crps: number; nllPerDim: number | null } | null;
  tuned: { alpha: number; beta: number; nllPerDim: number } | null;
  scalerOptions: { alpha: number; beta: number; basic: boolean };
}

/** One stderr line about how the file was read, and a note for anything that changed the data's order or length. */
function describeInput(table: CsvTable, log: (m: string) => void): void {
  const t = table.time;
  const count = table.series.length;
  log(`read ${count === 1 ? `${table.series[0]!.values.length} rows` : `${count} series (--id-column ${table.idColumn})`} of '${table.column}'`
    + (t ? `, time column '${t.column}' every ${t.stepLabel}` : ', no time column (steps are row numbers)'));
  for (const s of table.series) {
    const name = s.id === null ? '' : ` (${s.id})`;
    if (s.resorted) log(`note${name}: rows were not in time order; sorted by '${t!.column}'`);
    if (s.gaps > 0) log(`note${name}: ${s.gaps} missing time step${s.gaps === 1 ? '' : 's'} filled by --missing`);
  }
}

/** Score one {truth, samples} document with the figure rules (and the fair energy CRPS when there are ≥ 2 samples). */
function scoreDoc(d: { truth?: unknown; samples?: unknown }, where: string) {
  if (!d || !Array.isArray(d.truth) || !Array.isArray(d.samples)) {
    throw new ArgumentError(`forecast score: ${where} must hold {"truth": [number, ...], "samples": [[number, ...], ...]} (samples × horizon) — the --json output of \`strata forecast --holdout N\` or --score`);
  }
  const truth = d.truth as number[];
  const samples = d.samples as number[][];
  if (samples.some((s) => !Array.isArray(s))) throw new ArgumentError(`forecast score: "samples" in ${where} must be an array of arrays (samples × horizon)`);
  const scores = figureScores(samples, truth);
  const energy = samples.length >= 2 ? crps(samples, truth, { method: 'energy' }) : null;
  // Values near the float64 limit overflow in the differences: say so instead of printing NaN with exit 0.
  for (const [name, v] of [['MAE', scores.mae], ['CRPS', scores.crps], ['energy CRPS', energy ?? 0]] as const) {
    if (!Number.isFinite(v)) throw new NonFiniteError(`forecast score: ${name} of ${where} is not finite (${v}); the values overflow float64 arithmetic (|x| near 1e308) — rescale truth and samples`);
  }
  return { mae: scores.mae, crps: scores.crps, ...(energy !== null ? { crps_energy: energy } : {}), samples: samples.length, horizon: truth.length };
}

/** All of standard input (a pipe may be non-blocking, so readFileSync(0) can fail with EAGAIN). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function runScore(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs('forecast score', argv, { ...commonOptions, input: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) { io.stdout.write(help); return 0; }
  // No --input (or '-'): read the document from a pipe, e.g. `strata forecast … --holdout 12 --json | strata forecast score`.
  const fromStdin = values.input === undefined || values.input === '-';
  if (fromStdin && values.input === undefined && process.stdin.isTTY) {
    throw new ArgumentError("forecast score: --input FILE.json is required (a file {\"truth\": [...], \"samples\": [[...], ...]}), or pipe the document in");
  }
  const path = fromStdin ? 'standard input' : resolve(io.cwd, values.input!);
  let doc: unknown;
  try {
    doc = JSON.parse(fromStdin ? await readStdin() : readFileSync(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code) throw new MissingResourceError(`forecast score: cannot read ${path}: ${(e as NodeJS.ErrnoException).code}`);
    throw new ArgumentError(`forecast score: ${path} is not valid JSON: ${(e as Error).message}`);
  }
  const many = doc && typeof doc === 'object' && Array.isArray((doc as { series?: unknown }).series);
  const docs = many ? ((doc as { series: { id?: unknown; truth?: unknown; samples?: unknown }[] }).series) : [doc as { truth?: unknown; samples?: unknown }];
  const results = docs.map((d, i) => ({ ...(many ? { id: String((d as { id?: unknown }).id ?? i) } : {}), ...scoreDoc(d, many ? `${path}, series ${i}` : path) }));
  if (values.json) io.stdout.write(JSON.stringify(many ? { series: results } : results[0]) + '\n');
  else {
    for (const result of results) {
      if ('id' in result) io.stdout.write(`${result.id}\n`);
      io.stdout.write(`normalised MAE of the median  ${fmt(result.mae)}\nCRPS (figure rule)            ${fmt(result.crps)}\n${result.crps_energy !== undefined ? `CRPS (fair sample estimator)  ${fmt(result.crps_energy)}\n` : ''}(${result.samples} samples × ${result.horizon} steps)\n`);
    }
  }
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
      'time-column': { type: 'string' }, 'id-column': { type: 'string' }, delimiter: { type: 'string' }, 'no-header': { type: 'boolean' },
      holdout: { type: 'string' }, quantiles: { type: 'string' },
    });
    if (values.help) { io.stdout.write(help); return 0; }
    if (!values.csv) throw new ArgumentError('forecast: --csv FILE is required (or use `strata forecast score`)');
    if (!values.column) throw new ArgumentError('forecast: --column NAME is required (the CSV column to forecast)');
    if (values.horizon === undefined && values.holdout === undefined) throw new ArgumentError('forecast: --horizon H is required (or --holdout N, which forecasts the last N values)');
    const holdoutN = values.holdout === undefined ? null : parseNumber('--holdout', values.holdout, 0, (v) => Number.isInteger(v) && v >= 1, 'an integer ≥ 1');
    const horizon = parseNumber('--horizon', values.horizon, holdoutN ?? 0, (v) => Number.isInteger(v) && v >= 1, 'an integer ≥ 1');
    if (holdoutN !== null && holdoutN !== horizon) throw new ArgumentError(`forecast: --holdout ${holdoutN} forecasts the held-out values, so --horizon must be ${holdoutN} too (or left out), got ${horizon}`);
    if (holdoutN !== null && values.score) throw new ArgumentError('forecast: --score already holds out the last H values; pass --score or --holdout N, not both');
    const levels = parseQuantiles(values.quantiles);
    const delimiter = parseDelimiter(values.delimiter);
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

    const held = values.score || holdoutN !== null;
    const table = readCsvSeries(resolve(io.cwd, values.csv), {
      column: values.column, missing, delimiter, header: values['no-header'] !== true, timeColumn: values['time-column'], idColumn: values['id-column'],
    });
    const jobs = table.series.map((s) => splitHeldOut(s, held ? horizon : 0, horizon, table.time));
    const settings = { ...presetSettings(preset, compat === 'reference' ? 'reference' : 'round'), prec };

    const mode = progressMode(io.stderr, values.quiet === true);
    const progress = new ProgressRenderer({ stream: io.stderr, mode, prefix: 'forecast' });
    const log = (m: string) => progress.log(m);
    describeInput(table, log);
    if (spec.kind === 'gguf' && !existsSync(spec.path)) {
      throw new MissingResourceError(values.model
        ? `forecast: model file ${spec.path} does not exist; pass the path of a .gguf file`
        : `forecast: the default model ${spec.path} is missing; regenerate it with 'npx tsx scripts/train-forecast-model.ts' or pass --model PATH.gguf`);
    }
    const cachePath = resolve(io.cwd, values.cache ?? DEFAULT_CACHE);
    const cacheIsNew = !values['no-cache'] && !existsSync(cachePath);
    const cache = values['no-cache'] ? undefined : new QueryCache(cachePath);
    if (cacheIsNew) log(`cache: created ${cachePath} (completions are reused on the next run; --no-cache to skip, --cache FILE to move it)`);
    let opened: LanguageModel | undefined;
    try {
      // The cache goes around the model here, so every call below (tune, forecast, nll) is cached and --replay needs
      // nothing but the cache (a replay model answers from it and never loads or calls the model).
      const model = opened = await openModel(spec, { ...(cache ? { cache } : {}), replay: values.replay === true });
      const identity = model.identity;
      const results: SeriesResult[] = [];
      for (const job of jobs) {
        const { history, truth } = job;
        const name = job.id === null ? '' : ` '${job.id}'`;
        let scalerOptions = { alpha, beta, basic: values.basic === true };
        let tuned: { alpha: number; beta: number; nllPerDim: number } | null = null;
        if (values.tune) {
          if (values.replay) throw new ArgumentError('forecast: --tune scores prompts with the model; it cannot run with --replay');
          if (values.basic) throw new ArgumentError('forecast: --tune searches the advanced scaler\'s α and β; drop --basic');
          const r = await tune(history, horizon, { model, settings, grid: { alpha: DARTS_GPT3_GRID.alpha, beta: DARTS_GPT3_GRID.beta, prec: [prec] } });
          tuned = r.best;
          scalerOptions = { alpha: r.best.alpha, beta: r.best.beta, basic: false };
          log(`tuned${name} on the last ${r.valLength} history values: α ${r.best.alpha}, β ${r.best.beta} (validation NLL/D ${fmt(r.best.nllPerDim)})`);
        }
        const fc = await forecast(history, horizon, {
          model, settings, scaler: scalerOptions, numSamples, temperature, topP, chat: values.chat === true,
          compat, seed, strict: values.strict === true,
          onProgress: (done, total) => progress.update(done, total, job.id === null ? 'samples' : `samples ${job.id}`),
        });
        progress.finish();
        fc.warnings.forEach((w) => log(`warning${name}: ${w}`));
        const quantiles = levels.map((p) => fc.quantile(p));
        let scores: { mae: number; crps: number; nllPerDim: number | null } | null = null;
        if (truth && values.score) {
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
        results.push({ job, fc, quantiles, scores, tuned, scalerOptions });
      }
      let plotted: { svg: string; caption: string } | null = null;
      if (values.plot) {
        if (results.length > 1) throw new ArgumentError(`forecast: --plot draws one series; this file has ${results.length} (--id-column ${table.idColumn}); drop --plot or select one series`);
        const r = results[0]!;
        plotted = plotSvg({
          column: table.column, history: r.job.history, truth: r.job.truth, median: r.fc.median,
          lo: r.quantiles[0]!, hi: r.quantiles[r.quantiles.length - 1]!, levels: [levels[0]!, levels[levels.length - 1]!],
          times: r.job.historyTimes, futureTimes: r.job.futureTimes,
        });
        writeFileSync(resolve(io.cwd, values.plot), plotted.svg);
      }
      const seriesDoc = (r: SeriesResult) => ({
        ...(r.job.id === null ? {} : { id: r.job.id }),
        dates: r.job.futureTimes, ...(r.job.truth ? { truth: Array.from(r.job.truth) } : {}),
        samples: r.fc.samples.map((x) => Array.from(x)),
        median: Array.from(r.fc.median),
        quantiles: Object.fromEntries(levels.map((p, i) => [String(p), Array.from(r.quantiles[i]!)])),
        numSamples: r.fc.samples.length, failures: r.fc.failures, padded: r.fc.padded, cached: r.fc.cached, promptSteps: r.fc.promptSteps,
        historyLength: r.job.history.length, ...(r.job.historyTimes ? { lastTime: r.job.historyTimes[r.job.historyTimes.length - 1] } : {}),
        scaler: { q: r.fc.scaler.q, offset: r.fc.scaler.offset, ...r.scalerOptions }, ...(r.tuned ? { tuned: r.tuned } : {}),
        ...(r.scores ? { scores: r.scores } : {}), warnings: r.fc.warnings,
      });
      if (values.json) {
        const head = { model: identity, column: table.column, timeColumn: table.time?.column ?? null, step: table.time?.stepLabel ?? null, horizon };
        io.stdout.write(JSON.stringify(table.idColumn === null
          ? { ...head, ...seriesDoc(results[0]!) }
          : { ...head, idColumn: table.idColumn, series: results.map(seriesDoc) }) + '\n');
      } else {
        for (const r of results) {
          if (r.job.id !== null) io.stdout.write(`${table.idColumn} ${r.job.id}\n`);
          const rows = [[table.time ? table.time.column : 'step', ...levels.map(levelLabel), ...(r.job.truth ? ['actual'] : [])]];
          const n = r.job.history.length;
          for (let t = 0; t < horizon; t++) {
            rows.push([r.job.futureTimes ? r.job.futureTimes[t]! : String(n + t + 1), ...r.quantiles.map((q) => fmt(q[t]!)), ...(r.job.truth ? [fmt(r.job.truth[t]!)] : [])]);
          }
          io.stdout.write(table_(rows));
          io.stdout.write(`${r.fc.samples.length} samples (${r.fc.failures} failed, ${r.fc.padded} padded, ${r.fc.cached} from cache) from ${model.modelId}; prompt kept ${r.fc.promptSteps} of ${n} steps\n`);
          if (r.scores) io.stdout.write(`held-out ${horizon} steps: MAE ${fmt(r.scores.mae)}  CRPS ${fmt(r.scores.crps)}  NLL/D ${r.scores.nllPerDim === null ? 'n/a' : fmt(r.scores.nllPerDim)}\n`);
        }
        if (plotted) io.stdout.write(`plot: ${values.plot} — ${plotted.caption}\n`);
      }
      return 0;
    } finally {
      await opened?.close();
      cache?.close();
    }
  },
};

