/**
 * Lanczos tridiagonalization (Lanczos 1950; Golub & Van Loan Alg. 10.1.1) with full re-orthogonalization by
 * classical Gram–Schmidt applied twice against the vectors built so far (O(n·j) at step j, not against a
 * preallocated basis). Returns Q (n×m) and T = tridiag(β, α, β).
 */
import type { LinearOperator } from '../operator.ts';

export interface LanczosResult { Q: Float64Array[]; alpha: Float64Array; beta: Float64Array; steps: number; breakdown: boolean }

export function lanczos(A: LinearOperator, start: ArrayLike<number>, m: number, reorth: 'full' | 'none' = 'full', tol = 1e-12): LanczosResult {
  const n = A.shape[0];
  const q0 = Float64Array.from(start as ArrayLike<number>);
  const s0 = nrm(q0);
  for (let i = 0; i < n; i++) q0[i] = q0[i]! / s0;
  const Q: Float64Array[] = [q0];
  const alpha = new Float64Array(m), beta = new Float64Array(m);
  let steps = 0, breakdown = false, tnorm = 0;
  for (let j = 0; j < m; j++) {
    const q = Q[j]!;
    const w = Float64Array.from(A.matmat({ rows: n, cols: 1, data: q }).data);
    let a = 0; for (let i = 0; i < n; i++) a += q[i]! * w[i]!;
    alpha[j] = a;
    for (let i = 0; i < n; i++) w[i] = w[i]! - a * q[i]! - (j > 0 ? beta[j - 1]! * Q[j - 1]![i]! : 0);
    if (reorth === 'full') for (let pass = 0; pass < 2; pass++) {
      for (const v of Q) { let h = 0; for (let i = 0; i < n; i++) h += v[i]! * w[i]!; for (let i = 0; i < n; i++) w[i] = w[i]! - h * v[i]!; }
    }
    const b = nrm(w);
    beta[j] = b;
    steps = j + 1;
    tnorm = Math.max(tnorm, Math.abs(a) + b + (j > 0 ? beta[j - 1]! : 0));
    if (b <= tol * tnorm || b === 0) { breakdown = true; break; }
    if (j + 1 < m) Q.push(w.map((v) => v / b));
  }
  return { Q, alpha: alpha.subarray(0, steps), beta: beta.subarray(0, steps), steps, breakdown };
}

export function nrm(v: ArrayLike<number>): number { let s = 0; for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!; return Math.sqrt(s); }
