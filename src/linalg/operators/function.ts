/** Matrix-free operators: fromFunction, noDispatch (opaque copy), Jacobian, Hessian and Kernel. */
import { ArgumentError, ShapeError, Tensor } from '../../core/index.ts';
import type { Annotation } from '../annotations.ts';
import { LinearOperator } from '../operator.ts';
import { alloc, asMat, dtypeOfArray, type FloatArray, type LinalgDType, type Mat } from '../mat.ts';
import { vjp as adVjp, jvp as adJvp } from '../../autodiff/index.ts';

export type MatFn = (X: Mat) => Mat;

function checkOut(op: string, Y: Mat, rows: number, cols: number): Mat {
  if (!Y || Y.rows !== rows || Y.cols !== cols) throw new ShapeError(`${op}: the supplied function returned ${Y?.rows}×${Y?.cols}, expected ${rows}×${cols}`);
  return Y;
}

/** An operator defined by its products. Without `rmatmat`, Aᵀ is available only when A is asserted SelfAdjoint. */
export class FunctionOperator extends LinearOperator {
  readonly fn: MatFn; readonly rfn: MatFn | null; readonly label: string;
  constructor(shape: readonly [number, number], matmat: MatFn, rmatmat: MatFn | null = null, annotations: Iterable<Annotation> = [], dtype: LinalgDType = 'float64', label = 'Fn') {
    super(shape, dtype, annotations);
    if (typeof matmat !== 'function') throw new ArgumentError('fromFunction: matmat must be a function (X: Mat) => Mat');
    this.fn = matmat; this.rfn = rmatmat; this.label = label;
  }
  get hasTranspose(): boolean { return this.rfn !== null || this.isa('SelfAdjoint'); }
  protected _matmat(X: Mat): Mat { return checkOut(`${this.label}.matmat`, this.fn(X), this.shape[0], X.cols); }
  protected _rmatmat(X: Mat): Mat {
    if (this.rfn) return checkOut(`${this.label}.rmatmat`, this.rfn(X), this.shape[1], X.cols);
    if (this.isa('SelfAdjoint')) return this._matmat(X);
    throw new ArgumentError(`${this.label}: no rmatmat was given, so Aᵀ·X is unavailable; pass rmatmat to fromFunction or assert SelfAdjoint(A)`);
  }
  toString(): string { return `${this.label}(${this.shape[0]}×${this.shape[1]})`; }
}

export function fromFunction(shape: readonly [number, number], matmat: MatFn, rmatmat?: MatFn | null, annotations: Iterable<Annotation> = [], dtype: LinalgDType = 'float64'): FunctionOperator {
  return new FunctionOperator(shape, matmat, rmatmat ?? null, annotations, dtype);
}

/** The structure-blind baseline: A's shape, dtype and products, no annotations, no visible structure. */
export function noDispatch(A: LinearOperator): FunctionOperator {
  return new FunctionOperator(A.shape, (X) => A.matmat(X), (X) => A.rmatmat(X), [], A.dtype, 'Opaque');
}

/** Jacobian J (m×n) from caller-supplied batched jvp (n-row block → m-row) and vjp (m-row → n-row). */
export class Jacobian extends FunctionOperator {
  constructor(jvp: MatFn, vjp: MatFn | null, shape: readonly [number, number], dtype: LinalgDType = 'float64') {
    super(shape, jvp, vjp, [], dtype, 'Jacobian');
  }
}

/** Hessian from Hessian-vector products. SelfAdjoint. */
export class Hessian extends FunctionOperator {
  constructor(hvp: MatFn, n: number, dtype: LinalgDType = 'float64') {
    super([n, n], hvp, hvp, ['SelfAdjoint'], dtype, 'Hessian');
  }
}

/**
 * The Jacobian of f: ℝⁿ → ℝᵐ at x through strata/autodiff: vjp by one recorded pullback (reused for every column),
 * jvp by autodiff's double-vjp.
 */
export function jacobianOf(f: (x: Tensor) => Tensor, x: Tensor): Jacobian {
  if (x.shape.length !== 1) throw new ShapeError(`jacobianOf: x must be a vector, got shape [${x.shape.join(', ')}]`);
  const n = x.shape[0]!, dt = x.dtype === 'float32' ? 'float32' : 'float64';
  const { out, pullback } = adVjp(f, x);
  const m = out.size;
  const col = (X: Mat, c: number) => new Tensor(X.data.slice(c * X.rows, (c + 1) * X.rows), [X.rows]);
  const jv: MatFn = (X) => {
    const Y: Mat = { rows: m, cols: X.cols, data: alloc(dt, m * X.cols) };
    for (let c = 0; c < X.cols; c++) Y.data.set(adJvp(f, x, col(X, c)).tangent.values() as FloatArray, c * m);
    return Y;
  };
  const vj: MatFn = (X) => {
    const Y: Mat = { rows: n, cols: X.cols, data: alloc(dt, n * X.cols) };
    for (let c = 0; c < X.cols; c++) Y.data.set(pullback(new Tensor(X.data.slice(c * m, (c + 1) * m), [...out.shape])).values() as FloatArray, c * n);
    return Y;
  };
  return new Jacobian(jv, vj, [m, n], dt);
}

/**
 * Kernel matrix K(x1, x2) applied block by block: K is never stored, memory O(blockSize·|x2|).
 * Points are the rows of x1 (n1×d) and x2 (n2×d), given as column-major Mats.
 */
export class Kernel extends LinearOperator {
  readonly x1: Mat; readonly x2: Mat; readonly k: (a: FloatArray, b: FloatArray) => number; readonly blockSize: number;
  constructor(x1: Mat, x2: Mat, k: (a: FloatArray, b: FloatArray) => number, blockSize = 256, annotations: Iterable<Annotation> = []) {
    x1 = asMat(x1, 'Kernel', 'x1'); x2 = asMat(x2, 'Kernel', 'x2');
    if (typeof k !== 'function') throw new ArgumentError(`Kernel: k must be a function (a, b) => number, got ${typeof k}`);
    if (typeof blockSize !== 'number' || !Number.isInteger(blockSize) || blockSize < 1) {
      throw new ArgumentError(`Kernel: blockSize must be a positive integer (rows per block), got ${Array.isArray(blockSize) ? `[${String(blockSize)}]` : String(blockSize)}`);
    }
    if (annotations === null || typeof (annotations as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function' || typeof annotations === 'string') {
      throw new ArgumentError('Kernel: annotations must be an iterable of annotation names');
    }
    if (x1.cols !== x2.cols) throw new ShapeError(`Kernel: x1 has ${x1.cols} features, x2 has ${x2.cols}`);
    super([x1.rows, x2.rows], dtypeOfArray(x1.data), annotations);
    this.x1 = x1; this.x2 = x2; this.k = k; this.blockSize = blockSize;
  }
  private point(P: Mat, i: number): Float64Array {
    const p = new Float64Array(P.cols);
    for (let f = 0; f < P.cols; f++) p[f] = P.data[f * P.rows + i]!;
    return p;
  }
  private run(X: Mat, A: Mat, B: Mat): Mat {
    // Rows of the output come from A's points, columns of K from B's points.
    const m = A.rows, n = B.rows, out = alloc(dtypeOfArray(X.data), m * X.cols);
    const bp = Array.from({ length: n }, (_, j) => this.point(B, j));
    const row = new Float64Array(n);
    for (let i0 = 0; i0 < m; i0 += this.blockSize) {
      const i1 = Math.min(m, i0 + this.blockSize);
      for (let i = i0; i < i1; i++) {
        const a = this.point(A, i);
        for (let j = 0; j < n; j++) row[j] = this.k(a, bp[j]!);
        for (let c = 0; c < X.cols; c++) {
          let s = 0; const xo = c * n;
          for (let j = 0; j < n; j++) s += row[j]! * X.data[xo + j]!;
          out[c * m + i] = s;
        }
      }
    }
    return { rows: m, cols: X.cols, data: out };
  }
  protected _matmat(X: Mat): Mat { return this.run(X, this.x1, this.x2); }
  protected _rmatmat(X: Mat): Mat {
    // Kᵀ(i, j) = k(x2ᵢ, x1ⱼ) — equal to k(x1ⱼ, x2ᵢ) only for symmetric k, so the argument order is kept.
    const k = this.k;
    const swapped = new Kernel(this.x2, this.x1, (a, b) => k(b, a), this.blockSize);
    return swapped.matmat(X);
  }
  toString(): string { return `Kernel(${this.shape[0]}×${this.shape[1]})`; }
}

/** Gaussian RBF k(a, b) = s²·exp(−‖a − b‖² / (2ℓ²)). */
export function rbf(lengthscale = 1, outputscale = 1): (a: FloatArray, b: FloatArray) => number {
  const c = -1 / (2 * lengthscale * lengthscale);
  return (a, b) => { let d = 0; for (let f = 0; f < a.length; f++) d += (a[f]! - b[f]!) ** 2; return outputscale * outputscale * Math.exp(c * d); };
}
