import { allocate, isFloat, type FloatArray } from './dtype.ts';
import { logsumexpRowsWasm } from './kernels/elementwise-wasm.ts';
import { logsumexpRowsJs } from './reduce.ts';
import { DTypeError } from './errors.ts';
import { normAxis } from './shape.ts';
import { Tensor } from './tensor.ts';
import { emit } from './trace.ts';
import { rowsAlong, axisBack } from './axis.ts';

/**
 * log softmax along `axis` as one primitive: x − max − log Σ exp(x − max), two passes per row. Derived from
 * logsumexp it costs about nine passes forward and ten backward over the same array, and attention runs it over
 * the largest tensor of a transformer; the fused rule is gx = g − softmax(x) · Σ g.
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  if (!isFloat(x.dtype)) throw new DTypeError(`logSoftmax: needs a float tensor, got ${x.dtype}`);
  const a = normAxis('logSoftmax', axis, x.ndim);
  const { data: src, offset, r, rows } = rowsAlong(x, a);
  const out = allocate(x.dtype, x.size);
  // The row log-sum-exps come from the fused wasm kernel (or its JavaScript fallback); then one subtraction pass.
  const lse = new Float64Array(rows);
  if (!logsumexpRowsWasm(src as FloatArray, offset, rows, r, lse)) logsumexpRowsJs(src, offset, rows, r, lse);
  for (let o = 0; o < rows; o++) {
    const base = offset + o * r, ob = o * r, l = lse[o]!;
    for (let j = 0; j < r; j++) out[ob + j] = src[base + j]! - l;
  }
  const result = new Tensor(axisBack(out, x.shape, a), [...x.shape]);
  return emit('logSoftmax', [x], result, { axis: a });
}
