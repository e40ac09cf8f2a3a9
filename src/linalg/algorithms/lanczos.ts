/**
 * Lanczos tridiagonalization (Lanczos 1950; Golub & Van Loan Alg. 10.1.1). Several start vectors run as independent
 * recurrences that share one block product per step (the SLQ probes, batched). Re-orthogonalization:
 * - 'full': classical Gram–Schmidt applied twice against the vectors built so far (O(n·j) at step j — never against
 *   a preallocated basis, CoLA's O(n·maxIters) per step);
 * - 'selective': Simon's ω-recurrence (partial re-orthogonalization, Simon 1984, Math. Comp. 42, eq. 2.5) estimates
 *   the loss of orthogonality |q_{j+1}ᵀq_k| from α, β alone; when the estimate passes √ε the new vector and the next
 *   one are re-orthogonalized fully (the two-step rule), otherwise no O(n·j) work is done;
 * - 'none': plain three-term recurrence.
 * Returns per start vector Q (n×m) and T = tridiag(β, α, β).
 */
import { operation } from '../kernels/staging.ts';
import type { LinearOperator } from '../operator.ts';
import type { Mat } from '../mat.ts';

export type Reorth = 'full' | 'selective' | 'none';
export interface LanczosResult { Q: Float64Array[]; alpha: Float64Array; beta: Float64Array; steps: number; breakdown: boolean; reorths: number }

const EPS = 2.220446049250313e-16;

export function lanczos(A: LinearOperator, start: ArrayLike<number>, m: number, reorth: Reorth = 'full', tol = 1e-12): LanczosResult {
  const n = A.shape[0];
  return lanczosBlock(A, { rows: n, cols: 1, data: Float64Array.from(start as ArrayLike<number>) }, m, reorth, tol)[0]!;
}

/** One Lanczos recurrence per column of Z, sharing each product with A. Zero columns return zero steps. */
export function lanczosBlock(A: LinearOperator, Z: Mat, m: number, reorth: Reorth = 'full', tol = 1e-12): LanczosResult[] {
  return operation(() => {
    const n = Z.rows, b = Z.cols;
    const sqrtEps = Math.sqrt(EPS), eps1 = EPS * Math.sqrt(n);
    const out: LanczosResult[] = [];
    // Per-column state.
    const Q: Float64Array[][] = [], alpha: Float64Array[] = [], beta: Float64Array[] = [], tnorm = new Float64Array(b);
    // ω estimates: omegaPrev[k] = q_{j−1}ᵀq_k, omegaCur[k] = q_jᵀq_k (selective only).
    const omPrev: Float64Array[] = [], omCur: Float64Array[] = [];
    const forceNext = new Uint8Array(b), reorths = new Int32Array(b), steps = new Int32Array(b), broke = new Uint8Array(b);
    const active: number[] = [];
    for (let c = 0; c < b; c++) {
      const q0 = new Float64Array(n); q0.set(Z.data.subarray(c * n, (c + 1) * n));
      const s = nrm(q0);
      Q.push([q0]); alpha.push(new Float64Array(m)); beta.push(new Float64Array(m));
      omPrev.push(new Float64Array(m + 1)); omCur.push(new Float64Array(m + 1));
      if (s === 0 || m === 0) { broke[c] = 1; continue; }
      for (let i = 0; i < n; i++) q0[i] = q0[i]! / s;
      omCur[c]![0] = 1;
      active.push(c);
    }
    const block = new Float64Array(n * b);
    for (let j = 0; j < m && active.length > 0; j++) {
      const k = active.length;
      active.forEach((c, t) => block.set(Q[c]![j]!, t * n));
      const W = A.matmat({ rows: n, cols: k, data: block.subarray(0, n * k) }).data;
      const still: number[] = [];
      for (let t = 0; t < k; t++) {
        const c = active[t]!, Qc = Q[c]!, q = Qc[j]!, al = alpha[c]!, be = beta[c]!;
        const w = new Float64Array(n); w.set(W.subarray(t * n, (t + 1) * n));
        let a = 0; for (let i = 0; i < n; i++) a += q[i]! * w[i]!;
        al[j] = a;
        const bPrev = j > 0 ? be[j - 1]! : 0, qPrev = j > 0 ? Qc[j - 1]! : null;
        if (qPrev) for (let i = 0; i < n; i++) w[i] = w[i]! - a * q[i]! - bPrev * qPrev[i]!;
        else for (let i = 0; i < n; i++) w[i] = w[i]! - a * q[i]!;
        let bn = nrm(w);
        let doFull = reorth === 'full';
        if (reorth === 'selective') {
          // ω_{j+1,k} from Simon's recurrence; the new row replaces omPrev (rolled below).
          const wPrev = omPrev[c]!, wCur = omCur[c]!, wNew = new Float64Array(m + 1);
          let worst = 0;
          for (let kk = 0; kk < j; kk++) {
            const bk = kk > 0 ? be[kk - 1]! : 0;
            let v = be[kk]! * wCur[kk + 1]! + (al[kk]! - a) * wCur[kk]! + bk * (kk > 0 ? wCur[kk - 1]! : 0) - bPrev * wPrev[kk]!;
            v = (v + Math.sign(v || 1) * eps1 * (be[kk]! + bn)) / Math.max(bn, 1e-300);
            wNew[kk] = v;
            worst = Math.max(worst, Math.abs(v));
          }
          wNew[j] = eps1; wNew[j + 1] = 1;
          if (worst > sqrtEps || forceNext[c]) {
            doFull = true;
            // Two-step rule: the vector after a re-orthogonalized one is re-orthogonalized too.
            forceNext[c] = forceNext[c] ? 0 : 1;
            for (let kk = 0; kk <= j; kk++) wNew[kk] = eps1;
          }
          omPrev[c] = wCur; omCur[c] = wNew;
        }
        if (doFull) {
          reorths[c] = reorths[c]! + 1;
          cgs2(Qc, j + 1, w, n);
          bn = nrm(w);
        }
        be[j] = bn;
        steps[c] = j + 1;
        tnorm[c] = Math.max(tnorm[c]!, Math.abs(a) + bn + bPrev);
        if (bn <= tol * tnorm[c]! || bn === 0) { broke[c] = 1; continue; }
        if (j + 1 < m) { for (let i = 0; i < n; i++) w[i] = w[i]! / bn; Qc.push(w); still.push(c); }
      }
      active.length = 0; active.push(...still);
    }
    for (let c = 0; c < b; c++) {
      const s = steps[c]!;
      out.push({ Q: Q[c]!.slice(0, Math.max(s, 1)), alpha: alpha[c]!.subarray(0, s), beta: beta[c]!.subarray(0, s), steps: s, breakdown: !!broke[c], reorths: reorths[c]! });
    }
    return out;
  });
}

/** w ← (I − QQᵀ)w twice over the first `count` vectors (classical Gram–Schmidt, "twice is enough"). */
function cgs2(Q: Float64Array[], count: number, w: Float64Array, n: number): void {
  const h = new Float64Array(count);
  for (let pass = 0; pass < 2; pass++) {
    for (let k = 0; k < count; k++) { const v = Q[k]!; let s = 0; for (let i = 0; i < n; i++) s += v[i]! * w[i]!; h[k] = s; }
    for (let k = 0; k < count; k++) { const v = Q[k]!, s = h[k]!; if (s !== 0) for (let i = 0; i < n; i++) w[i] = w[i]! - s * v[i]!; }
  }
}

export function nrm(v: ArrayLike<number>): number { let s = 0; for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!; return Math.sqrt(s); }
