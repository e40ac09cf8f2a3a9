/** Diagonal, Identity and ScalarMul: the closed-form operators. */
import { ArgumentError } from '../../core/index.ts';
import type { Annotation } from '../annotations.ts';
import { LinearOperator } from '../operator.ts';
import { alloc, dtypeOfArray, type FloatArray, type LinalgDType, type Mat } from '../mat.ts';

function scaleRows(d: FloatArray, X: Mat): Mat {
  const n = X.rows, out = alloc(dtypeOfArray(X.data), X.data.length), x = X.data;
  for (let c = 0; c < X.cols; c++) { const o = c * n; for (let i = 0; i < n; i++) out[o + i] = d[i]! * x[o + i]!; }
  return { rows: n, cols: X.cols, data: out };
}

/** diag(d)·X: row scaling. SelfAdjoint; PSD iff min d ≥ 0; Unitary iff every |dᵢ| = 1. */
export class Diagonal extends LinearOperator {
  readonly d: FloatArray;
  constructor(d: FloatArray | readonly number[], dtype?: LinalgDType) {
    const arr: FloatArray = d instanceof Float64Array || d instanceof Float32Array ? d : (dtype === 'float32' ? Float32Array.from(d) : Float64Array.from(d));
    const ann: Annotation[] = ['SelfAdjoint'];
    let nonneg = true, unit = true;
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i]!;
      if (Number.isNaN(v)) throw new ArgumentError(`Diagonal: entry ${i} is NaN`);
      if (!(v >= 0)) nonneg = false;
      if (Math.abs(v) !== 1) unit = false;
    }
    if (nonneg) ann.push('PSD');
    if (unit) ann.push('Unitary');
    super([arr.length, arr.length], dtypeOfArray(arr), ann);
    this.d = arr;
  }
  protected _matmat(X: Mat): Mat { return scaleRows(this.d, X); }
  protected _rmatmat(X: Mat): Mat { return scaleRows(this.d, X); }
  override params(): FloatArray[] { return [this.d]; }
  /** ∂⟨Y, diag(d)·X⟩/∂dᵢ = Σⱼ Yᵢⱼ·Xᵢⱼ. */
  override vjpParams(X: Mat, Y: Mat): FloatArray[] {
    const n = this.rows, g = new Float64Array(n);
    for (let c = 0; c < X.cols; c++) for (let i = 0; i < n; i++) g[i] = g[i]! + X.data[c * n + i]! * Y.data[c * n + i]!;
    return [this.dtype === 'float32' ? Float32Array.from(g) : g];
  }
  toString(): string { return `Diag(${this.rows})`; }
}

export class Identity extends LinearOperator {
  constructor(n: number, dtype: LinalgDType = 'float64') { super([n, n], dtype, ['PSD', 'Unitary']); }
  protected _matmat(X: Mat): Mat { return X; }
  protected _rmatmat(X: Mat): Mat { return X; }
  toString(): string { return `I${subscript(this.rows)}`; }
}

/** c·I. SelfAdjoint; PSD iff c ≥ 0; Unitary iff |c| = 1. */
export class ScalarMul extends LinearOperator {
  readonly c: number;
  constructor(c: number, n: number, dtype: LinalgDType = 'float64') {
    if (!Number.isFinite(c)) throw new ArgumentError(`ScalarMul: c must be finite, got ${c}`);
    const ann: Annotation[] = ['SelfAdjoint'];
    if (c >= 0) ann.push('PSD');
    if (Math.abs(c) === 1) ann.push('Unitary');
    super([n, n], dtype, ann);
    this.c = c;
  }
  protected _matmat(X: Mat): Mat {
    const out = alloc(dtypeOfArray(X.data), X.data.length);
    for (let i = 0; i < out.length; i++) out[i] = this.c * X.data[i]!;
    return { rows: X.rows, cols: X.cols, data: out };
  }
  protected _rmatmat(X: Mat): Mat { return this._matmat(X); }
  toString(): string { return `${fmtNum(this.c)}·I${subscript(this.rows)}`; }
}

export function fmtNum(c: number): string { return Number.isInteger(c) ? String(c) : c.toPrecision(3).replace(/0+$/, ''); }
function subscript(n: number): string { return String(n).replace(/\d/g, (d) => '₀₁₂₃₄₅₆₇₈₉'[Number(d)]!); }
