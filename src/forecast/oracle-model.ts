/**
 * An exact "language model" for checking the likelihood and sampling machinery (spec forecast.md §5, Part A): its
 * next-token distribution is derived from a known Gaussian predictive density of the next scaled value, so every
 * digit string's probability is the Gaussian mass of its bin. The probability of a digit prefix p (an integer without
 * leading zeros) is the mass of all bins whose strings start with p:
 *
 *   mass(p) = Σ_{j ≥ 0, p·10^j < 10^(slots+prec)} Pr[ y ∈ [p·10^j, (p+1)·10^j)·10^−prec ]   (round mode: shifted by −½)
 *   P(digit d | p) = mass(10p + d)/mass(p),   P(separator | p) = Pr[bin p]/mass(p),
 *
 * with the sign decided first (P(minus) = Pr[y in a negative bin]) and prefix "0" having no extensions. The
 * vocabulary is the `llama` preset's characters, one token each; id 0 is BOS.
 */
import { ArgumentError } from '../core/index.ts';
import { sampleToken } from '../llm/index.ts';
import { Rng } from '../core/index.ts';
import type {
  ChatResult, ContinuationLogprobs, ContinuationOptions, GeneratedToken, LanguageModel, LanguageModelCapabilities, NextTokenDistribution,
  NextTokenDistributionOptions, Prompt, SampleOptions, SampleResult, TokenLogprob,
} from '../llm/index.ts';
import { deserialize } from './serialize.ts';
import { integerSlots, type SerializerSettings } from './settings.ts';

export interface GaussianPredictive { mean: number; std: number }

/** Standard normal upper tail Q(z) = P(Z > z), accurate to ~1e-15 relative (series below 3, continued fraction above). */
export function normalTail(z: number): number {
  if (z < 0) return 1 - normalTail(-z);
  const x = z / Math.SQRT2;
  if (x < 3) {
    // erf(x) = 2/√π · e^{−x²} Σ 2ⁿ x^{2n+1} / (1·3·…·(2n+1)): positive terms, no cancellation.
    let term = x, sum = x;
    for (let n = 1; n < 200 && term > 1e-17 * sum; n++) { term *= (2 * x * x) / (2 * n + 1); sum += term; }
    return 0.5 * (1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum);
  }
  // erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) evaluated by the modified Lentz method.
  const tiny = 1e-300;
  let f = x, C = x, D = 0;
  for (let k = 1; k < 300; k++) {
    const a = k / 2;
    D = x + a * D; D = Math.abs(D) < tiny ? tiny : D; D = 1 / D;
    C = x + a / C; C = Math.abs(C) < tiny ? tiny : C;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return 0.5 * (Math.exp(-x * x) / Math.sqrt(Math.PI)) / f;
}

/** P(a ≤ Y < b) for Y ~ N(mean, std²), computed on the side of the mean that avoids cancellation. */
export function gaussianInterval(a: number, b: number, g: GaussianPredictive): number {
  if (!(b > a)) return 0;
  const za = (a - g.mean) / g.std, zb = (b - g.mean) / g.std;
  if (za >= 0) return normalTail(za) - normalTail(zb);
  if (zb <= 0) return normalTail(-zb) - normalTail(-za);
  return 1 - normalTail(-za) - normalTail(zb);
}

const ORACLE_SYMBOLS = ['<s>', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ',', '-'];

export interface OracleOptions {
  /** Settings of the strings the oracle speaks: must have bitSep '', one-character timeSep and minusSign. */
  settings: SerializerSettings;
  /** The predictive density of the next scaled value given the (decoded) scaled values so far. */
  predictive: (previous: Float64Array) => GaussianPredictive;
  /** Reported context size; default 1,000,000 (no truncation). */
  contextSize?: number;
}

/** Token-level view of the bins: the distribution of the next token after a partial number. */
class DigitOracle {
  private readonly unit: number;
  private readonly shift: number;
  private readonly maxInt: number;
  constructor(private readonly s: SerializerSettings) {
    this.unit = Number(`1e-${s.prec}`);
    this.shift = s.digitMode === 'round' ? 0.5 : 0;
    this.maxInt = 10 ** (integerSlots(s) + s.prec);
  }

  /** Probability that the value is written with digits in the integer range [lo, hi) on the given side. */
  private rangeMass(lo: number, hi: number, negative: boolean, g: GaussianPredictive): number {
    const u = this.unit, c = this.shift;
    let a = (lo - c) * u, b = (hi - c) * u;
    if (negative) {
      // Negative strings: reference writes y ∈ (−(k+1)u, −ku] as "-k"; round writes (−(k+½)u, −(k−½)u] as "-k" (k ≥ 1).
      if (this.s.digitMode === 'round') a = Math.max(a, 0.5 * u);
      return gaussianInterval(-b, -a, g);
    }
    if (this.s.digitMode === 'reference') a = Math.max(a, 0);
    return gaussianInterval(a, b, g);
  }

  /** mass(p): all strings starting with p; "0" has no extensions. */
  mass(p: number, negative: boolean, g: GaussianPredictive): number {
    if (p === 0) return this.rangeMass(0, 1, negative, g);
    let m = 0;
    for (let scale = 1; p * scale < this.maxInt; scale *= 10) m += this.rangeMass(p * scale, Math.min((p + 1) * scale, this.maxInt), negative, g);
    return m;
  }

  /** Next-token probabilities over ORACLE_SYMBOLS after `partial` (the text of the current number so far). */
  next(partial: string, g: GaussianPredictive): Float64Array {
    const probs = new Float64Array(ORACLE_SYMBOLS.length);
    const sepId = ORACLE_SYMBOLS.indexOf(this.s.timeSep), minusId = ORACLE_SYMBOLS.indexOf(this.s.minusSign);
    const negative = partial.startsWith(this.s.minusSign);
    const digits = negative ? partial.slice(this.s.minusSign.length) : partial;
    if (partial === '') {
      const pNeg = this.s.signed ? this.rangeMass(0, this.maxInt, true, g) : 0;
      if (this.s.signed) probs[minusId] = pNeg;
      for (let d = 0; d < 10; d++) probs[1 + d] = this.mass(d, false, g);
    } else {
      const p = digits === '' ? null : Number(digits);
      if (p === null) {
        for (let d = 0; d < 10; d++) probs[1 + d] = this.mass(d, true, g);
      } else if (p === 0 || p * 10 >= this.maxInt) {
        probs[sepId] = 1;
      } else {
        probs[sepId] = this.rangeMass(p, p + 1, negative, g);
        for (let d = 0; d < 10; d++) probs[1 + d] = this.mass(10 * p + d, negative, g);
      }
    }
    let total = 0;
    for (const v of probs) total += v;
    if (!(total > 0)) {
      // Far outside the representable range every mass underflows; fall back to ending the number.
      probs.fill(0);
      probs[sepId] = 1;
      return probs;
    }
    return probs.map((v) => v / total);
  }
}

/** A LanguageModel whose next-token distribution is exact for a given Gaussian predictive of the next scaled value. */
let oracleInstances = 0;

export class GaussianOracleModel implements LanguageModel {
  readonly specificationVersion = 'strata-llm-1' as const;
  readonly provider = 'oracle';
  readonly modelId = 'gaussian-digit-oracle';
  readonly identity: string;
  readonly capabilities: LanguageModelCapabilities = {
    tokenize: true, distribution: 'full', promptLogprobs: true, restrictedSampling: 'mask', chat: false, maxTopLogprobs: Infinity,
    completion: true, topP: true,
  };
  readonly contextSize: number;
  private readonly oracle: DigitOracle;

  constructor(private readonly options: OracleOptions) {
    const s = options.settings;
    if (s.bitSep !== '' || s.timeSep.length !== 1 || s.minusSign.length !== 1 || !ORACLE_SYMBOLS.includes(s.timeSep) || !ORACLE_SYMBOLS.includes(s.minusSign)) {
      throw new ArgumentError("GaussianOracleModel: settings must use bitSep '', timeSep ',' and minusSign '-' (the llama preset)");
    }
    this.oracle = new DigitOracle(s);
    this.contextSize = options.contextSize ?? 1_000_000;
    // A new identity per instance: two oracles with different predictive functions must never share cache entries.
    this.identity = `oracle:${++oracleInstances}`;
  }

  async tokenize(text: string, options: { addBos?: boolean } = {}): Promise<number[]> {
    const ids = Array.from(text, (c, i) => {
      const id = ORACLE_SYMBOLS.indexOf(c);
      if (id < 1) throw new ArgumentError(`GaussianOracleModel.tokenize: character ${JSON.stringify(c)} at ${i} is not in its vocabulary`);
      return id;
    });
    return (options.addBos ?? true) ? [0, ...ids] : ids;
  }

  async detokenize(tokens: readonly number[]): Promise<string> {
    return tokens.filter((t) => t !== 0).map((t) => ORACLE_SYMBOLS[t]!).join('');
  }

  /** The full distribution after a text (BOS implied). */
  distributionAfter(text: string): Float64Array {
    const s = this.options.settings;
    const cut = text.lastIndexOf(s.timeSep);
    const complete = cut < 0 ? '' : text.slice(0, cut + s.timeSep.length);
    const previous = complete === '' ? new Float64Array(0) : deserialize(complete, s) ?? new Float64Array(0);
    return this.oracle.next(text.slice(cut + s.timeSep.length), this.options.predictive(previous));
  }

  private entries(probs: Float64Array, allowed?: readonly number[]): TokenLogprob[] {
    const ids = allowed ?? Array.from({ length: ORACLE_SYMBOLS.length - 1 }, (_, i) => i + 1);
    return ids.map((id) => ({ id, text: ORACLE_SYMBOLS[id]!, logprob: Math.log(probs[id]!) })).sort((a, b) => b.logprob - a.logprob);
  }

  private async textOf(prompt: Prompt): Promise<string> {
    return typeof prompt === 'string' ? prompt : this.detokenize(prompt.tokens);
  }

  async nextTokenDistribution(prompt: Prompt, options: NextTokenDistributionOptions = {}): Promise<NextTokenDistribution> {
    let entries = this.entries(this.distributionAfter(await this.textOf(prompt)), options.allowedTokens);
    if (options.topK !== undefined) entries = entries.slice(0, options.topK);
    return { entries, coverage: 'full', warnings: [] };
  }

  async continuationLogprobs(prompt: string, continuation: string, options: ContinuationOptions = {}): Promise<ContinuationLogprobs> {
    const ids = await this.tokenize(continuation, { addBos: false });
    const tokens: GeneratedToken[] = [];
    let text = prompt, total = 0;
    for (const id of ids) {
      const probs = this.distributionAfter(text);
      const tok: GeneratedToken = { id, text: ORACLE_SYMBOLS[id]!, logprob: Math.log(probs[id]!) };
      if (options.alternatives) tok.top = this.entries(probs, options.alternatives);
      else if (options.topLogprobs) tok.top = this.entries(probs).slice(0, options.topLogprobs);
      tokens.push(tok);
      total += tok.logprob;
      text += tok.text;
    }
    return { tokens, total, warnings: [] };
  }

  async sample(options: SampleOptions): Promise<SampleResult> {
    const rng = new Rng(options.seed ?? 0);
    let text = await this.textOf(options.prompt);
    const tokens: GeneratedToken[] = [];
    let out = '';
    let stops = 0;
    const ids = options.allowedTokens ?? Array.from({ length: ORACLE_SYMBOLS.length - 1 }, (_, i) => i + 1);
    while (tokens.length < options.maxTokens) {
      const probs = this.distributionAfter(text);
      const k = sampleToken(ids.map((id) => Math.log(probs[id]!)), { temperature: options.temperature ?? 1, topP: options.topP ?? 1 }, rng);
      const id = ids[k]!;
      tokens.push({ id, text: ORACLE_SYMBOLS[id]!, logprob: Math.log(probs[id]!) });
      text += ORACLE_SYMBOLS[id]!;
      out += ORACLE_SYMBOLS[id]!;
      const hit = options.stop?.find((st) => out.endsWith(st));
      if (hit && ++stops >= (options.stopCount ?? 1)) return { text: out.slice(0, -hit.length), tokens, finishReason: 'stop', warnings: [] };
    }
    return { text: out, tokens, finishReason: 'length', warnings: [] };
  }

  async chat(): Promise<ChatResult> {
    throw new ArgumentError('GaussianOracleModel: chat is not supported (a completion-only test model)');
  }

  async close(): Promise<void> {}
}
