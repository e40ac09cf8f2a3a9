/** Two-sample statistics for comparing samplers with ground truth. */
import { ArgumentError } from '../core/index.ts';

export interface KsResult { statistic: number; pValue: number }

/**
 * Two-sample Kolmogorov–Smirnov test: D = sup |F_a − F_b| and the asymptotic p-value Q_KS(λ) with
 * λ = (√m + 0.12 + 0.11/√m)·D, m = n_a·n_b/(n_a + n_b) (Stephens' small-sample correction).
 */
export function ks2(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  if (a.length < 1 || b.length < 1) throw new ArgumentError(`ks2: both samples must be non-empty, got ${a.length} and ${b.length}`);
  const x = Float64Array.from(a).sort(), y = Float64Array.from(b).sort();
  for (const v of [x[0]!, x[x.length - 1]!, y[0]!, y[y.length - 1]!]) if (!Number.isFinite(v)) throw new ArgumentError('ks2: samples must be finite');
  let i = 0, j = 0, d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < x.length && x[i]! <= v) i++;
    while (j < y.length && y[j]! <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  const m = (x.length * y.length) / (x.length + y.length);
  const lambda = (Math.sqrt(m) + 0.12 + 0.11 / Math.sqrt(m)) * d;
  return { statistic: d, pValue: kolmogorovQ(lambda) };
}

/** Q_KS(λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²}. */
export function kolmogorovQ(lambda: number): number {
  if (lambda < 0.2) return 1;
  let s = 0;
  for (let k = 1; k <= 100; k++) {
    const term = 2 * (k % 2 ? 1 : -1) * Math.exp(-2 * k * k * lambda * lambda);
    s += term;
    if (Math.abs(term) < 1e-16) break;
  }
  return Math.min(1, Math.max(0, s));
}

/** Mean and standard error. */
export function meanStderr(v: ArrayLike<number>): { mean: number; stderr: number } {
  const n = v.length;
  if (n === 0) return { mean: NaN, stderr: NaN };
  let m = 0;
  for (let i = 0; i < n; i++) m += v[i]!;
  m /= n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (v[i]! - m) ** 2;
  return { mean: m, stderr: n > 1 ? Math.sqrt(s / (n - 1) / n) : NaN };
}
