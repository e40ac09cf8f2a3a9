import { Rng, ArgumentError } from '../core/index.ts';
import { lstsqMinNorm } from './lstsq.ts';

/**
 * The "single learner" of Goldblum et al. (2024) §5 (spec §2.6): least-squares polynomials of degree 2, degree 10,
 * and degree 10 with a penalty α·k² on coefficient k (a soft simplicity preference), across training sizes.
 */
export type PolyTarget = 'x2' | 'cos' | 'poly10';
export type PolyLearner = 'deg2' | 'deg10' | 'deg10-penalised';

export const POLY_TARGETS: Record<PolyTarget, (x: number) => number> = {
  x2: (x) => x * x,
  cos: (x) => Math.cos(1.5 * Math.PI * x),
  poly10: (x) => -36 * x + 49 * x ** 5 - 14 * x ** 7 + x ** 10,
};

/**
 * Coefficients c₀..c_degree of a polynomial fitted to (x, y).
 * 'reference': monomial features including the constant column, penalty rows diag(α·k²) (k = 0..degree, zero
 * targets) appended when α > 0, then an intercept-fitting least squares whose centring includes those rows, with
 * the minimum-norm solution (the reference code's scikit-learn LinearRegression).
 * 'default': an unpenalised intercept plus coefficients penalised by Σ_k (α·k²·c_k)², on centred data.
 */
export function fitPolynomial(x: ArrayLike<number>, y: ArrayLike<number>, degree: number, alpha: number, compat: 'reference' | 'default' = 'default'): Float64Array {
  const n = x.length;
  if (y.length !== n || n < 1) throw new ArgumentError(`fitPolynomial: x and y need the same positive length, got ${n} and ${y.length}`);
  if (!Number.isInteger(degree) || degree < 0) throw new ArgumentError(`fitPolynomial: degree must be a non-negative integer, got ${degree}`);
  if (!(alpha >= 0)) throw new ArgumentError(`fitPolynomial: alpha must be ≥ 0, got ${alpha}`);
  if (compat !== 'reference' && compat !== 'default') throw new ArgumentError(`fitPolynomial: compat must be 'reference' or 'default', got '${compat}'`);
  const p = degree + 1;
  if (compat === 'reference') {
    const rows = alpha > 0 ? n + p : n;
    const X = new Float64Array(rows * p), t = new Float64Array(rows);
    for (let i = 0; i < n; i++) { for (let k = 0; k < p; k++) X[i * p + k] = x[i]! ** k; t[i] = y[i]!; }
    if (alpha > 0) for (let k = 0; k < p; k++) X[(n + k) * p + k] = alpha * k * k;
    const mx = new Float64Array(p);
    let my = 0;
    for (let i = 0; i < rows; i++) { for (let k = 0; k < p; k++) mx[k]! += X[i * p + k]! / rows; my += t[i]! / rows; }
    for (let i = 0; i < rows; i++) { for (let k = 0; k < p; k++) X[i * p + k]! -= mx[k]!; t[i]! -= my; }
    const w = lstsqMinNorm(X, rows, p, t);
    let b = my;
    for (let k = 0; k < p; k++) b -= mx[k]! * w[k]!;
    w[0]! += b;
    return w;
  }
  const q = degree;
  const c = new Float64Array(p);
  let my = 0;
  for (let i = 0; i < n; i++) my += y[i]! / n;
  if (q === 0) { c[0] = my; return c; }
  const mx = new Float64Array(q);
  for (let i = 0; i < n; i++) for (let k = 1; k <= q; k++) mx[k - 1]! += x[i]! ** k / n;
  const X = new Float64Array((n + q) * q), t = new Float64Array(n + q);
  for (let i = 0; i < n; i++) { for (let k = 1; k <= q; k++) X[i * q + k - 1] = x[i]! ** k - mx[k - 1]!; t[i] = y[i]! - my; }
  for (let k = 1; k <= q; k++) X[(n + k - 1) * q + k - 1] = alpha * k * k;
  const w = lstsqMinNorm(X, n + q, q, t);
  let b = my;
  for (let k = 1; k <= q; k++) { c[k] = w[k - 1]!; b -= mx[k - 1]! * w[k - 1]!; }
  c[0] = b;
  return c;
}

export function evalPolynomial(c: ArrayLike<number>, x: number): number {
  let s = 0;
  for (let k = c.length - 1; k >= 0; k--) s = s * x + c[k]!;
  return s;
}

export interface PolyCell { target: PolyTarget; n: number; learner: PolyLearner; mean: number; se: number; runs: number }

/**
 * Mean test MSE over `runs` seeded draws of n training points (x ~ U[0, 1] sorted, y = f(x) + 0.1·N(0, 1)), on
 * 100 equispaced noise-free points of [0, 1]; α = 0.01 (0.001 for the degree-10 target).
 */
export function polyExperiment(o: { target: PolyTarget; sizes: readonly number[]; runs: number; seed: number; compat?: 'reference' | 'default' }): PolyCell[] {
  const f = POLY_TARGETS[o.target];
  if (!f) throw new ArgumentError(`polyExperiment: target must be one of ${Object.keys(POLY_TARGETS).join(', ')}, got '${o.target}'`);
  const alpha = o.target === 'poly10' ? 0.001 : 0.01;
  const testX = Array.from({ length: 100 }, (_, i) => i / 99);
  const out: PolyCell[] = [];
  const sizeRngs = new Rng(o.seed).split(o.sizes.length);
  o.sizes.forEach((n, si) => {
    const mse: Record<PolyLearner, number[]> = { deg2: [], deg10: [], 'deg10-penalised': [] };
    const rng = sizeRngs[si]!;
    for (let r = 0; r < o.runs; r++) {
      const x = Array.from({ length: n }, () => rng.random()).sort((a, b) => a - b);
      const y = x.map((v) => f(v) + 0.1 * rng.gauss());
      const fits: [PolyLearner, Float64Array][] = [
        ['deg2', fitPolynomial(x, y, 2, 0, o.compat)],
        ['deg10', fitPolynomial(x, y, 10, 0, o.compat)],
        ['deg10-penalised', fitPolynomial(x, y, 10, alpha, o.compat)],
      ];
      for (const [l, c] of fits) mse[l].push(testX.reduce((a, t) => a + (evalPolynomial(c, t) - f(t)) ** 2, 0) / testX.length);
    }
    for (const l of ['deg2', 'deg10', 'deg10-penalised'] as PolyLearner[]) {
      const v = mse[l], mean = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, v.length - 1));
      out.push({ target: o.target, n, learner: l, mean, se: sd / Math.sqrt(v.length), runs: v.length });
    }
  });
  return out;
}
