/**
 * Seeded sampling from a token distribution, done in TypeScript so that restricted vocabularies (digits only, ...)
 * and temperature work the same on every backend that exposes a full distribution.
 */
import { ArgumentError } from '../core/index.ts';

/** SplitMix32-style generator: small, fast, and the same stream for the same seed on every platform. */
export function createRng(seed: number): () => number {
  let state = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    z = (z ^ (z >>> 16)) >>> 0;
    return z / 4294967296;
  };
}

/**
 * Index of the entry drawn from softmax(logprob / temperature) over `logprobs` (which need not be normalised);
 * temperature 0 picks the most likely entry (first on ties).
 */
export function sampleIndex(logprobs: ArrayLike<number>, temperature: number, rng: () => number): number {
  if (!(temperature >= 0) || !Number.isFinite(temperature)) {
    throw new ArgumentError(`sample: temperature must be a finite number ≥ 0, got ${temperature}`);
  }
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
  let u = rng() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!;
    if (u < 0) return i;
  }
  return best;
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
