/**
 * Leading singular triplets by Golub–Kahan–Lanczos bidiagonalization (Golub & Kahan 1965; Golub & Van Loan,
 * Matrix Computations §10.4): from a unit v₁,
 *   α_j u_j = A v_j − β_{j−1} u_{j−1},   β_j v_{j+1} = Aᵀ u_j − α_j v_j,
 * so A V_p = U_p B_p and Aᵀ U_p = V_p B_pᵀ + β_p v_{p+1} e_pᵀ with B_p upper bidiagonal (α on the diagonal, β above).
 * With B_p = X Σ Yᵀ the Ritz triplets (σ_i, U_p x_i, V_p y_i) satisfy A·V_p y_i = σ_i U_p x_i exactly and
 * ‖Aᵀ U_p x_i − σ_i V_p y_i‖ = β_p·|e_pᵀ x_i|, the convergence test used here. Both bases are kept and fully
 * reorthogonalized (classical Gram–Schmidt twice), so the recurrence is extended rather than restarted; a breakdown
 * (α or β ≈ 0: an invariant subspace) continues from a random vector orthogonal to the basis.
 */
import { Rng } from '../../core/index.ts';
import { ArgumentError } from '../../core/index.ts';
import { ConvergenceError } from '../errors.ts';
import type { LinearOperator } from '../operator.ts';
import { svdJacobi } from '../dense/svd.ts';
import { operation } from '../kernels/staging.ts';
import type { IterInfo, LanczosAlg } from './config.ts';

export interface GklSvd { U: Float64Array; S: Float64Array; V: Float64Array; info: IterInfo }

const EPS = 2 ** -52;
const f64 = (a: ArrayLike<number>): Float64Array => (a instanceof Float64Array ? a : Float64Array.from(a));
function norm(v: Float64Array): number { let s = 0; for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!; return Math.sqrt(s); }
function reorth(w: Float64Array, basis: Float64Array[]): void {
  for (let pass = 0; pass < 2; pass++) {
    for (const q of basis) {
      let s = 0; for (let i = 0; i < w.length; i++) s += q[i]! * w[i]!;
      for (let i = 0; i < w.length; i++) w[i] = w[i]! - s * q[i]!;
    }
  }
}
/** A unit vector orthogonal to basis (for a breakdown), or null when the basis already spans the space. */
function freshVector(len: number, basis: Float64Array[], rng: Rng): Float64Array | null {
  if (basis.length >= len) return null;
  for (let attempt = 0; attempt < 3; attempt++) {
    const w = Float64Array.from({ length: len }, () => rng.gauss());
    reorth(w, basis);
    const s = norm(w);
    if (s > 1e-8) { for (let i = 0; i < len; i++) w[i] = w[i]! / s; return w; }
  }
  return null;
}

/** The k largest singular triplets of A (U: m×k, V: n×k column-major, S descending). */
export function gklSvd(A: LinearOperator, k: number, alg: LanczosAlg): GklSvd {
  return operation(() => {
    const m = A.rows, n = A.cols, r = Math.min(m, n);
    const pmax = Math.min(r, Math.max(alg.maxIters, 2 * k + 2));
    const rng = new Rng(alg.seed);
    let v: Float64Array;
    if (alg.start) {
      if (alg.start.data.length !== n) throw new ArgumentError(`svd: Lanczos start vector must have ${n} entries (the columns of A), got ${alg.start.data.length}`);
      v = Float64Array.from(alg.start.data);
    } else v = Float64Array.from({ length: n }, () => rng.gauss());
    const s0 = norm(v);
    if (!(s0 > 0) || !Number.isFinite(s0)) throw new ArgumentError('svd: the Lanczos start vector must be finite and nonzero');
    for (let i = 0; i < n; i++) v[i] = v[i]! / s0;
    const U: Float64Array[] = [], V: Float64Array[] = [v], alpha: number[] = [], beta: number[] = [];
    let scale = 0, p = 0, betaLast = 0, result: { X: Float64Array; S: Float64Array; Y: Float64Array; res: Float64Array } | null = null;
    const Av = (x: Float64Array) => f64(A.matmat({ rows: n, cols: 1, data: x }).data);
    const Atu = (x: Float64Array) => f64(A.rmatmat({ rows: m, cols: 1, data: x }).data);
    const ritz = () => {
      const B = new Float64Array(p * p);
      for (let i = 0; i < p; i++) { B[i * p + i] = alpha[i]!; if (i + 1 < p) B[(i + 1) * p + i] = beta[i]!; }
      const d = svdJacobi(B, p, p), res = new Float64Array(k);
      for (let i = 0; i < k; i++) res[i] = Math.abs(betaLast * d.U[i * p + p - 1]!);
      return { X: d.U, S: d.S, Y: d.V, res };
    };
    for (;;) {
      const z = Av(V[p]!);
      if (p > 0) { const b = beta[p - 1]!; const u = U[p - 1]!; for (let i = 0; i < m; i++) z[i] = z[i]! - b * u[i]!; }
      reorth(z, U);
      let a = norm(z);
      if (!Number.isFinite(a)) throw new ArgumentError(`svd: A·v is not finite at step ${p + 1}; the operator ${A.toString()} has non-finite entries`);
      scale = Math.max(scale, a);
      let u: Float64Array | null = z;
      if (a <= EPS * scale * Math.sqrt(r)) { a = 0; u = freshVector(m, U, rng); }
      else for (let i = 0; i < m; i++) z[i] = z[i]! / a;
      alpha.push(a);
      U.push(u ?? new Float64Array(m));
      const w = Atu(U[p]!);
      const vp = V[p]!; for (let i = 0; i < n; i++) w[i] = w[i]! - a * vp[i]!;
      reorth(w, V);
      let b = norm(w);
      scale = Math.max(scale, b);
      p++;
      const invariant = b <= EPS * scale * Math.sqrt(r);
      if (invariant) b = 0;
      betaLast = b;
      if (p >= k && (invariant || p === pmax || p % 5 === 0)) {
        result = ritz();
        const top = result.S[0]!;
        if (result.res.every((x) => x <= alg.tol * top) || p === pmax) break;
      }
      let next: Float64Array | null = w;
      if (invariant) next = freshVector(n, V, rng);
      else for (let i = 0; i < n; i++) w[i] = w[i]! / b;
      if (!next) { result = ritz(); break; } // V spans the whole space: B_p is exact
      V.push(next); beta.push(b);
    }
    const { X, S, Y, res } = result!;
    const top = S[0]!;
    const converged = res.every((x) => x <= alg.tol * top);
    const info: IterInfo = { iterations: p, residuals: Float64Array.from(res, (x) => (top > 0 ? x / top : x)), converged, breakdown: false };
    if (!converged) {
      throw new ConvergenceError(`svd: Golub–Kahan–Lanczos did not converge in ${p} steps (largest relative residual ${Math.max(...info.residuals).toExponential(2)}, tol ${alg.tol}); raise Lanczos({ maxIters }) or use Auto() for the dense SVD`);
    }
    const Uk = new Float64Array(m * k), Vk = new Float64Array(n * k);
    for (let c = 0; c < k; c++) for (let j = 0; j < p; j++) {
      const x = X[c * p + j]!, y = Y[c * p + j]!, uj = U[j]!, vj = V[j]!;
      for (let i = 0; i < m; i++) Uk[c * m + i] = Uk[c * m + i]! + x * uj[i]!;
      for (let i = 0; i < n; i++) Vk[c * n + i] = Vk[c * n + i]! + y * vj[i]!;
    }
    return { U: Uk, S: S.slice(0, k), V: Vk, info };
  });
}
