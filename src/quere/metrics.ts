/**
 * Metrics of a binary predictor (spec quere.md §2.7): AUROC, accuracy, F1, expected calibration error, and
 * percentile-bootstrap confidence intervals for any of them. Labels are 0/1 numbers (or booleans); predictions are
 * probabilities of class 1.
 */
import { Rng, ArgumentError } from '../core/index.ts';

export type Labels = ArrayLike<number> | readonly boolean[];

/** Labels as a Uint8Array of 0/1, checked against the predictions' length. */
export function toLabels(operation: string, labels: Labels, n?: number): Uint8Array {
  const out = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i] as number | boolean;
    if (v === true || v === 1) out[i] = 1;
    else if (v === false || v === 0) out[i] = 0;
    else throw new ArgumentError(`${operation}: labels[${i}] must be 0, 1, true or false, got ${JSON.stringify(v)}`);
  }
  if (n !== undefined && out.length !== n) {
    throw new ArgumentError(`${operation}: ${out.length} labels but ${n} predictions; they must match one to one`);
  }
  return out;
}

function checkScores(operation: string, scores: ArrayLike<number>, probabilities: boolean): void {
  if (scores.length === 0) throw new ArgumentError(`${operation}: no predictions (empty input)`);
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (!Number.isFinite(s)) throw new ArgumentError(`${operation}: prediction ${i} is ${s}; predictions must be finite`);
    if (probabilities && (s < 0 || s > 1)) throw new ArgumentError(`${operation}: prediction ${i} is ${s}; expected a probability in [0, 1]`);
  }
}

/**
 * Area under the ROC curve as the Mann–Whitney statistic: the probability that a random positive scores above a
 * random negative, ties counting ½. Computed from mid-ranks in O(n log n). Undefined (an error) with one class.
 */
export function auroc(labels: Labels, scores: ArrayLike<number>): number {
  checkScores('auroc', scores, false);
  const y = toLabels('auroc', labels, scores.length);
  const n = y.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSumPos = 0, nPos = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const midRank = (i + j) / 2 + 1; // ranks are 1-based; tied entries share the mean rank
    for (let k = i; k <= j; k++) if (y[order[k]!]) { rankSumPos += midRank; nPos++; }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) {
    throw new ArgumentError(`auroc: the labels hold only class ${nPos === 0 ? 0 : 1} (${n} items); AUROC needs both classes`);
  }
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** Fraction of items where (probability ≥ threshold) equals the label. */
export function accuracy(labels: Labels, probabilities: ArrayLike<number>, threshold = 0.5): number {
  checkScores('accuracy', probabilities, true);
  const y = toLabels('accuracy', labels, probabilities.length);
  let hits = 0;
  for (let i = 0; i < y.length; i++) if ((probabilities[i]! >= threshold ? 1 : 0) === y[i]) hits++;
  return hits / y.length;
}

/** F1 score of class 1 at the threshold; 0 when there are no true positives (precision and recall both 0 or undefined). */
export function f1(labels: Labels, probabilities: ArrayLike<number>, threshold = 0.5): number {
  checkScores('f1', probabilities, true);
  const y = toLabels('f1', labels, probabilities.length);
  let tp = 0, fp = 0, fn = 0;
  for (let i = 0; i < y.length; i++) {
    const pred = probabilities[i]! >= threshold;
    if (pred && y[i]) tp++;
    else if (pred) fp++;
    else if (y[i]) fn++;
  }
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

export interface EceOptions {
  /** Number of equal-width confidence bins over [0, 1]; default 10. Ignored in 'reference' mode (4 bins). */
  bins?: number;
  /**
   * 'default': confidence 1.0 goes into the last bin. 'reference': the authors' bins {0, .25, .5, .75, 1} assigned
   * like numpy.digitize, so a confidence of exactly 1.0 falls in no bin and is dropped (still counted in n).
   */
  mode?: 'default' | 'reference';
}

/**
 * Expected calibration error, ECE = Σ_b |acc_b − conf_b| · n_b / n (Guo et al. 2017, eq. 3), where confidence is the
 * probability of the predicted class (max(p, 1 − p)) and acc_b the fraction of bin b whose predicted class is right.
 */
export function ece(labels: Labels, probabilities: ArrayLike<number>, options: EceOptions = {}): number {
  checkScores('ece', probabilities, true);
  const y = toLabels('ece', labels, probabilities.length);
  const mode = options.mode ?? 'default';
  if (mode !== 'default' && mode !== 'reference') throw new ArgumentError(`ece: mode must be 'default' or 'reference', got ${JSON.stringify(mode)}`);
  const bins = mode === 'reference' ? 4 : options.bins ?? 10;
  if (!Number.isInteger(bins) || bins < 1) throw new ArgumentError(`ece: bins must be a positive integer, got ${bins}`);
  const count = new Float64Array(bins), confSum = new Float64Array(bins), hitSum = new Float64Array(bins);
  for (let i = 0; i < y.length; i++) {
    const p = probabilities[i]!;
    const predicted = p >= 0.5 ? 1 : 0;
    const conf = Math.max(p, 1 - p);
    let b = Math.floor(conf * bins);
    if (b === bins) {
      if (mode === 'reference') continue; // digitize puts 1.0 past the last edge: the reference drops it
      b = bins - 1;
    }
    count[b]!++;
    confSum[b]! += conf;
    hitSum[b]! += predicted === y[i] ? 1 : 0;
  }
  let total = 0;
  for (let b = 0; b < bins; b++) if (count[b]! > 0) total += Math.abs(hitSum[b]! / count[b]! - confSum[b]! / count[b]!) * count[b]!;
  return total / y.length;
}

export interface Interval {
  estimate: number;
  lo: number;
  hi: number;
  /** Resamples where the metric was undefined (e.g. one class only for AUROC) and were skipped. */
  skipped: number;
}

export interface BootstrapOptions {
  /** Resamples; default 1000. */
  samples?: number;
  /** Two-sided coverage; default 0.95. */
  level?: number;
  seed?: number;
}

/**
 * Percentile bootstrap interval (Efron & Tibshirani 1993, §13.3) of `metric(labels, predictions)`: resample items
 * with replacement, recompute, take the (1−level)/2 and (1+level)/2 quantiles. Resamples on which the metric is
 * undefined (ArgumentError, e.g. a single class for AUROC) are skipped and counted.
 */
export function bootstrapInterval(
  metric: (labels: Uint8Array, predictions: Float64Array) => number,
  labels: Labels,
  predictions: ArrayLike<number>,
  options: BootstrapOptions = {},
): Interval {
  const y = toLabels('bootstrapInterval', labels, predictions.length);
  const samples = options.samples ?? 1000;
  const level = options.level ?? 0.95;
  if (!Number.isInteger(samples) || samples < 10) throw new ArgumentError(`bootstrapInterval: samples must be an integer ≥ 10, got ${samples}`);
  if (!(level > 0 && level < 1)) throw new ArgumentError(`bootstrapInterval: level must be in (0, 1), got ${level}`);
  const estimate = metric(y, Float64Array.from(predictions));
  const rng = new Rng(options.seed ?? 0);
  const n = y.length;
  const values: number[] = [];
  let skipped = 0;
  const yb = new Uint8Array(n), pb = new Float64Array(n);
  for (let s = 0; s < samples; s++) {
    for (let i = 0; i < n; i++) {
      const j = rng.int(0, n);
      yb[i] = y[j]!;
      pb[i] = predictions[j]!;
    }
    try {
      values.push(metric(yb, pb));
    } catch (e) {
      if (!(e instanceof ArgumentError)) throw e;
      skipped++;
    }
  }
  if (values.length < samples / 2) {
    throw new ArgumentError(`bootstrapInterval: the metric was undefined on ${skipped} of ${samples} resamples; too few items of one class`);
  }
  values.sort((a, b) => a - b);
  return { estimate, lo: quantile(values, (1 - level) / 2), hi: quantile(values, (1 + level) / 2), skipped };
}

/** Linear-interpolation quantile of sorted values (numpy's default). */
function quantile(sorted: readonly number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** All four metrics at once, each with a bootstrap interval (same resamples for each metric via the same seed). */
export function evaluatePredictions(labels: Labels, probabilities: ArrayLike<number>, options: BootstrapOptions & { eceBins?: number } = {}): {
  auroc: Interval; accuracy: Interval; f1: Interval; ece: Interval;
} {
  const eceBins = options.eceBins ?? 10;
  return {
    auroc: bootstrapInterval(auroc, labels, probabilities, options),
    accuracy: bootstrapInterval((y, p) => accuracy(y, p), labels, probabilities, options),
    f1: bootstrapInterval((y, p) => f1(y, p), labels, probabilities, options),
    ece: bootstrapInterval((y, p) => ece(y, p, { bins: eceBins }), labels, probabilities, options),
  };
}
