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

export const M1 = [[6, 2], [2, 4]], M2 = [[7, 6], [6, 8]], N1 = [[1, 0], [3, -4]], N2 = [[-5, 3], [2, -1]];
const d = (r: number[][]) => L.lazify(r);
/** The operator market of spec §5 (prefix psd_ asserts PSD, selfadj_ SelfAdjoint), rebuilt fresh on each call. */
export function market(): Record<string, L.LinearOperator> {
  const rng = new Rng(11);
  const U = randMat(rng, 8, 2);
  const spd8 = spdFromSpectrum(8, 0.5, 10, 3).A;
  const s8 = L.lazify(spd8);
  const blk = (M: L.Mat, r0: number, n: number, c0: number, m: number) => L.lazify(L.fromRows(L.toRows(M).slice(r0, r0 + n).map((r) => r.slice(c0, c0 + m))));
  const ns = randMat(rng, 8, 8); for (let i = 0; i < 8; i++) ns.data[i * 8 + i] += 6;
  const coo: [number[], number[], number[]] = [[], [], []];
  for (let i = 0; i < 6; i++) { coo[0].push(8, 0); coo[1].push(i, i); coo[2].push(i, i); coo[0].push(1.5); coo[1].push(i); coo[2].push((i + 2) % 6); }
  void s8;
  return {
    psd_diagonal: new L.Diagonal([0.1, 0.5, 0.22, 8]), psd_identity: new L.Identity(3), psd_scalarmul: new L.ScalarMul(2, 3),
    psd_blockdiag: L.blockDiag([L.PSD(d(M1)), L.PSD(d(M2))], [2, 3]), psd_prod: ((x) => x.mm(x.T))(d(M1)),
    psd_kron: L.kron(new L.Diagonal([0.18, 0.09]), new L.Diagonal([1.2, 0.7])), selfadj_tridiagonal: new L.Tridiagonal([1, 2], [4, 5, 6], [1, 2]),
    square_dense: d(N1), square_kronecker: L.kron(d(N1).mm(d(N2)), d(N2).mm(d(N1))), square_kronsum: L.kronsum(d(N1), d(N2)),
    square_lowertriangular: new L.Triangular(L.fromRows(N1), true), square_permutation: new L.Permutation([1, 0, 2, 3, 6, 5, 4]),
    square_product: new L.Product([d(N1), d(N2)]), square_tridiagonal: new L.Tridiagonal([1, 2], [4, 5, 6], [7, 8]), square_dct: new L.DCT(36),
    psd_kronsum: L.kronsum(L.PSD(d(M1)), L.PSD(d(M2))), psd_woodbury: new L.Diagonal([1, 2, 3, 4, 5, 6, 7, 8]).add(L.lowRank(U)),
    psd_block: L.PSD(L.block([[L.PSD(blk(spd8, 0, 5, 0, 5)), blk(spd8, 0, 5, 5, 3)], [blk(spd8, 5, 3, 0, 5), L.PSD(blk(spd8, 5, 3, 5, 3))]])),
    square_block: L.block([[blk(ns, 0, 5, 0, 5), blk(ns, 0, 5, 5, 3)], [blk(ns, 5, 3, 0, 5), blk(ns, 5, 3, 5, 3)]]),
    square_sparse: L.Sparse.fromCOO(coo[0], coo[1], coo[2], [6, 6]), selfadj_negpsd: L.PSD(d(M1)).neg(), selfadj_householder: new L.Householder([1, 2, -1, 0.5], 0.3),
    psd_circulant: new L.Circulant([3, 1, 0.2, 0.1, 0.2, 1]), square_circulant: new L.Circulant([5, 1, -2, 0.5, 0.3, 1, 2]),
    square_toeplitz: new L.Toeplitz([4, 1, -1, 0.5, 0.2], [4, 2, 0.3, -0.7, 0.1]), square_conv: new L.ConvolveND([0.5, 1, 4, -1, 0.3, 0.2], [2, 3], [3, 4]),
  };
}

