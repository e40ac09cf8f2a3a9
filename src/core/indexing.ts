import { allocate, checkDType, type TypedArray } from './dtype.ts';
import { ArgumentError, DTypeError, ShapeError } from './errors.ts';
import { normAxis, sameShape, shapeStr, sizeOf } from './shape.ts';
import { Tensor, reshape, unsqueeze, slice } from './tensor.ts';
import { emit } from './trace.ts';
import { compact } from './elementwise.ts';
import { rowsAlong, axisBack } from './axis.ts';

/** Integer indices given as a Tensor (int32) or a plain array. */
export type Indices = Tensor | readonly number[] | Int32Array;

function toIndexTensor(op: string, idx: Indices): Tensor {
  if (idx instanceof Tensor) {
    if (idx.dtype !== 'int32') throw new DTypeError(`${op}: indices must be an int32 tensor, got ${idx.dtype}`);
    return idx;
  }
  if (idx instanceof Int32Array) return new Tensor(idx, [idx.length]);
  if (!Array.isArray(idx) && !ArrayBuffer.isView(idx)) throw new ArgumentError(`${op}: indices must be an int32 Tensor, an Int32Array or an array of integers`);
  return new Tensor(integerArray(op, 'index', idx as ArrayLike<number>), [(idx as ArrayLike<number>).length]);
}

/**
 * Copies plain-number indices into an Int32Array, rejecting NaN, fractions and values outside the int32 range
 * (Int32Array.from would silently truncate 1.5 → 1, NaN → 0 and wrap 2³² + 1 → 1).
 */
export function integerArray(op: string, what: string, values: ArrayLike<number>): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
      throw new ArgumentError(`${op}: ${what} ${String(v)} at position ${i} is not an integer in the int32 range`);
    }
    out[i] = v;
  }
  return out;
}

/** Checks and wraps negative indices; returns a compact int32 array. */
function resolveIndices(op: string, idx: Tensor, n: number, axis: number): Int32Array {
  const { data, offset } = compact(idx);
  const out = new Int32Array(idx.size);
  for (let i = 0; i < idx.size; i++) {
    let k = data[offset + i]!;
    if (k < -n || k >= n) throw new ArgumentError(`${op}: index ${k} is out of range for axis ${axis} of size ${n}`);
    if (k < 0) k += n;
    out[i] = k;
  }
  return out;
}

/**
 * NumPy `take`: selects entries along `axis` with an index array of any shape; the result's shape is
 * x.shape[:axis] + indices.shape + x.shape[axis+1:]. Embedding lookup is `take(table, tokenIds, 0)`.
 */
export function take(x: Tensor, indices: Indices, axis = 0): Tensor {
  const a = normAxis('take', axis, x.ndim);
  const idxT = toIndexTensor('take', indices);
  const n = x.shape[a]!;
  const idx = resolveIndices('take', idxT, n, a);
  const outer = sizeOf(x.shape.slice(0, a));
  const inner = sizeOf(x.shape.slice(a + 1));
  const { data: src, offset } = compact(x);
  const out = allocate(x.dtype, outer * idx.length * inner);
  let o = 0;
  for (let p = 0; p < outer; p++) {
    const base = offset + p * n * inner;
    for (let j = 0; j < idx.length; j++) {
      const s = base + idx[j]! * inner;
      for (let q = 0; q < inner; q++) out[o++] = src[s + q]!;
    }
  }
  const shape = [...x.shape.slice(0, a), ...idxT.shape, ...x.shape.slice(a + 1)];
  return emit('take', [x], new Tensor(out, shape), { axis: a, indices: new Tensor(idx, [...idxT.shape]), size: n });
}

/**
 * The adjoint of `take`: a zero tensor of `shape` into which `values` are added at `indices` along `axis`
 * (repeated indices accumulate). `values` has the shape `take` would produce.
 */
export function indexAdd(shape: readonly number[], values: Tensor, indices: Indices, axis = 0): Tensor {
  const a = normAxis('indexAdd', axis, shape.length);
  const idxT = toIndexTensor('indexAdd', indices);
  const n = shape[a]!;
  const idx = resolveIndices('indexAdd', idxT, n, a);
  const expected = [...shape.slice(0, a), ...idxT.shape, ...shape.slice(a + 1)];
  if (!sameShape(expected, values.shape)) throw new ShapeError(`indexAdd: values have shape ${shapeStr(values.shape)}, expected ${shapeStr(expected)}`);
  const outer = sizeOf(shape.slice(0, a));
  const inner = sizeOf(shape.slice(a + 1));
  const { data: src, offset } = compact(values);
  const out = allocate(values.dtype, sizeOf(shape));
  let o = offset;
  for (let p = 0; p < outer; p++) {
    const base = p * n * inner;
    for (let j = 0; j < idx.length; j++) {
      const d = base + idx[j]! * inner;
      for (let q = 0; q < inner; q++) out[d + q]! += src[o++]!;
    }
  }
  return emit('indexAdd', [values], new Tensor(out, [...shape]), { axis: a, indices: new Tensor(idx, [...idxT.shape]), shape: [...shape] });
}

/** NumPy `take_along_axis`: out[..., j, ...] = x[..., idx[..., j, ...], ...]; derived from `take` on the flat tensor. */
export function takeAlongAxis(x: Tensor, indices: Tensor, axis = -1): Tensor {
  const a = normAxis('takeAlongAxis', axis, x.ndim);
  if (indices.dtype !== 'int32') throw new DTypeError(`takeAlongAxis: indices must be int32, got ${indices.dtype}`);
  if (indices.ndim !== x.ndim) throw new ShapeError(`takeAlongAxis: indices have ${indices.ndim} dims, x has ${x.ndim}`);
  for (let i = 0; i < x.ndim; i++) {
    if (i !== a && indices.shape[i] !== x.shape[i] && indices.shape[i] !== 1 && x.shape[i] !== 1) {
      throw new ShapeError(`takeAlongAxis: indices ${shapeStr(indices.shape)} do not fit x ${shapeStr(x.shape)} off axis ${a}`);
    }
  }
  const n = x.shape[a]!;
  const idx = resolveIndices('takeAlongAxis', indices, n, a);
  const xStrides = x.shape.map((_, i) => sizeOf(x.shape.slice(i + 1)));
  const flat = new Int32Array(indices.size);
  const pos = new Array<number>(indices.ndim).fill(0);
  for (let t = 0; t < indices.size; t++) {
    let f = 0;
    for (let i = 0; i < x.ndim; i++) {
      const c = i === a ? idx[t]! : x.shape[i] === 1 ? 0 : pos[i]!;
      f += c * xStrides[i]!;
    }
    flat[t] = f;
    for (let i = indices.ndim - 1; i >= 0; i--) {
      if (++pos[i]! < indices.shape[i]!) break;
      pos[i] = 0;
    }
  }
  return take(reshape(x, [x.size]), new Tensor(flat, [...indices.shape]), 0);
}

/** Joins tensors along an existing axis. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new ArgumentError('concat: needs at least one tensor');
  const first = xs[0]!;
  const a = normAxis('concat', axis, first.ndim);
  for (const [i, x] of xs.entries()) {
    if (x.dtype !== first.dtype) throw new DTypeError(`concat: tensor ${i} has dtype ${x.dtype}, tensor 0 has ${first.dtype}`);
    if (x.ndim !== first.ndim || x.shape.some((d, j) => j !== a && d !== first.shape[j])) {
      throw new ShapeError(`concat: tensor ${i} has shape ${shapeStr(x.shape)}, incompatible with ${shapeStr(first.shape)} along axis ${a}`);
    }
  }
  const sizes = xs.map((x) => x.shape[a]!);
  const total = sizes.reduce((p, d) => p + d, 0);
  const outer = sizeOf(first.shape.slice(0, a));
  const inner = sizeOf(first.shape.slice(a + 1));
  const out = allocate(first.dtype, outer * total * inner);
  let start = 0;
  for (const x of xs) {
    const { data, offset } = compact(x);
    const block = x.shape[a]! * inner;
    for (let p = 0; p < outer; p++) {
      const d = p * total * inner + start * inner;
      const s = offset + p * block;
      for (let q = 0; q < block; q++) out[d + q] = data[s + q]!;
    }
    start += x.shape[a]!;
  }
  const shape = [...first.shape];
  shape[a] = total;
  return emit('concat', xs, new Tensor(out, shape), { axis: a, sizes });
}

export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new ArgumentError('stack: needs at least one tensor');
  const a = normAxis('stack', axis, xs[0]!.ndim + 1);
  return concat(xs.map((x) => unsqueeze(x, a)), a);
}

/** Splits along `axis` into pieces of the given sizes (views). */
export function split(x: Tensor, sizes: readonly number[], axis = 0): Tensor[] {
  const a = normAxis('split', axis, x.ndim);
  for (const [i, d] of sizes.entries()) {
    if (!Number.isInteger(d) || d < 0) throw new ArgumentError(`split: size ${d} at position ${i} must be a non-negative integer (sizes ${JSON.stringify(sizes)})`);
  }
  if (sizes.reduce((p, d) => p + d, 0) !== x.shape[a]) throw new ShapeError(`split: sizes ${JSON.stringify(sizes)} do not add up to axis ${a} of size ${x.shape[a]}`);
  let start = 0;
  return sizes.map((s) => {
    const spec = x.shape.map(() => null as null | [number, number]);
    spec[a] = [start, start + s];
    start += s;
    return slice(x, spec);
  });
}

/** Indices that sort `x` along `axis` (stable; NaN last). Not differentiable. */
export function argsort(x: Tensor, axis = -1, descending = false): Tensor {
  const a = normAxis('argsort', axis, x.ndim);
  const { data: src, offset, r, rows } = rowsAlong(x, a);
  const out = new Int32Array(x.size);
  const perm = new Array<number>(r);
  for (let o = 0; o < rows; o++) {
    const base = offset + o * r;
    for (let j = 0; j < r; j++) perm[j] = j;
    perm.sort((i, j) => {
      const u = src[base + i]!, v = src[base + j]!;
      if (u !== u) return v !== v ? i - j : 1;
      if (v !== v) return -1;
      const c = descending ? v - u : u - v;
      return c !== 0 ? c : i - j;
    });
    for (let j = 0; j < r; j++) out[o * r + j] = perm[j]!;
  }
  return new Tensor(axisBack(out, x.shape, a), [...x.shape]);
}

/** Sorted values along `axis` (differentiable through `take`). */
export function sort(x: Tensor, axis = -1, descending = false): Tensor {
  return takeAlongAxis(x, argsort(x, axis, descending), axis);
}

/** The k largest values along `axis` and their indices. */
export function topk(x: Tensor, k: number, axis = -1): { values: Tensor; indices: Tensor } {
  const a = normAxis('topk', axis, x.ndim);
  if (!Number.isInteger(k) || k < 0 || k > x.shape[a]!) throw new ArgumentError(`topk: k = ${k} must be an integer in [0, ${x.shape[a]}]`);
  const spec = x.shape.map(() => null as null | [number, number]);
  spec[a] = [0, k];
  const idx = slice(argsort(x, a, true), spec);
  const c = compact(idx);
  const indices = new Tensor(c.data.slice(c.offset, c.offset + idx.size) as Int32Array, [...idx.shape]);
  return { values: takeAlongAxis(x, indices, a), indices };
}

/** One-hot rows: shape indices.shape + [n]. Not differentiable. */
export function oneHot(indices: Indices, n: number, dtype: 'float32' | 'float64' = 'float32'): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new ArgumentError(`oneHot: n must be a non-negative integer, got ${n}`);
  checkDType('oneHot', dtype);
  const idxT = toIndexTensor('oneHot', indices);
  const idx = resolveIndices('oneHot', idxT, n, -1);
  const out = allocate(dtype, idx.length * n, 'oneHot') as TypedArray;
  for (let i = 0; i < idx.length; i++) out[i * n + idx[i]!] = 1;
  return new Tensor(out, [...idxT.shape, n]);
}
