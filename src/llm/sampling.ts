/**
 * Seeded sampling from a token distribution, done in TypeScript so that restricted vocabularies (digits only, ...),
 * temperature and nucleus (top-p) truncation work the same on every backend that exposes a full distribution.
 * Every draw comes from core's `Rng`: one generator for the whole project.
 */
import { ArgumentError, Rng } from '../core/index.ts';

/** Seed of a request's own stream: the request's `seed` when given, else a child of the backend's session stream. */
export function requestRng(seed: number | undefined, session: Rng): Rng {
  if (seed === undefined) return session.split(1)[0]!;
  if (!Number.isFinite(seed)) throw new ArgumentError(`sample: seed must be a finite number, got ${seed}`);
  return new Rng(seed);
}

export interface TokenSamplingOptions {
  /** 0 = greedy (most likely entry, first on ties). */
  temperature: number;
  /** Nucleus mass in (0, 1]; 1 = off. */
  topP?: number;
}

export function checkTopP(operation: string, topP: number | undefined): void {
  if (topP === undefined) return;
  // 0 is allowed, as in OpenAI's API: the nucleus is then the single most likely token (greedy).
  if (!(topP >= 0 && topP <= 1)) throw new ArgumentError(`${operation}: topP must be in [0, 1], got ${topP}`);
}

/**
 * Index of the entry drawn from softmax(logprob / temperature) over `logprobs` (which need not be normalised),
 * restricted to the nucleus: the smallest set of most likely entries whose tempered probability reaches `topP`
 * (Holtzman et al. 2020, Eq. 3). Temperature 0 picks the most likely entry (first on ties).
 */
export function sampleToken(logprobs: ArrayLike<number>, options: TokenSamplingOptions, rng: Rng): number {
  const { temperature } = options;
  const topP = options.topP ?? 1;
  if (!(temperature >= 0) || !Number.isFinite(temperature)) {
    throw new ArgumentError(`sample: temperature must be a finite number ≥ 0, got ${temperature}`);
  }
  checkTopP('sample', topP);
  let best = -1;
  let max = -Infinity;
  for (let i = 0; i < logprobs.length; i++) if (logprobs[i]! > max) { max = logprobs[i]!; best = i; }
  if (best < 0) throw new ArgumentError('sample: every allowed token has probability 0; nothing can be sampled');
  if (temperature === 0) return best;
  const weights = new Float64Array(logprobs.length);
  let total = 0;
  for (let i = 0; i < logprobs.length; i++) {
    weights[i] = Math.exp((logprobs[i]! - max) / temperature);
    total += weights[i]!;
  }
  if (topP < 1) {
    // Zero every weight outside the nucleus; stable sort keeps ties in index order so draws are reproducible.
    const order = Array.from({ length: weights.length }, (_, i) => i).sort((a, b) => weights[b]! - weights[a]! || a - b);
    let mass = 0, kept = 0;
    for (const i of order) {
      if (mass >= topP * total) { weights[i] = 0; continue; }
      mass += weights[i]!;
      kept++;
    }
    total = mass;
    if (kept === 0) return best;
  }
  let u = rng.random() * total;
  for (let i = 0; i < weights.length; i++) {
    if (weights[i] === 0) continue;
    u -= weights[i]!;
    if (u < 0) return i;
  }
  return best;
}

/**
 * Start of the n-th occurrence (1-based, left to right, any of `stops`) in `text`, or −1. Occurrences of one stop
 * string do not overlap.
 */
export function nthStopIndex(text: string, stops: readonly string[], n: number): number {
  const starts: number[] = [];
  for (const s of stops) {
    for (let i = text.indexOf(s); i >= 0; i = text.indexOf(s, i + s.length)) starts.push(i);
  }
  if (starts.length < n) return -1;
  starts.sort((a, b) => a - b);
  return starts[n - 1]!;
}

/** Validate an optional positive integer argument, naming the operation and argument in the error. */
export function checkPositiveInt(operation: string, name: string, value: number | undefined, allowZero = false): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new ArgumentError(`${operation}: ${name} must be an integer ≥ ${allowZero ? 0 : 1}, got ${value}`);
  }
}

/**
 * Nucleus (top-p) restriction, in place: entries outside the smallest set of most likely tokens whose probability
 * under softmax(logprob / temperature) sums to ≥ topP become −Infinity (Holtzman et al. 2020, eq. 3). The most likely
 * entry is always kept; ties keep the lower index.
 */
export function nucleusMask(logprobs: number[], temperature: number, topP: number): void {
  if (!(topP >= 0 && topP <= 1)) throw new ArgumentError(`sample: topP must be a number in 0…1, got ${topP}`);
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new ArgumentError(`sample: temperature must be a finite number > 0 for topP, got ${temperature}`);
  if (topP >= 1 || logprobs.length === 0) return;
  const order = logprobs.map((_, i) => i).sort((a, b) => logprobs[b]! - logprobs[a]! || a - b);
  const max = logprobs[order[0]!]!;
  if (max === -Infinity) return;
  const weights = order.map((i) => Math.exp((logprobs[i]! - max) / temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  let mass = 0;
  let keep = 0;
  while (keep < order.length && (keep === 0 || mass < topP * total)) mass += weights[keep++]!;
  for (let j = keep; j < order.length; j++) logprobs[order[j]!] = -Infinity;
}
