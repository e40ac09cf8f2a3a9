import { allocate, isFloat } from './dtype.ts';
import { DTypeError } from './errors.ts';
import { normAxis } from './shape.ts';
import { Tensor } from './tensor.ts';
import { emit } from './trace.ts';
import { compact } from './elementwise.ts';

/**
 * log softmax along `axis` as one primitive: x − max − log Σ exp(x − max), two passes per row. Derived from
 * logsumexp it costs about nine passes forward and ten backward over the same array, and attention runs it over
 * the largest tensor of a transformer; the fused rule is gx = g − softmax(x) · Σ g.
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  if (!isFloat(x.dtype)) throw new DTypeError(`logSoftmax: needs a float tensor, got ${x.dtype}`);
  const a = normAxis('logSoftmax', axis, x.ndim);
  const order = [...Array.from({ length: x.ndim }, (_, i) => i).filter((i) => i !== a), a];
  const view = new Tensor(x.data, order.map((k) => x.shape[k]!), order.map((k) => x.strides[k]!), x.offset);
  const { data: src, offset } = compact(view);
  const r = x.shape[a]!;
  const rows = r === 0 ? 0 : x.size / r;
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
  let result = new Tensor(out, order.map((k) => x.shape[k]!));
  if (a !== x.ndim - 1) {
    const inv = order.map((_, i) => order.indexOf(i));
    const back = new Tensor(out, inv.map((k) => result.shape[k]!), inv.map((k) => result.strides[k]!));
    result = new Tensor(compact(back).data, [...x.shape]);
  }
  return emit('logSoftmax', [x], result, { axis: a });
}
