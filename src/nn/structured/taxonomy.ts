import { Tensor, ArgumentError } from '../../core/index.ts';
import { checkTheta, thetaSizes, type Theta } from './theta.ts';

export interface Taxonomy {
  /** Parameter sharing: params ≍ d^{1+ν−ω}. */
  omega: number;
  /** Rank exponent: rank ≍ d^ψ (capped at 1). */
  psi: number;
  /** Compute intensity: MACs ≍ d^{1+ν}. */
  nu: number;
  paramsExponent: number;
  macsExponent: number;
  /** For a concrete width d (when given): the rounded sizes' parameter and multiply-add counts. */
  params?: number;
  macs?: number;
}

/**
 * The (ω, ψ, ν) coordinates of an einsum-family member for d_in = d_out = d (spec nn §2.4 — the spec's
 * reconstruction, unverified against the paper's §3, which reproduces every label in the authors' scripts):
 *   ν = θφ+θδ+θρ+θγ+θβ+max(θα, θε) − 1,   params exponent = θφ+θρ+θγ+max(θδ+θα, θε+θβ),
 *   ω = (1 + ν) − params exponent,         ψ = min(1, θφ+θγ+θρ+min(θα, θδ)+min(θβ, θε)).
 * With `d`, also the exact params φργ(δα+εβ) and MACs φδργβ(α+ε) of the rounded sizes.
 */
export function taxonomy(theta: Theta | readonly number[], d?: number): Taxonomy {
  const t = checkTheta('taxonomy', theta);
  const [a, b, g, dl, e, f, r] = t;
  const nu = f + dl + r + g + b + Math.max(a, e) - 1;
  const paramsExponent = f + r + g + Math.max(dl + a, e + b);
  const out: Taxonomy = {
    omega: round6(1 + nu - paramsExponent), psi: round6(Math.min(1, f + g + r + Math.min(a, dl) + Math.min(b, e))),
    nu: round6(nu), paramsExponent: round6(paramsExponent), macsExponent: round6(1 + nu),
  };
  if (d !== undefined) {
    if (!Number.isInteger(d) || d < 1) throw new ArgumentError(`taxonomy: d must be a positive integer, got ${d}`);
    const s = thetaSizes('taxonomy', t, d, d);
    out.params = s.phi * s.rho * s.gamma * (s.delta * s.alpha + s.epsilon * s.beta);
    out.macs = s.phi * s.delta * s.rho * s.gamma * s.beta * (s.alpha + s.epsilon);
  }
  return out;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/**
 * Numerical rank of a 2-d tensor: Gaussian elimination with complete pivoting in float64, counting pivots above
 * tol·(largest |entry|) (default tol = max(m, n)·1e-10, suited to float64 inputs; pass a larger tol for float32).
 */
export function numericRank(a: Tensor, tol?: number): number {
  if (!(a instanceof Tensor) || a.ndim !== 2) throw new ArgumentError('numericRank: expected a 2-d tensor');
  const [m, n] = a.shape as [number, number];
  const w = Float64Array.from(a.values());
  let scale = 0;
  for (const v of w) scale = Math.max(scale, Math.abs(v));
  if (scale === 0) return 0;
  const eps = (tol ?? Math.max(m, n) * 1e-10) * scale;
  let rank = 0;
  const rows = Array.from({ length: m }, (_, i) => i), cols = Array.from({ length: n }, (_, j) => j);
  for (let k = 0; k < Math.min(m, n); k++) {
    let best = -1, bi = k, bj = k;
    for (let i = k; i < m; i++) for (let j = k; j < n; j++) {
      const v = Math.abs(w[rows[i]! * n + cols[j]!]!);
      if (v > best) { best = v; bi = i; bj = j; }
    }
    if (best <= eps) break;
    [rows[k], rows[bi]] = [rows[bi]!, rows[k]!];
    [cols[k], cols[bj]] = [cols[bj]!, cols[k]!];
    rank++;
    const pr = rows[k]!, pc = cols[k]!;
    const piv = w[pr * n + pc]!;
    for (let i = k + 1; i < m; i++) {
      const ri = rows[i]!;
      const f = w[ri * n + pc]! / piv;
      if (f === 0) continue;
      for (let j = k; j < n; j++) w[ri * n + cols[j]!]! -= f * w[pr * n + cols[j]!]!;
    }
  }
  return rank;
}
