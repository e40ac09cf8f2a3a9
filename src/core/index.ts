/**
 * strata/core — typed-array tensors (float32, float64, int32), the op vocabulary, the matmul kernels and the RNG.
 * Every differentiable op here reports to `trace.ts`; `strata/autodiff` turns those reports into gradients.
 */
export { Tensor, copyStrided, reshape, permute, transpose, broadcastTo, slice, squeeze, unsqueeze } from './tensor.ts';
export type { NestedArray, SliceSpec } from './tensor.ts';
export { type DType, type FloatDType, type TypedArray, type FloatArray, allocate, checkDType, dtypeOf, isFloat, epsOf } from './dtype.ts';
export { type Shape, sizeOf, broadcastShapes, contiguousStrides, sameShape, shapeStr, normAxis, normAxes } from './shape.ts';
export { full, zeros, ones, zerosLike, onesLike, scalar, arange, linspace, eye, tensor } from './create.ts';
export {
  unary, binary, where, astype, compact, scalarLike, UNARY, BINARY, type UnaryOp, type BinaryOp,
  neg, exp, log, log1p, expm1, sin, cos, tanh, sqrt, abs, sign, floor, sigmoid, reciprocal, gelu, geluGrad, silu, siluGrad,
  add, sub, mul, div, pow, maximum, minimum, eq, ne, lt, le, gt, ge, square,
} from './elementwise.ts';
export { sum, max, min, mean, variance, argmax, argmin, logsumexp, norm, cumsum } from './reduce.ts';
export { matmul } from './matmul.ts';
export { gemm, kernelInfo, setKernelBackend, type GemmOperand, type KernelInfo, type KernelBackend } from './kernels/gemm.ts';
export { logSoftmax } from './softmax.ts';
export { einsum } from './einsum.ts';
export { take, indexAdd, takeAlongAxis, concat, stack, split, argsort, sort, topk, oneHot, integerArray, type Indices } from './indexing.ts';
export { Rng, deriveSeed } from './random.ts';
export { emit, pushRecorder, popRecorder, noGrad, type Recorder } from './trace.ts';
export { assertFinite, isAllFinite } from './checks.ts';
export * from './errors.ts';
export { wasmApi, type WasmApi, type WasmMemory } from './kernels/wasm-api.ts';
