/**
 * Restarted, right-preconditioned GMRES (Saad & Schultz 1986; Saad, Iterative Methods, Alg. 9.5): Arnoldi with
 * modified Gram–Schmidt plus one DGKS re-orthogonalization pass, Givens rotations so the residual norm is known at
 * every step, restart every `restart` steps (memory O(n·restart)). Solves A·P·y = b, x = P·y, so the monitored
 * residual is the true one.
 */
import { operation } from '../kernels/staging.ts';
import { ConvergenceError } from '../errors.ts';
import type { LinearOperator } from '../operator.ts';
import { zerosMat, type Mat } from '../mat.ts';
import type { GMRESAlg, IterInfo } from './config.ts';

export function gmres(A: LinearOperator, B: Mat, alg: GMRESAlg): { X: Mat; info: IterInfo } {
  return operation(() => {
    const n = B.rows, k = B.cols;
    const X = zerosMat(n, k, 'float64');
    const residuals = new Float64Array(k);
    let iterations = 0, converged = true;
    const applyP = (v: Float64Array): Float64Array => (alg.P ? alg.P.matmat({ rows: n, cols: 1, data: v }).data as Float64Array : v);
    const applyA = (v: Float64Array): Float64Array => A.matmat({ rows: n, cols: 1, data: v }).data as Float64Array;
    for (let col = 0; col < k; col++) {
      const b = B.data.subarray(col * n, (col + 1) * n);
      const x = X.data.subarray(col * n, (col + 1) * n) as Float64Array;
      if (alg.x0) x.set(alg.x0.data.subarray(col * n, (col + 1) * n));
      const bn = norm(b);
      if (bn === 0) { x.fill(0); continue; }
      let its = 0, ok = false;
      while (its < alg.maxIters) {
        const Ax = applyA(x);
        const r = new Float64Array(n);
        for (let i = 0; i < n; i++) r[i] = b[i]! - Ax[i]!;
        const beta = norm(r);
        if (beta <= alg.tol * bn) { ok = true; break; }
        const m = Math.min(alg.restart, alg.maxIters - its);
        const V: Float64Array[] = [r.map((v) => v / beta)];
        const H = new Float64Array((m + 1) * m); // column-major (m+1)×m
        const cs = new Float64Array(m), sn = new Float64Array(m), g = new Float64Array(m + 1);
        g[0] = beta;
        let j = 0;
        for (; j < m; j++) {
          its++;
          const w = applyA(applyP(V[j]!));
          const hc = j * (m + 1);
          for (let pass = 0; pass < 2; pass++) {
            for (let i = 0; i <= j; i++) {
              const vi = V[i]!;
              let h = 0; for (let t = 0; t < n; t++) h += vi[t]! * w[t]!;
              H[hc + i] = H[hc + i]! + h;
              for (let t = 0; t < n; t++) w[t] = w[t]! - h * vi[t]!;
            }
          }
          const hn = norm(w);
          H[hc + j + 1] = hn;
          for (let i = 0; i < j; i++) {
            const a = H[hc + i]!, bb = H[hc + i + 1]!;
            H[hc + i] = cs[i]! * a + sn[i]! * bb;
            H[hc + i + 1] = -sn[i]! * a + cs[i]! * bb;
          }
          const a = H[hc + j]!, bb = H[hc + j + 1]!, rr = Math.hypot(a, bb);
          cs[j] = rr === 0 ? 1 : a / rr; sn[j] = rr === 0 ? 0 : bb / rr;
          H[hc + j] = rr; H[hc + j + 1] = 0;
          g[j + 1] = -sn[j]! * g[j]!; g[j] = cs[j]! * g[j]!;
          const happy = hn <= 1e-14 * beta;
          if (!happy) V.push(w.map((v) => v / hn));
          if (Math.abs(g[j + 1]!) <= alg.tol * bn || happy) { j++; break; }
        }
        // y = R⁻¹g (upper triangular back substitution), x += P·(V·y).
        const y = new Float64Array(j);
        for (let i = j - 1; i >= 0; i--) {
          let s = g[i]!;
          for (let c = i + 1; c < j; c++) s -= H[c * (m + 1) + i]! * y[c]!;
          y[i] = H[i * (m + 1) + i] === 0 ? 0 : s / H[i * (m + 1) + i]!;
        }
        const u = new Float64Array(n);
        for (let c = 0; c < j; c++) { const vc = V[c]!, yc = y[c]!; for (let t = 0; t < n; t++) u[t] = u[t]! + yc * vc[t]!; }
        const du = applyP(u);
        for (let t = 0; t < n; t++) x[t] = x[t]! + du[t]!;
      }
      iterations = Math.max(iterations, its);
      const Ax = applyA(x);
      let s = 0; for (let i = 0; i < n; i++) s += (b[i]! - Ax[i]!) ** 2;
      residuals[col] = Math.sqrt(s) / bn;
      if (!ok && !(residuals[col]! <= alg.tol * 10)) converged = false;
    }
    const info: IterInfo = { iterations, residuals, converged, breakdown: false };
    if (alg.strict && !converged) throw new ConvergenceError(`GMRES: not converged after ${iterations} iterations (max residual ${Math.max(...residuals).toExponential(2)}, tol ${alg.tol})`);
    return { X, info };
  });
}

function norm(v: ArrayLike<number>): number { let s = 0; for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!; return Math.sqrt(s); }
