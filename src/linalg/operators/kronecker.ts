/**
 * Kronecker (M₁⊗…⊗M_k) and Kronecker sum (M₁⊕…⊕M_k = Σ I⊗…⊗Mᵢ⊗…⊗I). A column of X of length N = Π nᵢ is a
 * row-major tensor (n₁, …, n_k); factor i acts along mode i. Non-square Kronecker factors are allowed.
 */
import { ShapeError } from '../../core/index.ts';
import { type Annotation, intersect } from '../annotations.ts';
import { LinearOperator } from '../operator.ts';
import { alloc, dtypeOfArray, type FloatArray, type Mat } from '../mat.ts';
import { addInto, paren, promoteAll } from './composite.ts';

/**
 * Applies F (or Fᵀ) along mode `t` of the batch tensor X with row-major dims (b, d₀, …, d_{k−1}); returns the
 * result with d_t replaced by F's output size. The last mode needs no copy: X is already a column-major
 * d_{k−1} × (rest) matrix; other modes are permuted to the front and back.
 */
export function applyMode(F: LinearOperator, X: FloatArray, dims: readonly number[], batch: number, t: number, trans: boolean): { data: FloatArray; dims: number[] } {
  const dIn = dims[t]!, dOut = trans ? F.shape[1] : F.shape[0];
  let pre = batch; for (let s = 0; s < t; s++) pre *= dims[s]!;
  let post = 1; for (let s = t + 1; s < dims.length; s++) post *= dims[s]!;
  const newDims = dims.slice(); newDims[t] = dOut;
  const apply = (Z: Mat): Mat => (trans ? F.rmatmat(Z) : F.matmat(Z));
  if (post === 1) {
    const Y = apply({ rows: dIn, cols: pre, data: X });
    return { data: Y.data, dims: newDims };
  }
  const dt = dtypeOfArray(X);
  const Z = alloc(dt, X.length);
  for (let p = 0; p < pre; p++) {
    const xo = p * dIn * post, zo = p * post * dIn;
    for (let i = 0; i < dIn; i++) {
      const xr = xo + i * post;
      for (let q = 0; q < post; q++) Z[zo + q * dIn + i] = X[xr + q]!;
    }
  }
  const Y = apply({ rows: dIn, cols: pre * post, data: Z }).data;
  const out = alloc(dtypeOfArray(Y), pre * dOut * post);
  for (let p = 0; p < pre; p++) {
    const yo = p * post * dOut, oo = p * dOut * post;
    for (let q = 0; q < post; q++) {
      const yr = yo + q * dOut;
      for (let i = 0; i < dOut; i++) out[oo + i * post + q] = Y[yr + i]!;
    }
  }
  return { data: out, dims: newDims };
}

export class Kronecker extends LinearOperator {
  readonly factors: readonly LinearOperator[];
  constructor(factors: readonly LinearOperator[]) {
    if (factors.length === 0) throw new ShapeError('Kronecker: needs at least one factor');
    const m = factors.reduce((p, f) => p * f.shape[0], 1), n = factors.reduce((p, f) => p * f.shape[1], 1);
    super([m, n], promoteAll(factors), intersect(factors.map((f) => f.annotations)));
    this.factors = factors;
  }
  private run(X: Mat, trans: boolean): Mat {
    let data = X.data;
    let dims = this.factors.map((f) => (trans ? f.shape[0] : f.shape[1]));
    for (let t = this.factors.length - 1; t >= 0; t--) ({ data, dims } = applyMode(this.factors[t]!, data, dims, X.cols, t, trans));
    return { rows: trans ? this.shape[1] : this.shape[0], cols: X.cols, data };
  }
  protected _matmat(X: Mat): Mat { return this.run(X, false); }
  protected _rmatmat(X: Mat): Mat { return this.run(X, true); }
  override params(): FloatArray[] { return this.factors.flatMap((f) => (f.params ? f.params() : [])); }
  /**
   * ∂⟨Y, (⊗Mᵢ)X⟩/∂θᵢ: apply every other factor to X, then both X′ and Y, viewed with mode i as rows, are the
   * arguments of factor i's own vjpParams.
   */
  override vjpParams(X: Mat, Y: Mat): FloatArray[] {
    const out: FloatArray[] = [];
    const k = this.factors.length;
    for (let i = 0; i < k; i++) {
      const Fi = this.factors[i]!;
      if (!Fi.params) continue;
      if (!Fi.vjpParams) throw new ShapeError(`Kronecker.vjpParams: factor ${i} ${Fi.toString()} has params but no vjpParams`);
      let data = X.data;
      let dims = this.factors.map((f) => f.shape[1]);
      for (let t = k - 1; t >= 0; t--) if (t !== i) ({ data, dims } = applyMode(this.factors[t]!, data, dims, X.cols, t, false));
      const Xi = modeToRows(data, dims, X.cols, i);
      const Yi = modeToRows(Y.data, this.factors.map((f) => f.shape[0]), Y.cols, i);
      out.push(...Fi.vjpParams(Xi, Yi));
    }
    return out;
  }
  toString(): string { return this.factors.map(paren).join('⊗'); }
}

/** The batch tensor with mode t as the rows of a column-major matrix (columns: all other indices). */
function modeToRows(X: FloatArray, dims: readonly number[], batch: number, t: number): Mat {
  const d = dims[t]!;
  let pre = batch; for (let s = 0; s < t; s++) pre *= dims[s]!;
  let post = 1; for (let s = t + 1; s < dims.length; s++) post *= dims[s]!;
  const Z = alloc(dtypeOfArray(X), X.length);
  for (let p = 0; p < pre; p++) for (let i = 0; i < d; i++) for (let q = 0; q < post; q++) Z[(p * post + q) * d + i] = X[(p * d + i) * post + q]!;
  return { rows: d, cols: pre * post, data: Z };
}

export class KronSum extends LinearOperator {
  readonly factors: readonly LinearOperator[];
  constructor(factors: readonly LinearOperator[]) {
    if (factors.length === 0) throw new ShapeError('KronSum: needs at least one factor');
    factors.forEach((f, i) => { if (!f.isSquare) throw new ShapeError(`KronSum: factor ${i} ${f.toString()} is ${f.shape[0]}×${f.shape[1]}; Kronecker-sum factors must be square`); });
    const n = factors.reduce((p, f) => p * f.shape[0], 1);
    const ann: Annotation[] = [];
    if (factors.every((f) => f.isa('SelfAdjoint'))) ann.push('SelfAdjoint');
    if (factors.every((f) => f.isa('PSD'))) ann.push('PSD');
    super([n, n], promoteAll(factors), ann);
    this.factors = factors;
  }
  private run(X: Mat, trans: boolean): Mat {
    const dims = this.factors.map((f) => f.shape[0]);
    let acc: Mat | null = null;
    for (let t = 0; t < this.factors.length; t++) {
      const { data } = applyMode(this.factors[t]!, X.data, dims, X.cols, t, trans);
      const y: Mat = { rows: X.rows, cols: X.cols, data: data === X.data ? data.slice() : data };
      acc = acc === null ? y : addInto(acc, y);
    }
    return acc!;
  }
  protected _matmat(X: Mat): Mat { return this.run(X, false); }
  protected _rmatmat(X: Mat): Mat { return this.run(X, true); }
  toString(): string { return this.factors.map(paren).join('⊕'); }
}
