/**
 * FFT-based operators: Circulant (diagonalized by the DFT), Toeplitz (embedded in a circulant of twice the size) and
 * ConvolveND (zero-padded N-d convolution, 'same' output). Products cost O(n log n) per column; the spectrum of a
 * circulant is the DFT of its first column, which the structure rules use for solve, logdet and eig.
 */
import { ArgumentError, ShapeError } from '../../core/index.ts';
import type { Annotation } from '../annotations.ts';
import { LinearOperator } from '../operator.ts';
import { alloc, dtypeOfArray, type FloatArray, type LinalgDType, type Mat } from '../mat.ts';
import { fft, fftN, nextPow2 } from '../fft.ts';

function toF64(a: FloatArray | readonly number[], what: string): Float64Array {
  const out = Float64Array.from(a as ArrayLike<number>);
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i]!)) throw new ArgumentError(`${what}: entry ${i} is ${out[i]}, not finite`);
  return out;
}

/** Circular convolution of every column of X with a kernel given by its DFT (kre, kim), length n each. */
function circularApply(X: Mat, kre: Float64Array, kim: Float64Array, conj: boolean, outType: LinalgDType): Mat {
  const n = X.rows, out = alloc(outType, n * X.cols), re = new Float64Array(n), im = new Float64Array(n);
  const s = conj ? -1 : 1;
  for (let c = 0; c < X.cols; c++) {
    for (let i = 0; i < n; i++) { re[i] = X.data[c * n + i]!; im[i] = 0; }
    fft(re, im);
    for (let k = 0; k < n; k++) { const a = re[k]!, b = im[k]!, kr = kre[k]!, ki = s * kim[k]!; re[k] = a * kr - b * ki; im[k] = a * ki + b * kr; }
    fft(re, im, true);
    for (let i = 0; i < n; i++) out[c * n + i] = re[i]!;
  }
  return { rows: n, cols: X.cols, data: out };
}

/**
 * Circulant(c): (C·x)ᵢ = Σⱼ c_{(i−j) mod n}·xⱼ, first column c. C = F⁻¹·diag(ĉ)·F with ĉ = DFT(c); Cᵀ uses conj(ĉ).
 * SelfAdjoint iff c_k = c_{n−k}; PSD iff also every ĉ_k ≥ 0 (checked on the computed spectrum, to rounding).
 */
export class Circulant extends LinearOperator {
  readonly c: Float64Array;
  /** The eigenvalues ĉ = DFT(c) (real and imaginary parts). */
  readonly specRe: Float64Array; readonly specIm: Float64Array;
  constructor(c: FloatArray | readonly number[], dtype: LinalgDType = 'float64') {
    const col = toF64(c, 'Circulant');
    const n = col.length;
    if (n === 0) throw new ShapeError('Circulant: the first column must be non-empty');
    const re = col.slice(), im = new Float64Array(n);
    fft(re, im);
    const ann: Annotation[] = [];
    let sym = true;
    for (let k = 1; k < n; k++) if (col[k] !== col[n - k]) { sym = false; break; }
    if (sym) {
      ann.push('SelfAdjoint');
      let scale = 0; for (let k = 0; k < n; k++) scale = Math.max(scale, Math.abs(re[k]!));
      if (re.every((v) => v >= -1e-12 * scale)) ann.push('PSD');
      im.fill(0); // exactly real for a symmetric first column
    }
    super([n, n], dtype, ann);
    this.c = col; this.specRe = re; this.specIm = im;
  }
  /** The circulant with the given spectrum (Hermitian-symmetric so that its first column is real). */
  static fromSpectrum(re: Float64Array, im: Float64Array, dtype: LinalgDType = 'float64'): Circulant {
    const r = re.slice(), i = im.slice(), n = r.length;
    const real = im.every((v) => v === 0);
    fft(r, i, true);
    // A real spectrum means a symmetric first column; restore the exact symmetry rounding broke.
    if (real) for (let k = 1; 2 * k <= n; k++) { const v = (r[k]! + r[n - k]!) / 2; r[k] = v; r[n - k] = v; }
    return new Circulant(r, dtype);
  }
  protected _matmat(X: Mat): Mat { return circularApply(X, this.specRe, this.specIm, false, dtypeOfArray(X.data)); }
  protected _rmatmat(X: Mat): Mat { return circularApply(X, this.specRe, this.specIm, true, dtypeOfArray(X.data)); }
  override params(): FloatArray[] { return [this.c]; }
  /** ∂⟨Y, C·X⟩/∂c_k = Σ_cols Σᵢ Y_i·X_{(i−k) mod n}: a circular cross-correlation, by FFT. */
  override vjpParams(X: Mat, Y: Mat): FloatArray[] {
    const n = this.rows, g = new Float64Array(n);
    for (let col = 0; col < X.cols; col++) {
      const xr = Float64Array.from(X.data.subarray(col * n, (col + 1) * n)), xi = new Float64Array(n);
      const yr = Float64Array.from(Y.data.subarray(col * n, (col + 1) * n)), yi = new Float64Array(n);
      fft(xr, xi); fft(yr, yi);
      // g_k = Σᵢ yᵢ·x_{i−k} ⇒ ĝ = ŷ·conj(x̂).
      for (let k = 0; k < n; k++) { const a = yr[k]! * xr[k]! + yi[k]! * xi[k]!, b = yi[k]! * xr[k]! - yr[k]! * xi[k]!; yr[k] = a; yi[k] = b; }
      fft(yr, yi, true);
      for (let k = 0; k < n; k++) g[k] = g[k]! + yr[k]!;
    }
    return [g];
  }
  toString(): string { return `Circulant(${this.rows})`; }
}

/**
 * Toeplitz(col, row): T_ij = col[i − j] (i ≥ j), row[j − i] (j > i); row[0] must equal col[0]. Applied through the
 * circulant of size L = nextpow2(2n − 1) whose first column is [col, 0…, row reversed], then truncated.
 * SelfAdjoint iff col = row.
 */
export class Toeplitz extends LinearOperator {
  readonly col: Float64Array; readonly row: Float64Array;
  private readonly kre: Float64Array; private readonly kim: Float64Array; private readonly L: number;
  constructor(col: FloatArray | readonly number[], row?: FloatArray | readonly number[], dtype: LinalgDType = 'float64') {
    const c = toF64(col, 'Toeplitz col'), r = row === undefined ? c.slice() : toF64(row, 'Toeplitz row');
    const n = c.length;
    if (n === 0) throw new ShapeError('Toeplitz: col must be non-empty');
    if (r.length !== n) throw new ShapeError(`Toeplitz: col has ${n} entries but row has ${r.length} (square Toeplitz only)`);
    if (r[0] !== c[0]) throw new ArgumentError(`Toeplitz: row[0] = ${r[0]} must equal col[0] = ${c[0]} (both are the diagonal)`);
    const sym = c.every((v, i) => v === r[i]);
    super([n, n], dtype, sym ? ['SelfAdjoint'] : []);
    this.col = c; this.row = r;
    const L = nextPow2(2 * n - 1), kre = new Float64Array(L), kim = new Float64Array(L);
    for (let i = 0; i < n; i++) kre[i] = c[i]!;
    for (let j = 1; j < n; j++) kre[L - j] = r[j]!;
    fft(kre, kim);
    this.kre = kre; this.kim = kim; this.L = L;
  }
  private run(X: Mat, trans: boolean): Mat {
    const n = this.rows, L = this.L, out = alloc(dtypeOfArray(X.data), n * X.cols);
    const re = new Float64Array(L), im = new Float64Array(L), s = trans ? -1 : 1;
    for (let c = 0; c < X.cols; c++) {
      re.fill(0); im.fill(0);
      for (let i = 0; i < n; i++) re[i] = X.data[c * n + i]!;
      fft(re, im);
      // Tᵀ is the Toeplitz(row, col), whose embedding kernel is the conjugate-reversed one: conj(k̂).
      for (let k = 0; k < L; k++) { const a = re[k]!, b = im[k]!, kr = this.kre[k]!, ki = s * this.kim[k]!; re[k] = a * kr - b * ki; im[k] = a * ki + b * kr; }
      fft(re, im, true);
      for (let i = 0; i < n; i++) out[c * n + i] = re[i]!;
    }
    return { rows: n, cols: X.cols, data: out };
  }
  protected _matmat(X: Mat): Mat { return this.run(X, false); }
  protected _rmatmat(X: Mat): Mat { return this.run(X, true); }
  toString(): string { return `Toeplitz(${this.rows})`; }
}

/**
 * ConvolveND(filter, filterShape, arrayShape): y = crop(x ∗ filter) with x a row-major array of `arrayShape`
 * flattened into one column, zero padding, and the 'same' crop of the full convolution starting at ⌊(fᵢ − 1)/2⌋
 * (numpy/scipy's 'same'). The product runs as an N-d FFT of size nextpow2(sᵢ + fᵢ − 1) per axis, so there is no
 * wrap-around; rmatmat is the adjoint (pad at the crop offset, correlate with the filter: conj of its spectrum).
 */
export class ConvolveND extends LinearOperator {
  readonly filter: Float64Array; readonly filterShape: readonly number[]; readonly arrayShape: readonly number[];
  private readonly pad: number[]; private readonly start: number[]; private readonly fre: Float64Array; private readonly fim: Float64Array;
  constructor(filter: FloatArray | readonly number[], filterShape: readonly number[], arrayShape: readonly number[], mode: 'same' = 'same', dtype: LinalgDType = 'float64') {
    if (mode !== 'same') throw new ArgumentError(`ConvolveND: only mode 'same' is supported, got '${mode}'`);
    if (filterShape.length !== arrayShape.length || filterShape.length === 0) throw new ShapeError(`ConvolveND: filter shape [${filterShape.join(', ')}] and array shape [${arrayShape.join(', ')}] need the same (non-zero) number of axes`);
    for (const d of [...filterShape, ...arrayShape]) if (!Number.isInteger(d) || d < 1) throw new ShapeError(`ConvolveND: shapes must hold positive integers, got filter [${filterShape.join(', ')}], array [${arrayShape.join(', ')}]`);
    const f = toF64(filter, 'ConvolveND filter');
    const fsize = filterShape.reduce((a, b) => a * b, 1), N = arrayShape.reduce((a, b) => a * b, 1);
    if (f.length !== fsize) throw new ShapeError(`ConvolveND: filter shape [${filterShape.join(', ')}] needs ${fsize} values, got ${f.length}`);
    super([N, N], dtype);
    this.filter = f; this.filterShape = [...filterShape]; this.arrayShape = [...arrayShape];
    this.pad = arrayShape.map((s, i) => nextPow2(s + filterShape[i]! - 1));
    this.start = filterShape.map((d) => Math.floor((d - 1) / 2));
    const P = this.pad.reduce((a, b) => a * b, 1), fre = new Float64Array(P), fim = new Float64Array(P);
    this.scatter(f, this.filterShape, fre, new Array(this.pad.length).fill(0));
    fftN(fre, fim, this.pad);
    this.fre = fre; this.fim = fim;
  }
  /** Writes the row-major block `src` of shape `shape` into the padded array at `offset`. */
  private scatter(src: ArrayLike<number>, shape: readonly number[], dst: Float64Array, offset: readonly number[]): void {
    const d = shape.length, idx = new Array<number>(d).fill(0), total = src.length;
    for (let t = 0; t < total; t++) {
      let p = 0; for (let a = 0; a < d; a++) p = p * this.pad[a]! + idx[a]! + offset[a]!;
      dst[p] = src[t]!;
      for (let a = d - 1; a >= 0; a--) { if (++idx[a]! < shape[a]!) break; idx[a] = 0; }
    }
  }
  /** Reads the block of `shape` at `offset` out of the padded array. */
  private gather(src: Float64Array, shape: readonly number[], offset: readonly number[], dst: FloatArray, dstOff: number): void {
    const d = shape.length, idx = new Array<number>(d).fill(0), total = shape.reduce((a, b) => a * b, 1);
    for (let t = 0; t < total; t++) {
      let p = 0; for (let a = 0; a < d; a++) p = p * this.pad[a]! + idx[a]! + offset[a]!;
      dst[dstOff + t] = src[p]!;
      for (let a = d - 1; a >= 0; a--) { if (++idx[a]! < shape[a]!) break; idx[a] = 0; }
    }
  }
  private run(X: Mat, adjoint: boolean): Mat {
    const N = this.rows, P = this.fre.length, out = alloc(dtypeOfArray(X.data), N * X.cols);
    const re = new Float64Array(P), im = new Float64Array(P), zero = new Array<number>(this.pad.length).fill(0), s = adjoint ? -1 : 1;
    for (let c = 0; c < X.cols; c++) {
      re.fill(0); im.fill(0);
      // Forward: x at the origin, output cropped at `start`. Adjoint: y placed at `start`, output read at the origin.
      this.scatter(X.data.subarray(c * N, (c + 1) * N), this.arrayShape, re, adjoint ? this.start : zero);
      fftN(re, im, this.pad);
      for (let k = 0; k < P; k++) { const a = re[k]!, b = im[k]!, kr = this.fre[k]!, ki = s * this.fim[k]!; re[k] = a * kr - b * ki; im[k] = a * ki + b * kr; }
      fftN(re, im, this.pad, true);
      this.gather(re, this.arrayShape, adjoint ? zero : this.start, out, c * N);
    }
    return { rows: N, cols: X.cols, data: out };
  }
  protected _matmat(X: Mat): Mat { return this.run(X, false); }
  protected _rmatmat(X: Mat): Mat { return this.run(X, true); }
  toString(): string { return `Conv(${this.filterShape.join('×')} on ${this.arrayShape.join('×')})`; }
}
