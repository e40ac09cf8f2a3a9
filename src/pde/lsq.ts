/**
 * The local-in-time least-squares step (spec §2.1–2.2): θ̇ minimises E_x‖J(x)·θ̇ − f(x)‖² + μ‖θ̇‖², i.e.
 *   (M + μI)·θ̇ = F,   M = (1/N)·Σ_n J(x_n)ᵀJ(x_n),   F = (1/N)·Σ_n J(x_n)ᵀ f(x_n).
 * M is never formed on the Neural IVP path: M·V = Jᵀ(J·V)/N through the stored per-point Jacobian blocks, solved by
 * strata/linalg's CG with its Nyström preconditioner, in float64. The EDNN path forms M and factors it densely.
 */
import { ArgumentError } from '../core/index.ts';
import {
  fromFunction, PSD, Nystrom, cg, CG, Cholesky, LU, solve, Dense, lanczos, eighTridiagonal, matmulMat,
  type LinearOperator, type Mat,
} from '../linalg/index.ts';
import type { JacobianBlock } from './derivatives.ts';

export interface LsSystem { N: number; p: number; blocks: JacobianBlock[] }

/** M·X for X p×k (column-major): block by block, Jᵀ(J·X_block)/N. */
export function applyM(sys: LsSystem, X: Mat): Mat {
  const { N, p } = sys, k = X.cols;
  const out = new Float64Array(p * k);
  for (const b of sys.blocks) {
    const Jb: Mat = { rows: N, cols: b.size, data: b.J };
    let Xb: Mat;
    if (sys.blocks.length === 1 && b.size === p) Xb = X;
    else {
      const d = new Float64Array(b.size * k);
      for (let c = 0; c < k; c++) d.set(X.data.subarray(c * p + b.offset, c * p + b.offset + b.size), c * b.size);
      Xb = { rows: b.size, cols: k, data: d };
    }
    const T = matmulMat(Jb, Xb);
    const Y = matmulMat(Jb, T, true);
    for (let c = 0; c < k; c++) for (let i = 0; i < b.size; i++) out[c * p + b.offset + i] = Y.data[c * b.size + i]! / N;
  }
  return { rows: p, cols: k, data: out };
}

/** J·v for all points: [N·nOut] point-major (component k of point n at n·nOut + k). */
export function applyJ(sys: LsSystem, v: Float64Array, nOut: number): Float64Array {
  const out = new Float64Array(sys.N * nOut);
  for (const b of sys.blocks) {
    const y = matmulMat({ rows: sys.N, cols: b.size, data: b.J }, { rows: b.size, cols: 1, data: v.subarray(b.offset, b.offset + b.size) });
    for (let n = 0; n < sys.N; n++) out[n * nOut + b.component] = y.data[n]!;
  }
  return out;
}

/** F = Jᵀf/N with f point-major [N·nOut]. */
export function applyJt(sys: LsSystem, f: Float64Array, nOut: number): Float64Array {
  const out = new Float64Array(sys.p);
  for (const b of sys.blocks) {
    const fk = new Float64Array(sys.N);
    for (let n = 0; n < sys.N; n++) fk[n] = f[n * nOut + b.component]!;
    const y = matmulMat({ rows: sys.N, cols: b.size, data: b.J }, { rows: sys.N, cols: 1, data: fk }, true);
    for (let i = 0; i < b.size; i++) out[b.offset + i] = y.data[i]! / sys.N;
  }
  return out;
}

/** M as a matrix-free PSD operator of strata/linalg, optionally shifted by μ. */
export function normalOperator(sys: LsSystem, mu = 0): LinearOperator {
  const f = (X: Mat): Mat => {
    const Y = applyM(sys, X);
    if (mu !== 0) for (let i = 0; i < Y.data.length; i++) Y.data[i] = Y.data[i]! + mu * X.data[i]!;
    return Y;
  };
  return PSD(fromFunction([sys.p, sys.p], f, f, ['SelfAdjoint']));
}

export interface SpectrumEstimate { lambdaMax: number; lambdaMin: number; cond: number; steps: number }

/**
 * Extreme Ritz values of M from `steps` Lanczos iterations (full re-orthogonalisation). θ_max ≤ λ_max and
 * θ_min ≥ λ_min, so `cond` = θ_max/θ_min is a lower bound on cond(M) that tightens with the step count; θ_min is
 * clamped at eps64·θ_max, so cond ≈ 4.5e15 reads "numerically singular".
 */
export function spectrum(sys: LsSystem, steps: number, rng: { gauss(): number }): SpectrumEstimate {
  const start = new Float64Array(sys.p);
  for (let i = 0; i < sys.p; i++) start[i] = rng.gauss();
  const r = lanczos(normalOperator(sys), start, Math.min(steps, sys.p), 'full');
  const m = r.steps;
  if (m === 0) return { lambdaMax: 0, lambdaMin: 0, cond: Infinity, steps: 0 };
  const e = eighTridiagonal(r.alpha.subarray(0, m), r.beta.subarray(0, Math.max(0, m - 1)), false);
  let lo = Infinity, hi = -Infinity;
  for (const v of e.values) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  // Below eps64·λ_max a Ritz value is rounding noise of a numerically singular M: clamp, so cond ≤ 1/eps64 ≈ 4.5e15.
  const lmin = Math.max(lo, 2.220446049250313e-16 * hi);
  return { lambdaMax: hi, lambdaMin: lmin, cond: hi > 0 ? hi / lmin : Infinity, steps: m };
}

export interface SolveInfo { iterations: number; residual: number; converged: boolean; method: 'pcg' | 'cholesky' | 'lu' }

/** (M + μI)·x = F by CG with an optional preconditioner (a Nyström operator), warm-started at x0. */
export function solvePcg(sys: LsSystem, F: Float64Array, mu: number, opts: { tol: number; maxIter: number; P: LinearOperator | null; x0: Float64Array | null }): { x: Float64Array; info: SolveInfo } {
  if (!(mu > 0)) throw new ArgumentError(`Neural IVP: the CG path needs μ > 0 (M is singular when points < parameters), got μ = ${mu}; raise mu.relative or use the dense EDNN path`);
  const A = normalOperator(sys, mu);
  const { X, info } = cg(A, { rows: sys.p, cols: 1, data: F }, CG({ tol: opts.tol, maxIters: opts.maxIter, P: opts.P, x0: opts.x0 ? { rows: sys.p, cols: 1, data: opts.x0 } : null }));
  return { x: X.data as Float64Array, info: { iterations: info.iterations, residual: info.residuals[0] ?? 0, converged: info.converged, method: 'pcg' } };
}

/** The Nyström preconditioner of M (rank r) for the shift μ, through strata/linalg. */
export function nystromPreconditioner(sys: LsSystem, rank: number, mu: number, seed: number): Nystrom {
  return new Nystrom(normalOperator(sys), { rank: Math.min(rank, sys.p), mu, seed });
}

/**
 * The EDNN-style direct solve: M + μI assembled (O(N·p²)) and factored (O(p³)) — Cholesky, and LU when rounding makes
 * the nearly singular matrix fail the Cholesky test.
 */
export function solveDense(sys: LsSystem, F: Float64Array, mu: number): { x: Float64Array; info: SolveInfo } {
  const p = sys.p, Mm = new Float64Array(p * p);
  for (const b of sys.blocks) {
    const Jb: Mat = { rows: sys.N, cols: b.size, data: b.J };
    const G = matmulMat(Jb, Jb, true);
    for (let j = 0; j < b.size; j++) for (let i = 0; i < b.size; i++) Mm[(b.offset + j) * p + b.offset + i] = G.data[j * b.size + i]! / sys.N;
  }
  for (let i = 0; i < p; i++) Mm[i * p + i] = Mm[i * p + i]! + mu;
  const A = new Dense({ rows: p, cols: p, data: Mm });
  let x: Float64Array, method: SolveInfo['method'] = 'cholesky';
  try {
    x = solve(PSD(A), { rows: p, cols: 1, data: F }, Cholesky()).data as Float64Array;
  } catch {
    method = 'lu';
    try {
      x = solve(A, { rows: p, cols: 1, data: F }, LU()).data as Float64Array;
    } catch {
      // An exactly singular M (fewer independent rows than parameters, μ = 0): the smallest diagonal shift that lets
      // the factorisation exist, 1e-14 of the mean diagonal, keeps the baseline a direct solve rather than failing.
      let tr = 0;
      for (let i = 0; i < p; i++) tr += Mm[i * p + i]!;
      const shift = Math.max(1e-300, (1e-14 * tr) / p);
      const Ms = Float64Array.from(Mm);
      for (let i = 0; i < p; i++) Ms[i * p + i] = Ms[i * p + i]! + shift;
      x = solve(new Dense({ rows: p, cols: p, data: Ms }), { rows: p, cols: 1, data: F }, LU()).data as Float64Array;
    }
  }
  // Relative residual of the solved system, as CG reports it.
  const r = applyM(sys, { rows: p, cols: 1, data: x }).data;
  let rn = 0, fn = 0;
  for (let i = 0; i < p; i++) { const ri = F[i]! - r[i]! - mu * x[i]!; rn += ri * ri; fn += F[i]! * F[i]!; }
  return { x, info: { iterations: 0, residual: fn > 0 ? Math.sqrt(rn / fn) : Math.sqrt(rn), converged: true, method } };
}
