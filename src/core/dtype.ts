import { ArgumentError, DTypeError } from './errors.ts';

/** Element types. Precision never changes silently: mixing dtypes in one op is an error; `astype` converts. */
export type DType = 'float32' | 'float64' | 'int32';
export type FloatDType = 'float32' | 'float64';
export type TypedArray = Float32Array | Float64Array | Int32Array;
export type FloatArray = Float32Array | Float64Array;

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4 };

/** Throws a DTypeError naming `dtype` unless it is one of the three element types. */
export function checkDType(op: string, dtype: unknown): DType {
  if (dtype !== 'float32' && dtype !== 'float64' && dtype !== 'int32') {
    throw new DTypeError(`${op}: unknown dtype ${JSON.stringify(dtype)}; expected 'float32', 'float64' or 'int32'`);
  }
  return dtype;
}

/**
 * A zeroed typed array of `size` elements. Sizes the runtime cannot allocate (beyond the largest typed array, or
 * out of memory) are an ArgumentError naming the request instead of a raw RangeError from deep inside an op.
 */
export function allocate(dtype: DType, size: number, op = 'allocate'): TypedArray {
  checkDType(op, dtype);
  if (!Number.isSafeInteger(size) || size < 0) throw new ArgumentError(`${op}: cannot allocate ${size} elements; expected a non-negative integer`);
  try {
    switch (dtype) {
      case 'float32': return new Float32Array(size);
      case 'float64': return new Float64Array(size);
      case 'int32': return new Int32Array(size);
    }
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const gb = (size * BYTES[dtype]) / 1e9;
    throw new ArgumentError(`${op}: cannot allocate a ${dtype} tensor of ${size} elements (${gb.toPrecision(3)} GB); the request exceeds what this runtime can allocate`);
  }
}

export function dtypeOf(data: TypedArray): DType {
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Float32Array) return 'float32';
  return 'int32';
}

export function isFloat(dtype: DType): dtype is FloatDType {
  return dtype !== 'int32';
}

/** Machine epsilon of a float dtype: the tolerance scale for comparisons and solvers. */
export function epsOf(dtype: DType): number {
  return dtype === 'float32' ? 1.1920928955078125e-7 : 2.220446049250313e-16;
}
