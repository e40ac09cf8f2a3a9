/**
 * Preconditioned conjugate gradients with many right-hand sides (Hestenes & Stiefel 1952; Saad, Iterative Methods,
 * Alg. 9.1). Each column runs its own recurrence and shares one A·P product per iteration; a column stops when
 * ‖r_j‖ ≤ tol·‖b_j‖ + atol and is dropped from later products; pᵀAp ≤ 0 stops it with `breakdown` (A indefinite).
 */
import { operation } from '../kernels/staging.ts';
import { ConvergenceError } from '../errors.ts';
import type { LinearOperator } from '../operator.ts';
import { zerosMat, type Mat } from '../mat.ts';
import type { CGAlg, IterInfo } from './config.ts';

export function cg(A: LinearOperator, B: Mat, alg: CGAlg): { X: Mat; info: IterInfo } {
  return operation(() => {
    const n = B.rows, k = B.cols;
    const X = zerosMat(n, k, 'float64');
    if (alg.x0) X.data.set(alg.x0.data);
    const R = new Float64Array(n * k);
    R.set(B.data);
    if (alg.x0) { const AX = A.matmat(X).data; for (let i = 0; i < R.length; i++) R[i] = R[i]! - AX[i]!; }
    const bnorm = new Float64Array(k);
    for (let j = 0; j < k; j++) { let s = 0; for (let i = 0; i < n; i++) s += B.data[j * n + i]! ** 2; bnorm[j] = Math.sqrt(s); }
    const Pm = alg.P;
    const precond = (Rm: Float64Array, cols: number): Float64Array => (Pm ? Pm.matmat({ rows: n, cols, data: Rm }).data as Float64Array : Rm.slice());
    let Z = precond(R, k);
    const Pd = Z.slice();
    const rz = new Float64Array(k);
    for (let j = 0; j < k; j++) { let s = 0; for (let i = 0; i < n; i++) s += R[j * n + i]! * Z[j * n + i]!; rz[j] = s; }
    const active: number[] = [];
    let breakdown = false;
    const done = (j: number) => { let s = 0; for (let i = 0; i < n; i++) s += R[j * n + i]! ** 2; return Math.sqrt(s) <= alg.tol * bnorm[j]! + alg.atol; };
    for (let j = 0; j < k; j++) if (bnorm[j]! > 0 && !done(j)) active.push(j);
    let it = 0;
    const buf = new Float64Array(n * k);
    while (active.length > 0 && it < alg.maxIters) {
      it++;
      const m = active.length;
      // Gather the active search directions into one block (no copy when all are active).
      let Pblock: Float64Array;
      if (m === k) Pblock = Pd;
      else { Pblock = buf.subarray(0, n * m); active.forEach((j, c) => Pblock.set(Pd.subarray(j * n, j * n + n), c * n)); }
      const AP = A.matmat({ rows: n, cols: m, data: Pblock }).data;
      const still: number[] = [];
      for (let c = 0; c < m; c++) {
        const j = active[c]!, o = j * n, ao = c * n;
        let pAp = 0;
        for (let i = 0; i < n; i++) pAp += Pd[o + i]! * AP[ao + i]!;
        if (!(pAp > 0)) { breakdown = true; continue; }
        const alpha = rz[j]! / pAp;
        for (let i = 0; i < n; i++) { X.data[o + i] = X.data[o + i]! + alpha * Pd[o + i]!; R[o + i] = R[o + i]! - alpha * AP[ao + i]!; }
        if (!done(j)) still.push(j);
      }
      active.length = 0;
      active.push(...still);
      if (active.length === 0) break;
      if (Pm) {
        const Rb = new Float64Array(n * active.length);
        active.forEach((j, c) => Rb.set(R.subarray(j * n, j * n + n), c * n));
        const Zb = precond(Rb, active.length);
        active.forEach((j, c) => Z.set(Zb.subarray(c * n, c * n + n), j * n));
      } else Z = R;
      for (const j of active) {
        const o = j * n;
        let s = 0;
        for (let i = 0; i < n; i++) s += R[o + i]! * Z[o + i]!;
        const beta = s / rz[j]!;
        rz[j] = s;
        for (let i = 0; i < n; i++) Pd[o + i] = Z[o + i]! + beta * Pd[o + i]!;
      }
    }
    // True residual, recomputed once at exit and reported per column.
    const AX = A.matmat(X).data;
    const residuals = new Float64Array(k);
    let converged = !breakdown;
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += (B.data[j * n + i]! - AX[j * n + i]!) ** 2;
      residuals[j] = bnorm[j]! > 0 ? Math.sqrt(s) / bnorm[j]! : Math.sqrt(s);
      // A little slack over tol: the recurrence residual and the true residual drift apart by rounding.
      if (!(Math.sqrt(s) <= 10 * (alg.tol * bnorm[j]! + alg.atol) + 1e-14 * bnorm[j]!)) converged = false;
    }
    const info: IterInfo = { iterations: it, residuals, converged, breakdown };
    if (alg.strict && !converged) throw new ConvergenceError(`CG: not converged after ${it} iterations (max residual ${Math.max(...residuals).toExponential(2)}, tol ${alg.tol}${breakdown ? ', breakdown: pᵀAp ≤ 0, the operator is not positive definite' : ''})`);
    return { X, info };
  });
}
