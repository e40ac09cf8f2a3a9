/**
 * Non-symmetric eigenvalues: Householder reduction to upper Hessenberg form, then the implicit double-shift (Francis)
 * QR iteration with deflation (Golub & Van Loan Alg. 7.4.2, 7.5.1–7.5.2). Eigenvectors by inverse iteration on the
 * original matrix: a real eigenvalue solves (A − λI)x = b, a complex pair a ± ib the real 2n×2n system
 * [[A − aI, bI], [−bI, A − aI]]; vectors follow LAPACK's real-pair convention (real part, imaginary part).
 * Inverse iteration costs O(n³) per eigenvalue, so vectors are meant for the small matrices (n ≲ 200) this
 * module hands to the dense path (Arnoldi's Hessenberg, small operators).
 */
import { RuntimeFailure } from '../../core/index.ts';
import { luFactor, luSolve } from './lu.ts';

export interface EigResult { re: Float64Array; im: Float64Array; vectors: Float64Array | null }

export function hessenberg(a: ArrayLike<number>, n: number): Float64Array {
  const H = Float64Array.from(a as ArrayLike<number>);
  const v = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    let s = 0;
    for (let i = k + 1; i < n; i++) s += H[k * n + i]! ** 2;
    const alpha = Math.sqrt(s);
    if (alpha === 0) continue;
    const x0 = H[k * n + k + 1]!;
    for (let i = k + 1; i < n; i++) v[i] = H[k * n + i]!;
    v[k + 1] = x0 + (x0 >= 0 ? alpha : -alpha);
    let vn = 0; for (let i = k + 1; i < n; i++) vn += v[i]! ** 2;
    const beta = 2 / vn;
    for (let j = k; j < n; j++) {
      let t = 0; for (let i = k + 1; i < n; i++) t += v[i]! * H[j * n + i]!;
      t *= beta;
      for (let i = k + 1; i < n; i++) H[j * n + i] = H[j * n + i]! - t * v[i]!;
    }
    for (let i = 0; i < n; i++) {
      let t = 0; for (let j = k + 1; j < n; j++) t += H[j * n + i]! * v[j]!;
      t *= beta;
      for (let j = k + 1; j < n; j++) H[j * n + i] = H[j * n + i]! - t * v[j]!;
    }
    for (let i = k + 2; i < n; i++) H[k * n + i] = 0;
  }
  return H;
}

/** Eigenvalues of an upper Hessenberg matrix (destroys H). */
export function hessenbergEigenvalues(H: Float64Array, n: number): { re: Float64Array; im: Float64Array } {
  const re = new Float64Array(n), im = new Float64Array(n);
  const at = (i: number, j: number) => j * n + i;
  let norm = 0; for (let i = 0; i < H.length; i++) norm += Math.abs(H[i]!);
  const eps = 2 ** -52;
  let hi = n - 1, iter = 0, total = 0;
  while (hi >= 0) {
    let l = hi;
    while (l > 0) {
      let s = Math.abs(H[at(l - 1, l - 1)]!) + Math.abs(H[at(l, l)]!);
      if (s === 0) s = norm;
      if (Math.abs(H[at(l, l - 1)]!) <= eps * s) { H[at(l, l - 1)] = 0; break; }
      l--;
    }
    if (l === hi) { re[hi] = H[at(hi, hi)]!; im[hi] = 0; hi--; iter = 0; continue; }
    if (l === hi - 1) {
      const a = H[at(hi - 1, hi - 1)]!, b = H[at(hi - 1, hi)]!, c = H[at(hi, hi - 1)]!, d = H[at(hi, hi)]!;
      const mean = (a + d) / 2, p = (a - d) / 2, disc = p * p + b * c;
      if (disc >= 0) {
        // λ = mean ± √disc, the smaller-magnitude root from the product to avoid cancellation.
        const r = Math.sqrt(disc), big = mean + (mean >= 0 ? r : -r);
        const prod = a * d - b * c;
        re[hi - 1] = big; re[hi] = big !== 0 ? prod / big : mean - (mean >= 0 ? r : -r);
        im[hi - 1] = 0; im[hi] = 0;
      } else {
        const r = Math.sqrt(-disc);
        re[hi - 1] = mean; re[hi] = mean; im[hi - 1] = r; im[hi] = -r;
      }
      hi -= 2; iter = 0; continue;
    }
    iter++; total++;
    if (total > 100 * n + 1000) throw new RuntimeFailure(`eig: the Francis QR iteration did not converge (n = ${n})`);
    let sum: number, prod: number;
    if (iter % 11 === 10) {
      // Exceptional shift breaks the rare cycles of the standard double shift.
      const s = Math.abs(H[at(hi, hi - 1)]!) + Math.abs(H[at(hi - 1, hi - 2)]!);
      sum = 1.5 * s; prod = s * s;
    } else {
      const a = H[at(hi - 1, hi - 1)]!, b = H[at(hi - 1, hi)]!, c = H[at(hi, hi - 1)]!, d = H[at(hi, hi)]!;
      sum = a + d; prod = a * d - b * c;
    }
    let x = H[at(l, l)]! * H[at(l, l)]! + H[at(l, l + 1)]! * H[at(l + 1, l)]! - sum * H[at(l, l)]! + prod;
    let y = H[at(l + 1, l)]! * (H[at(l, l)]! + H[at(l + 1, l + 1)]! - sum);
    let z = H[at(l + 1, l)]! * H[at(l + 2, l + 1)]!;
    for (let k = l; k <= hi - 1; k++) {
      const three = k < hi - 1;
      const nv = three ? Math.hypot(x, y, z) : Math.hypot(x, y);
      if (nv !== 0) {
        const alpha = x >= 0 ? -nv : nv;
        const v0 = x - alpha, v1 = y, v2 = three ? z : 0;
        const beta = 2 / (v0 * v0 + v1 * v1 + v2 * v2);
        const c0 = Math.max(l, k - 1);
        for (let j = c0; j <= hi; j++) {
          const o = j * n;
          let t = v0 * H[o + k]! + v1 * H[o + k + 1]!;
          if (three) t += v2 * H[o + k + 2]!;
          t *= beta;
          H[o + k] = H[o + k]! - t * v0; H[o + k + 1] = H[o + k + 1]! - t * v1;
          if (three) H[o + k + 2] = H[o + k + 2]! - t * v2;
        }
        const r1 = Math.min(hi, k + 3);
        for (let i = l; i <= r1; i++) {
          let t = v0 * H[at(i, k)]! + v1 * H[at(i, k + 1)]!;
          if (three) t += v2 * H[at(i, k + 2)]!;
          t *= beta;
          H[at(i, k)] = H[at(i, k)]! - t * v0; H[at(i, k + 1)] = H[at(i, k + 1)]! - t * v1;
          if (three) H[at(i, k + 2)] = H[at(i, k + 2)]! - t * v2;
        }
        if (k > l) { H[at(k + 1, k - 1)] = 0; if (three) H[at(k + 2, k - 1)] = 0; }
      }
      if (k < hi - 1) {
        x = H[at(k + 1, k)]!; y = H[at(k + 2, k)]!;
        z = k < hi - 2 ? H[at(k + 3, k)]! : 0;
      }
    }
  }
  return { re, im };
}

/** Eigenvalues (and optionally eigenvectors, real-pair convention) of the general n×n column-major matrix. */
export function eigGeneral(a: ArrayLike<number>, n: number, wantVectors = true): EigResult {
  const { re, im } = hessenbergEigenvalues(hessenberg(a, n), n);
  // Each conjugate pair comes from one 2×2 block: adjacent, positive imaginary part first (LAPACK's order).
  if (!wantVectors) return { re, im, vectors: null };
  return { re, im, vectors: eigenvectorsByInverseIteration(a, n, re, im) };
}

export function eigenvectorsByInverseIteration(a: ArrayLike<number>, n: number, re: Float64Array, im: Float64Array): Float64Array {
  let anorm = 0; for (let i = 0; i < n * n; i++) anorm = Math.max(anorm, Math.abs(a[i]!));
  const delta = Math.max(anorm, 1) * 1e-10;
  const V = new Float64Array(n * n);
  let seed = 12345;
  const rnd = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 2 ** 32 - 0.5; };
  for (let j = 0; j < n; j++) {
    if (im[j] === 0) {
      const M = Float64Array.from(a as ArrayLike<number>);
      for (let i = 0; i < n; i++) M[i * n + i] = M[i * n + i]! - (re[j]! + delta);
      const f = luFactor(M, n);
      let x: Float64Array = Float64Array.from({ length: n }, rnd);
      for (let it = 0; it < 3; it++) {
        if (f.zeroPivot >= 0) { x = nullVector(f.lu, n, f.zeroPivot, f.piv); break; }
        x = luSolve(f, x, 1);
        normalize(x);
      }
      normalize(x);
      V.set(x, j * n);
    } else if (im[j]! > 0 && j + 1 < n) {
      const N = 2 * n, ar = re[j]!, ai = im[j]!;
      const M = new Float64Array(N * N);
      for (let c = 0; c < n; c++) for (let r = 0; r < n; r++) {
        const v = a[c * n + r]! - (r === c ? ar + delta : 0);
        M[c * N + r] = v; M[(c + n) * N + r + n] = v;
      }
      for (let i = 0; i < n; i++) { M[(i + n) * N + i] = ai; M[i * N + i + n] = -ai; }
      const f = luFactor(M, N);
      let x: Float64Array = Float64Array.from({ length: N }, rnd);
      for (let it = 0; it < 3 && f.zeroPivot < 0; it++) { x = luSolve(f, x, 1); normalize(x); }
      normalize(x);
      V.set(x.subarray(0, n), j * n);
      V.set(x.subarray(n, N), (j + 1) * n);
      j++;
    }
  }
  return V;
}

function normalize(x: Float64Array): void {
  let s = 0; for (let i = 0; i < x.length; i++) s += x[i]! ** 2;
  const r = Math.sqrt(s);
  if (r > 0) for (let i = 0; i < x.length; i++) x[i] = x[i]! / r;
}

/** A null vector of the (exactly) singular upper factor U when pivot k is zero: solve U[0:k,0:k]·x = −U[0:k,k]. */
function nullVector(lu: Float64Array, n: number, k: number, piv: Int32Array): Float64Array {
  void piv;
  const x = new Float64Array(n);
  x[k] = 1;
  for (let i = k - 1; i >= 0; i--) {
    let s = lu[k * n + i]!;
    for (let j = i + 1; j < k; j++) s += lu[j * n + i]! * x[j]!;
    x[i] = -s / lu[i * n + i]!;
  }
  return x;
}
