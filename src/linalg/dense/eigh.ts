/**
 * Symmetric eigendecomposition: Householder tridiagonalization followed by the implicit QL algorithm with Wilkinson
 * shifts (the EISPACK tred2/tql2 pair as published in JAMA; Golub & Van Loan §8.3). Column-major; eigenvalues
 * ascending, eigenvectors in the columns of V.
 */
import { RuntimeFailure } from '../../core/index.ts';

export interface EighResult { values: Float64Array; vectors: Float64Array | null }

/** Eigen-decomposition of the symmetric n×n column-major `a` (only the lower triangle is read). */
export function eigh(a: ArrayLike<number>, n: number, wantVectors = true): EighResult {
  const V = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let i = j; i < n; i++) { const v = a[j * n + i]!; V[j * n + i] = v; V[i * n + j] = v; }
  const d = new Float64Array(n), e = new Float64Array(n);
  if (n === 0) return { values: d, vectors: wantVectors ? V : null };
  tred2(V, d, e, n);
  tql2(V, d, e, n, true);
  return sortPairs(d, V, n, wantVectors);
}

/**
 * Eigen-decomposition of the symmetric tridiagonal matrix with diagonal `diag` and off-diagonal `off` (n−1 entries),
 * O(n²) for values, O(n³) with vectors.
 */
export function eighTridiagonal(diag: ArrayLike<number>, off: ArrayLike<number>, wantVectors = true): EighResult {
  const n = diag.length;
  const d = Float64Array.from(diag), e = new Float64Array(n);
  for (let i = 1; i < n; i++) e[i] = off[i - 1]!;
  const V = wantVectors ? new Float64Array(n * n) : new Float64Array(0);
  if (wantVectors) for (let i = 0; i < n; i++) V[i * n + i] = 1;
  if (n === 0) return { values: d, vectors: wantVectors ? V : null };
  tql2(V, d, e, n, wantVectors);
  return sortPairs(d, V, n, wantVectors);
}

/**
 * Eigenvalues of a symmetric tridiagonal matrix with the first component of each eigenvector (Golub & Welsch 1969:
 * the Gauss quadrature nodes and weights of SLQ and of Lanczos f(A)v). The QL rotations are applied to the first row
 * of V only, so this is O(n²) instead of O(n³).
 */
export function eighTridiagonalFirstRow(diag: ArrayLike<number>, off: ArrayLike<number>): { values: Float64Array; first: Float64Array } {
  const n = diag.length;
  const d = Float64Array.from(diag), e = new Float64Array(n), V = new Float64Array(n);
  for (let i = 1; i < n; i++) e[i] = off[i - 1]!;
  if (n === 0) return { values: d, first: V };
  V[0] = 1;
  tql2(V, d, e, n, true, 1);
  const order = Array.from({ length: n }, (_, i) => i).sort((p, q) => d[p]! - d[q]!);
  return { values: Float64Array.from(order, (i) => d[i]!), first: Float64Array.from(order, (i) => V[i]!) };
}

function sortPairs(d: Float64Array, V: Float64Array, n: number, wantVectors: boolean): EighResult {
  const order = Array.from({ length: n }, (_, i) => i).sort((p, q) => d[p]! - d[q]!);
  const values = Float64Array.from(order, (i) => d[i]!);
  if (!wantVectors) return { values, vectors: null };
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => vectors.set(V.subarray(src * n, src * n + n), dst * n));
  return { values, vectors };
}

/** Householder reduction to tridiagonal form; V (col-major) holds the accumulated transformation on exit. */
function tred2(V: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  const at = (i: number, j: number) => j * n + i;
  for (let j = 0; j < n; j++) d[j] = V[at(n - 1, j)]!;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0, h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) { d[j] = V[at(i - 1, j)]!; V[at(i, j)] = 0; V[at(j, i)] = 0; }
    } else {
      for (let k = 0; k < i; k++) { d[k] = d[k]! / scale; h += d[k]! * d[k]!; }
      let f = d[i - 1]!, g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        V[at(j, i)] = f;
        g = e[j]! + V[at(j, j)]! * f;
        for (let k = j + 1; k <= i - 1; k++) { g += V[at(k, j)]! * d[k]!; e[k] = e[k]! + V[at(k, j)]! * f; }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) { e[j] = e[j]! / h; f += e[j]! * d[j]!; }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = e[j]! - hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!; g = e[j]!;
        const cj = j * n;
        for (let k = j; k <= i - 1; k++) V[cj + k] = V[cj + k]! - (f * e[k]! + g * d[k]!);
        d[j] = V[at(i - 1, j)]!;
        V[at(i, j)] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    V[at(n - 1, i)] = V[at(i, i)]!;
    V[at(i, i)] = 1;
    const h = d[i + 1]!;
    if (h !== 0) {
      const c1 = (i + 1) * n;
      for (let k = 0; k <= i; k++) d[k] = V[c1 + k]! / h;
      for (let j = 0; j <= i; j++) {
        const cj = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += V[c1 + k]! * V[cj + k]!;
        for (let k = 0; k <= i; k++) V[cj + k] = V[cj + k]! - g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) V[at(k, i + 1)] = 0;
  }
  for (let j = 0; j < n; j++) { d[j] = V[at(n - 1, j)]!; V[at(n - 1, j)] = 0; }
  V[at(n - 1, n - 1)] = 1;
  e[0] = 0;
}

/** Implicit QL on the tridiagonal (d, e[1..n−1]); rotations are applied to V's columns when `vectors`. */
function tql2(V: Float64Array, d: Float64Array, e: Float64Array, n: number, vectors: boolean, vrows = n): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0, tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n) { if (Math.abs(e[m]!) <= eps * tst1) break; m++; }
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60 * n + 100) throw new RuntimeFailure('eigh: the QL iteration did not converge');
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i] = d[i]! - h;
        f += h;
        p = d[m]!;
        let c = 1, c2 = c, c3 = c, s = 0, s2 = 0;
        const el1 = e[l + 1]!;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2; c2 = c; s2 = s;
          g = c * e[i]!; h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r; c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          if (vectors) {
            const ci = i * vrows, ci1 = (i + 1) * vrows;
            for (let k = 0; k < vrows; k++) {
              const hk = V[ci1 + k]!;
              V[ci1 + k] = s * V[ci + k]! + c * hk;
              V[ci + k] = c * V[ci + k]! - s * hk;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > eps * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}
