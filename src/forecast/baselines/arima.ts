/**
 * Non-seasonal ARIMA(p, d, q) with a constant, fitted by conditional sum of squares (Box, Jenkins & Reinsel,
 * "Time Series Analysis", §7.1), orders chosen automatically: d by repeated KPSS tests (Kwiatkowski et al. 1992, as
 * in Hyndman & Khandakar 2008's auto.arima), then (p, q) by AIC over a grid. This is the classical reference of
 * LLMTime's figures; its forecasts are simulated sample paths, so CRPS treats it exactly like the language model.
 *
 * Model on the d-times differenced series w: w_t = c + Σ_i φ_i w_{t−i} + e_t + Σ_j θ_j e_{t−j}, e_t ~ N(0, σ²).
 */
import { Rng, ArgumentError } from '../../core/index.ts';
import { leastSquares, solveLinear } from './least-squares.ts';

export interface ArimaOrder { p: number; d: number; q: number }

export interface ArimaFit {
  order: ArimaOrder;
  c: number;
  phi: Float64Array;
  theta: Float64Array;
  sigma2: number;
  /** Conditional log-likelihood at the CSS estimate (Gaussian, σ² profiled out). */
  logLik: number;
  aic: number;
  /** Residuals of the differenced series (0 before the conditioning start). */
  residuals: Float64Array;
  /** Number of residuals in the likelihood. */
  nObs: number;
}

export function difference(y: ArrayLike<number>, d: number): Float64Array<ArrayBuffer> {
  let w = Float64Array.from(y);
  for (let k = 0; k < d; k++) w = Float64Array.from({ length: w.length - 1 }, (_, i) => w[i + 1]! - w[i]!);
  return w;
}

/** e_t for t ≥ start (0 before), from the recursion above. */
function cssResiduals(w: ArrayLike<number>, c: number, phi: ArrayLike<number>, theta: ArrayLike<number>, start: number): Float64Array {
  const e = new Float64Array(w.length);
  for (let t = start; t < w.length; t++) {
    let pred = c;
    for (let i = 0; i < phi.length; i++) pred += phi[i]! * w[t - 1 - i]!;
    for (let j = 0; j < theta.length && t - 1 - j >= 0; j++) pred += theta[j]! * e[t - 1 - j]!;
    e[t] = w[t]! - pred;
  }
  return e;
}

function sumSquares(e: Float64Array, start: number): number {
  let s = 0;
  for (let t = start; t < e.length; t++) s += e[t]! * e[t]!;
  return s;
}

/**
 * Stationarity of 1 − φ₁B − … − φ_pB^p via the Levinson–Durbin step-down recursion: the polynomial has all roots
 * outside the unit circle iff every reflection coefficient has modulus < 1.
 */
export function isStationary(phi: ArrayLike<number>): boolean {
  let a = Array.from(phi);
  for (let k = a.length; k >= 1; k--) {
    const r = a[k - 1]!;
    if (!(Math.abs(r) < 1)) return false;
    const next: number[] = [];
    for (let i = 0; i < k - 1; i++) next.push((a[i]! + r * a[k - 2 - i]!) / (1 - r * r));
    a = next;
  }
  return true;
}

/** Invertibility of 1 + θ₁B + … + θ_qB^q (the same test on −θ). */
export function isInvertible(theta: ArrayLike<number>): boolean {
  return isStationary(Array.from(theta, (v) => -v));
}

function lagRows(w: Float64Array, e: Float64Array | null, p: number, q: number, start: number): Float64Array[] {
  const rows: Float64Array[] = [];
  for (let t = start; t < w.length; t++) {
    const row = new Float64Array(1 + p + q);
    row[0] = 1;
    for (let i = 0; i < p; i++) row[1 + i] = w[t - 1 - i]!;
    for (let j = 0; j < q; j++) row[1 + p + j] = e ? e[t - 1 - j]! : 0;
    rows.push(row);
  }
  return rows;
}

export interface FitArimaOptions {
  /** First index of the differenced series whose residual enters the likelihood (≥ p); default p. Candidates compared by AIC must share it. */
  start?: number;
  /** Include the constant c; default true for d ≤ 1. */
  constant?: boolean;
}

/** CSS fit of one ARIMA order: OLS for pure AR, Hannan–Rissanen start then Levenberg–Marquardt when q > 0. */
export function fitArima(y: ArrayLike<number>, order: ArimaOrder, options: FitArimaOptions = {}): ArimaFit {
  const { p, d, q } = order;
  for (const [k, v] of Object.entries(order)) {
    if (!Number.isInteger(v) || v < 0) throw new ArgumentError(`fitArima: order.${k} must be an integer ≥ 0, got ${v}`);
  }
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i]!)) throw new ArgumentError(`fitArima: y[${i}] is ${y[i]}; ARIMA needs finite values`);
  }
  const w = difference(y, d);
  const start = options.start ?? p;
  if (start < p) throw new ArgumentError(`fitArima: start ${start} must be ≥ p = ${p}`);
  const constant = options.constant ?? d <= 1;
  const nObs = w.length - start;
  const k = p + q + (constant ? 1 : 0);
  if (nObs < k + 3) throw new ArgumentError(`fitArima: ${y.length} values are too few for ARIMA(${p},${d},${q}) (need ${k + 3 + start + d})`);

  const unpack = (beta: Float64Array) => ({
    c: constant ? beta[0]! : 0,
    phi: beta.subarray(1, 1 + p),
    theta: beta.subarray(1 + p, 1 + p + q),
  });
  const dropConstant = (rows: Float64Array[]) => (constant ? rows : rows.map((r) => { const c = Float64Array.from(r); c[0] = 0; return c; }));
  let beta: Float64Array;
  if (q === 0) {
    beta = leastSquares(dropConstant(lagRows(w, null, p, 0, start)), w.subarray(start));
  } else {
    // Hannan–Rissanen: residuals of a long autoregression stand in for the unobserved innovations.
    const long = Math.min(Math.max(p + q + 4, Math.ceil(Math.log(w.length) ** 2)), Math.floor(w.length / 3), start + 8);
    const ar = leastSquares(lagRows(w, null, long, 0, long), w.subarray(long));
    const eHat = cssResiduals(w, ar[0]!, ar.subarray(1), [], long);
    const s0 = Math.max(start, long + q);
    beta = leastSquares(dropConstant(lagRows(w, eHat, p, q, s0)), w.subarray(s0));
    const th = beta.subarray(1 + p);
    if (!isInvertible(th)) th.fill(0);
    beta = levenbergMarquardt(beta, (b) => { const u = unpack(b); return cssResiduals(w, u.c, u.phi, u.theta, start); }, start, constant);
  }
  const u = unpack(beta);
  const residuals = cssResiduals(w, u.c, u.phi, u.theta, start);
  const sigma2 = Math.max(sumSquares(residuals, start) / nObs, 1e-300);
  const logLik = -0.5 * nObs * (Math.log(2 * Math.PI * sigma2) + 1);
  return {
    order, c: u.c, phi: Float64Array.from(u.phi), theta: Float64Array.from(u.theta), sigma2, logLik,
    aic: -2 * logLik + 2 * (k + 1), residuals, nObs,
  };
}

/** Minimise the residual sum of squares with a forward-difference Jacobian (few parameters, short series). */
function levenbergMarquardt(beta0: Float64Array, residuals: (b: Float64Array) => Float64Array, start: number, constant: boolean): Float64Array {
  let beta = Float64Array.from(beta0);
  let r = residuals(beta);
  let sse = sumSquares(r, start);
  const k = beta.length;
  const free = Array.from({ length: k }, (_, i) => i).filter((i) => i > 0 || constant);
  let lambda = 1e-3;
  for (let iter = 0; iter < 100; iter++) {
    const J: Float64Array[] = [];
    for (const i of free) {
      const h = 1e-6 * Math.max(1, Math.abs(beta[i]!));
      const b = Float64Array.from(beta);
      b[i]! += h;
      const rh = residuals(b);
      J.push(Float64Array.from(rh, (v, t) => (v - r[t]!) / h));
    }
    const m = free.length;
    const JtJ = new Float64Array(m * m), Jtr = new Float64Array(m);
    for (let a = 0; a < m; a++) {
      for (let t = start; t < r.length; t++) Jtr[a]! += J[a]![t]! * r[t]!;
      for (let c = 0; c <= a; c++) {
        let s = 0;
        for (let t = start; t < r.length; t++) s += J[a]![t]! * J[c]![t]!;
        JtJ[a * m + c] = s;
        JtJ[c * m + a] = s;
      }
    }
    let improved = false;
    for (let tries = 0; tries < 10 && !improved; tries++) {
      const A = Float64Array.from(JtJ);
      for (let a = 0; a < m; a++) A[a * m + a]! += lambda * (JtJ[a * m + a]! || 1);
      let delta: Float64Array;
      try { delta = solveLinear(A, Float64Array.from(Jtr, (v) => -v), m); } catch { lambda *= 10; continue; }
      const cand = Float64Array.from(beta);
      free.forEach((i, a) => { cand[i]! += delta[a]!; });
      const rc = residuals(cand);
      const sc = sumSquares(rc, start);
      if (Number.isFinite(sc) && sc < sse) {
        const gain = (sse - sc) / sse;
        beta = cand; r = rc; sse = sc; improved = true;
        lambda = Math.max(lambda / 3, 1e-12);
        if (gain < 1e-10) return beta;
      } else {
        lambda *= 4;
      }
    }
    if (!improved) break;
  }
  return beta;
}

/**
 * KPSS level-stationarity statistic η = Σ S_t² / (n² σ̂²_LR) with a Bartlett-kernel long-run variance and
 * ⌊4(n/100)^¼⌋ lags (Kwiatkowski, Phillips, Schmidt & Shin 1992, eqs. 11 and 13).
 */
export function kpssStatistic(y: ArrayLike<number>): number {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i]! / n;
  const e = Float64Array.from(y, (v) => v - mean);
  let s = 0, sumS2 = 0;
  for (let i = 0; i < n; i++) { s += e[i]!; sumS2 += s * s; }
  const lags = Math.floor(4 * (n / 100) ** 0.25);
  const gamma = (l: number) => { let g = 0; for (let t = l; t < n; t++) g += e[t]! * e[t - l]!; return g / n; };
  let lrv = gamma(0);
  for (let l = 1; l <= lags; l++) lrv += 2 * (1 - l / (lags + 1)) * gamma(l);
  return lrv <= 0 ? 0 : sumS2 / (n * n * lrv);
}

/** 5% critical value of the KPSS level test (Kwiatkowski et al. 1992, Table 1). */
export const KPSS_CRITICAL_5 = 0.463;

/** Number of differences: difference while the KPSS test rejects stationarity at 5%, at most `maxD`. */
export function chooseDifferencing(y: ArrayLike<number>, maxD = 2): number {
  let w = Float64Array.from(y);
  for (let d = 0; d < maxD; d++) {
    if (w.length < 10 || kpssStatistic(w) < KPSS_CRITICAL_5) return d;
    w = difference(w, 1);
  }
  return maxD;
}

export interface AutoArimaOptions {
  /** Autoregressive orders to try. Default {0,1,2,3,4,6,8,12,13} (12 and 13 catch monthly seasonality), capped at n/5. */
  pGrid?: readonly number[];
  /** Moving-average orders to try. Default {0, 1, 2}. */
  qGrid?: readonly number[];
  /** Fixed number of differences; default chosen by KPSS. */
  d?: number;
}

export interface AutoArimaResult {
  fit: ArimaFit;
  candidates: { order: ArimaOrder; aic: number; rejected?: string }[];
}

/** Fit every (p, q) of the grid on a common conditioning start and keep the stationary, invertible fit of least AIC. */
export function autoArima(y: ArrayLike<number>, options: AutoArimaOptions = {}): AutoArimaResult {
  if (y.length < 12) throw new ArgumentError(`autoArima: the history has ${y.length} values, need at least 12`);
  const d = options.d ?? chooseDifferencing(y);
  const nW = y.length - d;
  const pGrid = (options.pGrid ?? [0, 1, 2, 3, 4, 6, 8, 12, 13]).filter((p) => p <= Math.floor(nW / 5));
  const qGrid = options.qGrid ?? [0, 1, 2];
  const start = Math.max(...pGrid, 0);
  const candidates: AutoArimaResult['candidates'] = [];
  let best: ArimaFit | null = null;
  for (const p of pGrid) {
    for (const q of qGrid) {
      const order = { p, d, q };
      let fit: ArimaFit;
      try { fit = fitArima(y, order, { start }); } catch (e) { candidates.push({ order, aic: Infinity, rejected: (e as Error).message }); continue; }
      const rejected = !isStationary(fit.phi) ? 'non-stationary AR part' : !isInvertible(fit.theta) ? 'non-invertible MA part' : undefined;
      candidates.push({ order, aic: fit.aic, ...(rejected ? { rejected } : {}) });
      if (!rejected && (!best || fit.aic < best.aic)) best = fit;
    }
  }
  if (!best) throw new ArgumentError(`autoArima: no stationary, invertible ARIMA fits this series (d = ${d}); tried ${candidates.length} orders`);
  return { fit: best, candidates };
}

/** Undo d differences of a forecast path given the last d+… values of the original series. */
function integrate(wPath: Float64Array, y: ArrayLike<number>, d: number): Float64Array {
  // Level k series' last value, for k = 0..d−1 (level 0 = y itself).
  const lasts: number[] = [];
  let level = Float64Array.from(y);
  for (let k = 0; k < d; k++) { lasts.push(level[level.length - 1]!); level = difference(level, 1); }
  let path = wPath;
  for (let k = d - 1; k >= 0; k--) {
    const out = new Float64Array(path.length);
    let prev = lasts[k]!;
    for (let h = 0; h < path.length; h++) { prev += path[h]!; out[h] = prev; }
    path = out;
  }
  return path;
}

function simulate(fit: ArimaFit, y: ArrayLike<number>, horizon: number, noise: (() => number) | null): Float64Array {
  const w = difference(y, fit.order.d);
  const eHist = cssResiduals(w, fit.c, fit.phi, fit.theta, Math.min(fit.order.p, w.length));
  const wAll = [...w], eAll = [...eHist];
  const sd = Math.sqrt(fit.sigma2);
  for (let h = 0; h < horizon; h++) {
    const t = wAll.length;
    let v = fit.c;
    fit.phi.forEach((ph, i) => { v += ph * (wAll[t - 1 - i] ?? 0); });
    fit.theta.forEach((th, j) => { v += th * (eAll[t - 1 - j] ?? 0); });
    const e = noise ? sd * noise() : 0;
    wAll.push(v + e);
    eAll.push(e);
  }
  return integrate(Float64Array.from(wAll.slice(w.length)), y, fit.order.d);
}

/** The conditional-mean forecast (noise set to zero). */
export function arimaPointForecast(fit: ArimaFit, history: ArrayLike<number>, horizon: number): Float64Array {
  return simulate(fit, history, horizon, null);
}

/** `numSamples` simulated future paths after `history`. */
export function arimaSamples(fit: ArimaFit, history: ArrayLike<number>, horizon: number, numSamples: number, seed = 0): Float64Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: numSamples }, () => simulate(fit, history, horizon, () => rng.gauss()));
}

/**
 * Teacher-forced one-step NLL per value of `target` after `history`: the innovations of the fitted recursion on the
 * true values, each scored under N(0, σ²). Differencing has unit Jacobian, so this is the density of the raw values.
 */
export function arimaNll(fit: ArimaFit, history: ArrayLike<number>, target: ArrayLike<number>): number {
  const all = [...Array.from(history), ...Array.from(target)];
  const w = difference(all, fit.order.d);
  const e = cssResiduals(w, fit.c, fit.phi, fit.theta, Math.min(fit.order.p, w.length));
  let s = 0;
  for (let t = w.length - target.length; t < w.length; t++) s += 0.5 * Math.log(2 * Math.PI * fit.sigma2) + (e[t]! * e[t]!) / (2 * fit.sigma2);
  return s / target.length;
}
