import { allocate, isFloat } from './dtype.ts';
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
  for (let o = 0; o < rows; o++) {
    const base = offset + o * r, ob = o * r;
    let m = -Infinity;
    for (let j = 0; j < r; j++) { const v = src[base + j]!; if (v > m) m = v; }
    // A row of all −∞ (fully masked) or containing +∞ has no finite shift: fall back to 0 so the result is NaN/−∞
    // exactly where the mathematics says, instead of NaN everywhere.
    if (!Number.isFinite(m)) m = 0;
    let s = 0;
    for (let j = 0; j < r; j++) s += Math.exp(src[base + j]! - m);
    const lse = m + Math.log(s);
    for (let j = 0; j < r; j++) out[ob + j] = src[base + j]! - lse;
  }
  const result = new Tensor(axisBack(out, x.shape, a), [...x.shape]);
  return emit('logSoftmax', [x], result, { axis: a });
}
