/**
 * `Mat`, the block type every operator multiplies: column-major (column j contiguous at offset j·rows) so that
 * per-column Krylov recurrences run over contiguous memory. Small helpers on Mats live here; products go through
 * the core gemm kernel (never a second matmul).
 */
import { gemm, type FloatArray, ArgumentError, DTypeError, NonFiniteError, ShapeError, Tensor } from '../core/index.ts';

export type LinalgDType = 'float64' | 'float32';
export type { FloatArray };

export interface Mat {
  readonly rows: number;
  readonly cols: number;
  readonly data: FloatArray;
}

export function dtypeOfArray(a: FloatArray): LinalgDType {
  return a instanceof Float32Array ? 'float32' : 'float64';
}

export function alloc(dtype: LinalgDType, size: number): FloatArray {
  return dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
}

export function promote(a: LinalgDType, b: LinalgDType): LinalgDType {
  return a === 'float64' || b === 'float64' ? 'float64' : 'float32';
}

export function mat(rows: number, cols: number, data: FloatArray): Mat {
  if (data.length !== rows * cols) throw new ShapeError(`Mat: ${rows}×${cols} needs ${rows * cols} values, got ${data.length}`);
  return { rows, cols, data };
}

export function zerosMat(rows: number, cols: number, dtype: LinalgDType = 'float64'): Mat {
  return { rows, cols, data: alloc(dtype, rows * cols) };
}

export function eyeMat(n: number, dtype: LinalgDType = 'float64', cols = n, offset = 0): Mat {
  const m = zerosMat(n, cols, dtype);
  for (let j = 0; j < cols; j++) if (j + offset < n) m.data[j * n + j + offset] = 1;
  return m;
}

/** Accepts a Mat, or a 1-D typed array of length n as an n×1 Mat. */
export function asMat(x: Mat | FloatArray | Tensor, op: string, arg = 'X'): Mat {
  if (x instanceof Float64Array || x instanceof Float32Array) return { rows: x.length, cols: 1, data: x };
  if (x instanceof Tensor) return fromTensor(x, op, arg);
  if (x === null || typeof x !== 'object' || !(x.data instanceof Float64Array || x.data instanceof Float32Array)) {
    throw new ArgumentError(`${op}: ${arg} must be a Mat {rows, cols, data} (column-major Float64Array/Float32Array) or a 1-D typed array`);
  }
  if (x.data.length !== x.rows * x.cols) throw new ShapeError(`${op}: ${arg} is ${x.rows}×${x.cols} but holds ${x.data.length} values`);
  return x;
}

/**
 * A column-major copy of a core Tensor: a 1-d tensor becomes one column, a 2-d tensor keeps its rows and columns.
 * This is where `strata/core` arrays enter linalg; `toTensor` is the way back.
 */
export function fromTensor(t: Tensor, op = 'fromTensor', arg = 'X'): Mat {
  if (t.dtype !== 'float64' && t.dtype !== 'float32') throw new DTypeError(`${op}: ${arg} must be a float32 or float64 tensor, got ${t.dtype}`);
  if (t.ndim !== 1 && t.ndim !== 2) throw new ShapeError(`${op}: ${arg} must be a 1-d or 2-d tensor, got shape [${t.shape.join(', ')}]`);
  const rows = t.shape[0]!, cols = t.ndim === 2 ? t.shape[1]! : 1;
  // Reading through the transposed view and compacting yields column-major order in one strided copy.
  const data = (t.ndim === 2 ? t.T : t).values() as FloatArray;
  return { rows, cols, data: data === t.data ? data.slice() : data };
}

/** A row-major core Tensor of shape [rows, cols] (or [rows] with `vector`) holding a Mat's values. */
export function toTensor(m: Mat, opts: { vector?: boolean } = {}): Tensor {
  if (opts.vector) {
    if (m.cols !== 1) throw new ShapeError(`toTensor: a vector needs one column, got ${m.rows}×${m.cols}`);
    return new Tensor(m.data.slice(), [m.rows]);
  }
  return new Tensor(m.data, [m.cols, m.rows]).T.contiguous();
}

/** Column-major Mat from an array of rows (`[[1, 2], [3, 4]]`). */
export function fromRows(rows: readonly (readonly number[])[], dtype: LinalgDType = 'float64'): Mat {
  const m = rows.length, n = m === 0 ? 0 : rows[0]!.length;
  const out = zerosMat(m, n, dtype);
  for (let i = 0; i < m; i++) {
    if (rows[i]!.length !== n) throw new ShapeError(`fromRows: row ${i} has ${rows[i]!.length} entries, row 0 has ${n}`);
    for (let j = 0; j < n; j++) out.data[j * m + i] = rows[i]![j]!;
  }
  return out;
}

export function toRows(a: Mat): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < a.rows; i++) {
    const r: number[] = [];
    for (let j = 0; j < a.cols; j++) r.push(a.data[j * a.rows + i]!);
    out.push(r);
  }
  return out;
}

/** Row-major storage → column-major Mat (a transpose copy). */
export function fromRowMajor(data: ArrayLike<number>, rows: number, cols: number, dtype: LinalgDType = 'float64'): Mat {
  const out = zerosMat(rows, cols, dtype);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out.data[j * rows + i] = data[i * cols + j]!;
  return out;
}

export function transposeMat(a: Mat): Mat {
  const out = zerosMat(a.cols, a.rows, dtypeOfArray(a.data));
  const m = a.rows, n = a.cols, s = a.data, d = out.data;
  for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) d[i * n + j] = s[j * m + i]!;
  return out;
}

export function castMat(a: Mat, dtype: LinalgDType): Mat {
  if (dtypeOfArray(a.data) === dtype) return a;
  const d = alloc(dtype, a.data.length);
  d.set(a.data);
  return { rows: a.rows, cols: a.cols, data: d };
}

export function copyMat(a: Mat): Mat {
  return { rows: a.rows, cols: a.cols, data: a.data.slice() };
}

/**
 * C = op(A)·op(B) for column-major A, B through the core gemm (which writes row-major): a column-major C is the
 * row-major Cᵀ = op(B)ᵀ·op(A)ᵀ, so the operands are passed with swapped strides and no copies are made.
 */
export function matmulMat(a: Mat, b: Mat, transA = false, transB = false): Mat {
  const m = transA ? a.cols : a.rows, k = transA ? a.rows : a.cols;
  const kb = transB ? b.cols : b.rows, n = transB ? b.rows : b.cols;
  if (k !== kb) throw new ShapeError(`matmul: inner sizes differ (${m}×${k} times ${kb}×${n})`);
  let ad = a.data, bd = b.data;
  if (ad.constructor !== bd.constructor) {
    if (ad instanceof Float32Array) ad = Float64Array.from(ad); else bd = Float64Array.from(bd);
  }
  const out = ad instanceof Float32Array ? new Float32Array(m * n) : new Float64Array(m * n);
  // Cᵀ (n×m, row-major) = op(B)ᵀ (n×k) · op(A)ᵀ (k×m), both read in place through strides.
  const bOp = transB
    ? { data: bd, offset: 0, rowStride: 1, colStride: b.rows, batchStride: 0 }
    : { data: bd, offset: 0, rowStride: b.rows, colStride: 1, batchStride: 0 };
  const aOp = transA
    ? { data: ad, offset: 0, rowStride: 1, colStride: a.rows, batchStride: 0 }
    : { data: ad, offset: 0, rowStride: a.rows, colStride: 1, batchStride: 0 };
  gemm(n, m, k, 1, bOp, aOp, out, 0);
  return { rows: m, cols: n, data: out };
}

export function assertFiniteMat(a: Mat, op: string, arg: string): void {
  const d = a.data;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i]!)) {
      throw new NonFiniteError(`${op}: ${arg} contains ${d[i]} at row ${i % a.rows}, column ${Math.floor(i / a.rows)}; operands must be finite`);
    }
  }
}

/** Frobenius norm of a Mat or typed array. */
export function fnorm(a: Mat | FloatArray): number {
  const d = 'data' in a ? a.data : a;
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i]! * d[i]!;
  return Math.sqrt(s);
}

/** CoLA's relative error: ‖v − w‖ / max((‖v‖ + ‖w‖)/2, 1e-16) over flattened values. */
export function relError(v: Mat | FloatArray | ArrayLike<number>, w: Mat | FloatArray | ArrayLike<number>): number {
  const a = 'data' in v ? (v as Mat).data : (v as ArrayLike<number>), b = 'data' in w ? (w as Mat).data : (w as ArrayLike<number>);
  if (a.length !== b.length) throw new ShapeError(`relError: lengths differ (${a.length} vs ${b.length})`);
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { const x = a[i]!, y = b[i]!; d += (x - y) ** 2; na += x * x; nb += y * y; }
  return Math.sqrt(d) / Math.max((Math.sqrt(na) + Math.sqrt(nb)) / 2, 1e-16);
}
