/**
 * The operator protocol: a LinearOperator knows its shape, dtype, annotations and its products A·X and Aᵀ·X; the
 * base class derives everything else (dense view, element access, lazy algebra). Composite operators expose their
 * children as fields; dispatch rules match on the class and on those fields.
 */
import { ArgumentError, ShapeError, type Tensor } from '../core/index.ts';
import { type Annotation, closeAnnotations, EMPTY } from './annotations.ts';
import { alloc, asMat, dtypeOfArray, promote, type FloatArray, type LinalgDType, type Mat, transposeMat, zerosMat } from './mat.ts';
import { enterOperation, leaveOperation } from './kernels/staging.ts';

/**
 * The lazy algebra (sum, product, scaling, transpose, slicing) is implemented in `combinators.ts`, which imports the
 * operator classes; the base class reaches it through this table so the class hierarchy has no import cycle.
 */
export interface Algebra {
  dot(a: LinearOperator, b: LinearOperator): LinearOperator;
  add(a: LinearOperator, b: LinearOperator): LinearOperator;
  mul(a: LinearOperator, c: number): LinearOperator;
  transpose(a: LinearOperator): LinearOperator;
  slice(a: LinearOperator, rows: Int32Array | null, cols: Int32Array | null): LinearOperator;
}
let algebra: Algebra | null = null;
export function installAlgebra(a: Algebra): void { algebra = a; }
function alg(): Algebra {
  if (algebra === null) throw new Error('linalg: combinators.ts was not loaded (import from strata/linalg)');
  return algebra;
}

const DENSE_BLOCK = 128;

export abstract class LinearOperator {
  readonly shape: readonly [number, number];
  readonly dtype: LinalgDType;
  readonly annotations: ReadonlySet<Annotation>;

  constructor(shape: readonly [number, number], dtype: LinalgDType, annotations: Iterable<Annotation> = EMPTY) {
    const [m, n] = shape;
    if (!Number.isInteger(m) || !Number.isInteger(n) || m < 0 || n < 0) {
      throw new ShapeError(`${this.constructor.name}: shape must be two non-negative integers, got [${m}, ${n}]`);
    }
    this.shape = [m, n];
    this.dtype = dtype;
    const set = closeAnnotations(annotations);
    // Annotations that need a square operator are dropped on a rectangular one rather than asserted falsely.
    if (m !== n) { set.delete('PSD'); set.delete('SelfAdjoint'); set.delete('Unitary'); }
    this.annotations = set;
  }

  /** A·X for an n-row block X (column-major); returns an m-row block. Implementations may assume X.rows = n. */
  protected abstract _matmat(X: Mat): Mat;
  /** Aᵀ·X for an m-row block X. */
  protected abstract _rmatmat(X: Mat): Mat;
  /** Math notation used in errors and `explain` (A⊗B + D). */
  abstract toString(): string;

  /** Differentiable parameters, if any (see grad.ts). */
  params?(): FloatArray[];
  /** ∂⟨Y, A·X⟩/∂params, one array per params() entry. */
  vjpParams?(X: Mat, Y: Mat): FloatArray[];

  get rows(): number { return this.shape[0]; }
  get cols(): number { return this.shape[1]; }
  get isSquare(): boolean { return this.shape[0] === this.shape[1]; }

  isa(a: Annotation): boolean { return this.annotations.has(a); }

  /** A·X. X: Mat or 1-D typed array (as n×1). Result dtype: float64 if either is float64. */
  matmat(X: Mat | FloatArray | Tensor): Mat {
    const x = asMat(X, `${this.constructor.name}.matmat`);
    if (x.rows !== this.shape[1]) throw new ShapeError(`matmat: operator ${this.toString()} is ${this.shape[0]}×${this.shape[1]} but X has ${x.rows} rows`);
    enterOperation();
    try { return this._matmat(this.cast(x)); } finally { leaveOperation(); }
  }

  /** Aᵀ·X. */
  rmatmat(X: Mat | FloatArray | Tensor): Mat {
    const x = asMat(X, `${this.constructor.name}.rmatmat`);
    if (x.rows !== this.shape[0]) throw new ShapeError(`rmatmat: operator ${this.toString()} is ${this.shape[0]}×${this.shape[1]}; Aᵀ·X needs X with ${this.shape[0]} rows, got ${x.rows}`);
    enterOperation();
    try { return this._rmatmat(this.cast(x)); } finally { leaveOperation(); }
  }

  private cast(x: Mat): Mat {
    const target = promote(this.dtype, dtypeOfArray(x.data));
    if (dtypeOfArray(x.data) === target) return x;
    const d = alloc(target, x.data.length);
    d.set(x.data);
    return { rows: x.rows, cols: x.cols, data: d };
  }

  /** A·B: a lazy Product for an operator, a Mat for a Mat. */
  mm(B: LinearOperator): LinearOperator;
  mm(B: Mat | FloatArray | Tensor): Mat;
  mm(B: LinearOperator | Mat | FloatArray | Tensor): LinearOperator | Mat {
    return B instanceof LinearOperator ? alg().dot(this, B) : this.matmat(B);
  }

  /** X·A, computed as (Aᵀ·Xᵀ)ᵀ. */
  lmm(X: Mat): Mat {
    return transposeMat(this.rmatmat(transposeMat(asMat(X, 'lmm'))));
  }

  add(B: LinearOperator): LinearOperator { return alg().add(this, B); }
  sub(B: LinearOperator): LinearOperator { return alg().add(this, alg().mul(B, -1)); }
  scale(c: number): LinearOperator { return alg().mul(this, c); }
  neg(): LinearOperator { return alg().mul(this, -1); }
  get T(): LinearOperator { return alg().transpose(this); }
  /** Adjoint; equal to the transpose for real operators. */
  get H(): LinearOperator { return alg().transpose(this); }

  /** Lazy sub-operator A[rows, cols]; `null` keeps all. Negative indices count from the end. */
  slice(rows: ArrayLike<number> | null, cols: ArrayLike<number> | null): LinearOperator {
    return alg().slice(this, rows === null ? null : normIndex(rows, this.shape[0], 'slice rows'),
      cols === null ? null : normIndex(cols, this.shape[1], 'slice cols'));
  }

  /** The dense matrix, by multiplying with identity blocks (from the cheaper side). */
  toDense(): Mat {
    const [m, n] = this.shape;
    const dt = this.dtype;
    if (m * 8 < n) {
      // Wide operator: Aᵀ·I has m columns instead of n.
      const out = zerosMat(m, n, dt);
      for (let j0 = 0; j0 < m; j0 += DENSE_BLOCK) {
        const b = Math.min(DENSE_BLOCK, m - j0);
        const At = this.rmatmat(shiftedEye(m, b, j0, dt)); // n×b: rows j0..j0+b−1 of A, transposed
        for (let c = 0; c < b; c++) for (let j = 0; j < n; j++) out.data[j * m + j0 + c] = At.data[c * n + j]!;
      }
      return out;
    }
    const out = zerosMat(m, n, dt);
    for (let j0 = 0; j0 < n; j0 += DENSE_BLOCK) {
      const b = Math.min(DENSE_BLOCK, n - j0);
      const Y = this.matmat(shiftedEye(n, b, j0, dt));
      out.data.set(Y.data.subarray(0, m * b), j0 * m);
    }
    return out;
  }

  column(j: number): FloatArray {
    const n = this.shape[1];
    const jj = normIndex([j], n, 'column')[0]!;
    return this.matmat(shiftedEye(n, 1, jj, this.dtype)).data;
  }

  get(i: number, j: number): number {
    const ii = normIndex([i], this.shape[0], 'get row')[0]!;
    return this.column(j)[ii]!;
  }

  /** Elements (is[t], js[t]); one product per distinct column. */
  getPairs(is: ArrayLike<number>, js: ArrayLike<number>): Float64Array {
    if (is.length !== js.length) throw new ShapeError(`getPairs: ${is.length} row indices but ${js.length} column indices`);
    const ri = normIndex(is, this.shape[0], 'getPairs rows'), ci = normIndex(js, this.shape[1], 'getPairs cols');
    const out = new Float64Array(ri.length);
    const cache = new Map<number, FloatArray>();
    for (let t = 0; t < ri.length; t++) {
      let col = cache.get(ci[t]!);
      if (!col) { col = this.column(ci[t]!); cache.set(ci[t]!, col); }
      out[t] = col[ri[t]!]!;
    }
    return out;
  }
}

/** Columns j0..j0+b−1 of the n×n identity. */
export function shiftedEye(n: number, b: number, j0: number, dtype: LinalgDType): Mat {
  const m = zerosMat(n, b, dtype);
  for (let c = 0; c < b; c++) m.data[c * n + j0 + c] = 1;
  return m;
}

export function normIndex(idx: ArrayLike<number>, n: number, what: string): Int32Array {
  const out = new Int32Array(idx.length);
  for (let t = 0; t < idx.length; t++) {
    let v = idx[t]!;
    if (!Number.isInteger(v) || v < -n || v >= n) throw new ArgumentError(`${what}: index ${v} out of range for size ${n}`);
    if (v < 0) v += n;
    out[t] = v;
  }
  return out;
}

/**
 * A shallow copy of A with extra annotations asserted (trusted, not checked — see checkAnnotations). The copy keeps
 * A's class, fields and products, so every structure rule still matches it.
 */
export function withAnnotations<T extends LinearOperator>(A: T, extra: Annotation[]): T {
  const copy = Object.create(Object.getPrototypeOf(A)) as T;
  Object.assign(copy, A);
  const set = closeAnnotations([...A.annotations, ...extra]);
  if (!A.isSquare && (set.has('PSD') || set.has('SelfAdjoint') || set.has('Unitary'))) {
    throw new ShapeError(`${extra.join('/')}: only a square operator can be ${extra.join('/')}, got ${A.shape[0]}×${A.shape[1]} ${A.toString()}`);
  }
  Object.defineProperty(copy, 'annotations', { value: set, writable: false, enumerable: true });
  return copy;
}

export const PSD = <T extends LinearOperator>(A: T): T => withAnnotations(A, ['PSD']);
export const SelfAdjoint = <T extends LinearOperator>(A: T): T => withAnnotations(A, ['SelfAdjoint']);
export const Unitary = <T extends LinearOperator>(A: T): T => withAnnotations(A, ['Unitary']);
