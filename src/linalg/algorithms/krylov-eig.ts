/**
 * Restarted Krylov eigensolver for a few eigenpairs: Krylov–Schur style (Stewart 2001) with a dense projected
 * matrix. Expand the basis by Arnoldi with two Gram–Schmidt passes to the window m, take the Ritz pairs of
 * H = VᵀAV (eigh when A is SelfAdjoint — thick-restart Lanczos, Wu & Simon 2000 — else the dense Francis eig),
 * keep the wanted k + ⌈k/2⌉ (an orthonormal basis of their invariant subspace) plus the residual direction, and
 * repeat until every wanted Ritz residual ‖f‖·|e_mᵀy| ≤ tol·max(|θ|, ε‖H‖). Ritz values are selected by the
 * `which` key (CoLA leaves Arnoldi values unsorted, so its SM returned the largest).
 */
import { operation } from '../kernels/staging.ts';
import { Rng } from '../../core/index.ts';
import type { LinearOperator } from '../operator.ts';
import { eigh } from '../dense/eigh.ts';
import { eigGeneral } from '../dense/eig.ts';
import { qr } from '../dense/qr.ts';
import type { IterInfo } from './config.ts';
import { cgsDGKS, dot, norm2 } from '../blas.ts';
import { matmulMat } from '../mat.ts';
import { KrylovBlock } from '../kernels/staged.ts';

export type Which = 'LA' | 'SA' | 'LM' | 'SM';

export interface KrylovEigResult { values: Float64Array; valuesIm: Float64Array; vectors: Float64Array; info: IterInfo }

/** Indices of the k wanted values out of (re, im), best first. */
export function selectWhich(re: ArrayLike<number>, im: ArrayLike<number>, k: number, which: Which): number[] {
  const idx = Array.from({ length: re.length }, (_, i) => i);
  const key = (i: number) => {
    switch (which) {
      case 'LA': return -re[i]!;
      case 'SA': return re[i]!;
      case 'LM': return -Math.hypot(re[i]!, im[i]!);
      case 'SM': return Math.hypot(re[i]!, im[i]!);
    }
  };
  idx.sort((a, b) => key(a) - key(b) || a - b);
  return idx.slice(0, k);
}

export function krylovEig(A: LinearOperator, k: number, which: Which, opts: { symmetric: boolean; tol: number; window?: number; maxRestarts: number; seed: number; start: ArrayLike<number> | null }): KrylovEigResult {
  return operation(() => {
    const n = A.shape[0];
    const m = Math.min(n, opts.window ?? defaultWindow(k));
    const keep = Math.min(m - 1, k + Math.ceil(k / 2));
    const rng = new Rng(opts.seed);
    // The basis lives in one column-major block so that Ritz vectors (V·Y) go through the core gemm.
    // Long vectors live in a WebAssembly SIMD workspace whose multi-vector dot/axpy kernels carry the Gram–Schmidt
    // passes (≈ 3× the JS loops at n = 10⁵); short ones stay in a plain array.
    const kb = n >= KB_MIN ? KrylovBlock.create(n, m + 1) : null;
    const Vbuf = kb ? kb.V : new Float64Array(n * (m + 1));
    const col = (j: number): Float64Array => Vbuf.subarray(j * n, (j + 1) * n);
    const v0 = col(0);
    if (opts.start) v0.set(opts.start); else for (let i = 0; i < n; i++) v0[i] = rng.gauss();
    const s0 = norm2(v0, n); for (let i = 0; i < n; i++) v0[i] = v0[i]! / s0;
    const V: Float64Array[] = [v0];
    const basisTimes = (Y: Float64Array, size: number, cols: number): Float64Array =>
      matmulMat({ rows: n, cols: size, data: Vbuf.subarray(0, n * size) }, { rows: size, cols, data: Y }).data as Float64Array;
    // H is kept dense (m+1)×m, column-major with leading dimension m+1.
    let H = new Float64Array((m + 1) * m);
    const ld = m + 1;
    let p = 0; // vectors whose columns of H are known
    let restarts = 0, matvecs = 0;
    let f: Float64Array = new Float64Array(n), fnorm = 0;
    let result: KrylovEigResult | null = null;
    const pre = new Float64Array(2);
    for (;;) {
      // Expand from p to m columns.
      let invariant = false;
      for (let j = p; j < m; j++) {
        const r = A.matmat({ rows: n, cols: 1, data: V[j]! }).data;
        // The product is used in place unless it aliases the basis (Identity returns its input) or is float32.
        let w: Float64Array;
        if (kb) { w = kb.w; w.set(r); }
        else if (r instanceof Float64Array && r.buffer !== Vbuf.buffer) w = r; else { w = new Float64Array(n); w.set(r); }
        matvecs++;
        // Column j of H = Vᵀ·A·v_j by classical Gram–Schmidt against the whole basis. For a SelfAdjoint A the two
        // large components (v_j, v_{j−1}) are removed first, so the full pass only corrects rounding and the DGKS test
        // rarely asks for a second one; otherwise one pass plus DGKS.
        const hcol = H.subarray(j * ld, j * ld + j + 1);
        let before: number;
        if (opts.symmetric && kb) {
          // Both at once (classical, v_{j−1} ⊥ v_j to rounding) in the workspace's kernels.
          const lo = j > 0 ? j - 1 : j, cnt = j + 1 - lo;
          kb.dot(cnt, pre, lo); kb.axpy(cnt, pre, lo);
          for (let t = 0; t < cnt; t++) hcol[lo + t] = hcol[lo + t]! + pre[t]!;
          before = norm2(w, n);
        } else if (opts.symmetric) {
          for (const i of j > 0 ? [j, j - 1] : [j]) {
            const vi = V[i]!, h = dot(vi, w, n);
            hcol[i] = hcol[i]! + h;
            for (let t = 0; t < n; t++) w[t] = w[t]! - h * vi[t]!;
          }
          before = norm2(w, n);
        } else before = norm2(w, n);
        const hn = kb ? blockDGKS(kb, j + 1, hcol, before) : cgsDGKS(V, j + 1, w, n, hcol, before);
        H[j * ld + j + 1] = hn;
        f = w; fnorm = hn;
        p = j + 1;
        if (hn <= 1e-13 * hNorm(H, ld, p)) { invariant = true; break; }
        if (j + 1 < m) { const q = col(j + 1); for (let i = 0; i < n; i++) q[i] = w[i]! / hn; V.push(q); }
      }
      const size = p;
      const Hs = new Float64Array(size * size);
      for (let c = 0; c < size; c++) for (let r = 0; r < size; r++) Hs[c * size + r] = H[c * ld + r]!;
      let re: Float64Array, im: Float64Array, Y: Float64Array;
      if (opts.symmetric) {
        for (let c = 0; c < size; c++) for (let r = c + 1; r < size; r++) { const s = (Hs[c * size + r]! + Hs[r * size + c]!) / 2; Hs[c * size + r] = s; Hs[r * size + c] = s; }
        const e = eigh(Hs, size);
        re = e.values; im = new Float64Array(size); Y = e.vectors!;
      } else {
        const e = eigGeneral(Hs, size);
        re = e.re; im = e.im; Y = e.vectors!;
      }
      const want = selectWhich(re, im, Math.min(k, size), which);
      const hn = hNorm(H, ld, size);
      const resid = (i: number) => {
        // Ritz residual ‖f‖·|e_mᵀ y| (for a complex pair, the modulus of the complex last component).
        const last = Y[i * size + size - 1]!;
        if (im[i] === 0) return fnorm * Math.abs(last);
        const partner = im[i]! > 0 ? i + 1 : i - 1;
        return fnorm * Math.hypot(last, Y[partner * size + size - 1]!);
      };
      const eps = 2.2e-16;
      const conv = want.map((i) => invariant || resid(i) <= opts.tol * Math.max(Math.hypot(re[i]!, im[i]!), eps * hn));
      const allConv = conv.every(Boolean);
      if (allConv || restarts >= opts.maxRestarts || size < m || m >= n) {
        // Ritz vectors x = V·y, for the selected values (complex pairs: real part, imaginary part).
        const kk = want.length;
        const vecs = new Float64Array(n * kk);
        const vals = new Float64Array(kk), valsIm = new Float64Array(kk);
        // Real-pair convention: column i of Y is the real part (im > 0) or the imaginary part (im < 0) of the pair.
        const Ysel = new Float64Array(size * kk);
        want.forEach((i, c) => { vals[c] = re[i]!; valsIm[c] = im[i]!; Ysel.set(Y.subarray(i * size, (i + 1) * size), c * size); });
        vecs.set(basisTimes(Ysel, size, kk));
        const residuals = Float64Array.from(want, (i) => resid(i) / Math.max(Math.hypot(re[i]!, im[i]!), eps * hn));
        result = { values: vals, valuesIm: valsIm, vectors: vecs, info: { iterations: matvecs, residuals, converged: allConv || size < m || m >= n, breakdown: invariant } };
        break;
      }
      restarts++;
      // Thick restart: an orthonormal basis W = V·Q of the wanted (keep) Ritz vectors, then [W, f/‖f‖].
      const keepIdx = selectWhich(re, im, keep, which);
      // A complex pair must be kept whole (its real and imaginary vectors span the invariant subspace).
      const cols: number[] = [];
      for (const i of keepIdx) {
        if (cols.includes(i)) continue;
        cols.push(i);
        if (im[i]! > 0 && i + 1 < size) cols.push(i + 1);
        else if (im[i]! < 0) cols.push(i - 1);
      }
      const kq = cols.length;
      const Yk = new Float64Array(size * kq);
      cols.forEach((i, c) => Yk.set(Y.subarray(i * size, (i + 1) * size), c * size));
      const Qy = qr(Yk, size, kq).Q; // size×kq orthonormal, spans the invariant subspace
      const newV = basisTimes(Qy, size, kq);
      // Projected matrix of the kept block: QyᵀHQy, and the coupling row ‖f‖·e_mᵀQy.
      const HQ = new Float64Array(size * kq);
      for (let c = 0; c < kq; c++) for (let t = 0; t < size; t++) {
        const y = Qy[c * size + t]!;
        if (y !== 0) for (let r = 0; r < size; r++) HQ[c * size + r] = HQ[c * size + r]! + Hs[t * size + r]! * y;
      }
      const H2 = new Float64Array((m + 1) * m);
      for (let c = 0; c < kq; c++) {
        for (let r = 0; r < kq; r++) { let s = 0; for (let t = 0; t < size; t++) s += Qy[r * size + t]! * HQ[c * size + t]!; H2[c * ld + r] = s; }
        H2[c * ld + kq] = fnorm * Qy[c * size + size - 1]!;
      }
      H = H2;
      V.length = 0;
      Vbuf.set(newV, 0);
      const fq = col(kq); for (let i = 0; i < n; i++) fq[i] = f[i]! / fnorm;
      V.length = 0;
      for (let c = 0; c <= kq; c++) V.push(col(c));
      p = kq;
    }
    return result!;
  });
}

const KB_MIN = 4096;

/**
 * Default thick-restart window: 2k+1, at least 30. With 20 (ARPACK's ncv) a top-10 restart keeps 15 and adds only 5
 * new vectors, so the 10⁵-node Laplacian took 345 products in ≈ 55 restarts (each an n×m·m×keep basis product); with
 * 30 it takes 270 products in ≈ 16 restarts, and the longer Gram–Schmidt per step costs less than that saves.
 */
export function defaultWindow(k: number): number { return Math.max(2 * k + 1, 30); }

/** cgsDGKS on the workspace's w: one classical Gram–Schmidt pass, a second when ‖w‖ fell below ‖w₀‖/√2. */
function blockDGKS(kb: KrylovBlock, count: number, h: Float64Array, before: number): number {
  const t = new Float64Array(count);
  let after = 0;
  for (let pass = 0; pass < 2; pass++) {
    kb.dot(count, t); kb.axpy(count, t);
    for (let i = 0; i < count; i++) h[i] = h[i]! + t[i]!;
    after = norm2(kb.w, kb.n);
    if (after >= Math.SQRT1_2 * before) break;
  }
  return after;
}

function hNorm(H: Float64Array, ld: number, p: number): number {
  let s = 0;
  for (let c = 0; c < p; c++) for (let r = 0; r <= Math.min(p, ld - 1); r++) s += H[c * ld + r]! ** 2;
  return Math.sqrt(s);
}
