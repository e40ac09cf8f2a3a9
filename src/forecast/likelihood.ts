/**
 * LLMTime's continuous likelihood (Gruver et al. 2023, §3 "Continuous likelihoods"; spec forecast.md §2.6). Digit-by-
 * digit prediction is a hierarchical softmax over nested bins, so P(tokens of y)/10^−prec is a piecewise-constant
 * density of the scaled value; the change of variables x = q·y + m adds ln q. Per value:
 *
 *   NLL/D = −(Σ target-token log p)/T − prec·ln 10 + ln q
 *
 * where the sum runs over every target token, separators included (a separator ends a number, so its probability is
 * part of the bin's probability).
 */
import { ArgumentError, NonFiniteError } from '../core/index.ts';
import { UnsupportedCapabilityError, withCache } from '../llm/index.ts';
import type { LanguageModel, GeneratedToken, QueryCache } from '../llm/index.ts';
import { fitScaler, type ScalerOptions, type Scaler } from './scaler.ts';
import { FORECAST_DEFAULTS, checkSettings, presetSettings, type SerializerSettings } from './settings.ts';
import { contextLengthOf, fitSuffix, serializedSteps } from './prompt.ts';

/**
 * How token probabilities are renormalised to the forecasting vocabulary at each target position.
 * 'allowed-set' (default; needs full distributions): log p(tok) − log Σ_{a ∈ allowed} p(a).
 * 'reference-top5' (remote APIs with 5 alternatives): log p(tok) − log(1 − p_extra), p_extra = mass of the top-5
 * alternatives outside the allowed set (0 when bitSep is empty). 'none': raw log-probabilities.
 */
export type Renormalization = 'allowed-set' | 'reference-top5' | 'none';

export interface NllOptions {
  model: LanguageModel;
  settings?: SerializerSettings;
  scaler?: ScalerOptions;
  renormalize?: Renormalization;
  /** Token window of the model; default its own context size (GGUF) or 4096. */
  contextLength?: number;
  /** 'reference' also scores the history's final separator (the LLaMA path's off-by-one). Default 'default'. */
  compat?: 'default' | 'reference';
  /** Route every model call through this cache (`withCache`). */
  cache?: QueryCache;
}

export interface NllResult {
  /** NLL per value in nats, of the raw (unscaled) target. */
  nllPerDim: number;
  /**
   * −(Σ log p)/T: nats (not bits) per value of the digit string, in the scaled space before the bin width and the
   * scaler's Jacobian are applied. `nllPerDim` = this − prec·ln 10 + log-Jacobian.
   */
  stringNllPerDim: number;
  /** Per target step: −log p of its tokens (including its separator). */
  perStep: Float64Array;
  scaler: Scaler;
  /** Number of teacher-forced passes (more than 1 when the target does not fit one context window). */
  windows: number;
  warnings: string[];
}

/** The characters a forecast may contain: digits, the separators and the minus sign. */
export function allowedStrings(s: SerializerSettings, allowMinus = true): string[] {
  const digits = Array.from({ length: 10 }, (_, d) => s.bitSep + d);
  return [...digits, s.timeSep, ...(allowMinus && s.signed ? [s.minusSign] : [])].filter((x) => x.length > 0);
}

function isAllowedText(text: string, allowed: readonly string[]): boolean {
  return allowed.includes(text) || (text.length > 0 && [...text].every((c) => allowed.some((a) => a.includes(c))));
}

/** log p(tok) renormalised over the allowed set, from the token's top (full) alternatives. */
function renormalised(tok: GeneratedToken, how: Renormalization, allowed: readonly string[], bitSep: string): number {
  if (how === 'none') return tok.logprob;
  const top = tok.top ?? [];
  if (how === 'reference-top5') {
    if (bitSep === '') return tok.logprob;
    let extra = 0;
    for (const a of top.slice(0, 5)) if (!allowed.includes(a.text)) extra += Math.exp(a.logprob);
    return tok.logprob - Math.log1p(-Math.min(extra, 1 - 1e-12));
  }
  let z = 0, sawSelf = false;
  for (const a of top) {
    if (a.id !== undefined && a.id === tok.id) sawSelf = true;
    if (isAllowedText(a.text, allowed) || (a.id !== undefined && a.id === tok.id)) z += Math.exp(a.logprob);
  }
  if (!sawSelf) z += Math.exp(tok.logprob);
  return tok.logprob - Math.log(z);
}

/**
 * Ids of every vocabulary token whose text is made of allowed characters, read from one full next-token
 * distribution (a full-distribution backend lists the whole vocabulary there).
 */
async function allowedVocabulary(model: LanguageModel, allowed: readonly string[]): Promise<number[]> {
  const dist = await model.nextTokenDistribution(allowed[0] ?? '0');
  return dist.entries.filter((e) => e.id !== undefined && isAllowedText(e.text, allowed)).map((e) => e.id!).sort((a, b) => a - b);
}

/**
 * NLL/D of `target` given `history` under a language model, teacher-forced. When history + target do not fit the
 * model's context, the target is scored in windows of whole steps, each conditioned on as many preceding steps
 * (history and earlier target) as fit — the same truncation a forecast uses.
 */
export async function nll(history: ArrayLike<number>, target: ArrayLike<number>, options: NllOptions): Promise<NllResult> {
  if (!options.model) throw new ArgumentError('nll: options.model is required (a LanguageModel from strata/llm)');
  const model = options.cache ? withCache(options.model, options.cache) : options.model;
  if (!model.capabilities.promptLogprobs) {
    throw new UnsupportedCapabilityError(model.provider, 'score prompts', 'NLL/D needs teacher-forced log-probabilities (a local GGUF model, or a server with prompt log-probabilities such as vLLM)');
  }
  const s = options.settings ?? presetSettings('llama');
  checkSettings('nll', s);
  const how = options.renormalize ?? (model.capabilities.distribution === 'full' ? 'allowed-set' : 'reference-top5');
  if (!['allowed-set', 'reference-top5', 'none'].includes(how)) throw new ArgumentError(`nll: renormalize must be 'allowed-set', 'reference-top5' or 'none', got '${how}'`);
  if (how === 'allowed-set' && model.capabilities.distribution !== 'full') {
    throw new UnsupportedCapabilityError(model.provider, "renormalize over the allowed set", "it returns only top-k alternatives; pass renormalize: 'reference-top5'");
  }
  if (target.length === 0) throw new ArgumentError('nll: target is empty; nothing to score');
  for (let t = 0; t < target.length; t++) {
    if (!Number.isFinite(target[t]!)) throw new NonFiniteError(`nll: target[${t}] is ${target[t]}; the likelihood needs finite targets`);
  }
  const scaler = fitScaler(history, options.scaler ?? FORECAST_DEFAULTS.scaler);
  const histSteps = serializedSteps(scaler.transform(history), s);
  const targSteps = serializedSteps(scaler.transform(target), s);
  const context = options.contextLength ?? contextLengthOf(model);
  const allowed = allowedStrings(s);
  // The renormalisation needs each position's allowed alternatives only: ask for exactly those (a few per token)
  // instead of the whole vocabulary, which keeps cached answers small.
  const alternatives = how === 'allowed-set' ? await allowedVocabulary(model, allowed) : undefined;
  const warnings = new Set<string>();
  const perStep = new Float64Array(target.length);
  const T = target.length;
  let done = 0, windows = 0;
  while (done < T) {
    // Score at most half the window per pass, so every scored step keeps at least half a window of context.
    const chunk = await fitSuffix(model, targSteps.slice(done, T).reverse(), Math.floor(context / 2), 1)
      .then((r) => r.steps).catch((e: unknown) => {
        // A single step longer than half the window is still scored alone; any other failure propagates.
        if (e instanceof ArgumentError) return 1;
        throw e;
      });
    const end = done + chunk;
    const contText = targSteps.slice(done, end).join('');
    const contTokens = (await model.tokenize(contText, { addBos: false })).length;
    const before = [...histSteps, ...targSteps.slice(0, done)];
    const prompt = await fitSuffix(model, before, context - contTokens - 1, 0);
    let promptText = prompt.text;
    let continuation = contText;
    if (options.compat === 'reference' && done === 0 && promptText.endsWith(s.timeSep)) {
      promptText = promptText.slice(0, -s.timeSep.length);
      continuation = s.timeSep + contText;
    }
    const r = await model.continuationLogprobs(promptText, continuation,
      alternatives ? { alternatives } : { topLogprobs: how === 'none' ? 0 : 5 });
    r.warnings.forEach((w) => warnings.add(w.message));
    const scored = r.tokens.map((tok) => ({ text: tok.text, logprob: renormalised(tok, how, allowed, s.bitSep) }));
    // Attribute tokens to steps by the separators they contain.
    let step = done, text = '';
    const sepCount = (x: string) => x.split(s.timeSep).length - 1;
    let leading = options.compat === 'reference' && done === 0 ? 1 : 0;
    for (const tok of scored) {
      perStep[Math.min(step, end - 1)]! -= tok.logprob;
      text += tok.text;
      const seps = sepCount(text) - leading;
      if (seps > 0) { leading = 0; step += seps; text = ''; }
    }
    done = end;
    windows++;
  }
  let total = 0;
  for (const v of perStep) total += v;
  const stringNllPerDim = total / T;
  return {
    nllPerDim: stringNllPerDim - s.prec * Math.LN10 + scaler.logJacobian, stringNllPerDim, perStep, scaler, windows,
    warnings: [...warnings],
  };
}
