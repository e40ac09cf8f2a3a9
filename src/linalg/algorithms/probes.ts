/** Random probe blocks for the stochastic estimators, drawn from the core Rng (same seed, same bits). */
import { Rng } from '../../core/index.ts';
import type { Mat } from '../mat.ts';

export function rademacher(rng: Rng, n: number, k: number): Mat {
  const d = new Float64Array(n * k);
  for (let i = 0; i < d.length; i += 32) {
    const bits = rng.nextU32();
    for (let b = 0; b < 32 && i + b < d.length; b++) d[i + b] = (bits >>> b) & 1 ? 1 : -1;
  }
  return { rows: n, cols: k, data: d };
}

export function gaussian(rng: Rng, n: number, k: number): Mat {
  const d = new Float64Array(n * k);
  for (let i = 0; i < d.length; i++) d[i] = rng.gauss();
  return { rows: n, cols: k, data: d };
}
