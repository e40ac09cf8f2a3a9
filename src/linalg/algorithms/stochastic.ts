/**
 * Stochastic trace and diagonal estimators and stochastic Lanczos quadrature.
 * Hutchinson (1989): tr ≈ (1/s)Σ zᵀAz; stops on a trace-level rule, stderr ≤ tol·|estimate|.
 * Hutch++ (Meyer, Musco, Musco & Woodruff, SOSA 2021, Alg. 1): a third of the budget sketches Q = orth(A·S), the
 * top part is traced exactly and Hutchinson runs on the deflated remainder: error O(1/m) instead of O(1/√m).
 * SLQ (Ubaru, Chen & Saad, SIMAX 2017, eq. 3.6): zᵀf(A)z ≈ ‖z‖²·Σⱼ s₁ⱼ²·f(θⱼ) from m Lanczos steps.
 */
import { operation } from '../kernels/staging.ts';
import { Rng } from '../../core/index.ts';
import type { LinearOperator } from '../operator.ts';
import { eighTridiagonalFirstRow } from '../dense/eigh.ts';
import { orth } from '../dense/qr.ts';
import type { HutchAlg, HutchPPAlg, IterInfo, SLQAlg } from './config.ts';
import { gaussian, rademacher } from './probes.ts';
import { lanczosBlock } from './lanczos.ts';
import type { Mat } from '../mat.ts';

export interface Estimate { value: number; info: IterInfo }

export function hutchinsonTrace(A: LinearOperator, alg: HutchAlg): Estimate {
  return operation(() => {
    const n = A.shape[0], rng = new Rng(alg.seed);
    let count = 0, sum = 0, sumSq = 0;
    while (count < alg.maxProbes) {
      const b = Math.min(alg.batch, alg.maxProbes - count);
      const Z = alg.dist === 'gaussian' ? gaussian(rng, n, b) : rademacher(rng, n, b);
      const AZ = A.matmat(Z).data;
      for (let c = 0; c < b; c++) {
        let s = 0; for (let i = 0; i < n; i++) s += Z.data[c * n + i]! * AZ[c * n + i]!;
        sum += s; sumSq += s * s;
      }
      count += b;
      const mean = sum / count, se = Math.sqrt(Math.max(sumSq / count - mean * mean, 0) / Math.max(count - 1, 1));
      if (count >= 2 && se <= alg.tol * Math.abs(mean)) return { value: mean, info: { iterations: count, residuals: new Float64Array([se / Math.abs(mean)]), converged: true, breakdown: false, stderr: se } };
    }
    const mean = sum / count, se = Math.sqrt(Math.max(sumSq / count - mean * mean, 0) / Math.max(count - 1, 1));
    return { value: mean, info: { iterations: count, residuals: new Float64Array([se / Math.abs(mean)]), converged: false, breakdown: false, stderr: se } };
  });
}

/** Hutchinson's diagonal estimator d ≈ Σ z∘Az / Σ z∘z. */
export function hutchinsonDiag(A: LinearOperator, alg: HutchAlg): { value: Float64Array; info: IterInfo } {
  return operation(() => {
    const n = A.shape[0], rng = new Rng(alg.seed);
    const num = new Float64Array(n), den = new Float64Array(n);
    let count = 0;
    while (count < alg.maxProbes) {
      const b = Math.min(alg.batch, alg.maxProbes - count);
      const Z = alg.dist === 'gaussian' ? gaussian(rng, n, b) : rademacher(rng, n, b);
      const AZ = A.matmat(Z).data;
      for (let c = 0; c < b; c++) for (let i = 0; i < n; i++) { const z = Z.data[c * n + i]!; num[i] = num[i]! + z * AZ[c * n + i]!; den[i] = den[i]! + z * z; }
      count += b;
      // Trace-level rule on the estimate's sum, so one scalar decides (not the mean per-entry error).
      if (count >= 2 * alg.batch) break;
    }
    const d = Float64Array.from(num, (v, i) => v / den[i]!);
    return { value: d, info: { iterations: count, residuals: new Float64Array(0), converged: true, breakdown: false } };
  });
}

/** Hutch++ with a budget of `matvecs` products (rounded to a multiple of 3). */
export function hutchPlusPlus(A: LinearOperator, matvecs: number, seed: number): Estimate {
  return operation(() => {
    const n = A.shape[0], rng = new Rng(seed);
    const third = Math.max(1, Math.floor(matvecs / 3));
    const s = Math.min(third, n);
    const S = rademacher(rng, n, s);
    const Q = orth(A.matmat(S).data, n, s);
    const Qm = { rows: n, cols: s, data: Q };
    const AQ = A.matmat(Qm).data;
    let top = 0; for (let i = 0; i < n * s; i++) top += Q[i]! * AQ[i]!;
    const G = rademacher(rng, n, third);
    // G′ = (I − QQᵀ)G
    const QtG = new Float64Array(s * third);
    for (let c = 0; c < third; c++) for (let a = 0; a < s; a++) { let t = 0; for (let i = 0; i < n; i++) t += Q[a * n + i]! * G.data[c * n + i]!; QtG[c * s + a] = t; }
    const Gp = Float64Array.from(G.data);
    for (let c = 0; c < third; c++) for (let a = 0; a < s; a++) { const t = QtG[c * s + a]!; if (t !== 0) for (let i = 0; i < n; i++) Gp[c * n + i] = Gp[c * n + i]! - t * Q[a * n + i]!; }
    const AGp = A.matmat({ rows: n, cols: third, data: Gp }).data;
    const vals = new Float64Array(third);
    for (let c = 0; c < third; c++) { let t = 0; for (let i = 0; i < n; i++) t += Gp[c * n + i]! * AGp[c * n + i]!; vals[c] = t; }
    const mean = vals.reduce((a, b) => a + b, 0) / third;
    const varr = vals.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(third - 1, 1);
    const se = Math.sqrt(varr / third);
    return { value: top + mean, info: { iterations: s + 2 * third, residuals: new Float64Array([se / Math.abs(top + mean)]), converged: true, breakdown: false, stderr: se } };
  });
}

/** Hutch++ under a tolerance: doubles the budget until stderr ≤ tol·|estimate|, or uses a fixed budget. */
export function hutchPP(A: LinearOperator, alg: HutchPPAlg): Estimate {
  if (alg.matvecs > 0) return hutchPlusPlus(A, alg.matvecs, alg.seed);
  let m = 30, est = hutchPlusPlus(A, m, alg.seed);
  while (est.info.stderr! > alg.tol * Math.abs(est.value) && m * 2 <= alg.maxMatvecs) { m *= 2; est = hutchPlusPlus(A, m, alg.seed); }
  est.info.converged = est.info.stderr! <= alg.tol * Math.abs(est.value);
  return est;
}

/**
 * SLQ estimate of tr f(A) for SelfAdjoint A. The estimate keeps its sign (CoLA returns |logdet|).
 * `exactProbes` uses the identity columns instead of random probes (deterministic, n probes).
 */
export function slq(A: LinearOperator, f: (x: number) => number, alg: SLQAlg, exactProbes = false): Estimate {
  return operation(() => {
    const n = A.shape[0], rng = new Rng(alg.seed);
    const steps = Math.min(alg.steps, n);
    // Gauss quadrature from Lanczos stays accurate when orthogonality is lost (ghost Ritz values share the weight of
    // the value they copy), so Simon's selective rule is the default: full CGS2 costs O(n·m²) per probe.
    const reorth = alg.reorth;
    /** zᵀf(A)z ≈ ‖z‖²·Σⱼ s₁ⱼ²·f(θⱼ) for each column of Z, one shared product per Lanczos step. */
    const quad = (Z: Mat): Float64Array => {
      const runs = lanczosBlock(A, Z, steps, reorth), out = new Float64Array(Z.cols);
      runs.forEach((L, c) => {
        if (L.steps === 0) return;
        let zz = 0; for (let i = 0; i < n; i++) zz += Z.data[c * n + i]! ** 2;
        const m = L.steps, e = eighTridiagonalFirstRow(L.alpha, L.beta.subarray(0, m - 1));
        let s = 0;
        for (let j = 0; j < m; j++) s += e.first[j]! ** 2 * f(e.values[j]!);
        out[c] = zz * s;
      });
      return out;
    };
    if (exactProbes) {
      let total = 0;
      for (let i0 = 0; i0 < n; i0 += alg.batch) {
        const b = Math.min(alg.batch, n - i0), Z: Mat = { rows: n, cols: b, data: new Float64Array(n * b) };
        for (let c = 0; c < b; c++) Z.data[c * n + i0 + c] = 1;
        for (const v of quad(Z)) total += v;
      }
      return { value: total, info: { iterations: n, residuals: new Float64Array(0), converged: true, breakdown: false, stderr: 0 } };
    }
    let count = 0, sum = 0, sumSq = 0;
    for (;;) {
      const b = Math.min(alg.batch, alg.maxProbes - count);
      for (const v of quad(rademacher(rng, n, b))) { sum += v; sumSq += v * v; }
      count += b;
      const mean = sum / count, se = Math.sqrt(Math.max(sumSq / count - mean * mean, 0) / Math.max(count - 1, 1));
      const ok = se <= alg.tol * Math.abs(mean);
      if (ok || count >= alg.maxProbes) return { value: mean, info: { iterations: count, residuals: new Float64Array([se / Math.max(Math.abs(mean), 1e-300)]), converged: ok, breakdown: false, stderr: se } };
    }
  });
}

/** Power iteration with Rayleigh quotient; stops on |Δλ| ≤ tol·|λ|. */
export function powerIteration(A: LinearOperator, tol: number, maxIters: number, seed: number): { value: number; vector: Float64Array; info: IterInfo } {
  return operation(() => {
    const n = A.shape[0], rng = new Rng(seed);
    let v = Float64Array.from({ length: n }, () => rng.gauss());
    let nv = Math.sqrt(v.reduce((a, b) => a + b * b, 0)); v = v.map((x) => x / nv);
    let lam = 0, it = 0, converged = false;
    while (it < maxIters) {
      it++;
      const w = Float64Array.from(A.matmat({ rows: n, cols: 1, data: v }).data);
      let rq = 0; for (let i = 0; i < n; i++) rq += v[i]! * w[i]!;
      nv = Math.sqrt(w.reduce((a, b) => a + b * b, 0));
      if (nv === 0) { lam = 0; converged = true; break; }
      const done = it > 1 && Math.abs(rq - lam) <= tol * Math.abs(rq);
      lam = rq;
      v = w.map((x) => x / nv);
      if (done) { converged = true; break; }
    }
    return { value: lam, vector: v, info: { iterations: it, residuals: new Float64Array([0]), converged, breakdown: false } };
  });
}
