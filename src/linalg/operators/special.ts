/** Permutation, Tridiagonal, Householder and DCT: structured operators with O(n) (or closed-form) products. */
import { ArgumentError, ShapeError } from '../../core/index.ts';
import type { Annotation } from '../annotations.ts';
import { LinearOperator } from '../operator.ts';
import { alloc, dtypeOfArray, matmulMat, type FloatArray, type LinalgDType, type Mat, zerosMat } from '../mat.ts';
import { gemvCols } from './dense.ts';

function toF(a: FloatArray | readonly number[], dtype: LinalgDType = 'float64'): FloatArray {
  return a instanceof Float64Array || a instanceof Float32Array ? a : dtype === 'float32' ? Float32Array.from(a) : Float64Array.from(a);
}

/** (P·x)ᵢ = x_{perm[i]}. Unitary. */
export class Permutation extends LinearOperator {
  readonly perm: Int32Array;
  constructor(perm: ArrayLike<number>, dtype: LinalgDType = 'float64') {
    const n = perm.length, p = Int32Array.from(perm as ArrayLike<number>), seen = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const v = p[i]!;
      if (!(v >= 0 && v < n) || seen[v]) throw new ArgumentError(`Permutation: perm must hold each of 0..${n - 1} once; entry ${i} is ${perm[i]}`);
      seen[v] = 1;
    }
    super([n, n], dtype, ['Unitary']);
    this.perm = p;
  }
  get inverse(): Int32Array {
    const inv = new Int32Array(this.perm.length);
    for (let i = 0; i < inv.length; i++) inv[this.perm[i]!] = i;
    return inv;
  }
  private gather(X: Mat, p: Int32Array): Mat {
    const n = X.rows, out = alloc(dtypeOfArray(X.data), X.data.length);
    for (let c = 0; c < X.cols; c++) for (let i = 0; i < n; i++) out[c * n + i] = X.data[c * n + p[i]!]!;
    return { rows: n, cols: X.cols, data: out };
  }
  protected _matmat(X: Mat): Mat { return this.gather(X, this.perm); }
  protected _rmatmat(X: Mat): Mat { return this.gather(X, this.inverse); }
  toString(): string { return `Perm(${this.rows})`; }
}

/** Three bands: sub (n−1), diag (n), sup (n−1). SelfAdjoint iff sub = sup elementwise. */
export class Tridiagonal extends LinearOperator {
  readonly subdiag: FloatArray; readonly diag: FloatArray; readonly superdiag: FloatArray;
  constructor(sub: FloatArray | readonly number[], diag: FloatArray | readonly number[], sup: FloatArray | readonly number[]) {
    const d = toF(diag), dt = dtypeOfArray(d), lo = toF(sub, dt), up = toF(sup, dt);
    const n = d.length;
    if (lo.length !== Math.max(n - 1, 0) || up.length !== Math.max(n - 1, 0)) {
      throw new ShapeError(`Tridiagonal: diag has ${n} entries so sub and sup need ${n - 1}, got ${lo.length} and ${up.length}`);
    }
    const ann: Annotation[] = [];
    if (lo.every((v, i) => v === up[i])) ann.push('SelfAdjoint');
    super([n, n], dt, ann);
    this.subdiag = lo; this.diag = d; this.superdiag = up;
  }
  private band(X: Mat, lo: FloatArray, up: FloatArray): Mat {
    const n = X.rows, out = alloc(dtypeOfArray(X.data), X.data.length), d = this.diag;
    for (let c = 0; c < X.cols; c++) {
      const o = c * n, x = X.data;
      for (let i = 0; i < n; i++) {
        let s = d[i]! * x[o + i]!;
        if (i > 0) s += lo[i - 1]! * x[o + i - 1]!;
        if (i + 1 < n) s += up[i]! * x[o + i + 1]!;
        out[o + i] = s;
      }
    }
    return { rows: n, cols: X.cols, data: out };
  }
  protected _matmat(X: Mat): Mat { return this.band(X, this.subdiag, this.superdiag); }
  protected _rmatmat(X: Mat): Mat { return this.band(X, this.superdiag, this.subdiag); }
  override params(): FloatArray[] { return [this.subdiag, this.diag, this.superdiag]; }
  override vjpParams(X: Mat, Y: Mat): FloatArray[] {
    const n = this.rows, gl = new Float64Array(Math.max(n - 1, 0)), gd = new Float64Array(n), gu = new Float64Array(Math.max(n - 1, 0));
    for (let c = 0; c < X.cols; c++) {
      const o = c * n;
      for (let i = 0; i < n; i++) {
        gd[i] = gd[i]! + Y.data[o + i]! * X.data[o + i]!;
        if (i > 0) gl[i - 1] = gl[i - 1]! + Y.data[o + i]! * X.data[o + i - 1]!;
        if (i + 1 < n) gu[i] = gu[i]! + Y.data[o + i]! * X.data[o + i + 1]!;
      }
    }
    return [gl, gd, gu];
  }
  toString(): string { return `Tridiag(${this.rows})`; }
}

/** X − β·v·(vᵀX). SelfAdjoint; Unitary when β‖v‖² = 2 (relative 1e-12), i.e. a reflector. */
export class Householder extends LinearOperator {
  readonly v: FloatArray; readonly beta: number;
  constructor(v: FloatArray | readonly number[], beta = 2) {
    const vv = toF(v);
    let nn = 0; for (let i = 0; i < vv.length; i++) nn += vv[i]! * vv[i]!;
    const ann: Annotation[] = ['SelfAdjoint'];
    if (Math.abs(beta * nn - 2) <= 2e-12) ann.push('Unitary');
    super([vv.length, vv.length], dtypeOfArray(vv), ann);
    this.v = vv; this.beta = beta;
  }
  get vNorm2(): number { let s = 0; for (let i = 0; i < this.v.length; i++) s += this.v[i]! ** 2; return s; }
  protected _matmat(X: Mat): Mat {
    const n = X.rows, out = X.data.slice(), v = this.v;
    for (let c = 0; c < X.cols; c++) {
      const o = c * n; let s = 0;
      for (let i = 0; i < n; i++) s += v[i]! * X.data[o + i]!;
      s *= this.beta;
      for (let i = 0; i < n; i++) out[o + i] = out[o + i]! - s * v[i]!;
    }
    return { rows: n, cols: X.cols, data: out };
  }
  protected _rmatmat(X: Mat): Mat { return this._matmat(X); }
  toString(): string { return `House(${this.rows})`; }
}

/** The reflector H with H·x = ∓‖x[idx:]‖·e_idx (entries of x below idx zeroed, above idx untouched). */
export function householderFor(x: FloatArray | readonly number[], idx = 0): Householder {
  const n = x.length, v = new Float64Array(n);
  let s = 0; for (let i = idx; i < n; i++) { v[i] = x[i]!; s += x[i]! ** 2; }
  const alpha = Math.sqrt(s);
  if (alpha === 0) return new Householder(v, 0);
  // Adding sign(x_idx)·‖x‖ avoids cancellation in v[idx].
  v[idx] = v[idx]! + (x[idx]! >= 0 ? alpha : -alpha);
  let vn = 0; for (let i = idx; i < n; i++) vn += v[i]! ** 2;
  return new Householder(v, 2 / vn);
}

/** Orthonormal DCT-II of size n (a real stand-in for the FFT): Unitary. Products by its cosine matrix. */
export class DCT extends LinearOperator {
  private readonly C: Mat;
  constructor(n: number, dtype: LinalgDType = 'float64') {
    super([n, n], dtype, ['Unitary']);
    const C = zerosMat(n, n, dtype);
    for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) {
      C.data[j * n + k] = (k === 0 ? Math.sqrt(1 / n) : Math.sqrt(2 / n)) * Math.cos((Math.PI * (2 * j + 1) * k) / (2 * n));
    }
    this.C = C;
  }
  protected _matmat(X: Mat): Mat { return X.cols <= 2 ? gemvCols(this.C, X, false) : matmulMat(this.C, X); }
  protected _rmatmat(X: Mat): Mat { return X.cols <= 2 ? gemvCols(this.C, X, true) : matmulMat(this.C, X, true); }
  toString(): string { return `DCT(${this.rows})`; }
}
