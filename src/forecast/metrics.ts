/**
 * Forecast scores exactly as LLMTime's figures compute them (reference `experiments/` and the plotting notebooks;
 * spec forecast.md §2.8), plus the fair sample CRPS for new work. Samples are `samples × horizon`.
 */
import { ArgumentError, NonFiniteError } from '../core/index.ts';
import { quantileSorted } from './scaler.ts';

export type SampleMatrix = readonly ArrayLike<number>[];

function checkTruth(operation: string, truth: ArrayLike<number>): void {
  if (truth.length === 0) throw new ArgumentError(`${operation}: truth is empty; nothing to score`);
  for (let t = 0; t < truth.length; t++) {
    if (typeof truth[t] !== 'number' || !Number.isFinite(truth[t]!)) {
      throw new NonFiniteError(`${operation}: truth[${t}] is ${String(truth[t])}; every target must be a finite number`);
    }
  }
}

function checkSamples(operation: string, samples: SampleMatrix, horizon: number): void {
  if (!Array.isArray(samples) || samples.length === 0) throw new ArgumentError(`${operation}: samples must be a non-empty array of sample paths (samples × horizon)`);
  samples.forEach((s, i) => {
    if (!s || s.length !== horizon) throw new ArgumentError(`${operation}: samples[${i}] has ${s?.length} steps, expected ${horizon} (the length of truth)`);
    for (let t = 0; t < horizon; t++) {
      if (typeof s[t] !== 'number' || !Number.isFinite(s[t]!)) throw new NonFiniteError(`${operation}: samples[${i}][${t}] is ${String(s[t])}; samples must be finite`);
    }
  });
}

function meanAbs(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.abs(x[i]!);
  return s / x.length;
}

/** Per-step values of all samples, each step sorted ascending (so quantiles read off it never cross). */
export function sortedSteps(samples: SampleMatrix): Float64Array[] {
  const horizon = samples[0]?.length ?? 0;
  return Array.from({ length: horizon }, (_, t) => Float64Array.from(samples, (s) => s[t]!).sort());
}

/**
 * Type-7 quantiles per step at the given levels: result[k][t] is the level-k quantile at step t. Levels are sorted
 * first and every step's values are sorted, so result[k][t] ≤ result[k+1][t] always.
 */
export function stepQuantiles(samples: SampleMatrix, levels: readonly number[]): Float64Array[] {
  if (samples.length === 0) throw new ArgumentError('stepQuantiles: no samples');
  const sortedLevels = [...levels].sort((a, b) => a - b);
  const steps = sortedSteps(samples);
  return sortedLevels.map((p) => Float64Array.from(steps, (col) => quantileSorted(col, p)));
}

export function stepMedian(samples: SampleMatrix): Float64Array {
  return stepQuantiles(samples, [0.5])[0]!;
}

/** Normalised MAE of a point forecast: mean_t |y_t − ŷ_t| / mean_t |y_t| (LLMTime's MAE figures use ŷ = median). */
export function normalizedMae(truth: ArrayLike<number>, point: ArrayLike<number>): number {
  checkTruth('normalizedMae', truth);
  if (point.length !== truth.length) throw new ArgumentError(`normalizedMae: point forecast has ${point.length} steps, truth has ${truth.length}`);
  let s = 0;
  for (let t = 0; t < truth.length; t++) s += Math.abs(truth[t]! - point[t]!);
  const scale = meanAbs(truth);
  if (scale === 0) throw new ArgumentError('normalizedMae: mean |truth| is 0, the normalised error is undefined');
  return s / truth.length / scale;
}

export interface CrpsOptions {
  /**
   * 'figure': LLMTime's figure rule — first 10 samples, type-7 quantiles at 0.1, 0.2, …, 1.0, quantile loss summed
   * over steps and normalised by Σ|y|. 'energy': the unbiased ("fair") sample estimator
   * mean|X − y| − Σ_{i≠j}|X_i − X_j| / (2n(n−1)) per step, averaged and divided by mean|y|.
   */
  method?: 'figure' | 'energy';
}

/** CRPS of sample paths against the truth, normalised by the truth's scale. Default method 'energy'. */
export function crps(samples: SampleMatrix, truth: ArrayLike<number>, options: CrpsOptions = {}): number {
  const method = options.method ?? 'energy';
  checkTruth('crps', truth);
  checkSamples('crps', samples, truth.length);
  const scale = meanAbs(truth);
  if (scale === 0) throw new ArgumentError('crps: mean |truth| is 0, the normalised CRPS is undefined');
  if (method === 'figure') {
    const steps = sortedSteps(samples.slice(0, 10));
    let total = 0;
    for (let k = 1; k <= 10; k++) {
      const q = k / 10;
      let loss = 0;
      steps.forEach((col, t) => {
        const Q = quantileSorted(col, q);
        const y = truth[t]!;
        loss += Math.abs((Q - y) * ((y <= Q ? 1 : 0) - q));
      });
      total += 2 * loss;
    }
    return total / (10 * scale * truth.length);
  }
  if (method !== 'energy') throw new ArgumentError(`crps: method must be 'figure' or 'energy', got ${JSON.stringify(method)}`);
  const n = samples.length;
  if (n < 2) throw new ArgumentError('crps: the energy estimator needs at least 2 samples');
  let total = 0;
  sortedSteps(samples).forEach((col, t) => {
    const y = truth[t]!;
    let absErr = 0, spread = 0;
    // Σ_{i<j} (x_(j) − x_(i)) = Σ_k x_(k)·(2k − n + 1) over the sorted values.
    for (let k = 0; k < n; k++) { absErr += Math.abs(col[k]! - y); spread += col[k]! * (2 * k - n + 1); }
    total += absErr / n - (2 * spread) / (2 * n * (n - 1));
  });
  return total / truth.length / scale;
}

/** −log N(y; μ, σ²) summed over steps and divided by their number (nats per value). */
export function gaussianNllPerDim(truth: ArrayLike<number>, mean: ArrayLike<number>, std: ArrayLike<number> | number): number {
  checkTruth('gaussianNllPerDim', truth);
  let s = 0;
  for (let t = 0; t < truth.length; t++) {
    const sd = typeof std === 'number' ? std : std[t]!;
    if (!(sd > 0)) throw new ArgumentError(`gaussianNllPerDim: std[${t}] must be > 0, got ${sd}`);
    const z = (truth[t]! - mean[t]!) / sd;
    s += 0.5 * Math.log(2 * Math.PI) + Math.log(sd) + 0.5 * z * z;
  }
  return s / truth.length;
}

export interface Scores { mae: number; crps: number }

/** The two sample-based scores behind LLMTime's figures: normalised MAE of the per-step median and figure CRPS. */
export function figureScores(samples: SampleMatrix, truth: ArrayLike<number>): Scores {
  checkTruth('figureScores', truth);
  checkSamples('figureScores', samples, truth.length);
  return { mae: normalizedMae(truth, stepMedian(samples)), crps: crps(samples, truth, { method: 'figure' }) };
}
