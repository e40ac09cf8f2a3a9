/** Test helpers: dense oracles written independently of the library's kernels (naive loops). */
import { Rng } from '../../src/core/random.ts';
import * as L from '../../src/linalg/index.ts';

export function randMat(rng: Rng, m: number, n: number): L.Mat {
  const d = new Float64Array(m * n); for (let i = 0; i < d.length; i++) d[i] = rng.gauss();
  return { rows: m, cols: n, data: d };
}
export function naiveMatmul(A: L.Mat, B: L.Mat): L.Mat {
  const out = new Float64Array(A.rows * B.cols);
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < B.cols; j++) { let s = 0; for (let k = 0; k < A.cols; k++) s += A.data[k * A.rows + i]! * B.data[j * B.rows + k]!; out[j * A.rows + i] = s; }
  return { rows: A.rows, cols: B.cols, data: out };
}
export function naiveKron(A: L.Mat, B: L.Mat): L.Mat {
  const m = A.rows * B.rows, n = A.cols * B.cols, out = new Float64Array(m * n);
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.cols; j++) for (let p = 0; p < B.rows; p++) for (let q = 0; q < B.cols; q++) {
    out[(j * B.cols + q) * m + i * B.rows + p] = A.data[j * A.rows + i]! * B.data[q * B.rows + p]!;
  }
  return { rows: m, cols: n, data: out };
}
export function naiveAdd(A: L.Mat, B: L.Mat, s = 1): L.Mat { return { ...A, data: A.data.map((v, i) => v + s * B.data[i]!) }; }
export function naiveT(A: L.Mat): L.Mat { const out = new Float64Array(A.data.length); for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.cols; j++) out[i * A.cols + j] = A.data[j * A.rows + i]!; return { rows: A.cols, cols: A.rows, data: out }; }
export function eye(n: number): L.Mat { const d = new Float64Array(n * n); for (let i = 0; i < n; i++) d[i * n + i] = 1; return { rows: n, cols: n, data: d }; }
/** Gauss–Jordan determinant with partial pivoting (an oracle independent of luFactor). */
export function naiveLogdet(A: L.Mat): { sign: number; logabs: number } {
  const n = A.rows, a = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => A.data[j * n + i]!));
  let sign = 1, logabs = 0;
  for (let k = 0; k < n; k++) {
    let p = k; for (let i = k + 1; i < n; i++) if (Math.abs(a[i]![k]!) > Math.abs(a[p]![k]!)) p = i;
    if (a[p]![k] === 0) return { sign: 0, logabs: -Infinity };
    if (p !== k) { [a[p], a[k]] = [a[k]!, a[p]!]; sign = -sign; }
    const d = a[k]![k]!; if (d < 0) sign = -sign; logabs += Math.log(Math.abs(d));
    for (let i = k + 1; i < n; i++) { const f = a[i]![k]! / d; for (let j = k; j < n; j++) a[i]![j] = a[i]![j]! - f * a[k]![j]!; }
  }
  return { sign, logabs };
}
/** SPD matrix QᵀΛQ with Q from the QR of a seeded Gaussian matrix and spectrum(c, s, n)ᵢ = s·(1 − (i/n)^c). */
export function spdFromSpectrum(n: number, c: number, s: number, seed = 0, values?: number[]): { A: L.Mat; lam: number[] } {
  const rng = new Rng(seed), Q = L.qr(randMat(rng, n, n).data, n, n).Q;
  const lam = values ?? Array.from({ length: n }, (_, i) => s * (1 - (i / n) ** c));
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) out[j * n + i] = out[j * n + i]! + Q[k * n + i]! * lam[k]! * Q[k * n + j]!;
  return { A: { rows: n, cols: n, data: out }, lam };
}
export const rel = L.relError;
