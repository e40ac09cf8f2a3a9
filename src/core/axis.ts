import type { TypedArray } from './dtype.ts';
import { Tensor } from './tensor.ts';
import { compact } from './elementwise.ts';

/**
 * Row-wise kernels along one axis (scans, sorts, softmax) run on a compact copy with that axis last: `rows` rows of
 * `r` contiguous values starting at `offset`. `axisBack` puts a result computed in that layout back in the input's
 * axis order. Neither is recorded for autodiff: the calling primitive records itself.
 */
export function rowsAlong(x: Tensor, axis: number): { data: TypedArray; offset: number; r: number; rows: number } {
  const order = [...Array.from({ length: x.ndim }, (_, i) => i).filter((i) => i !== axis), axis];
  const view = new Tensor(x.data, order.map((k) => x.shape[k]!), order.map((k) => x.strides[k]!), x.offset);
  const { data, offset } = compact(view);
  const r = x.shape[axis]!;
  return { data, offset, r, rows: r === 0 ? 0 : x.size / r };
}

export function axisBack<T extends TypedArray>(out: T, shape: readonly number[], axis: number): T {
  if (axis === shape.length - 1) return out;
  const order = [...Array.from({ length: shape.length }, (_, i) => i).filter((i) => i !== axis), axis];
  const moved = new Tensor(out, order.map((k) => shape[k]!));
  const inv = order.map((_, i) => order.indexOf(i));
  return compact(new Tensor(out, inv.map((k) => moved.shape[k]!), inv.map((k) => moved.strides[k]!))).data as T;
}
