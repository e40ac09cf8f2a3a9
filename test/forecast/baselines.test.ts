import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/index.ts';
import {
  fitArima, autoArima, arimaPointForecast, arimaSamples, arimaNll, isStationary, isInvertible, chooseDifferencing, kpssStatistic,
} from '../../src/forecast/baselines/arima.ts';
import { detectPeriod, fitSeasonalNaive, seasonalNaiveSamples, seasonalNaiveNll } from '../../src/forecast/baselines/seasonal-naive.ts';

function simulateArma(n: number, c: number, phi: number[], theta: number[], sd: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const burn = 200;
  const y = new Float64Array(n + burn), e = new Float64Array(n + burn);
  for (let t = 0; t < n + burn; t++) {
    e[t] = sd * rng.gauss();
    let v = c + e[t]!;
    phi.forEach((p, i) => { if (t - 1 - i >= 0) v += p * y[t - 1 - i]!; });
    theta.forEach((th, j) => { if (t - 1 - j >= 0) v += th * e[t - 1 - j]!; });
    y[t] = v;
  }
  return y.slice(burn);
}

test('fitArima recovers the coefficients of a simulated AR(1)', () => {
  const y = simulateArma(2000, 1, [0.6], [], 0.5, 1);
  const f = fitArima(y, { p: 1, d: 0, q: 0 });
  assert.ok(Math.abs(f.phi[0]! - 0.6) < 0.04, `φ = ${f.phi[0]}`);
  assert.ok(Math.abs(f.c / (1 - f.phi[0]!) - 2.5) < 0.1, `mean = ${f.c / (1 - f.phi[0]!)}`);
  assert.ok(Math.abs(f.sigma2 / 0.25 - 1) < 0.08, `σ² = ${f.sigma2}`);
});

test('fitArima recovers the coefficients of a simulated ARMA(1,1) (Levenberg–Marquardt on the CSS)', () => {
  const y = simulateArma(3000, 0, [0.5], [0.4], 1, 2);
  const f = fitArima(y, { p: 1, d: 0, q: 1 });
  assert.ok(Math.abs(f.phi[0]! - 0.5) < 0.06, `φ = ${f.phi[0]}`);
  assert.ok(Math.abs(f.theta[0]! - 0.4) < 0.06, `θ = ${f.theta[0]}`);
  assert.ok(Math.abs(f.sigma2 - 1) < 0.08, `σ² = ${f.sigma2}`);
  // The CSS optimum is below the Hannan–Rissanen neighbourhood: nudging θ raises the AIC.
  assert.ok(f.aic < fitArima(y, { p: 1, d: 0, q: 0 }).aic);
});

test('autoArima prefers the true AR(2) order over smaller ones by a wide AIC margin and keeps d = 0', () => {
  const y = simulateArma(800, 0, [0.5, 0.3], [], 1, 3);
  const r = autoArima(y, { qGrid: [0] });
  assert.equal(r.fit.order.d, 0);
  const aic = (p: number) => r.candidates.find((c) => c.order.p === p)!.aic;
  assert.ok(aic(2) < aic(1) - 10 && aic(1) < aic(0));
  assert.ok(r.fit.order.p >= 2);
});

test('chooseDifferencing: white noise needs none, a random walk one, an integrated random walk two', () => {
  const rng = new Rng(4);
  const noise = Float64Array.from({ length: 400 }, () => rng.gauss());
  let s = 0, s2 = 0;
  const walk = Float64Array.from(noise, (v) => (s += v));
  const walk2 = Float64Array.from(walk, (v) => (s2 += v));
  assert.equal(chooseDifferencing(noise), 0);
  assert.equal(chooseDifferencing(walk), 1);
  assert.equal(chooseDifferencing(walk2), 2);
  assert.ok(kpssStatistic(walk) > 0.463);
});

test('arimaPointForecast of an AR(1) is μ + φ^h (y_n − μ)', () => {
  const y = simulateArma(500, 1, [0.7], [], 1, 5);
  const f = fitArima(y, { p: 1, d: 0, q: 0 });
  const mu = f.c / (1 - f.phi[0]!);
  const fc = arimaPointForecast(f, y, 6);
  for (let h = 1; h <= 6; h++) {
    assert.ok(Math.abs(fc[h - 1]! - (mu + f.phi[0]! ** h * (y[y.length - 1]! - mu))) < 1e-10);
  }
});

test('arimaSamples of an AR(1) have the analytic h-step variance σ²(1 − φ^{2h})/(1 − φ²)', () => {
  const y = simulateArma(500, 0, [0.7], [], 1, 6);
  const f = fitArima(y, { p: 1, d: 0, q: 0 });
  const samples = arimaSamples(f, y, 5, 4000, 9);
  const phi = f.phi[0]!;
  for (const h of [1, 5]) {
    const col = samples.map((s) => s[h - 1]!);
    const m = col.reduce((a, b) => a + b, 0) / col.length;
    const v = col.reduce((a, b) => a + (b - m) ** 2, 0) / (col.length - 1);
    const exact = (f.sigma2 * (1 - phi ** (2 * h))) / (1 - phi * phi);
    assert.ok(Math.abs(v / exact - 1) < 0.08, `h=${h}: ${v} vs ${exact}`);
  }
});

test('ARIMA(0,1,0) with drift forecasts a line and its sample paths widen like √h', () => {
  const y = Float64Array.from({ length: 50 }, (_, i) => 2 * i + (i % 2 ? 0.5 : -0.5));
  const f = fitArima(y, { p: 0, d: 1, q: 0 });
  const fc = arimaPointForecast(f, y, 3);
  assert.ok(Math.abs(f.c - (y[49]! - y[0]!) / 49) < 1e-6);
  assert.ok(Math.abs(fc[2]! - (y[49]! + 3 * f.c)) < 1e-6);
});

test('arimaNll is the mean Gaussian NLL of the one-step innovations on the target', () => {
  const y = simulateArma(300, 0.5, [0.4], [], 1, 7);
  const hist = y.slice(0, 250), target = y.slice(250);
  const f = fitArima(hist, { p: 1, d: 0, q: 0 });
  let s = 0;
  for (let t = 250; t < 300; t++) {
    const e = y[t]! - f.c - f.phi[0]! * y[t - 1]!;
    s += 0.5 * Math.log(2 * Math.PI * f.sigma2) + (e * e) / (2 * f.sigma2);
  }
  assert.ok(Math.abs(arimaNll(f, hist, target) - s / 50) < 1e-12);
});

test('isStationary / isInvertible follow the AR(2) stationarity triangle', () => {
  assert.ok(isStationary([0.5]) && !isStationary([1.01]) && !isStationary([-1]));
  assert.ok(isStationary([0.5, 0.3]) && !isStationary([0.5, 0.6]) && !isStationary([0.2, -1.1]) && isStationary([1.5, -0.7]));
  assert.ok(isInvertible([0.4]) && !isInvertible([1.5]));
});

test('fitArima and autoArima reject bad orders and short or non-finite series', () => {
  assert.throws(() => fitArima([1, 2, 3], { p: -1, d: 0, q: 0 }), /order\.p must be an integer/);
  assert.throws(() => fitArima([1, NaN, 3, 4, 5, 6, 7, 8], { p: 1, d: 0, q: 0 }), /y\[1\] is NaN/);
  assert.throws(() => autoArima([1, 2, 3]), /need at least 12/);
});

test('detectPeriod finds 12 in a trending monthly pattern, and seasonal-naive samples repeat the last season', () => {
  const rng = new Rng(8);
  const y = Float64Array.from({ length: 120 }, (_, t) => 0.5 * t + 10 * Math.sin((2 * Math.PI * t) / 12) + rng.gauss() * 0.3);
  assert.equal(detectPeriod(y), 12);
  const fit = fitSeasonalNaive(y);
  const samples = seasonalNaiveSamples(fit, y, 24, 2000, 1);
  for (const h of [1, 12, 13]) {
    const mean = samples.reduce((a, s) => a + s[h - 1]!, 0) / samples.length;
    const source = y[120 + ((h - 1) % 12) - 12]!;
    const sd = Math.sqrt(fit.sigma2 * (Math.floor((h - 1) / 12) + 1));
    assert.ok(Math.abs(mean - source) < 4 * sd / Math.sqrt(2000), `h=${h}: ${mean} vs ${source}`);
  }
});

test('seasonalNaiveNll scores y_t against y_{t−m}', () => {
  const fit = { period: 2, sigma2: 4 };
  const nll = seasonalNaiveNll(fit, [1, 2, 3, 4], [5, 3]);
  const term = (e: number) => 0.5 * Math.log(2 * Math.PI * 4) + (e * e) / 8;
  assert.ok(Math.abs(nll - (term(2) + term(-1)) / 2) < 1e-12);
  assert.throws(() => fitSeasonalNaive([1, 2, 3, 4], { period: 4 }), /period must be an integer from 1 to 3/);
});
