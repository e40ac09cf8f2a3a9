/**
 * Noise schedules of the forward process x_t = s(t)·x_0 + σ(t)·ε (spec §2.1). A schedule is a plain object of
 * functions of t, so samplers, the event score and training read the same σ, s, f and g² everywhere.
 */
import { ArgumentError } from '../core/index.ts';

export interface Schedule {
  kind: 've' | 'vp';
  tMin: number;
  tMax: number;
  /** Noise scale σ(t). */
  sigma(t: number): number;
  /** Signal scale s(t). */
  scale(t: number): number;
  /** Drift coefficient f(t) of the forward SDE dx = f(t)·x dt + g(t) dW. */
  drift(t: number): number;
  /** Squared diffusion coefficient g²(t). */
  g2(t: number): number;
}

function checkRange(op: string, tMin: number, tMax: number): void {
  if (!(Number.isFinite(tMin) && Number.isFinite(tMax) && tMin > 0 && tMax > tMin)) {
    throw new ArgumentError(`${op}: need 0 < tMin < tMax (finite), got tMin = ${tMin}, tMax = ${tMax}`);
  }
}

/**
 * Variance-exploding schedule: s ≡ 1, σ(t) = σ_min·sqrt((σ_max/σ_min)^{2t} − 1), so
 * g²(t) = dσ²/dt = 2·ln(σ_max/σ_min)·σ_min²·(σ_max/σ_min)^{2t} (spec §2.1; reference defaults σ_max = 300, σ_min = 1e-3).
 */
export function ve(opts: { sigmaMin?: number; sigmaMax?: number; tMin?: number; tMax?: number } = {}): Schedule {
  const sigmaMin = opts.sigmaMin ?? 1e-3, sigmaMax = opts.sigmaMax ?? 300;
  if (!(Number.isFinite(sigmaMin) && Number.isFinite(sigmaMax) && sigmaMin > 0 && sigmaMax > sigmaMin)) {
    throw new ArgumentError(`schedules.ve: need 0 < sigmaMin < sigmaMax (finite), got sigmaMin = ${sigmaMin}, sigmaMax = ${sigmaMax}`);
  }
  const tMin = opts.tMin ?? 1e-3, tMax = opts.tMax ?? 1;
  checkRange('schedules.ve', tMin, tMax);
  const ratio = sigmaMax / sigmaMin, lr = Math.log(ratio);
  return {
    kind: 've', tMin, tMax,
    sigma: (t) => sigmaMin * Math.sqrt(Math.expm1(2 * t * lr)),
    scale: () => 1,
    drift: () => 0,
    g2: (t) => 2 * lr * sigmaMin * sigmaMin * Math.exp(2 * t * lr),
  };
}

/**
 * Variance-preserving schedule with β-integral b(t) = β_min·t + (β_max − β_min)·t²/2: s = exp(−b/2),
 * σ² = 1 − exp(−b), f = −β(t)/2, g² = β(t) (spec §2.1, β_min = 0.1, β_max = 20).
 */
export function vp(opts: { betaMin?: number; betaMax?: number; tMin?: number; tMax?: number } = {}): Schedule {
  const bMin = opts.betaMin ?? 0.1, bMax = opts.betaMax ?? 20;
  if (!(Number.isFinite(bMin) && Number.isFinite(bMax) && bMin > 0 && bMax > bMin)) {
    throw new ArgumentError(`schedules.vp: need 0 < betaMin < betaMax (finite), got betaMin = ${bMin}, betaMax = ${bMax}`);
  }
  const tMin = opts.tMin ?? 1e-3, tMax = opts.tMax ?? 1;
  checkRange('schedules.vp', tMin, tMax);
  const b = (t: number) => bMin * t + ((bMax - bMin) * t * t) / 2;
  const beta = (t: number) => bMin + (bMax - bMin) * t;
  return {
    kind: 'vp', tMin, tMax,
    sigma: (t) => Math.sqrt(-Math.expm1(-b(t))),
    scale: (t) => Math.exp(-b(t) / 2),
    drift: (t) => -beta(t) / 2,
    g2: beta,
  };
}

/** Marginal standard deviation of x_t for data of per-coordinate scale σ_data: sqrt(s²σ_data² + σ²). */
export function marginalStd(sched: Schedule, t: number, sigmaData = 1): number {
  const s = sched.scale(t), sg = sched.sigma(t);
  return Math.sqrt(s * s * sigmaData * sigmaData + sg * sg);
}

/** `steps + 1` times from tMax down to tMin, uniform in t (geometric in σ for the VE schedule). */
export function timeGrid(sched: Schedule, steps: number): Float64Array {
  if (!Number.isInteger(steps) || steps < 1) throw new ArgumentError(`timeGrid: steps must be a positive integer, got ${steps}`);
  const ts = new Float64Array(steps + 1);
  for (let i = 0; i <= steps; i++) ts[i] = sched.tMax + ((sched.tMin - sched.tMax) * i) / steps;
  return ts;
}
