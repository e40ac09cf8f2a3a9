/** Element types. Precision never changes silently: mixing dtypes in one op is an error; `astype` converts. */
export type DType = 'float32' | 'float64' | 'int32';
export type FloatDType = 'float32' | 'float64';
export type TypedArray = Float32Array | Float64Array | Int32Array;
export type FloatArray = Float32Array | Float64Array;

export function allocate(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float32': return new Float32Array(size);
    case 'float64': return new Float64Array(size);
    case 'int32': return new Int32Array(size);
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
