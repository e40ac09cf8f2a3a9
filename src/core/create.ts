import { allocate, checkDType, type DType, type TypedArray } from './dtype.ts';
import { ArgumentError, ShapeError } from './errors.ts';
import { checkShape, sizeOf } from './shape.ts';
import { Tensor, type NestedArray } from './tensor.ts';

/** Creation functions. The default dtype is float64, as in NumPy; pass `dtype` for float32 or int32. */

export function full(shape: readonly number[], value: number, dtype: DType = 'float64'): Tensor {
  const s = checkShape('full', shape);
  const data = allocate(dtype, sizeOf(s), 'full');
  if (value !== 0) data.fill(value);
  return new Tensor(data, s);
}
export const zeros = (shape: readonly number[], dtype: DType = 'float64') => full(shape, 0, dtype);
export const ones = (shape: readonly number[], dtype: DType = 'float64') => full(shape, 1, dtype);
export const zerosLike = (x: Tensor) => full(x.shape, 0, x.dtype);
export const onesLike = (x: Tensor) => full(x.shape, 1, x.dtype);
export const scalar = (v: number, dtype: DType = 'float64') => full([], v, dtype);

export function arange(start: number, stop?: number, step = 1, dtype: DType = 'float64'): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0 || !Number.isFinite(step)) throw new ArgumentError(`arange: step must be finite and non-zero, got ${step}`);
  if (!Number.isFinite(start)) throw new ArgumentError(`arange: start must be finite, got ${start}`);
  if (!Number.isFinite(stop)) throw new ArgumentError(`arange: stop must be finite, got ${stop}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const data = allocate(dtype, n, 'arange');
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n]);
}

export function linspace(start: number, stop: number, num: number, dtype: DType = 'float64'): Tensor {
  if (!Number.isInteger(num) || num < 0) throw new ArgumentError(`linspace: num must be a non-negative integer, got ${num}`);
  if (!Number.isFinite(start) || !Number.isFinite(stop)) throw new ArgumentError(`linspace: start and stop must be finite, got ${start} and ${stop}`);
  const data = allocate(dtype, num, 'linspace');
  for (let i = 0; i < num; i++) data[i] = num === 1 ? start : start + ((stop - start) * i) / (num - 1);
  return new Tensor(data, [num]);
}

export function eye(n: number, m = n, dtype: DType = 'float64'): Tensor {
  const t = full([n, m], 0, dtype);
  for (let i = 0; i < Math.min(n, m); i++) t.data[i * m + i] = 1;
  return t;
}

/**
 * A tensor from nested arrays, a typed array, or a number. A typed array fixes the dtype (and is used without a
 * copy); nested arrays must be rectangular.
 */
export function tensor(values: NestedArray | TypedArray, dtypeOrShape?: DType | readonly number[], maybeDtype?: DType): Tensor {
  if (ArrayBuffer.isView(values)) {
    const data = values as TypedArray;
    const shape = Array.isArray(dtypeOrShape) ? checkShape('tensor', dtypeOrShape) : [data.length];
    if (sizeOf(shape) !== data.length) throw new ShapeError(`tensor: shape [${shape.join(', ')}] needs ${sizeOf(shape)} values, got ${data.length}`);
    const want = (typeof dtypeOrShape === 'string' ? dtypeOrShape : maybeDtype);
    if (want !== undefined) checkDType('tensor', want);
    const t = new Tensor(data, shape);
    return want && want !== t.dtype ? t.astype(want) : t;
  }
  const dtype = checkDType('tensor', (typeof dtypeOrShape === 'string' ? dtypeOrShape : maybeDtype) ?? 'float64');
  const shape: number[] = [];
  let v: NestedArray = values as NestedArray;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0]!;
  }
  const data = allocate(dtype, sizeOf(shape), 'tensor');
  let k = 0;
  const walk = (x: NestedArray, dim: number): void => {
    if (dim === shape.length) {
      if (typeof x !== 'number') throw new ArgumentError(`tensor: expected a number at depth ${dim}, got ${Array.isArray(x) ? 'an array' : typeof x} (ragged nested array?)`);
      data[k++] = x;
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[dim]) throw new ShapeError(`tensor: ragged nested array, expected length ${shape[dim]} at depth ${dim}`);
    for (const y of x) walk(y, dim + 1);
  };
  walk(values as NestedArray, 0);
  return new Tensor(data, shape);
}
