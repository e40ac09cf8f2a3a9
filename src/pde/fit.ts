/**
 * Fitting a network to a target function (spec §2.2 item 5 and the restart refit of item 3): minimise
 * E_x(u_θ(x) − target(x))² with Adam on fresh uniform points every step (strata/optim), then refit each component's
 * last linear layer by ridge regression on fresh points (λ = ridge·N/p_head, spec: 1e-5·N/p).
 */
import { Tensor, Rng, sub, mul, mean, add, ArgumentError } from '../core/index.ts';
import { valueAndGrad } from '../autodiff/index.ts';
import { Optimizer, cosineSchedule } from '../optim/index.ts';
import { choleskyInPlace } from '../linalg/index.ts';
import { parameterJacobian } from './derivatives.ts';
import { applyJt, nystromPreconditioner, solvePcg, type LsSystem } from './lsq.ts';
import { componentForward, netInputs, pack, unpack, type LayerTensors, type NetConfig } from './net.ts';
import { samplePoints } from './problem.ts';

export interface FitOptions {
  /** Adam steps (default 1000). */
  steps: number;
  /** Peak learning rate, cosine-decayed to 0 (default 3e-3). */
  lr: number;
  /** Points per Adam step (default: the solver's point count). */
  batch: number;
  /** Ridge factor of the head refit (default 1e-5). */
  ridge: number;
  /**
   * Levenberg–Marquardt iterations after Adam (default 0: the reference's Adam-only fit). Each solves
   * (JᵀJ/N + λI)Δ = Jᵀr/N by Nyström-PCG on fresh points, reusing the least-squares machinery of the time step.
   */
  gaussNewton: number;
}

export interface FitResult { theta: Float64Array; relError: number; seconds: number }

/** target(X [N·d]) → values [N·nOut] point-major. */
export type Target = (X: Float64Array) => Float64Array;

export function fitNetwork(c: NetConfig, theta0: Float64Array, target: Target, o: FitOptions, rng: Rng): FitResult {
  const start = performance.now();
  if (!Number.isInteger(o.steps) || o.steps < 0) throw new ArgumentError(`fit: steps must be a non-negative integer, got ${o.steps}`);
  if (!(o.lr > 0)) throw new ArgumentError(`fit: lr must be positive, got ${o.lr}`);
  const params = unpack(c, theta0);
  const loss = (ps: LayerTensors[][], X: Tensor, Y: Tensor[]): Tensor => {
    const inp = netInputs(c, X);
    let acc: Tensor | null = null;
    ps.forEach((layers, k) => {
      const r = sub(componentForward(c, layers, inp), Y[k]!);
      const l = mean(mul(r, r));
      acc = acc ? add(acc, l) : l;
    });
    return acc!;
  };
  const vg = valueAndGrad(loss);
  if (o.steps > 0) {
    const opt = new Optimizer(params, { kind: 'adam', lr: cosineSchedule({ peak: o.lr, total: o.steps }) });
    for (let s = 0; s < o.steps; s++) {
      const { X, Y } = batch(c, target, o.batch, rng);
      opt.step(vg(params, X, Y).grad);
    }
  }
  let theta = pack(c, params);
  if (o.gaussNewton > 0) theta = levenbergMarquardt(c, theta, target, o.gaussNewton, Math.max(2 * o.batch, 256), rng);
  theta = ridgeHead(c, theta, target, o.batch, o.ridge, rng);
  const { X, Y } = batch(c, target, Math.max(o.batch, 1000), rng);
  const inp = netInputs(c, X);
  let num = 0, den = 0;
  unpack(c, theta).forEach((layers, k) => {
    const u = componentForward(c, layers, inp).values(), y = Y[k]!.values();
    for (let n = 0; n < u.length; n++) { num += (u[n]! - y[n]!) ** 2; den += y[n]! ** 2; }
  });
  return { theta, relError: den > 0 ? Math.sqrt(num / den) : Math.sqrt(num), seconds: (performance.now() - start) / 1000 };
}

function batch(c: NetConfig, target: Target, N: number, rng: Rng): { X: Tensor; Y: Tensor[] } {
  const Xd = samplePoints(rng, N, c.dim);
  const T = target(Xd);
  const Y = Array.from({ length: c.nOut }, (_, k) => {
    const y = new Float64Array(N);
    for (let n = 0; n < N; n++) y[n] = T[n * c.nOut + k]!;
    return new Tensor(y, [N, 1]);
  });
  return { X: new Tensor(Xd, [N, c.dim]), Y };
}

/** Ridge refit of each component's output layer: u = B(x)·(h(x)·w + b) is linear in (w, b). */
export function ridgeHead(c: NetConfig, theta: Float64Array, target: Target, N: number, ridge: number, rng: Rng): Float64Array {
  const { X, Y } = batch(c, target, N, rng);
  const inp = netInputs(c, X);
  const ps = unpack(c, theta);
  ps.forEach((layers, k) => {
    const hidden: Tensor[] = [];
    componentForward(c, layers, inp, undefined, hidden);
    const h = hidden[hidden.length - 1]!.values();
    const w = layers[layers.length - 1]!.w, q = w.shape[0]! + 1;
    const B = inp.boundary ? inp.boundary.values() : null;
    const y = Y[k]!.values();
    // Normal equations (ΦᵀΦ + λI)·β = Φᵀy with Φ_n = B(x_n)·[h_n, 1].
    const G = new Float64Array(q * q), r = new Float64Array(q), phi = new Float64Array(q);
    for (let n = 0; n < N; n++) {
      const s = B ? B[n]! : 1;
      for (let a = 0; a < q - 1; a++) phi[a] = s * h[n * (q - 1) + a]!;
      phi[q - 1] = s;
      for (let a = 0; a < q; a++) { r[a] = r[a]! + phi[a]! * y[n]!; for (let b = 0; b <= a; b++) G[b * q + a] = G[b * q + a]! + phi[a]! * phi[b]!; }
    }
    const lam = ridge * N / q;
    for (let a = 0; a < q; a++) { G[a * q + a] = G[a * q + a]! + lam; for (let b = 0; b < a; b++) G[a * q + b] = G[b * q + a]!; }
    choleskyInPlace(G, q, 'ridge head (ΦᵀΦ + λI)');
    const beta = cholSolve(G, q, r);
    const wd = w.data as Float64Array, bd = layers[layers.length - 1]!.b.data as Float64Array;
    for (let a = 0; a < q - 1; a++) wd[a] = beta[a]!;
    bd[0] = beta[q - 1]!;
  });
  return pack(c, ps);
}

/** Solves L·Lᵀ·x = r with the lower factor stored column-major in G (choleskyInPlace's output). */
function cholSolve(G: Float64Array, q: number, r: Float64Array): Float64Array {
  const x = Float64Array.from(r);
  for (let i = 0; i < q; i++) { let s = x[i]!; for (let j = 0; j < i; j++) s -= G[j * q + i]! * x[j]!; x[i] = s / G[i * q + i]!; }
  for (let i = q - 1; i >= 0; i--) { let s = x[i]!; for (let j = i + 1; j < q; j++) s -= G[i * q + j]! * x[j]!; x[i] = s / G[i * q + i]!; }
  return x;
}

/**
 * Levenberg–Marquardt (Marquardt 1963) on E_x(u_θ(x) − target(x))²: per iteration fresh points, J and the residual,
 * Δ = (JᵀJ/N + λI)⁻¹Jᵀr/N; the step is kept when it lowers the loss on those points (λ ÷ 3), else λ × 4.
 * λ starts at 1e-3 of tr(M)/p, the mean eigenvalue.
 */
function levenbergMarquardt(c: NetConfig, theta0: Float64Array, target: Target, iters: number, N: number, rng: Rng): Float64Array {
  let theta = theta0, lam = -1;
  const K = c.nOut;
  for (let it = 0; it < iters; it++) {
    const Xd = samplePoints(rng, N, c.dim), X = new Tensor(Xd, [N, c.dim]);
    const y = target(Xd);
    const { u, blocks } = parameterJacobian(c, theta, X);
    const r = u.map((v, i) => y[i]! - v);
    const loss0 = r.reduce((s, v) => s + v * v, 0);
    const sys: LsSystem = { N, p: theta.length, blocks };
    if (lam < 0) { let tr = 0; for (const b of blocks) for (const v of b.J) tr += v * v; lam = 1e-3 * tr / N / theta.length; }
    const F = applyJt(sys, r, K);
    for (let tries = 0; tries < 4; tries++) {
      const P = nystromPreconditioner(sys, 50, lam, rng.nextU32());
      const { x } = solvePcg(sys, F, lam, { tol: 1e-6, maxIter: 100, P, x0: null });
      const cand = theta.map((t, i) => t + x[i]!);
      const u1 = evaluateAt(c, cand, X);
      let loss1 = 0; for (let i = 0; i < u1.length; i++) loss1 += (y[i]! - u1[i]!) ** 2;
      if (loss1 < loss0) { theta = cand; lam /= 3; break; }
      lam *= 4;
    }
  }
  return theta;
}

function evaluateAt(c: NetConfig, theta: Float64Array, X: Tensor): Float64Array {
  const N = X.shape[0]!, inp = netInputs(c, X), out = new Float64Array(N * c.nOut);
  unpack(c, theta).forEach((layers, k) => { const u = componentForward(c, layers, inp).values(); for (let n = 0; n < N; n++) out[n * c.nOut + k] = u[n]!; });
  return out;
}
