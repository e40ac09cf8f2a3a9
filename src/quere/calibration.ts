/**
 * Post-hoc calibration of a probe's probabilities so users can act on them: Platt scaling (Platt 1999, a logistic
 * fit on the logit of the score with his smoothed targets (N₊+1)/(N₊+2) and 1/(N₋+2)) and isotonic regression by
 * pool-adjacent-violators (Zadrozny & Elkan 2002). `chooseCalibrator` fits both on held-out data and keeps the one
 * with the lower cross-validated Brier score there.
 */
import { ArgumentError } from '../core/index.ts';
import { checkBothClasses, stratifiedFolds } from './predictors/logistic.ts';
import { toLabels, type Labels } from './metrics.ts';

export type CalibrationMethod = 'platt' | 'isotonic';

export interface Calibrator {
  method: CalibrationMethod;
  apply(probabilities: ArrayLike<number>): Float64Array;
  toJSON(): unknown;
}

const EPS = 1e-12;
const logit = (p: number): number => Math.log(Math.max(p, EPS) / Math.max(1 - p, EPS));
const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

function checkProbabilities(operation: string, p: ArrayLike<number>): void {
  if (p.length === 0) throw new ArgumentError(`${operation}: no probabilities given`);
  for (let i = 0; i < p.length; i++) {
    if (!(p[i]! >= 0 && p[i]! <= 1)) throw new ArgumentError(`${operation}: probability ${i} is ${p[i]}; expected a value in [0, 1]`);
  }
}

/** Platt scaling: q = σ(a · logit(p) + b), (a, b) by Newton's method on the cross-entropy with Platt's targets. */
export function fitPlatt(labels: Labels, probabilities: ArrayLike<number>): Calibrator {
  checkProbabilities('fitPlatt', probabilities);
  const y = toLabels('fitPlatt', labels, probabilities.length);
  checkBothClasses('fitPlatt', y);
  const n = y.length;
  let pos = 0;
  for (const v of y) pos += v;
  const hi = (pos + 1) / (pos + 2), lo = 1 / (n - pos + 2);
  const x = Float64Array.from(probabilities, logit);
  // Newton's method with backtracking (Lin, Lin & Weng 2007, "A note on Platt's probabilistic outputs"): plain
  // Newton diverges when the logits are large.
  const loss = (a: number, b: number): number => {
    let f = 0;
    for (let i = 0; i < n; i++) {
      const z = a * x[i]! + b, t = y[i] ? hi : lo;
      // −[t log σ(z) + (1−t) log(1−σ(z))] = log(1 + e^z) − t z, evaluated stably
      f += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - t * z;
    }
    return f;
  };
  let a = 1, b = 0, f = loss(a, b);
  for (let it = 0; it < 100; it++) {
    let ga = 0, gb = 0, haa = 1e-12, hab = 0, hbb = 1e-12;
    for (let i = 0; i < n; i++) {
      const q = sigmoid(a * x[i]! + b);
      const r = q - (y[i] ? hi : lo);
      const w = q * (1 - q);
      ga += r * x[i]!; gb += r;
      haa += w * x[i]! * x[i]!; hab += w * x[i]!; hbb += w;
    }
    if (Math.abs(ga) + Math.abs(gb) < 1e-9) break;
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det;
    let t = 1, improved = false;
    for (let ls = 0; ls < 40; ls++, t /= 2) {
      const fNew = loss(a - t * da, b - t * db);
      if (fNew <= f - 1e-4 * t * (ga * da + gb * db)) { a -= t * da; b -= t * db; f = fNew; improved = true; break; }
    }
    if (!improved) break;
  }
  return {
    method: 'platt',
    apply: (p) => { checkProbabilities('platt.apply', p); return Float64Array.from(p, (v) => sigmoid(a * logit(v) + b)); },
    toJSON: () => ({ method: 'platt', a, b }),
  };
}

/**
 * Isotonic regression: the non-decreasing step function of the score minimising squared error to the labels
 * (pool adjacent violators), applied by linear interpolation between block centres and clamped at the ends.
 */
export function fitIsotonic(labels: Labels, probabilities: ArrayLike<number>): Calibrator {
  checkProbabilities('fitIsotonic', probabilities);
  const y = toLabels('fitIsotonic', labels, probabilities.length);
  checkBothClasses('fitIsotonic', y);
  const order = Array.from(y.keys()).sort((i, j) => probabilities[i]! - probabilities[j]!);
  // Blocks of (mean score, mean label, weight); equal scores start in one block so the map is a function.
  const xs: number[] = [], vs: number[] = [], ws: number[] = [];
  for (let k = 0; k < order.length;) {
    let m = k, sy = 0;
    const s = probabilities[order[k]!]!;
    while (m < order.length && probabilities[order[m]!] === s) { sy += y[order[m]!]!; m++; }
    xs.push(s); vs.push(sy / (m - k)); ws.push(m - k);
    while (vs.length > 1 && vs[vs.length - 2]! > vs[vs.length - 1]!) {
      const w2 = ws.pop()!, v2 = vs.pop()!, x2 = xs.pop()!;
      const w1 = ws.pop()!, v1 = vs.pop()!, x1 = xs.pop()!;
      ws.push(w1 + w2); vs.push((w1 * v1 + w2 * v2) / (w1 + w2)); xs.push((w1 * x1 + w2 * x2) / (w1 + w2));
    }
    k = m;
  }
  return isotonicFromBlocks(xs, vs);
}

/** The isotonic map through block centres (xs ascending, vs non-decreasing), linear between them, flat outside. */
function isotonicFromBlocks(xs: readonly number[], vs: readonly number[]): Calibrator {
  const apply = (p: ArrayLike<number>): Float64Array => {
    checkProbabilities('isotonic.apply', p);
    return Float64Array.from(p, (v) => {
      if (v <= xs[0]!) return vs[0]!;
      if (v >= xs[xs.length - 1]!) return vs[vs.length - 1]!;
      let j = 1;
      while (xs[j]! < v) j++;
      const t = (v - xs[j - 1]!) / (xs[j]! - xs[j - 1]!);
      return vs[j - 1]! + t * (vs[j]! - vs[j - 1]!);
    });
  };
  return { method: 'isotonic', apply, toJSON: () => ({ method: 'isotonic', x: [...xs], y: [...vs] }) };
}

export interface CalibrationChoice {
  calibrator: Calibrator;
  /** Cross-validated Brier score of each method on the calibration data. */
  brier: Record<CalibrationMethod, number>;
}

/**
 * Fit Platt and isotonic calibration on held-out (labels, probabilities), score each by k-fold cross-validated
 * Brier score on that same held-out set, and refit the winner on all of it. Never fit on the probe's training data:
 * its scores there are over-confident.
 */
export function chooseCalibrator(labels: Labels, probabilities: ArrayLike<number>, options: { folds?: number; seed?: number } = {}): CalibrationChoice {
  checkProbabilities('chooseCalibrator', probabilities);
  const y = toLabels('chooseCalibrator', labels, probabilities.length);
  checkBothClasses('chooseCalibrator', y);
  const folds = options.folds ?? 5;
  const fold = stratifiedFolds(y, folds, options.seed ?? 0);
  const brier = { platt: 0, isotonic: 0 };
  for (const method of ['platt', 'isotonic'] as const) {
    let total = 0;
    for (let k = 0; k < folds; k++) {
      const tr: number[] = [], te: number[] = [];
      for (let i = 0; i < y.length; i++) (fold[i] === k ? te : tr).push(i);
      const trY = tr.map((i) => y[i]!);
      if (te.length === 0 || trY.every((v) => v === trY[0])) { total = Infinity; break; }
      const fit = method === 'platt' ? fitPlatt : fitIsotonic;
      const c = fit(trY, tr.map((i) => probabilities[i]!));
      const q = c.apply(te.map((i) => probabilities[i]!));
      te.forEach((i, j) => { total += (q[j]! - y[i]!) ** 2; });
    }
    brier[method] = total / y.length;
  }
  const method: CalibrationMethod = brier.isotonic < brier.platt ? 'isotonic' : 'platt';
  return { calibrator: (method === 'platt' ? fitPlatt : fitIsotonic)(y, probabilities), brier };
}

/** Rebuild a calibrator from its `toJSON()` form (a saved probe file). */
export function calibratorFromJSON(json: unknown): Calibrator {
  const j = json as { method?: string; a?: number; b?: number; x?: number[]; y?: number[] };
  if (j?.method === 'platt' && typeof j.a === 'number' && typeof j.b === 'number') {
    const { a, b } = j as { a: number; b: number };
    return {
      method: 'platt',
      apply: (p) => { checkProbabilities('platt.apply', p); return Float64Array.from(p, (v) => sigmoid(a * logit(v) + b)); },
      toJSON: () => ({ method: 'platt', a, b }),
    };
  }
  if (j?.method === 'isotonic' && Array.isArray(j.x) && Array.isArray(j.y) && j.x.length === j.y.length && j.x.length > 0) {
    return isotonicFromBlocks(j.x, j.y);
  }
  throw new ArgumentError('calibratorFromJSON: expected {method: "platt", a, b} or {method: "isotonic", x: number[], y: number[]}');
}
