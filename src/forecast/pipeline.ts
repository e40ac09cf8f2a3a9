/**
 * LLMTime forecasting over any `LanguageModel` (Gruver et al. 2023, §3; spec forecast.md §2.1–2.5): rescale, write
 * the history as digits, let the model continue it many times under a token restriction, parse the continuations
 * back and take per-step medians and quantiles.
 */
import { ArgumentError, RuntimeFailure } from '../core/index.ts';
import {
  type LanguageModel, UnsupportedCapabilityError, type QueryCache, cacheKey, createRng, sampleIndex,
} from '../llm/index.ts';
import { fitScaler, type Scaler, type ScalerOptions } from './scaler.ts';
import { deserialize } from './serialize.ts';
import { checkSettings, presetSettings, withDigitMode, type SerializerSettings } from './settings.ts';
import { allowedStrings } from './likelihood.ts';
import { contextLengthOf, fitSuffix, serializedSteps, tokenCount } from './prompt.ts';
import { stepQuantiles } from './metrics.ts';

export interface ForecastOptions {
  /** The backend. May be null only with `replay` (every sample then comes from the cache). */
  model: LanguageModel | null;
  /** Required with `replay` and no model: the identity the samples were cached under. */
  identity?: string;
  /** Default: the `llama` preset in 'round' digit mode ('reference' mode under compat 'reference'). */
  settings?: SerializerSettings;
  scaler?: ScalerOptions;
  numSamples?: number;
  /** Default 1. */
  temperature?: number;
  /** Nucleus sampling mass, applied in TypeScript on full distributions; default 1 (off). */
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
  /** Store every completion; a repeated or resumed run asks the model nothing it answered before. */
  cache?: QueryCache;
  /** Take every completion from `cache` and never call the model; a missing entry is an error. */
  replay?: boolean;
  onProgress?: (done: number, total: number) => void;
  /**
   * Prompt a chat model with LLMTime's instructions (spec §2.5) instead of continuing the digits directly. Under
   * compat 'reference' the separator appears twice at the end of the sequence, as in the authors' code.
   */
  chat?: boolean;
}

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
}

interface CachedSample { completion: string; prompt: string; promptSteps: number }

const DEFAULTS = { numSamples: 20, temperature: 1, topP: 1, seed: 1 };

/** Sample an index from log-probabilities with temperature and nucleus (top-p) truncation. */
export function sampleTopP(logprobs: readonly number[], temperature: number, topP: number, rng: () => number): number {
  if (temperature === 0 || topP >= 1) return sampleIndex(logprobs, temperature, rng);
  const max = Math.max(...logprobs);
  const w = logprobs.map((l) => Math.exp((l - max) / temperature));
  const total = w.reduce((a, b) => a + b, 0);
  const order = w.map((_, i) => i).sort((a, b) => w[b]! - w[a]!);
  const kept: number[] = [];
  let mass = 0;
  for (const i of order) { kept.push(i); mass += w[i]! / total; if (mass >= topP) break; }
  const k = sampleIndex(kept.map((i) => logprobs[i]!), temperature, rng);
  return kept[k]!;
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
  const promptIds = await model.tokenize(promptText, { addBos: false });
  for (const id of promptIds) {
    const text = await model.detokenize([id]);
    if (allowMinus || !text.includes(s.minusSign)) ids.add(id);
  }
  return [...ids];
}

/**
 * Draw one completion of `steps` numbers token by token from the full next-token distribution, masked to `allowed`,
 * with temperature and top-p done here. When prompt + completion reach the context, the window restarts from the
 * most recent whole steps that fill half of it.
 */
async function sampleLocal(
  model: LanguageModel, historySteps: readonly string[], promptText: string, steps: number, maxTokens: number,
  allowed: number[], temperature: number, topP: number, seed: number, sep: string, context: number,
): Promise<string> {
  const rng = createRng(seed);
  let window = await model.tokenize(promptText, { addBos: true });
  let out = '';
  for (let n = 0; n < maxTokens; n++) {
    if (window.length >= context) {
      const done = out.slice(0, out.lastIndexOf(sep) + sep.length);
      const doneSteps = done === '' ? [] : done.split(sep).slice(0, -1).map((x) => x + sep);
      const partial = out.slice(done.length);
      const recent = await fitSuffix(model, [...historySteps, ...doneSteps], Math.floor(context / 2), 1);
      window = await model.tokenize(recent.text + partial, { addBos: true });
    }
    const dist = await model.nextTokenDistribution({ tokens: window }, { allowedTokens: allowed });
    const k = sampleTopP(dist.entries.map((e) => e.logprob), temperature, topP, rng);
    const entry = dist.entries[k]!;
    window = [...window, entry.id!];
    out += entry.text;
    if (countSeps(out, sep) >= steps) break;
  }
  return out;
}

/**
 * Forecast `horizon` steps after `history` (NaN = missing, written as `missingStr`) with `numSamples` completions.
 * Horizon 0 gives an empty forecast without calling the model.
 */
export async function forecast(history: ArrayLike<number>, horizon: number, options: ForecastOptions): Promise<ForecastResult> {
  if (!Number.isInteger(horizon) || horizon < 0) throw new ArgumentError(`forecast: horizon must be an integer ≥ 0, got ${horizon}`);
  const o = { ...DEFAULTS, ...options };
  const { model } = o;
  if (!model && !(o.replay && o.cache && o.identity)) {
    throw new ArgumentError('forecast: options.model is required (pass replay: true with a cache and identity to rescore cached samples)');
  }
  if (!Number.isInteger(o.numSamples) || o.numSamples < 1) throw new ArgumentError(`forecast: numSamples must be an integer ≥ 1, got ${o.numSamples}`);
  if (!(o.temperature >= 0)) throw new ArgumentError(`forecast: temperature must be ≥ 0, got ${o.temperature}`);
  if (!(o.topP > 0 && o.topP <= 1)) throw new ArgumentError(`forecast: topP must be in (0, 1], got ${o.topP}`);
  const compat = o.compat ?? 'default';
  if (compat !== 'default' && compat !== 'reference') throw new ArgumentError(`forecast: compat must be 'default' or 'reference', got '${compat}'`);
  if (o.chat && model && !model.capabilities.chat) {
    throw new UnsupportedCapabilityError(model.provider, 'chat', 'pass chat: false to continue the digits as a completion');
  }
  const s = o.settings ?? (compat === 'reference' ? withDigitMode(presetSettings('llama'), 'reference') : presetSettings('llama'));
  checkSettings('forecast', s);
  if (history.length < 2) throw new ArgumentError(`forecast: the history has ${history.length} value(s); need at least 2`);
  const scaler = fitScaler(history, o.scaler);
  const steps = serializedSteps(scaler.transform(history), s);
  const identity = model?.identity ?? o.identity!;
  const warnings: string[] = [];
  const empty = (prompt: string, promptSteps: number): ForecastResult => ({
    samples: [], median: new Float64Array(0), quantile: () => new Float64Array(0), failures: 0, padded: 0, prompt, promptSteps,
    completions: [], scaler, settings: s, warnings, cached: 0,
  });
  if (horizon === 0) return empty(steps.join(''), steps.length);

  // Context truncation (§2.5): the prompt plus 1.2× the expected completion must fit; local models whose window is
  // too small for the whole horizon keep half the window for generation and slide (see sampleLocal).
  const context = o.contextLength ?? contextLengthOf(model);
  let promptText: string, promptSteps: number, maxTokens: number;
  if (model) {
    const full = await tokenCount(model, steps.join(''));
    const avg = (full - 1) / steps.length;
    const need = Math.ceil(avg * horizon * 1.2);
    const local = model.capabilities.distribution === 'full' && !o.chat;
    const budget = local ? Math.max(context - need, Math.floor(context / 2)) : context - need;
    if (budget <= 1) throw new ArgumentError(`forecast: ${horizon} steps need about ${need} tokens, more than the model's context of ${context}; shorten the horizon`);
    const fit = await fitSuffix(model, steps, budget, 1);
    promptText = fit.text; promptSteps = fit.steps;
    maxTokens = Math.floor(avg * horizon * 1.2) + 1;
    if (promptSteps < steps.length) warnings.push(`the prompt keeps the last ${promptSteps} of ${steps.length} steps to fit the context of ${context} tokens`);
  } else {
    promptText = steps.join(''); promptSteps = steps.length; maxTokens = 0;
  }

  const allowMinus = compat !== 'reference';
  const local = model?.capabilities.distribution === 'full' && !o.chat;
  const allowed = model ? await allowedTokenIds(model, s, promptText, allowMinus) : [];
  const completions: string[] = [];
  let cachedCount = 0;
  for (let i = 0; i < o.numSamples; i++) {
    const seed = (o.seed * 1_000_003 + i) >>> 0;
    // Keyed by the whole serialized history, not the truncated prompt: truncation is a function of history, model
    // and horizon, and --replay must find the entry without a model to tokenize with.
    const request = {
      history: steps.join(''), horizon, temperature: o.temperature, topP: o.topP, seed, compat, settings: s, chat: o.chat === true,
      ...(o.contextLength !== undefined ? { context } : {}),
    };
    const key = o.cache ? cacheKey(identity, 'forecast-sample', request) : '';
    const hit = o.cache?.get<CachedSample>(key);
    if (hit !== undefined) {
      completions.push(hit.completion);
      if (!model) { promptText = hit.prompt; promptSteps = hit.promptSteps; }
      cachedCount++;
    } else {
      if (o.replay || !model) {
        throw new RuntimeFailure(`forecast --replay: sample ${i + 1} of ${o.numSamples} is not in the cache ${o.cache?.path ?? ''} (model ${identity}); run once without --replay to compute it`);
      }
      let text: string;
      if (o.chat) {
        if (i === 0 && o.topP < 1) warnings.push(`${model.provider} chat: top-p is not forwarded; sampling uses temperature only`);
        const sequence = compat === 'reference' ? promptText + s.timeSep : promptText;
        const r = await model.chat({
          messages: [{ role: 'system', content: CHAT_SYSTEM_PROMPT }, { role: 'user', content: CHAT_USER_PREFIX + sequence }],
          maxTokens, temperature: o.temperature, seed,
        });
        text = r.text;
      } else if (local) {
        text = await sampleLocal(model, steps.slice(0, steps.length - promptSteps), promptText, horizon, maxTokens, allowed, o.temperature, o.topP, seed, s.timeSep, context);
      } else {
        // Remote backends: the server samples; the restriction is a logit bias (+30, as the reference) or a mask.
        const restrict = model.capabilities.restrictedSampling;
        if (o.topP < 1 && i === 0) warnings.push(`${model.provider} backend: top-p is not forwarded; sampling uses temperature only`);
        const bias = restrict === 'logit-bias' ? Object.fromEntries(allowed.map((id) => [id, 30])) : undefined;
        const r = await model.sample({
          prompt: promptText, maxTokens, temperature: o.temperature, seed,
          ...(restrict === 'mask' ? { allowedTokens: allowed } : {}), ...(bias ? { logitBias: bias } : {}),
        });
        text = r.text;
      }
      completions.push(text);
      o.cache?.put(key, identity, 'forecast-sample', request, { completion: text, prompt: promptText, promptSteps } satisfies CachedSample);
    }
    o.onProgress?.(i + 1, o.numSamples);
  }

  // Per sample (reference handlePrediction): nothing parsed → failed; short → pad with the last value; long → cut.
  const samples: Float64Array[] = [];
  let failures = 0, padded = 0;
  for (const text of completions) {
    const values = deserialize(text, s, { steps: horizon, strict: o.strict });
    if (!values || values.length === 0 || (o.strict && values.length < horizon)) { failures++; continue; }
    let path = values;
    if (path.length < horizon) {
      padded++;
      path = Float64Array.from({ length: horizon }, (_, t) => values[Math.min(t, values.length - 1)]!);
    }
    samples.push(scaler.inverse(path));
  }
  if (samples.length === 0) {
    throw new RuntimeFailure(`forecast: all ${completions.length} samples from ${identity} failed to parse; one raw completion: ${JSON.stringify(completions[0]?.slice(0, 200))}`);
  }
  // A NaN (missing string in strict mode) inside a sample would poison the median; treat it like the previous value.
  for (const p of samples) for (let t = 0; t < p.length; t++) if (Number.isNaN(p[t]!)) p[t] = t > 0 ? p[t - 1]! : scaler.inverse([0])[0]!;
  return {
    samples, median: stepQuantiles(samples, [0.5])[0]!, quantile: (p: number) => stepQuantiles(samples, [p])[0]!,
    failures, padded, prompt: promptText, promptSteps, completions, scaler, settings: s, warnings, cached: cachedCount,
  };
}
