/**
 * LLMTime forecasting over any `LanguageModel` (Gruver et al. 2023, §3; spec forecast.md §2.1–2.5): rescale, write
 * the history as digits, let the model continue it many times under a token restriction, parse the continuations
 * back and take per-step medians and quantiles.
 */
import { ArgumentError, RuntimeFailure, Rng } from '../core/index.ts';
import { UnsupportedCapabilityError, detectCapabilities, withCache } from '../llm/index.ts';
import type { CachedLanguageModel, LanguageModel, QueryCache, Warning } from '../llm/index.ts';
import { fitScaler, type Scaler, type ScalerOptions } from './scaler.ts';
import { deserialize } from './serialize.ts';
import { FORECAST_DEFAULTS, checkSettings, presetSettings, withDigitMode, type SerializerSettings } from './settings.ts';
import { allowedStrings } from './likelihood.ts';
import { contextLengthOf, fitSuffix, serializedSteps, tokenCount } from './prompt.ts';
import { stepQuantiles } from './metrics.ts';

export interface ForecastOptions {
  /**
   * The backend, from `openModel` (a replay model from `openModel(spec, {cache, replay: true})` rescores cached
   * samples without loading anything).
   */
  model: LanguageModel;
  /** Default: the `llama` preset in 'round' digit mode ('reference' mode under compat 'reference'). */
  settings?: SerializerSettings;
  scaler?: ScalerOptions;
  numSamples?: number;
  /** Default `FORECAST_DEFAULTS.temperature` (1). */
  temperature?: number;
  /** Nucleus sampling mass, passed to the backend (`SampleOptions.topP`); default `FORECAST_DEFAULTS.topP` (0.9). */
  topP?: number;
  /**
   * 'reference' switches on the reference implementation's quirks: truncating digits with the half-bin correction,
   * and the LLaMA path's ban on the minus sign (forecasts cannot go below the scaler's offset).
   */
  compat?: 'default' | 'reference';
  /** Token window; default the model's context size (GGUF) or 4096. */
  contextLength?: number;
  /** Strict parsing: garbage in a completion fails the sample instead of decoding to ≈ 0; short samples fail. */
  strict?: boolean;
  seed?: number;
  /**
   * Route every model call through this cache (`withCache`; no-op when `model` already is): a repeated or resumed
   * run asks the model nothing it answered before.
   */
  cache?: QueryCache;
  onProgress?: (done: number, total: number) => void;
  /**
   * Prompt a chat model with LLMTime's instructions (spec §2.5) instead of continuing the digits directly. Under
   * compat 'reference' the separator appears twice at the end of the sequence, as in the authors' code. Chosen
   * automatically for a chat-only model (`capabilities.completion` false).
   */
  chat?: boolean;
}

/**
 * How the completions were drawn: 'mask' (local model, exact digits-only mask), 'logit-bias' (server with a
 * tokenizer: digit tokens biased up), 'unrestricted' (server without a tokenizer: LLMTime's GPT-3 path, parsed
 * robustly), 'chat' (LLMTime's GPT-4 chat prompt).
 */
export type SamplingPath = 'mask' | 'logit-bias' | 'unrestricted' | 'chat';

/** LLMTime's chat prompt (reference `models/gpt.py`), verbatim. */
export const CHAT_SYSTEM_PROMPT = 'You are a helpful assistant that performs time series predictions. The user will provide a sequence and you will predict the remaining sequence. The sequence is represented by decimal strings separated by commas.';
export const CHAT_USER_PREFIX = "Please continue the following sequence without producing any additional text. Do not say anything like 'the next terms in the sequence are', just return the numbers. Sequence:\n";

export interface ForecastResult {
  /** Parsed, inverse-scaled sample paths (failed samples excluded), each of `horizon` values. */
  samples: Float64Array[];
  median: Float64Array;
  /** Type-7 quantile per step over the samples; quantiles of different levels never cross. */
  quantile(p: number): Float64Array;
  /** Samples that produced no number (or failed strict parsing). */
  failures: number;
  /** Samples shorter than the horizon, padded with their last value. */
  padded: number;
  prompt: string;
  /** Steps of the history kept in the prompt after context truncation. */
  promptSteps: number;
  completions: string[];
  scaler: Scaler;
  settings: SerializerSettings;
  warnings: string[];
  /** Completions served from the cache. */
  cached: number;
  samplingPath: SamplingPath;
}

function countSeps(text: string, sep: string): number {
  return text.split(sep).length - 1;
}

/** Token ids the forecast may use: every token of the allowed strings and of the serialized prompt itself. */
async function allowedTokenIds(model: LanguageModel, s: SerializerSettings, promptText: string, allowMinus: boolean): Promise<number[]> {
  const ids = new Set<number>();
  const strings = allowedStrings(s, allowMinus);
  for (const str of strings) for (const id of await model.tokenize(str, { addBos: false })) ids.add(id);
  // Tokens of the prompt (after BOS) are how this tokenizer writes such text; keep them unless they carry a minus.
  // Each distinct id is detokenized once (a prompt of thousands of tokens has a few dozen distinct ones).
  const promptIds = [...new Set(await model.tokenize(promptText, { addBos: false }))].filter((id) => !ids.has(id));
  const texts = await Promise.all(promptIds.map((id) => model.detokenize([id])));
  promptIds.forEach((id, k) => { if (allowMinus || !texts[k]!.includes(s.minusSign)) ids.add(id); });
  return [...ids].sort((a, b) => a - b);
}

/**
 * The numeric part of an unrestricted completion (a server without a tokenizer, a chat reply): from the first digit
 * (or minus sign before one) up to the first character a forecast cannot contain — so "Sure! 500, 600\n\nThese…"
 * reads as "500, 600". Restricted completions pass through unchanged.
 */
export function numericPart(text: string, s: SerializerSettings): string {
  const allowedChars = new Set([...'0123456789', ...s.timeSep, ...s.bitSep, ...s.minusSign, ...s.decimalPoint, ' ']);
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    if (text[i]! >= '0' && text[i]! <= '9') { start = i; break; }
  }
  if (start < 0) return '';
  if (s.minusSign && text.slice(Math.max(0, start - s.minusSign.length), start) === s.minusSign) start -= s.minusSign.length;
  let end = start;
  while (end < text.length && allowedChars.has(text[end]!)) end++;
  const part = text.slice(start, end);
  // A chat model asked for "500, 600, " may answer "500,600,": with a separator that pads its mark with spaces,
  // any spacing around the mark reads as the separator.
  const mark = s.timeSep.trim();
  if (mark === '' || mark === s.timeSep) return part;
  const escaped = mark.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return part.replace(new RegExp(`\\s*${escaped}\\s*`, 'g'), s.timeSep);
}

interface Draw {
  prompt: string; maxTokens: number; allowedTokens?: number[]; logitBias?: Record<number, number>;
  temperature: number; topP: number; rng: Rng;
  /** Stop once the completion holds all the steps (local backends; servers cannot). */
  stopAfterSteps: boolean;
}

/**
 * One completion of `steps` numbers through `model.sample` (which does masking, temperature and top-p). When the
 * prompt plus `maxTokens` exceed the context (local models keep half the window for generation), the completion is
 * drawn in pieces: each time the window fills, the prompt restarts from the most recent whole steps that fill half
 * of it, and the draw continues with the next seed of this sample's stream.
 */
async function sampleSteps(
  model: LanguageModel, historySteps: readonly string[], draw: Draw, steps: number, sep: string, context: number,
  warnings: Warning[],
): Promise<string> {
  let out = '';
  let left = draw.maxTokens;
  let prompt = draw.prompt;
  while (left > 0) {
    const room = context - await tokenCount(model, prompt);
    const n = Math.min(left, Math.max(1, room));
    const r = await model.sample({
      prompt, maxTokens: n, temperature: draw.temperature, topP: draw.topP, seed: draw.rng.nextU32(),
      // Stop at the separator after the last wanted step (the stop text is dropped; deserialize needs no final one).
      ...(draw.stopAfterSteps ? { stop: [sep], stopCount: steps - countSeps(out, sep) } : {}),
      ...(draw.allowedTokens ? { allowedTokens: draw.allowedTokens } : {}), ...(draw.logitBias ? { logitBias: draw.logitBias } : {}),
    });
    warnings.push(...r.warnings);
    out += r.finishReason === 'stop' && draw.stopAfterSteps ? r.text + sep : r.text;
    left -= Math.max(1, r.tokens.length || n);
    if (r.finishReason !== 'length' || countSeps(out, sep) >= steps || left <= 0 || n >= draw.maxTokens) break;
    const done = out.slice(0, out.lastIndexOf(sep) + sep.length);
    const doneSteps = done === '' ? [] : done.split(sep).slice(0, -1).map((x) => x + sep);
    const partial = out.slice(done.length);
    const recent = await fitSuffix(model, [...historySteps, ...doneSteps], Math.floor(context / 2), 1);
    prompt = recent.text + partial;
  }
  return out;
}

/**
 * Forecast `horizon` steps after `history` (NaN = missing, written as `missingStr`) with `numSamples` completions.
 * Horizon 0 gives an empty forecast without calling the model.
 */
export async function forecast(history: ArrayLike<number>, horizon: number, options: ForecastOptions): Promise<ForecastResult> {
  if (!Number.isInteger(horizon) || horizon < 0) throw new ArgumentError(`forecast: horizon must be an integer ≥ 0, got ${horizon}`);
  const o = {
    numSamples: FORECAST_DEFAULTS.numSamples, temperature: FORECAST_DEFAULTS.temperature, topP: FORECAST_DEFAULTS.topP,
    seed: FORECAST_DEFAULTS.seed, ...options,
  };
  if (!o.model) throw new ArgumentError('forecast: options.model is required (a LanguageModel from openModel in strata/llm)');
  if (!Number.isInteger(o.numSamples) || o.numSamples < 1) throw new ArgumentError(`forecast: numSamples must be an integer ≥ 1, got ${o.numSamples}`);
  if (!(o.temperature >= 0)) throw new ArgumentError(`forecast: temperature must be ≥ 0, got ${o.temperature}`);
  if (!(o.topP > 0 && o.topP <= 1)) throw new ArgumentError(`forecast: topP must be in (0, 1], got ${o.topP}`);
  const compat = o.compat ?? 'default';
  if (compat !== 'default' && compat !== 'reference') throw new ArgumentError(`forecast: compat must be 'default' or 'reference', got '${compat}'`);
  const model = o.cache ? withCache(o.model, o.cache) : o.model;
  // The cache the model answers from (given here, or already wrapped around it by openModel): counts cached samples.
  const cache = o.cache ?? (model as Partial<CachedLanguageModel>).cache;
  const s = o.settings ?? (compat === 'reference' ? withDigitMode(presetSettings('llama'), 'reference') : presetSettings('llama'));
  checkSettings('forecast', s);
  if (history.length < 2) throw new ArgumentError(`forecast: the history has ${history.length} value(s); need at least 2`);
  const scaler = fitScaler(history, o.scaler ?? FORECAST_DEFAULTS.scaler);
  const steps = serializedSteps(scaler.transform(history), s);
  const warnings: string[] = [];
  const empty = (prompt: string, promptSteps: number): ForecastResult => ({
    samples: [], median: new Float64Array(0), quantile: () => new Float64Array(0), failures: 0, padded: 0, prompt, promptSteps,
    completions: [], scaler, settings: s, warnings, cached: 0, samplingPath: 'mask',
  });
  if (horizon === 0) return empty(steps.join(''), steps.length);

  // Which path this backend gets (detected once per model; an HTTP server is probed for /tokenize and completions).
  await detectCapabilities(model);
  const caps = model.capabilities;
  const chat = o.chat === true || !caps.completion;
  if (chat && !caps.chat) throw new UnsupportedCapabilityError(model.provider, 'chat', 'pass chat: false to continue the digits as a completion');
  const path: SamplingPath = chat ? 'chat' : caps.restrictedSampling === 'mask' ? 'mask' : caps.tokenize && caps.restrictedSampling === 'logit-bias' ? 'logit-bias' : 'unrestricted';
  if (path === 'unrestricted') warnings.push(`${model.provider} has no tokenizer endpoint: completions are unrestricted and their numbers are parsed out (LLMTime's GPT-3 path)`);
  if (chat && !o.chat) warnings.push(`${model.modelId} is chat-only: prompting with LLMTime's chat instructions`);

  // Context truncation (§2.5): the prompt plus 1.2× the expected completion must fit; local models whose window is
  // too small for the whole horizon keep half the window for generation and slide (see sampleSteps).
  const context = o.contextLength ?? contextLengthOf(model);
  const full = await tokenCount(model, steps.join(''));
  const avg = (full - 1) / steps.length;
  const need = Math.ceil(avg * horizon * 1.2);
  const budget = path === 'mask' ? Math.max(context - need, Math.floor(context / 2)) : context - need;
  if (budget <= 1) throw new ArgumentError(`forecast: ${horizon} steps need about ${need} tokens, more than the model's context of ${context}; shorten the horizon`);
  const fit = await fitSuffix(model, steps, budget, 1);
  const promptText = fit.text, promptSteps = fit.steps;
  const maxTokens = Math.floor(avg * horizon * 1.2) + 1;
  if (promptSteps < steps.length) warnings.push(`the prompt keeps the last ${promptSteps} of ${steps.length} steps to fit the context of ${context} tokens`);

  const allowMinus = compat !== 'reference';
  const allowed = path === 'mask' || path === 'logit-bias' ? await allowedTokenIds(model, s, promptText, allowMinus) : undefined;
  // The reference's remote path biases the allowed tokens by +30 (spec §2.5); by default the backend enforces the
  // set as closely as it can (a mask locally, +100 over HTTP).
  const logitBias = path === 'logit-bias' && compat === 'reference' ? Object.fromEntries(allowed!.map((id) => [id, 30])) : undefined;
  // One stream per sample, split from the user's seed: sample i draws the same whatever numSamples is.
  const streams = new Rng(o.seed).split(o.numSamples);
  const completions: string[] = [];
  const modelWarnings: Warning[] = [];
  let cachedCount = 0;
  for (let i = 0; i < o.numSamples; i++) {
    const before = cache?.stats();
    const rng = streams[i]!;
    let text: string;
    if (chat) {
      const sequence = compat === 'reference' ? promptText + s.timeSep : promptText;
      const r = await model.chat({
        messages: [{ role: 'system', content: CHAT_SYSTEM_PROMPT }, { role: 'user', content: CHAT_USER_PREFIX + sequence }],
        // The reference never forwards top-p to the chat API (spec §2.5 quirk).
        maxTokens, temperature: o.temperature, ...(compat === 'reference' ? {} : { topP: o.topP }), seed: rng.nextU32(),
      });
      modelWarnings.push(...r.warnings);
      text = r.text;
    } else {
      text = await sampleSteps(model, steps, {
        prompt: promptText, maxTokens, temperature: o.temperature, topP: o.topP, rng, stopAfterSteps: path === 'mask',
        ...(logitBias ? { logitBias } : allowed ? { allowedTokens: allowed } : {}),
      }, horizon, s.timeSep, context, modelWarnings);
    }
    completions.push(text);
    const after = cache?.stats();
    if (before && after && after.misses === before.misses && after.hits > before.hits) cachedCount++;
    o.onProgress?.(i + 1, o.numSamples);
  }
  for (const m of new Set(modelWarnings.filter((w) => w.type !== 'other').map((w) => `${model.provider}: ${w.message}`))) warnings.push(m);

  // Per sample (reference handlePrediction): nothing parsed → failed; short → pad with the last value; long → cut.
  const samples: Float64Array[] = [];
  let failures = 0, padded = 0;
  for (const text of completions) {
    const values = deserialize(o.strict ? text : numericPart(text, s), s, { steps: horizon, strict: o.strict });
    if (!values || values.length === 0 || (o.strict && values.length < horizon)) { failures++; continue; }
    let path = values;
    if (path.length < horizon) {
      padded++;
      path = Float64Array.from({ length: horizon }, (_, t) => values[Math.min(t, values.length - 1)]!);
    }
    samples.push(scaler.inverse(path));
  }
  if (samples.length === 0) {
    throw new RuntimeFailure(`forecast: all ${completions.length} samples from ${model.identity} failed to parse; one raw completion: ${JSON.stringify(completions[0]?.slice(0, 200))}`);
  }
  // A NaN (missing string in strict mode) inside a sample would poison the median; treat it like the previous value.
  for (const p of samples) for (let t = 0; t < p.length; t++) if (Number.isNaN(p[t]!)) p[t] = t > 0 ? p[t - 1]! : scaler.inverse([0])[0]!;
  return {
    samples, median: stepQuantiles(samples, [0.5])[0]!, quantile: (p: number) => stepQuantiles(samples, [p])[0]!,
    failures, padded, prompt: promptText, promptSteps, completions, scaler, settings: s, warnings, cached: cachedCount,
    samplingPath: path,
  };
}
