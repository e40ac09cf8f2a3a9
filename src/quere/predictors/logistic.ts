/**
 * L2-regularised logistic regression, the QueRE probe (spec quere.md §2.6), in scikit-learn's liblinear/lbfgs form:
 *
 *   minimize_{w,b}  ½‖w‖² + C · Σ_i s_i · log(1 + exp(−ỹ_i (w·x_i + b))),   ỹ ∈ {±1},
 *
 * with an unpenalised intercept and, for balanced class weights, s_i = n / (2 · n_class(i)). Solved by Newton's
 * method (IRLS) with a backtracking line search on dense typed arrays: the feature vectors have at most a few hundred
 * dimensions, so the d×d Hessian is cheap and convergence is quadratic. Stops when ‖∇‖∞ ≤ tol.
 */
import { Rng, ArgumentError, RuntimeFailure } from '../../core/index.ts';
import { auroc, toLabels, type Labels } from '../metrics.ts';

export type Matrix = readonly ArrayLike<number>[];

export interface LogisticOptions {
  /** Inverse regularisation strength; default 1 (QueRE, API path). The paper uses 0.1 for every baseline. */
  C?: number;
  /** 'balanced' (default, as in the paper) weighs each class by n / (2 · n_class); 'none' weighs every item 1. */
  classWeight?: 'balanced' | 'none';
  /** Centre and scale each feature by its training mean and standard deviation; default false (as the reference). */
  standardize?: boolean;
  /** Stop when the largest gradient entry is below this; default 1e-8 (relative to the data-term scale). */
  tol?: number;
  maxIterations?: number;
}

export interface FitInfo {
  iterations: number;
  gradientNorm: number;
  converged: boolean;
}

function checkMatrix(operation: string, X: Matrix): number {
  if (!Array.isArray(X) || X.length === 0) throw new ArgumentError(`${operation}: X must be a non-empty array of feature vectors`);
  const d = X[0]!.length;
  if (d === 0) throw new ArgumentError(`${operation}: feature vectors are empty (0 features)`);
  X.forEach((row, i) => {
    if (row.length !== d) throw new ArgumentError(`${operation}: row ${i} has ${row.length} features, row 0 has ${d}`);
    for (let j = 0; j < d; j++) {
      if (!Number.isFinite(row[j]!)) throw new ArgumentError(`${operation}: feature ${j} of row ${i} is ${row[j]}; features must be finite`);
    }
  });
  return d;
}

/** Refuse a label set with one class: the probe would be a constant and AUROC undefined. */
export function checkBothClasses(operation: string, y: Uint8Array): void {
  let pos = 0;
  for (const v of y) pos += v;
  if (pos === 0 || pos === y.length) {
    throw new ArgumentError(`${operation}: all ${y.length} training labels are ${pos === 0 ? 0 : 1}; a probe needs examples of both classes (with one class the fit is a constant and AUROC is undefined)`);
  }
}

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
/** log(1 + exp(−z)) without overflow. */
const softplusNeg = (z: number): number => (z >= 0 ? Math.log1p(Math.exp(-z)) : -z + Math.log1p(Math.exp(z)));

/** Solve A x = b for symmetric positive definite A (row-major n×n) by Cholesky; A is overwritten. */
function choleskySolve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let j = 0; j < n; j++) {
    let s = A[j * n + j]!;
    for (let k = 0; k < j; k++) s -= A[j * n + k]! * A[j * n + k]!;
    if (!(s > 0)) throw new RuntimeFailure(`LogisticProbe.fit: the Newton system is not positive definite (pivot ${j} = ${s})`);
    const l = Math.sqrt(s);
    A[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let t = A[i * n + j]!;
      for (let k = 0; k < j; k++) t -= A[i * n + k]! * A[j * n + k]!;
      A[i * n + j] = t / l;
    }
  }
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let t = x[i]!;
    for (let k = 0; k < i; k++) t -= A[i * n + k]! * x[k]!;
    x[i] = t / A[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let t = x[i]!;
    for (let k = i + 1; k < n; k++) t -= A[k * n + i]! * x[k]!;
    x[i] = t / A[i * n + i]!;
  }
  return x;
}

export class LogisticProbe {
  readonly C: number;
  readonly classWeight: 'balanced' | 'none';
  readonly standardize: boolean;
  private readonly tol: number;
  private readonly maxIterations: number;
  /** Weights in the original feature space (standardisation folded in), and the intercept. */
  weights: Float64Array | null = null;
  intercept = 0;
  info: FitInfo | null = null;

  constructor(options: LogisticOptions = {}) {
    const known = new Set(['C', 'classWeight', 'standardize', 'tol', 'maxIterations']);
    for (const k of Object.keys(options)) if (!known.has(k)) throw new ArgumentError(`LogisticProbe: unknown option '${k}'; expected one of ${[...known].join(', ')}`);
    this.C = options.C ?? 1;
    if (!(this.C > 0) || !Number.isFinite(this.C)) throw new ArgumentError(`LogisticProbe: C must be a finite number > 0, got ${this.C}`);
    this.classWeight = options.classWeight ?? 'balanced';
    if (this.classWeight !== 'balanced' && this.classWeight !== 'none') {
      throw new ArgumentError(`LogisticProbe: classWeight must be 'balanced' or 'none', got ${JSON.stringify(this.classWeight)}`);
    }
    this.standardize = options.standardize ?? false;
    this.tol = options.tol ?? 1e-8;
    this.maxIterations = options.maxIterations ?? 100;
  }

  fit(X: Matrix, labels: Labels): this {
    const d = checkMatrix('LogisticProbe.fit', X);
    const y = toLabels('LogisticProbe.fit', labels, X.length);
    checkBothClasses('LogisticProbe.fit', y);
    const n = X.length;
    let pos = 0;
    for (const v of y) pos += v;
    const s = new Float64Array(n);
    for (let i = 0; i < n; i++) s[i] = this.classWeight === 'balanced' ? n / (2 * (y[i] ? pos : n - pos)) : 1;

    // Standardisation is a change of variables; the penalty then applies to the standardised weights.
    const mean = new Float64Array(d), scale = new Float64Array(d).fill(1);
    if (this.standardize) {
      for (const row of X) for (let j = 0; j < d; j++) mean[j]! += row[j]! / n;
      const v = new Float64Array(d);
      for (const row of X) for (let j = 0; j < d; j++) v[j]! += (row[j]! - mean[j]!) ** 2 / n;
      for (let j = 0; j < d; j++) scale[j] = v[j]! > 0 ? Math.sqrt(v[j]!) : 1;
    }
    const Z = X.map((row) => {
      const z = new Float64Array(d + 1);
      for (let j = 0; j < d; j++) z[j] = (row[j]! - mean[j]!) / scale[j]!;
      z[d] = 1; // intercept column, unpenalised
      return z;
    });
    const m = d + 1;
    const C = this.C;
    const theta = new Float64Array(m);
    const objective = (t: Float64Array): number => {
      let f = 0;
      for (let j = 0; j < d; j++) f += 0.5 * t[j]! * t[j]!;
      for (let i = 0; i < n; i++) {
        let z = 0;
        const zi = Z[i]!;
        for (let j = 0; j < m; j++) z += t[j]! * zi[j]!;
        f += C * s[i]! * softplusNeg(y[i] ? z : -z);
      }
      return f;
    };
    let f = objective(theta);
    let iterations = 0, gInf = Infinity;
    const grad = new Float64Array(m), H = new Float64Array(m * m);
    for (; iterations < this.maxIterations; iterations++) {
      grad.fill(0);
      H.fill(0);
      for (let j = 0; j < d; j++) { grad[j] = theta[j]!; H[j * m + j] = 1; }
      for (let i = 0; i < n; i++) {
        const zi = Z[i]!;
        let z = 0;
        for (let j = 0; j < m; j++) z += theta[j]! * zi[j]!;
        const p = sigmoid(z);
        const r = C * s[i]! * (p - y[i]!);
        const w = C * s[i]! * p * (1 - p);
        for (let j = 0; j < m; j++) {
          grad[j]! += r * zi[j]!;
          const wz = w * zi[j]!;
          if (wz !== 0) for (let k = 0; k <= j; k++) H[j * m + k]! += wz * zi[k]!;
        }
      }
      gInf = 0;
      for (let j = 0; j < m; j++) gInf = Math.max(gInf, Math.abs(grad[j]!));
      if (gInf <= this.tol) break;
      for (let j = 0; j < m; j++) for (let k = j + 1; k < m; k++) H[j * m + k] = H[k * m + j]!;
      // The intercept's curvature vanishes on separable data; a tiny ridge keeps the system solvable.
      H[d * m + d]! += 1e-12;
      const step = choleskySolve(H, grad, m);
      let t = 1, next = theta, fNext = Infinity;
      let slope = 0;
      for (let j = 0; j < m; j++) slope += grad[j]! * step[j]!;
      // Near the optimum the predicted decrease is below the rounding error of f: Newton's full step is then safe
      // (quadratic convergence) and the Armijo test would only see noise.
      const tiny = slope <= 1e-10 * Math.max(1, Math.abs(f));
      for (let ls = 0; ls < 50; ls++) {
        next = theta.map((v, j) => v - t * step[j]!);
        fNext = objective(next);
        if (tiny || fNext <= f - 1e-4 * t * slope) break;
        t /= 2;
      }
      if (!tiny && !(fNext <= f)) break; // no decrease possible at machine precision: we are at the optimum
      theta.set(next);
      f = fNext;
    }
    const w = new Float64Array(d);
    let b = theta[d]!;
    for (let j = 0; j < d; j++) {
      w[j] = theta[j]! / scale[j]!;
      b -= (theta[j]! * mean[j]!) / scale[j]!;
    }
    this.weights = w;
    this.intercept = b;
    this.info = { iterations, gradientNorm: gInf, converged: gInf <= this.tol };
    return this;
  }

  /** σ(w·x + b) for each row. */
  predictProba(X: Matrix): Float64Array {
    if (!this.weights) throw new ArgumentError('LogisticProbe.predictProba: call fit() first');
    const d = checkMatrix('LogisticProbe.predictProba', X);
    if (d !== this.weights.length) throw new ArgumentError(`LogisticProbe.predictProba: rows have ${d} features, the probe was fitted on ${this.weights.length}`);
    return Float64Array.from(X, (row) => {
      let z = this.intercept;
      for (let j = 0; j < d; j++) z += this.weights![j]! * row[j]!;
      return sigmoid(z);
    });
  }

  toJSON(): { C: number; classWeight: string; standardize: boolean; weights: number[]; intercept: number } {
    if (!this.weights) throw new ArgumentError('LogisticProbe.toJSON: call fit() first');
    return { C: this.C, classWeight: this.classWeight, standardize: this.standardize, weights: Array.from(this.weights), intercept: this.intercept };
  }

  static fromJSON(json: { C: number; classWeight: 'balanced' | 'none'; standardize: boolean; weights: number[]; intercept: number }): LogisticProbe {
    if (!json || !Array.isArray(json.weights) || typeof json.intercept !== 'number') {
      throw new ArgumentError('LogisticProbe.fromJSON: expected {C, classWeight, standardize, weights: number[], intercept: number}');
    }
    const p = new LogisticProbe({ C: json.C, classWeight: json.classWeight, standardize: json.standardize });
    p.weights = Float64Array.from(json.weights);
    p.intercept = json.intercept;
    return p;
  }
}

/** Stratified k-fold assignment: each fold gets its share of each class, shuffled by `seed`. */
export function stratifiedFolds(y: Uint8Array, folds: number, seed: number): Int32Array {
  const fold = new Int32Array(y.length);
  const rng = new Rng(seed);
  for (const cls of [0, 1]) {
    const idx = Array.from(y.keys()).filter((i) => y[i] === cls);
    const perm = rng.permutation(idx.length);
    perm.forEach((p, k) => { fold[idx[p]!] = k % folds; });
  }
  return fold;
}

export interface CrossValidationResult {
  C: number;
  /** Mean held-out AUROC per candidate C, in the order given. */
  scores: { C: number; auroc: number }[];
}

/**
 * Choose C by stratified k-fold cross-validation on held-out AUROC (ties → the smaller C, the stronger penalty).
 * Needs at least `folds` items of each class.
 */
export function selectC(X: Matrix, labels: Labels, options: { Cs?: readonly number[]; folds?: number; seed?: number } & Omit<LogisticOptions, 'C'> = {}): CrossValidationResult {
  const { Cs = [0.01, 0.1, 1, 10, 100], folds = 5, seed = 0, ...probeOptions } = options;
  const y = toLabels('selectC', labels, X.length);
  checkBothClasses('selectC', y);
  let pos = 0;
  for (const v of y) pos += v;
  if (Math.min(pos, y.length - pos) < folds) {
    throw new ArgumentError(`selectC: ${Math.min(pos, y.length - pos)} items of the rarer class cannot fill ${folds} folds; lower folds or add data`);
  }
  if (Cs.length === 0) throw new ArgumentError('selectC: Cs must list at least one candidate');
  const fold = stratifiedFolds(y, folds, seed);
  const scores = Cs.map((C) => {
    let total = 0;
    for (let k = 0; k < folds; k++) {
      const tr: number[] = [], te: number[] = [];
      for (let i = 0; i < y.length; i++) (fold[i] === k ? te : tr).push(i);
      const probe = new LogisticProbe({ ...probeOptions, C }).fit(tr.map((i) => X[i]!), tr.map((i) => y[i]!));
      const p = probe.predictProba(te.map((i) => X[i]!));
      total += auroc(te.map((i) => y[i]!), p);
    }
    return { C, auroc: total / folds };
  });
  let best = scores[0]!;
  for (const s of scores) if (s.auroc > best.auroc + 1e-12 || (Math.abs(s.auroc - best.auroc) <= 1e-12 && s.C < best.C)) best = s;
  return { C: best.C, scores };
}
