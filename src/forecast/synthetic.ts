/**
 * Synthetic series for training Strata's digit model (never the evaluation series): sums of sinusoids with periods
 * 4–24 (some with harmonics, some multiplicative), linear or exponential trends, AR(1)/AR(2) noise, random walks and
 * level shifts. Every draw comes from the seeded core `Rng`, so a training run is reproducible.
 */
import { Rng } from '../core/index.ts';

function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.random();
}

/** One random series of `length` steps; the mixture of components is itself random. */
export function syntheticSeries(rng: Rng, length: number): Float64Array {
  const y = new Float64Array(length);
  const level = uniform(rng, -2, 10);
  const scale = Math.exp(uniform(rng, -1, 3));
  // Trend: none, linear, or exponential growth (multiplicative series like AirPassengers).
  const trendKind = rng.random();
  const slope = trendKind < 0.35 ? 0 : uniform(rng, -1, 1) * 3 / length;
  const growth = trendKind > 0.8 ? uniform(rng, 0, 1.5) / length : 0;
  // Seasonality: 0–3 components; harmonics give non-sinusoidal shapes.
  const nSeason = rng.random() < 0.15 ? 0 : 1 + Math.floor(rng.random() * (rng.random() < 0.5 ? 1 : 3));
  const seasons = Array.from({ length: nSeason }, () => {
    const period = rng.random() < 0.5 ? [4, 7, 12, 24, 12, 6][rng.int(0, 6)]! : uniform(rng, 4, 24);
    return { period, amp: uniform(rng, 0.1, 1), phase: uniform(rng, 0, 2 * Math.PI), harm: rng.random() < 0.4 ? uniform(rng, 0.2, 0.6) : 0 };
  });
  const multiplicative = rng.random() < 0.3;
  // Noise: AR(1) or AR(2), with a random-walk component sometimes.
  const phi1 = uniform(rng, -0.3, 0.95), phi2 = rng.random() < 0.4 ? uniform(rng, -0.4, 0.3) : 0;
  const noiseSd = Math.exp(uniform(rng, -4, -0.7));
  const walkSd = rng.random() < 0.3 ? Math.exp(uniform(rng, -4, -1.5)) : 0;
  const shifts = rng.random() < 0.3 ? Array.from({ length: 1 + rng.int(0, 2) }, () => ({ at: rng.int(0, length), size: uniform(rng, -1, 1) })) : [];
  let n1 = 0, n2 = 0, walk = 0;
  for (let t = 0; t < length; t++) {
    let s = 0;
    for (const c of seasons) {
      const a = (2 * Math.PI * t) / c.period + c.phase;
      s += c.amp * (Math.sin(a) + c.harm * Math.sin(2 * a + c.phase));
    }
    const trend = slope * t + (growth > 0 ? Math.exp(growth * t) - 1 : 0);
    const n0 = phi1 * n1 + phi2 * n2 + noiseSd * rng.gauss();
    n2 = n1; n1 = Math.max(-5, Math.min(5, n0));
    walk += walkSd * rng.gauss();
    let shift = 0;
    for (const sh of shifts) if (t >= sh.at) shift += sh.size;
    const base = 1 + trend + shift + walk;
    y[t] = level + scale * (multiplicative ? base * (1 + 0.4 * s) : base + s) + scale * n1;
  }
  return y;
}
