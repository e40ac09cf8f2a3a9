/**
 * Score functions ∇_x log p_t(x) over a batch x of shape [n, d] (float64). A score is a plain function of the batch
 * and the time, built from differentiable core ops, so the event score can differentiate through it (spec §2.2).
 * Exact scores of Gaussian and Gaussian-mixture data serve as ground truth (spec §5.1, §5.3) and in tests.
 */
import { Tensor, matmul, mul, sub, add, div, sum, logsumexp, exp, tensor, ArgumentError, ShapeError } from '../core/index.ts';
import { eigh } from '../linalg/index.ts';
import type { Schedule } from './schedules.ts';

export type ScoreFn = (x: Tensor, t: number) => Tensor;

export function checkBatch(op: string, x: Tensor, dim: number): void {
  if (x.ndim !== 2 || x.shape[1] !== dim) throw new ShapeError(`${op}: expected a batch of shape [n, ${dim}], got [${x.shape.join(', ')}]`);
}

/** A Gaussian N(mean, Σ) with Σ = VΛVᵀ held once, for exact scores, densities and draws. */
export interface GaussianData {
  dim: number;
  mean: Float64Array;
  cov: Float64Array;
  /** Eigenvalues Λ (ascending) and eigenvectors V (row-major d×d, columns are vectors). */
  values: Float64Array;
  vectors: Float64Array;
}

export function gaussian(cov: ArrayLike<number>, dim: number, mean?: ArrayLike<number>): GaussianData {
  if (!Number.isInteger(dim) || dim < 1) throw new ArgumentError(`gaussian: dim must be a positive integer, got ${dim}`);
  if (cov.length !== dim * dim) throw new ShapeError(`gaussian: cov must have ${dim}×${dim} = ${dim * dim} entries, got ${cov.length}`);
  for (let i = 0; i < cov.length; i++) if (!Number.isFinite(cov[i]!)) throw new ArgumentError(`gaussian: cov has a non-finite entry at ${i}`);
  const m = mean ? Float64Array.from(mean) : new Float64Array(dim);
  if (m.length !== dim) throw new ShapeError(`gaussian: mean must have ${dim} entries, got ${m.length}`);
  const { values, vectors } = eigh(cov, dim, true);
  for (let i = 0; i < dim; i++) if (!(values[i]! > 0)) throw new ArgumentError(`gaussian: cov must be positive definite (eigenvalue ${values[i]})`);
  // eigh returns the eigenvectors as rows; store them as columns of V (V[i·d + k] = component i of vector k).
  const V = new Float64Array(dim * dim);
  for (let k = 0; k < dim; k++) for (let i = 0; i < dim; i++) V[i * dim + k] = vectors![k * dim + i]!;
  return { dim, mean: m, cov: Float64Array.from(cov), values, vectors: V };
}

/** Covariance of a stationary AR(1) process of length T with coefficient ρ and unit variance: Σ_ij = ρ^|i−j|. */
export function ar1Covariance(T: number, rho: number): Float64Array {
  if (!(Math.abs(rho) < 1)) throw new ArgumentError(`ar1Covariance: |rho| must be < 1, got ${rho}`);
  const c = new Float64Array(T * T);
  for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) c[i * T + j] = rho ** Math.abs(i - j);
  return c;
}

function vTensor(g: GaussianData): Tensor {
  return new Tensor(Float64Array.from(g.vectors), [g.dim, g.dim]);
}

/**
 * Exact score of the noised Gaussian: with x_t = s·x_0 + σ·ε, p_t = N(s·μ, s²Σ + σ²I) and
 * ∇log p_t(x) = −V diag(1/(s²λ + σ²)) Vᵀ (x − sμ) (spec §5.1).
 */
export function gaussianScore(g: GaussianData, sched: Schedule): ScoreFn {
  const V = vTensor(g), Vt = V.T.contiguous();
  return (x, t) => {
    checkBatch('gaussianScore', x, g.dim);
    const s = sched.scale(t), sg = sched.sigma(t);
    const w = new Float64Array(g.dim);
    for (let i = 0; i < g.dim; i++) w[i] = -1 / (s * s * g.values[i]! + sg * sg);
    const centred = sub(x, tensor(g.mean.map((v) => s * v)));
    return matmul(mul(matmul(centred, V), new Tensor(w, [g.dim])), Vt);
  };
}

/** Exact log density of N(μ, Σ) (or of its noised version at time t when `sched` and `t` are given) per row. */
export function gaussianLogDensity(g: GaussianData, x: Tensor, noise?: { sched: Schedule; t: number }): Float64Array {
  checkBatch('gaussianLogDensity', x, g.dim);
  const s = noise ? noise.sched.scale(noise.t) : 1, sg = noise ? noise.sched.sigma(noise.t) : 0;
  const d = g.dim, n = x.shape[0]!;
  const lam = g.values.map((v) => s * s * v + sg * sg);
  let logdet = 0;
  for (const l of lam) logdet += Math.log(l);
  const xv = x.values(), V = g.vectors, out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let q = 0;
    for (let k = 0; k < d; k++) {
      let proj = 0;
      for (let i = 0; i < d; i++) proj += (xv[r * d + i]! - s * g.mean[i]!) * V[i * d + k]!;
      q += (proj * proj) / lam[k]!;
    }
    out[r] = -0.5 * (q + logdet + d * Math.log(2 * Math.PI));
  }
  return out;
}

/** Draws n samples of N(μ, Σ) as a [n, d] float64 tensor. */
export function gaussianSample(g: GaussianData, n: number, rng: { gauss(): number }): Tensor {
  const d = g.dim, out = new Float64Array(n * d), z = new Float64Array(d);
  const sq = g.values.map(Math.sqrt);
  for (let r = 0; r < n; r++) {
    for (let k = 0; k < d; k++) z[k] = rng.gauss() * sq[k]!;
    for (let i = 0; i < d; i++) {
      let v = g.mean[i]!;
      for (let k = 0; k < d; k++) v += g.vectors[i * d + k]! * z[k]!;
      out[r * d + i] = v;
    }
  }
  return new Tensor(out, [n, d]);
}

/** A mixture of isotropic Gaussians Σ_k w_k N(μ_k, s²I) — the analytic prior of spec §5.3. */
export interface IsotropicMixture { means: Float64Array[]; weights: Float64Array; std: number; dim: number }

export function isotropicMixture(means: ArrayLike<number>[], weights: ArrayLike<number>, std: number): IsotropicMixture {
  if (means.length === 0) throw new ArgumentError('isotropicMixture: need at least one component');
  if (weights.length !== means.length) throw new ShapeError(`isotropicMixture: ${means.length} means but ${weights.length} weights`);
  if (!(std > 0)) throw new ArgumentError(`isotropicMixture: std must be > 0, got ${std}`);
  const dim = means[0]!.length;
  for (const m of means) if (m.length !== dim) throw new ShapeError(`isotropicMixture: every mean must have ${dim} entries`);
  let tot = 0;
  for (let i = 0; i < weights.length; i++) { if (!(weights[i]! > 0)) throw new ArgumentError(`isotropicMixture: weights must be > 0, got ${weights[i]}`); tot += weights[i]!; }
  return { means: means.map((m) => Float64Array.from(m)), weights: Float64Array.from(weights, (w) => w / tot), std, dim };
}

/**
 * Exact score of the noised mixture: ∇log p_t(x) = Σ_k r_k(x)·(sμ_k − x)/(s²·std² + σ²), with responsibilities
 * r_k ∝ w_k·N(x; sμ_k, (s²·std² + σ²)I), written with differentiable ops.
 */
export function mixtureScore(mix: IsotropicMixture, sched: Schedule): ScoreFn {
  const K = mix.means.length, d = mix.dim;
  const M = new Tensor(Float64Array.from(mix.means.flatMap((m) => [...m])), [K, d]);
  const logW = new Tensor(mix.weights.map(Math.log), [K]);
  return (x, t) => {
    checkBatch('mixtureScore', x, d);
    const s = sched.scale(t), sg = sched.sigma(t);
    const v = s * s * mix.std * mix.std + sg * sg;
    const sm = mul(M, s); // [K, d]
    // squared distances ‖x − sμ_k‖² = ‖x‖² − 2x·sμ_k + ‖sμ_k‖²
    const x2 = sum(mul(x, x), 1, true);
    const cross = matmul(x, sm.T);
    const m2 = sum(mul(sm, sm), 1);
    const dist = add(sub(x2, mul(cross, 2)), m2);
    const logits = add(mul(dist, -0.5 / v), logW); // [n, K]
    const r = exp(sub(logits, logsumexp(logits, 1, true)));
    return div(sub(matmul(r, sm), x), v);
  };
}
