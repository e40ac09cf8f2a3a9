/**
 * FitzHugh–Nagumo training data for the learned-score miniature (spec §5.2) and the CLI: simulate, keep `frames`
 * evenly spaced frames of the four states, standardise per state, and the spike event in original units.
 */
import { Tensor, add, max, mul, sub, sum, Rng } from '../../core/index.ts';
import * as D from '../../diffusion/index.ts';

export interface SystemData {
  /** Standardised rows [n, frames·m]. */
  rows: Tensor;
  mean: number[];
  std: number[];
  frames: number;
  m: number;
  names: string[];
}

export const SYSTEMS: Record<string, () => D.DynamicalSystem> = {
  fhn: () => D.fitzhughNagumo(), lorenz: () => D.lorenz(), sho: () => D.sho(), pendulum: () => D.pendulum(),
};

/** Simulates `n` trajectories and keeps `frames` evenly spaced frames; `norm` reuses a training set's statistics. */
export function simulateRows(system: D.DynamicalSystem, n: number, frames: number, rng: Rng, norm?: { mean: number[]; std: number[] }, rtol = 1e-6): SystemData {
  const tr = system.simulate({ n, rng, rtol });
  const stride = Math.max(1, Math.floor(tr.frames / frames));
  const m = tr.m, d = frames * m, out = new Float64Array(n * d);
  for (let r = 0; r < n; r++) for (let f = 0; f < frames; f++) for (let j = 0; j < m; j++) out[r * d + f * m + j] = tr.data[(r * tr.frames + f * stride) * m + j]!;
  let mean = norm?.mean, std = norm?.std;
  if (!mean || !std) {
    mean = new Array(m).fill(0); std = new Array(m).fill(0);
    const cnt = n * frames;
    for (let i = 0; i < out.length; i++) mean[i % m] += out[i]! / cnt;
    for (let i = 0; i < out.length; i++) std[i % m] += (out[i]! - mean[i % m]!) ** 2 / cnt;
    std = std.map((v) => Math.sqrt(v) || 1);
  }
  for (let i = 0; i < out.length; i++) out[i] = (out[i]! - mean[i % m]!) / std[i % m]!;
  return { rows: new Tensor(out, [n, d]), mean, std, frames, m, names: tr.names };
}

/** Standardised rows back to original units. */
export function destandardise(rows: Tensor, data: Pick<SystemData, 'mean' | 'std' | 'm'>): Float64Array {
  const v = rows.values(), out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! * data.std[i % data.m]! + data.mean[i % data.m]!;
  return out;
}

/**
 * The spike event of spec §2.4 on standardised rows: C(x) = max_τ ½(x1(τ) + x2(τ)) − threshold in original units,
 * differentiable (the max routes its gradient to the spiking frame).
 */
export function spikeEvent(data: Pick<SystemData, 'mean' | 'std' | 'm' | 'frames'>, threshold = 2.5): D.EventFn {
  const { m, frames } = data;
  const w = new Float64Array(m * frames), b = new Float64Array(m * frames);
  for (let f = 0; f < frames; f++) {
    // ½(x1 + x2) in original units = Σ_j w_j·x_std + b_j over the two voltage states
    for (const j of [0, 1]) { w[f * m + j] = 0.5 * data.std[j]!; b[f * m + j] = 0.5 * data.mean[j]!; }
  }
  const W = new Tensor(w, [frames, m]), B = new Tensor(b, [frames, m]);
  return (x: Tensor) => {
    const n = x.shape[0]!;
    const v = sum(add(mul(x.reshape(n, frames, m), W), B), 2); // [n, frames]
    return sub(max(v, 1), threshold);
  };
}
