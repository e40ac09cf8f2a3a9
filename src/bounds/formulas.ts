import { ArgumentError } from '../core/index.ts';

/**
 * The bound formulas alone (spec §2.1–2.2), each a pure function of numbers. K is the prefix-free code length in
 * bits of the hypothesis (prior 2^−K, Occam / finite-hypothesis bound); Δ is the width of the loss's range.
 */

/** The α grid of the reference code for prediction smoothing. */
export const ALPHA_GRID: readonly number[] = [1e-4, 1e-3, 5e-3, 0.01, 0.05, 0.1, 0.25, 0.5];
/** Top-k values the reference reports. */
export const TOP_K_GRID: readonly number[] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 50, 100];

function need(op: string, name: string, ok: boolean, expected: string, got: unknown): void {
  if (!ok) throw new ArgumentError(`${op}: ${name} must be ${expected}, got ${got}`);
}

function checkCommon(op: string, o: { empirical: number; kBits: number; m: number; range: number; delta: number }): void {
  need(op, 'empirical', Number.isFinite(o.empirical), 'a finite number', o.empirical);
  need(op, 'kBits', Number.isFinite(o.kBits) && o.kBits >= 0, 'a finite number ≥ 0', o.kBits);
  need(op, 'm', Number.isInteger(o.m) && o.m >= 1, 'a positive integer (training documents)', o.m);
  need(op, 'range', Number.isFinite(o.range) && o.range > 0, 'a finite number > 0 (width of the loss range Δ)', o.range);
  need(op, 'delta', o.delta > 0 && o.delta < 1, 'in (0, 1)', o.delta);
}

export interface BoundTerms {
  bound: number;
  /** Δ·√((K ln 2 + ln(1/δ′))/(2m)): the Occam term. */
  complexity: number;
  /** Hoeffding error of the subsample (0 for full evaluation). */
  sampling: number;
}

/** Full evaluation: R ≤ R̂ + Δ·√((K ln 2 + ln(1/δ))/(2m)). */
export function occamBound(o: { empirical: number; kBits: number; m: number; range: number; delta: number }): BoundTerms {
  checkCommon('occamBound', o);
  const complexity = o.range * Math.sqrt((o.kBits * Math.LN2 + Math.log(1 / o.delta)) / (2 * o.m));
  return { bound: o.empirical + complexity, complexity, sampling: 0 };
}

/**
 * Subsampled evaluation, δ split r : (1 − r) with r = n/(n + m):
 * R ≤ R̂ₙ + Δ·[√((K ln 2 − ln(rδ))/(2m)) + √(−ln((1 − r)δ)/(2n))].
 */
export function subsamplingBound(o: { empirical: number; kBits: number; m: number; n: number; range: number; delta: number }): BoundTerms {
  checkCommon('subsamplingBound', o);
  need('subsamplingBound', 'n', Number.isInteger(o.n) && o.n >= 1, 'a positive integer (subsampled documents)', o.n);
  if (o.n > o.m) throw new ArgumentError(`subsamplingBound: n = ${o.n} exceeds m = ${o.m}; subsample at most as many documents as the training set holds (or use full evaluation)`);
  const r = o.n / (o.n + o.m);
  const complexity = o.range * Math.sqrt((o.kBits * Math.LN2 - Math.log(r * o.delta)) / (2 * o.m));
  const sampling = o.range * Math.sqrt(-Math.log((1 - r) * o.delta) / (2 * o.n));
  return { bound: o.empirical + complexity + sampling, complexity, sampling };
}

/** Binary KL divergence kl(q ‖ p) in nats. */
export function binaryKl(q: number, p: number): number {
  const t = (a: number, b: number) => (a === 0 ? 0 : b === 0 ? Infinity : a * Math.log(a / b));
  return t(q, p) + t(1 - q, 1 - p);
}

/** The largest p ∈ [q, 1] with kl(q ‖ p) ≤ c (bisection to 1e-12). */
export function klInverseUpper(q: number, c: number): number {
  need('klInverseUpper', 'q', q >= 0 && q <= 1, 'in [0, 1]', q);
  need('klInverseUpper', 'c', c >= 0 && !Number.isNaN(c), 'a number ≥ 0', c);
  let lo = q, hi = 1;
  if (binaryKl(q, hi) <= c) return 1;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (binaryKl(q, mid) > c) hi = mid; else lo = mid;
  }
  return hi;
}

/**
 * Binary-kl form for a loss in [0, 1] (Langford–Seeger / Maurer): kl(R̂ ‖ R) ≤ (K ln 2 + ln(2√m/δ))/m. With a
 * subsample of n documents, R̂ₘ ≤ R̂ₙ + √(−ln((1 − r)δ)/(2n)) holds with probability 1 − (1 − r)δ and the kl
 * step takes the remaining rδ.
 */
export function klBound(o: { empirical: number; kBits: number; m: number; n?: number; delta: number }): BoundTerms {
  checkCommon('klBound', { ...o, range: 1 });
  need('klBound', 'empirical', o.empirical >= 0 && o.empirical <= 1, 'in [0, 1] (a 0–1 loss)', o.empirical);
  let q = o.empirical, deltaKl = o.delta, sampling = 0;
  if (o.n !== undefined) {
    need('klBound', 'n', Number.isInteger(o.n) && o.n >= 1, 'a positive integer', o.n);
    if (o.n > o.m) throw new ArgumentError(`klBound: n = ${o.n} exceeds m = ${o.m}`);
    const r = o.n / (o.n + o.m);
    sampling = Math.sqrt(-Math.log((1 - r) * o.delta) / (2 * o.n));
    q = Math.min(1, q + sampling);
    deltaKl = r * o.delta;
  }
  const c = (o.kBits * Math.LN2 + Math.log((2 * Math.sqrt(o.m)) / deltaKl)) / o.m;
  const bound = klInverseUpper(q, c);
  return { bound, complexity: bound - q, sampling };
}

/** Width of the smoothed log-loss range: Δ(α) = log2(1 + (1 − α)·V/α) bits (spec §2.2). */
export function smoothingRange(alpha: number, vocabSize: number): number {
  need('smoothingRange', 'alpha', alpha > 0 && alpha < 1, 'in (0, 1)', alpha);
  need('smoothingRange', 'vocabSize', Number.isInteger(vocabSize) && vocabSize >= 2, 'an integer ≥ 2', vocabSize);
  return Math.log2(1 + ((1 - alpha) * vocabSize) / alpha);
}

/**
 * −log2 p_α(y) with p_α = (1 − α)·p_θ + α/V, from the model's natural-log probability of the true token. It lies
 * in [−log2(1 − α + α/V), −log2(α/V)], an interval of width Δ(α).
 */
export function smoothedLogLoss(logProb: number, alpha: number, vocabSize: number): number {
  return -Math.log2((1 - alpha) * Math.exp(logProb) + alpha / vocabSize);
}

/** Random-guess reference for a loss: log2 V bits for BPD, 1 − k/V for top-k error. */
export function randomGuess(loss: { kind: 'bpd' } | { kind: 'top-k'; k: number }, vocabSize: number): number {
  return loss.kind === 'bpd' ? Math.log2(vocabSize) : 1 - Math.min(loss.k, vocabSize) / vocabSize;
}

/**
 * Bits charged for choosing α from a grid after seeing the data (spec §2.4 step 6). Default: ⌈log2 |grid|⌉ once,
 * whichever α wins. 'reference' reproduces the reference code's cumulative charge while it loops over the grid:
 * the i-th α (0-based) pays 8·(i + 1).
 */
export function alphaSelectionBits(alphaIndex: number, gridSize: number, compat: 'default' | 'reference' = 'default'): number {
  need('alphaSelectionBits', 'gridSize', Number.isInteger(gridSize) && gridSize >= 1, 'a positive integer', gridSize);
  need('alphaSelectionBits', 'alphaIndex', Number.isInteger(alphaIndex) && alphaIndex >= 0 && alphaIndex < gridSize, `an integer in [0, ${gridSize})`, alphaIndex);
  return compat === 'reference' ? 8 * (alphaIndex + 1) : Math.ceil(Math.log2(gridSize));
}

/** ⌈log2 c⌉ bits for one selection among c configurations (0 for a single one). */
export function selectionBits(choices: number): number {
  need('selectionBits', 'choices', Number.isInteger(choices) && choices >= 1, 'a positive integer', choices);
  return Math.ceil(Math.log2(choices));
}
