/**
 * Preconditioned MINRES for SelfAdjoint, possibly indefinite systems (Paige & Saunders 1975, SIAM J. Numer. Anal.
 * 12(4); the recurrences follow Choi, Paige & Saunders 2011, Table 3.1): a Lanczos process on M⁻¹A in the M-inner
 * product, a QR factorization of the tridiagonal by Givens rotations, and the three-term update of the solution; the
 * residual norm estimate φ̄ is known at every step without a product. The preconditioner P ≈ A⁻¹ must be PSD.
 * Columns of B are solved one after another; the true residual is recomputed at exit and reported.
 */
import { operation } from '../kernels/staging.ts';
import { ConvergenceError } from '../errors.ts';
import type { LinearOperator } from '../operator.ts';
import { zerosMat, type Mat } from '../mat.ts';
import type { IterInfo, MINRESAlg } from './config.ts';

export function minres(A: LinearOperator, B: Mat, alg: MINRESAlg): { X: Mat; info: IterInfo } {
  return operation(() => {
    const n = B.rows, k = B.cols;
    const X = zerosMat(n, k, 'float64');
    const residuals = new Float64Array(k);
    let iterations = 0, converged = true, breakdown = false;
    const apply = (M: LinearOperator, v: Float64Array): Float64Array => {
      const out = new Float64Array(n); out.set(M.matmat({ rows: n, cols: 1, data: v }).data); return out;
    };
    const precond = (v: Float64Array): Float64Array => (alg.P ? apply(alg.P, v) : v.slice());
    const dot = (a: Float64Array, b: Float64Array) => { let s = 0; for (let i = 0; i < n; i++) s += a[i]! * b[i]!; return s; };
    for (let col = 0; col < k; col++) {
      const b = new Float64Array(n); b.set(B.data.subarray(col * n, (col + 1) * n));
      const x = X.data.subarray(col * n, (col + 1) * n) as Float64Array;
      const bnorm = Math.sqrt(dot(b, b));
      if (bnorm === 0) continue;
      let r1: Float64Array = b.slice(), r2: Float64Array = b.slice(), y: Float64Array = precond(r1);
      let beta = dot(r1, y);
      if (beta < 0) { breakdown = true; converged = false; continue; }
      beta = Math.sqrt(beta);
      const beta1 = beta;
      let oldb = 0, dbar = 0, epsln = 0, phibar = beta1, cs = -1, sn = 0;
      let w: Float64Array = new Float64Array(n), w2: Float64Array = new Float64Array(n);
      let its = 0, ok = false;
      while (its < alg.maxIters) {
        its++;
        const s = 1 / beta;
        const v = y.map((t) => t * s);
        y = apply(A, v);
        if (its >= 2) { const f = beta / oldb; for (let i = 0; i < n; i++) y[i] = y[i]! - f * r1[i]!; }
        const alfa = dot(v, y);
        { const f = alfa / beta; for (let i = 0; i < n; i++) y[i] = y[i]! - f * r2[i]!; }
        r1 = r2; r2 = y;
        y = precond(r2);
        oldb = beta;
        const bb = dot(r2, y);
        if (bb < 0) { breakdown = true; break; } // the preconditioner is not positive definite
        beta = Math.sqrt(bb);
        // Apply the previous rotation, then build the new one that annihilates β.
        const oldeps = epsln;
        const delta = cs * dbar + sn * alfa;
        const gbar = sn * dbar - cs * alfa;
        epsln = sn * beta;
        dbar = -cs * beta;
        const gamma = Math.max(Math.hypot(gbar, beta), 1e-300);
        cs = gbar / gamma; sn = beta / gamma;
        const phi = cs * phibar;
        phibar = sn * phibar;
        // w_k = (v_k − ε_k·w_{k−2} − δ_k·w_{k−1}) / γ_k;  x += φ_k·w_k
        const w1 = w2; w2 = w; w = new Float64Array(n);
        for (let i = 0; i < n; i++) { w[i] = (v[i]! - oldeps * w1[i]! - delta * w2[i]!) / gamma; x[i] = x[i]! + phi * w[i]!; }
        // Without a preconditioner φ̄ is ‖b − Ax‖ exactly (in exact arithmetic); with one it is the M⁻¹-norm.
        if (phibar <= alg.tol * beta1) { ok = true; break; }
        if (beta === 0) { ok = true; break; } // invariant subspace: the solution is exact
      }
      iterations = Math.max(iterations, its);
      const Ax = apply(A, x);
      let s = 0; for (let i = 0; i < n; i++) s += (b[i]! - Ax[i]!) ** 2;
      residuals[col] = Math.sqrt(s) / bnorm;
      // A little slack over tol: the estimate and the true residual drift apart by rounding (as in CG).
      if (!(residuals[col]! <= 10 * alg.tol + 1e-14) || (!ok && residuals[col]! > alg.tol)) converged = false;
    }
    const info: IterInfo = { iterations, residuals, converged: converged && !breakdown, breakdown };
    if (alg.strict && !info.converged) throw new ConvergenceError(`MINRES: not converged after ${iterations} iterations (max residual ${Math.max(...residuals).toExponential(2)}, tol ${alg.tol}${breakdown ? ', breakdown: the preconditioner is not positive definite' : ''})`);
    return { X, info };
  });
}
