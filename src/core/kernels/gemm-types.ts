/** Types shared by the matmul kernel family; re-exported from `gemm.ts`. */

export type FloatArray = Float32Array | Float64Array;

/**
 * One operand of a (batched) matrix product: element (b, i, j) is at
 * data[offset + b*batchStride + i*rowStride + j*colStride]. batchStride 0 broadcasts the operand over the batch.
 * Strides may be any non-negative integers (transposed views!).
 */
export interface GemmOperand {
  data: FloatArray;
  offset: number;
  rowStride: number;
  colStride: number;
  batchStride: number;
}
