/**
 * Seasonal naive forecaster with Gaussian seasonal-random-walk noise, y_t = y_{t−m} + e_t, e_t ~ N(0, σ²)
 * (Hyndman & Athanasopoulos, "Forecasting: Principles and Practice", §5.2 and §5.5: the h-step interval widens with
 * √(⌊(h−1)/m⌋ + 1)). Sample paths simulate the recursion, so CRPS is computed from samples like every other method.
 */
import { Rng, ArgumentError } from '../../core/index.ts';

export interface SeasonalNaiveFit {
  period: number;
  /** Residual variance of the seasonal differences y_t − y_{t−m}. */
  sigma2: number;
}

/** Autocorrelation of `y` at `lag` (biased estimator, as in most statistics packages). */
export function autocorrelation(y: ArrayLike<number>, lag: number): number {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i]! / n;
  let num = 0, den = 0;
  for (let i = 0; i < n; i++) {
    den += (y[i]! - mean) ** 2;
    if (i >= lag) num += (y[i]! - mean) * (y[i - lag]! - mean);
  }
  return den === 0 ? 0 : num / den;
}

/**
 * The season length: the lag in 2..min(52, ⌊n/3⌋) with the largest autocorrelation of the first differences (the
 * differences remove a trend that would otherwise make lag 2 win); 1 (last value) when no lag correlates positively.
 */
export function detectPeriod(y: ArrayLike<number>): number {
  const diff = Float64Array.from({ length: y.length - 1 }, (_, i) => y[i + 1]! - y[i]!);
  const maxLag = Math.min(52, Math.floor(y.length / 3));
  let best = 1, bestAcf = 0;
  for (let lag = 2; lag <= maxLag; lag++) {
    const r = autocorrelation(diff, lag);
    if (r > bestAcf) { best = lag; bestAcf = r; }
  }
  return best;
}

function checkSeries(operation: string, y: ArrayLike<number>, minLength: number): void {
  if (y.length < minLength) throw new ArgumentError(`${operation}: the history has ${y.length} values, need at least ${minLength}`);
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i]!)) throw new ArgumentError(`${operation}: history[${i}] is ${y[i]}; baselines need finite values (fill or drop missing values first)`);
  }
}

export function fitSeasonalNaive(history: ArrayLike<number>, options: { period?: number } = {}): SeasonalNaiveFit {
  checkSeries('fitSeasonalNaive', history, 3);
  const period = options.period ?? detectPeriod(history);
  if (!Number.isInteger(period) || period < 1 || period >= history.length) {
    throw new ArgumentError(`fitSeasonalNaive: period must be an integer from 1 to ${history.length - 1}, got ${period}`);
  }
  let ss = 0;
  for (let t = period; t < history.length; t++) ss += (history[t]! - history[t - period]!) ** 2;
  // A perfectly periodic history would give σ = 0 and an infinite NLL for any deviation; floor it.
  const sigma2 = Math.max(ss / (history.length - period), 1e-12);
  return { period, sigma2 };
}

/** `numSamples` simulated paths of the seasonal random walk over `horizon` steps after `history`. */
export function seasonalNaiveSamples(fit: SeasonalNaiveFit, history: ArrayLike<number>, horizon: number, numSamples: number, seed = 0): Float64Array[] {
  const rng = new Rng(seed);
  const sd = Math.sqrt(fit.sigma2), m = fit.period, n = history.length;
  return Array.from({ length: numSamples }, () => {
    const path = new Float64Array(horizon);
    for (let h = 0; h < horizon; h++) {
      const back = n + h - m;
      const prev = back < n ? history[back]! : path[back - n]!;
      path[h] = prev + sd * rng.gauss();
    }
    return path;
  });
}

/** Teacher-forced one-step NLL per value of `target` after `history`: −log N(y_t; y_{t−m}, σ²), averaged. */
export function seasonalNaiveNll(fit: SeasonalNaiveFit, history: ArrayLike<number>, target: ArrayLike<number>): number {
  const all = [...Array.from(history), ...Array.from(target)];
  const n = history.length;
  let s = 0;
  for (let t = n; t < all.length; t++) {
    const e = all[t]! - all[t - fit.period]!;
    s += 0.5 * Math.log(2 * Math.PI * fit.sigma2) + (e * e) / (2 * fit.sigma2);
  }
  return s / target.length;
}
