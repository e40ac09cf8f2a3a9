import { allocate, dtypeOf, type DType, type TypedArray } from './dtype.ts';
import { ArgumentError, ShapeError } from './errors.ts';
import { broadcastShapes, checkShape, contiguousStrides, normAxis, sameShape, shapeStr, sizeOf, type Shape } from './shape.ts';
import { emit } from './trace.ts';
import * as E from './elementwise.ts';
import * as R from './reduce.ts';
import { matmul } from './matmul.ts';

export type NestedArray = number | NestedArray[];
/** A per-axis slice: an index (drops the axis), `[start, stop, step?]` (negative counts from the end), or null (all). */
export type SliceSpec = number | readonly [number | null, (number | null)?, number?] | null;

/**
 * An n-dimensional array over a typed array, with shape, strides and offset. Movement ops (reshape of a
 * contiguous tensor, permute, expand, slice) return views sharing `data`; everything else allocates a new,
 * contiguous result. Tensors are treated as immutable by every op; only optimizers write into parameters, with
 * recording suspended.
 */
export class Tensor {
  readonly data: TypedArray;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
  readonly size: number;

  constructor(data: TypedArray, shape: Shape, strides?: readonly number[], offset = 0) {
    this.data = data;
    this.shape = shape;
    this.strides = strides ?? contiguousStrides(shape);
    this.offset = offset;
    this.dtype = dtypeOf(data);
    this.size = sizeOf(shape);
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** True when elements are laid out row-major without gaps starting at `offset`. */
  isContiguous(): boolean {
    let s = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      const d = this.shape[i]!;
      if (d !== 1 && this.strides[i] !== s) return false;
      s *= d;
    }
    return true;
  }

  /** A contiguous tensor with the same values (itself when already contiguous and starting at offset 0). */
  contiguous(): Tensor {
    if (this.isContiguous() && this.offset === 0 && this.data.length === this.size) return this;
    const out = new Tensor(allocate(this.dtype, this.size), this.shape);
    copyStrided(this, out.data, 0);
    return emit('copy', [this], out);
  }

  /** A flat typed array of the values in row-major order (a copy unless the tensor is already compact). */
  values(): TypedArray {
    return this.contiguous().data;
  }

  /** A plain nested JavaScript array of the values. */
  toArray(): NestedArray {
    const flat = this.values();
    if (this.ndim === 0) return flat[0]!;
    const build = (dim: number, off: number): NestedArray[] => {
      const n = this.shape[dim]!;
      const inner = sizeOf(this.shape.slice(dim + 1));
      const res: NestedArray[] = new Array(n);
      for (let i = 0; i < n; i++) res[i] = dim === this.ndim - 1 ? flat[off + i]! : build(dim + 1, off + i * inner);
      return res;
    };
    return build(0, 0);
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new ShapeError(`item: tensor of shape ${shapeStr(this.shape)} has ${this.size} elements, expected 1`);
    return this.data[this.offset]!;
  }

  /** The element at a full index (negative indices count from the end). */
  get(...index: number[]): number {
    if (index.length !== this.ndim) throw new ArgumentError(`get: expected ${this.ndim} indices for shape ${shapeStr(this.shape)}, got ${index.length}`);
    let off = this.offset;
    for (let i = 0; i < index.length; i++) {
      let k = index[i]!;
      const d = this.shape[i]!;
      if (!Number.isInteger(k) || k < -d || k >= d) throw new ArgumentError(`get: index ${k} out of range for axis ${i} of size ${d}`);
      if (k < 0) k += d;
      off += k * this.strides[i]!;
    }
    return this.data[off]!;
  }

  toString(): string {
    return `Tensor(${this.dtype}, ${shapeStr(this.shape)})`;
  }

  // ---- movement (views) ----
  reshape(...shape: (number | number[])[]): Tensor {
    return reshape(this, shape.flat());
  }
  permute(...axes: (number | number[])[]): Tensor {
    return permute(this, axes.flat());
  }
  /** Swaps the last two axes (or reverses a 1-d/2-d tensor's axes). */
  get T(): Tensor {
    return transpose(this);
  }
  transpose(a = -2, b = -1): Tensor {
    return transpose(this, a, b);
  }
  expand(...shape: (number | number[])[]): Tensor {
    return broadcastTo(this, shape.flat());
  }
  slice(...specs: SliceSpec[]): Tensor {
    return slice(this, specs);
  }
  squeeze(axis?: number): Tensor {
    return squeeze(this, axis);
  }
  unsqueeze(axis: number): Tensor {
    return unsqueeze(this, axis);
  }
  flatten(): Tensor {
    return reshape(this, [this.size]);
  }
  astype(dtype: DType): Tensor {
    return E.astype(this, dtype);
  }

  // ---- arithmetic ----
  add(o: Tensor | number): Tensor { return E.add(this, o); }
  sub(o: Tensor | number): Tensor { return E.sub(this, o); }
  mul(o: Tensor | number): Tensor { return E.mul(this, o); }
  div(o: Tensor | number): Tensor { return E.div(this, o); }
  pow(o: Tensor | number): Tensor { return E.pow(this, o); }
  neg(): Tensor { return E.neg(this); }
  exp(): Tensor { return E.exp(this); }
  log(): Tensor { return E.log(this); }
  sqrt(): Tensor { return E.sqrt(this); }
  square(): Tensor { return E.mul(this, this); }
  abs(): Tensor { return E.abs(this); }
  tanh(): Tensor { return E.tanh(this); }
  matmul(o: Tensor): Tensor { return matmul(this, o); }
  sum(axis?: number | number[], keepdims = false): Tensor { return R.sum(this, axis, keepdims); }
  mean(axis?: number | number[], keepdims = false): Tensor { return R.mean(this, axis, keepdims); }
  max(axis?: number | number[], keepdims = false): Tensor { return R.max(this, axis, keepdims); }
}

/** Writes the elements of `t` in row-major order into `dst` starting at `dstOffset`. */
export function copyStrided(t: Tensor, dst: TypedArray, dstOffset: number): void {
  const src = t.data;
  if (t.size === 0) return;
  // Coalesce first: drop size-1 axes and merge neighbours that are contiguous with each other, so a permuted view
  // whose last axis has size 1 (a rank-1 BTT core) does not pay the index carry once per element.
  const shape: number[] = [];
  const strides: number[] = [];
  for (let i = t.ndim - 1; i >= 0; i--) {
    const d = t.shape[i]!, st = t.strides[i]!;
    if (d === 1) continue;
    const last = shape.length - 1;
    if (last >= 0 && st === strides[last]! * shape[last]!) { shape[last] = shape[last]! * d; continue; }
    shape.push(d);
    strides.push(st);
  }
  shape.reverse();
  strides.reverse();
  const nd = shape.length;
  if (nd === 0) {
    dst[dstOffset] = src[t.offset]!;
    return;
  }
  const n1 = shape[nd - 1]!, s1 = strides[nd - 1]!;
  if (nd === 1) {
    if (s1 === 1) dst.set(src.subarray(t.offset, t.offset + n1), dstOffset);
    else for (let j = 0, p = t.offset; j < n1; j++, p += s1) dst[dstOffset + j] = src[p]!;
    return;
  }
  // The last two axes as a nested loop; the carry runs once per plane of n0·n1 elements.
  const n0 = shape[nd - 2]!, s0 = strides[nd - 2]!;
  const planes = t.size / (n0 * n1);
  const idx = new Array<number>(nd).fill(0);
  let off = t.offset;
  let o = dstOffset;
  for (let pl = 0; pl < planes; pl++) {
    if (s1 === 1 && n1 >= 16) {
      for (let i = 0, row = off; i < n0; i++, row += s0, o += n1) dst.set(src.subarray(row, row + n1), o);
    } else if (s1 === 1) {
      for (let i = 0, row = off; i < n0; i++, row += s0) for (let j = 0; j < n1; j++) dst[o++] = src[row + j]!;
    } else {
      for (let i = 0, row = off; i < n0; i++, row += s0) for (let j = 0, p = row; j < n1; j++, p += s1) dst[o++] = src[p]!;
    }
    for (let ax = nd - 3; ax >= 0; ax--) {
      idx[ax]!++;
      off += strides[ax]!;
      if (idx[ax]! < shape[ax]!) break;
      off -= strides[ax]! * shape[ax]!;
      idx[ax] = 0;
    }
  }
}

// ---------------- movement primitives ----------------

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = [...shape];
  const neg = target.indexOf(-1);
  if (neg >= 0) {
    if (target.indexOf(-1, neg + 1) >= 0) throw new ShapeError(`reshape: at most one -1 allowed in ${shapeStr(shape)}`);
    const rest = sizeOf(target.filter((_, i) => i !== neg));
    if (rest === 0 || x.size % rest !== 0) throw new ShapeError(`reshape: cannot reshape ${shapeStr(x.shape)} (${x.size} elements) into ${shapeStr(shape)}`);
    target[neg] = x.size / rest;
  }
  checkShape('reshape', target);
  if (sizeOf(target) !== x.size) throw new ShapeError(`reshape: cannot reshape ${shapeStr(x.shape)} (${x.size} elements) into ${shapeStr(shape)}`);
  if (sameShape(target, x.shape)) return x;
  // A view when possible — also of a strided tensor, when the axes being merged are contiguous with each other
  // (NumPy's no-copy reshape), so permute → reshape chains in structured layers do not copy; otherwise one compact
  // copy that is not itself recorded (the reshape rule covers it).
  if (!x.isContiguous() && x.size > 0) {
    const st = viewStrides(x.shape, x.strides, target);
    if (st) return emit('reshape', [x], new Tensor(x.data, target, st, x.offset), { shape: target });
  }
  const src = E.compact(x);
  return emit('reshape', [x], new Tensor(src.data, target, contiguousStrides(target), src.offset), { shape: target });
}

/**
 * Strides that let a tensor of `shape`/`strides` be read as `target` without a copy, or null. Size-1 axes are
 * dropped; each group of old axes that becomes one run of new axes must be mutually contiguous (NumPy's
 * `_attempt_nocopy_reshape`). Both shapes hold the same positive number of elements.
 */
function viewStrides(shape: readonly number[], strides: readonly number[], target: readonly number[]): number[] | null {
  const os: number[] = [], ost: number[] = [];
  for (let i = 0; i < shape.length; i++) if (shape[i] !== 1) { os.push(shape[i]!); ost.push(strides[i]!); }
  const nst = new Array<number>(target.length).fill(0);
  let oi = 0, oj = 1, ni = 0, nj = 1;
  while (ni < target.length && oi < os.length) {
    let np = target[ni]!, op = os[oi]!;
    while (np !== op) {
      if (np < op) np *= target[nj++]!;
      else op *= os[oj++]!;
    }
    for (let k = oi; k < oj - 1; k++) if (ost[k] !== os[k + 1]! * ost[k + 1]!) return null;
    nst[nj - 1] = ost[oj - 1]!;
    for (let k = nj - 1; k > ni; k--) nst[k - 1] = nst[k]! * target[k]!;
    ni = nj++;
    oi = oj++;
  }
  // Trailing size-1 axes of the target: any stride works.
  for (let k = ni; k < target.length; k++) nst[k] = 1;
  return nst;
}

export function permute(x: Tensor, axes: readonly number[]): Tensor {
  if (axes.length !== x.ndim) throw new ShapeError(`permute: got ${axes.length} axes for a tensor with ${x.ndim} dimensions`);
  const ax = axes.map((a) => normAxis('permute', a, x.ndim));
  if (new Set(ax).size !== ax.length) throw new ArgumentError(`permute: axes ${JSON.stringify(axes)} are not a permutation`);
  if (ax.every((a, i) => a === i)) return x;
  const out = new Tensor(x.data, ax.map((a) => x.shape[a]!), ax.map((a) => x.strides[a]!), x.offset);
  return emit('permute', [x], out, { axes: ax });
}

export function transpose(x: Tensor, a = -2, b = -1): Tensor {
  if (x.ndim < 2) return x;
  const i = normAxis('transpose', a, x.ndim);
  const j = normAxis('transpose', b, x.ndim);
  const axes = Array.from({ length: x.ndim }, (_, k) => k);
  axes[i] = j;
  axes[j] = i;
  return permute(x, axes);
}

/** Broadcasts to `shape` without copying (stride 0 along expanded axes). */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  const target = checkShape('broadcastTo', shape);
  if (sameShape(target, x.shape)) return x;
  const b = broadcastShapes('broadcastTo', x.shape, target);
  if (!sameShape(b, target)) throw new ShapeError(`broadcastTo: cannot broadcast ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
  const lead = target.length - x.ndim;
  const strides = target.map((d, i) => (i < lead ? 0 : x.shape[i - lead] === 1 && d !== 1 ? 0 : x.strides[i - lead]!));
  return emit('expand', [x], new Tensor(x.data, target, strides, x.offset), { shape: target });
}

export function slice(x: Tensor, specs: readonly SliceSpec[]): Tensor {
  if (specs.length > x.ndim) throw new ArgumentError(`slice: ${specs.length} slice specs for a tensor with ${x.ndim} dimensions`);
  const shape: number[] = [];
  const strides: number[] = [];
  let offset = x.offset;
  const starts: number[] = [];
  const steps: number[] = [];
  const dropped: boolean[] = [];
  for (let i = 0; i < x.ndim; i++) {
    const d = x.shape[i]!;
    const spec = i < specs.length ? specs[i] : null;
    if (spec === null || spec === undefined) {
      shape.push(d);
      strides.push(x.strides[i]!);
      starts.push(0);
      steps.push(1);
      dropped.push(false);
      continue;
    }
    if (typeof spec === 'number') {
      if (!Number.isInteger(spec) || spec < -d || spec >= d) throw new ArgumentError(`slice: index ${spec} out of range for axis ${i} of size ${d}`);
      const k = spec < 0 ? spec + d : spec;
      offset += k * x.strides[i]!;
      starts.push(k);
      steps.push(1);
      dropped.push(true);
      continue;
    }
    const step = spec[2] ?? 1;
    if (!Number.isInteger(step) || step === 0) throw new ArgumentError(`slice: step must be a non-zero integer, got ${step}`);
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
    let start: number, stop: number;
    if (step > 0) {
      start = spec[0] == null ? 0 : clamp(spec[0] < 0 ? spec[0] + d : spec[0], 0, d);
      stop = spec[1] == null ? d : clamp(spec[1] < 0 ? spec[1] + d : spec[1], 0, d);
    } else {
      start = spec[0] == null ? d - 1 : clamp(spec[0] < 0 ? spec[0] + d : spec[0], -1, d - 1);
      stop = spec[1] == null ? -1 : clamp(spec[1] < 0 ? spec[1] + d : spec[1], -1, d - 1);
    }
    const n = Math.max(0, Math.ceil((stop - start) / step));
    offset += (n > 0 ? start : 0) * x.strides[i]!;
    shape.push(n);
    strides.push(x.strides[i]! * step);
    starts.push(start);
    steps.push(step);
    dropped.push(false);
  }
  const out = new Tensor(x.data, shape, strides, offset);
  return emit('slice', [x], out, { starts, steps, dropped });
}

export function squeeze(x: Tensor, axis?: number): Tensor {
  if (axis === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const a = normAxis('squeeze', axis, x.ndim);
  if (x.shape[a] !== 1) throw new ShapeError(`squeeze: axis ${axis} has size ${x.shape[a]}, expected 1`);
  return reshape(x, x.shape.filter((_, i) => i !== a));
}

export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normAxis('unsqueeze', axis, x.ndim + 1);
  const s = [...x.shape];
  s.splice(a, 0, 1);
  return reshape(x, s);
}
