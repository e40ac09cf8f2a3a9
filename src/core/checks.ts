import { NonFiniteError } from './errors.ts';
import type { Tensor } from './tensor.ts';
import { compact } from './elementwise.ts';

export function isAllFinite(x: Tensor): boolean {
  const { data, offset } = compact(x);
  for (let i = 0; i < x.size; i++) {
    const v = data[offset + i]!;
    if (v - v !== 0) return false;
  }
  return true;
}

/** Throws a NonFiniteError naming the operation and argument when `x` holds NaN or ±Inf. */
export function assertFinite(op: string, arg: string, x: Tensor): void {
  const { data, offset } = compact(x);
  for (let i = 0; i < x.size; i++) {
    const v = data[offset + i]!;
    if (v - v !== 0) throw new NonFiniteError(`${op}: ${arg} contains ${v} at flat index ${i} (shape [${x.shape.join(', ')}]); finite values are required`);
  }
}
