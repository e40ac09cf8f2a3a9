/** Dense(A): an explicit matrix, stored column-major; products by GEMV loops (one or two columns) or the core gemm. */
import { ArgumentError, ShapeError, Tensor } from '../../core/index.ts';
import { LinearOperator } from '../operator.ts';
import { StagedGemv, StagedSymv, isExactlySymmetric } from '../kernels/staged.ts';
import { StagingSlot } from '../kernels/staging.ts';
import { assertFiniteMat, copyMat, dtypeOfArray, fromRows, fromTensor, matmulMat, type FloatArray, type LinalgDType, type Mat, zerosMat, alloc, castMat } from '../mat.ts';

export class Dense extends LinearOperator {
  readonly A: Mat;
  constructor(A: Mat) {
    super([A.rows, A.cols], dtypeOfArray(A.data));
    if (A.data.length !== A.rows * A.cols) throw new ShapeError(`Dense: ${A.rows}×${A.cols} needs ${A.rows * A.cols} values, got ${A.data.length}`);
    this.A = A;
  }
  protected _matmat(X: Mat): Mat {
    if (X.cols <= 2) return stagedGemv(this.A, X) ?? gemvCols(this.A, X, false);
    return matmulMat(castMat(this.A, dtypeOfArray(X.data)), X);
  }
  protected _rmatmat(X: Mat): Mat {
    // Aᵀ = A for a SelfAdjoint operator, so the staged product serves both sides.
    if (X.cols <= 2) return (this.isa('SelfAdjoint') ? stagedGemv(this.A, X) : null) ?? gemvCols(this.A, X, true);
    return matmulMat(castMat(this.A, dtypeOfArray(X.data)), X, true);
  }
  override toDense(): Mat { return copyMat(this.A); }
  override params(): FloatArray[] { return [this.A.data]; }
  /** ∂⟨Y, A·X⟩/∂A = Y·Xᵀ. */
  override vjpParams(X: Mat, Y: Mat): FloatArray[] { return [matmulMat(Y, X, false, true).data]; }
  toString(): string { return `Dense(${this.rows}×${this.cols})`; }
}

/**
 * A column-major Mat, or an array of rows, as a Dense operator. The entries are checked once here
 * (NonFiniteError naming the entry): a NaN that got into a factorization would come out as a NaN solution or a
 * misleading "not positive definite (pivot NaN)".
 */
export function lazify(A: Mat | Tensor | readonly (readonly number[])[], dtype: LinalgDType = 'float64'): Dense {
  let m: Mat;
  if (Array.isArray(A)) m = fromRows(A as number[][], dtype);
  else if (A instanceof Tensor) {
    if (A.ndim !== 2) throw new ShapeError(`lazify: a tensor operand must be 2-d, got shape [${A.shape.join(', ')}]`);
    m = fromTensor(A, 'lazify', 'A');
  } else {
    m = A as Mat;
    if (!m || !(m.data instanceof Float64Array || m.data instanceof Float32Array)) throw new ArgumentError('lazify: expected a Mat or an array of rows');
  }
  assertFiniteMat(m, 'lazify', 'A');
  return new Dense(m);
}

/**
 * Matrix–vector products of large float64 matrices go through a WebAssembly SIMD kernel holding its own copy of the
 * matrix (kernels/staged.ts), staged on the second product inside an operation — Krylov loops do hundreds — and keyed
 * by the storage array. The copy never serves a stale result: it is compared in full with the storage at its first
 * use in each operation and restaged on any difference (kernels/staging.ts), so an in-place edit between two
 * operations is always seen. A square matrix that equals its transpose bit for bit (checked by tiles at staging and
 * at each of those checks — not taken from the SelfAdjoint annotation, so the product is of exactly the stored
 * matrix) is staged as its packed lower triangle (StagedSymv): each product then streams half the bytes, which at
 * n = 2000 (32 MB, the size of L3) is what bounds the GEMV.
 */
const STAGE_MIN = 1 << 16;
const staged = new WeakMap<FloatArray, StagingSlot<StagedGemv | StagedSymv>>();
function stagedGemv(A: Mat, X: Mat): Mat | null {
  const a = A.data;
  if (!(a instanceof Float64Array) || !(X.data instanceof Float64Array) || A.rows * A.cols < STAGE_MIN) return null;
  let slot = staged.get(a);
  if (!slot) {
    const m = A.rows, n = A.cols;
    slot = new StagingSlot(() => (m === n && isExactlySymmetric(a, m) ? StagedSymv.create(a, m) : StagedGemv.create(a, m, n)));
    staged.set(a, slot);
  }
  const g = slot.get();
  if (!g) return null;
  const out = new Float64Array(A.rows * X.cols);
  for (let c = 0; c < X.cols; c++) g.apply(X.data.subarray(c * A.cols, (c + 1) * A.cols), out.subarray(c * A.rows, (c + 1) * A.rows));
  return { rows: A.rows, cols: X.cols, data: out };
}

/**
 * y = A·x (or Aᵀ·x) column by column. The plain loop streams A once per column of X; four columns (or four dot
 * products) per pass keep four independent accumulators in flight, which is what makes a JS GEMV approach memory speed.
 */
export function gemvCols(A: Mat, X: Mat, trans: boolean): Mat {
  const m = A.rows, n = A.cols, a = A.data;
  const outRows = trans ? n : m;
  const dt = dtypeOfArray(X.data) === 'float64' || dtypeOfArray(a) === 'float64' ? 'float64' : 'float32';
  const out = zerosMat(outRows, X.cols, dt);
  for (let c = 0; c < X.cols; c++) {
    const x = X.data.subarray(c * X.rows, (c + 1) * X.rows);
    const y = out.data.subarray(c * outRows, (c + 1) * outRows);
    if (!trans) {
      const acc = dt === 'float64' ? y : alloc('float64', m);
      let j = 0;
      for (; j + 3 < n; j += 4) {
        const x0 = x[j]!, x1 = x[j + 1]!, x2 = x[j + 2]!, x3 = x[j + 3]!;
        const o0 = j * m, o1 = o0 + m, o2 = o1 + m, o3 = o2 + m;
        for (let i = 0; i < m; i++) acc[i] = acc[i]! + a[o0 + i]! * x0 + a[o1 + i]! * x1 + a[o2 + i]! * x2 + a[o3 + i]! * x3;
      }
      for (; j < n; j++) {
        const xj = x[j]!, o = j * m;
        for (let i = 0; i < m; i++) acc[i] = acc[i]! + a[o + i]! * xj;
      }
      if (acc !== y) y.set(acc);
    } else {
      for (let j = 0; j < n; j++) {
        const o = j * m;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0, i = 0;
        for (; i + 3 < m; i += 4) {
          s0 += a[o + i]! * x[i]!; s1 += a[o + i + 1]! * x[i + 1]!;
          s2 += a[o + i + 2]! * x[i + 2]!; s3 += a[o + i + 3]! * x[i + 3]!;
        }
        for (; i < m; i++) s0 += a[o + i]! * x[i]!;
        y[j] = s0 + s1 + s2 + s3;
      }
    }
  }
  return out;
}

/** Triangular(A, lower): a Dense whose other triangle is zero; inverse by substitution. */
export class Triangular extends LinearOperator {
  readonly A: Mat;
  readonly lower: boolean;
  constructor(A: Mat, lower = true) {
    super([A.rows, A.cols], dtypeOfArray(A.data));
    if (A.rows !== A.cols) throw new ShapeError(`Triangular: needs a square matrix, got ${A.rows}×${A.cols}`);
    const n = A.rows;
    const B = copyMat(A);
    // The unused triangle is zeroed so products and the dense view agree with the substitution inverse.
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) if (lower ? i < j : i > j) B.data[j * n + i] = 0;
    this.A = B;
    this.lower = lower;
  }
  protected _matmat(X: Mat): Mat { return X.cols <= 2 ? gemvCols(this.A, X, false) : matmulMat(castMat(this.A, dtypeOfArray(X.data)), X); }
  protected _rmatmat(X: Mat): Mat { return X.cols <= 2 ? gemvCols(this.A, X, true) : matmulMat(castMat(this.A, dtypeOfArray(X.data)), X, true); }
  override toDense(): Mat { return copyMat(this.A); }
  override params(): FloatArray[] { return [this.A.data]; }
  override vjpParams(X: Mat, Y: Mat): FloatArray[] {
    const g = matmulMat(Y, X, false, true);
    const n = this.rows;
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) if (this.lower ? i < j : i > j) g.data[j * n + i] = 0;
    return [g.data];
  }
  toString(): string { return `${this.lower ? 'Lower' : 'Upper'}Triangular(${this.rows})`; }
}
