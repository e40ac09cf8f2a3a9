import { allocate, isFloat, type FloatArray, type TypedArray } from './dtype.ts';
import { logsumexpRowsWasm } from './kernels/elementwise-wasm.ts';
import { ArgumentError, DTypeError } from './errors.ts';
import { normAxes, normAxis } from './shape.ts';
import { Tensor } from './tensor.ts';
import { emit } from './trace.ts';
import { compact } from './elementwise.ts';
import { rowsAlong, axisBack } from './axis.ts';
import * as E from './elementwise.ts';

/**
 * Reductions. `sum` and `max` are primitives (with gradient rules in autodiff); mean, min, logsumexp and norm are
 * derived from them. Reduced axes are moved to the back (a view) and compacted once, so every reduction runs over
 * contiguous blocks; float32 inputs accumulate in float64.
 */

type Reducer = 'sum' | 'max' | 'min' | 'argmax' | 'argmin';

/**
 * Sum or max over the leading axes of a contiguous tensor (column reductions): accumulate whole rows instead of
 * transposing first, so the input is read once, in order.
 */
function reduceLeading(kind: 'sum' | 'max', x: Tensor, axes: number[]): TypedArray | null {
  if (!x.isContiguous() || axes.length === 0 || axes.some((a, i) => a !== i) || axes.length === x.ndim) return null;
  const rows = axes.reduce((p, a) => p * x.shape[a]!, 1);
  const inner = x.size / rows;
  if (rows === 0) return null;
  const src = x.data, off = x.offset;
  const acc = new Float64Array(inner);
  for (let j = 0; j < inner; j++) acc[j] = src[off + j]!;
  // Row by row, unrolled by four (V8 does not unroll; the rolled loop ran at ≈ 1/3 of memory speed).
  const last = inner - (inner % 4);
  for (let i = 1; i < rows; i++) {
    const base = off + i * inner;
    if (kind === 'sum') {
      let j = 0;
      for (; j < last; j += 4) {
        acc[j]! += src[base + j]!; acc[j + 1]! += src[base + j + 1]!; acc[j + 2]! += src[base + j + 2]!; acc[j + 3]! += src[base + j + 3]!;
      }
      for (; j < inner; j++) acc[j]! += src[base + j]!;
    } else {
      // `v > a || v !== v`: NaN, once in, stays (every later comparison with it is false).
      for (let j = 0; j < inner; j++) { const v = src[base + j]!; if (v > acc[j]! || v !== v) acc[j] = v; }
    }
  }
  const out = allocate(x.dtype, inner);
  out.set(acc);
  return out;
}

function reduceBlocks(kind: Reducer, x: Tensor, axes: number[]): { data: TypedArray; kept: number[] } {
  if (kind === 'sum' || kind === 'max') {
    const lead = reduceLeading(kind, x, axes);
    if (lead) return { data: lead, kept: x.shape.slice(axes.length) };
  }
  const keptAxes = Array.from({ length: x.ndim }, (_, i) => i).filter((i) => !axes.includes(i));
  const order = [...keptAxes, ...axes];
  const view = new Tensor(x.data, order.map((a) => x.shape[a]!), order.map((a) => x.strides[a]!), x.offset);
  const { data: src, offset } = compact(view);
  const kept = keptAxes.map((a) => x.shape[a]!);
  const outer = kept.reduce((p, d) => p * d, 1);
  const r = axes.reduce((p, a) => p * x.shape[a]!, 1);
  const isArg = kind === 'argmax' || kind === 'argmin';
  const out = allocate(isArg ? 'int32' : x.dtype, outer);
  if (r === 0 && kind !== 'sum') throw new ArgumentError(`${kind}: cannot reduce over an empty axis (shape [${x.shape.join(', ')}])`);
  for (let o = 0; o < outer; o++) {
    const base = offset + o * r;
    switch (kind) {
      case 'sum': {
        // Four independent accumulators let the loop pipeline instead of waiting on one running sum.
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0, j = 0;
        for (; j + 3 < r; j += 4) { s0 += src[base + j]!; s1 += src[base + j + 1]!; s2 += src[base + j + 2]!; s3 += src[base + j + 3]!; }
        for (; j < r; j++) s0 += src[base + j]!;
        out[o] = s0 + s1 + (s2 + s3);
        break;
      }
      case 'max':
      case 'min': {
        // NaN propagates, as in NumPy: a max over values containing NaN is NaN. Four running extrema keep the
        // comparisons independent; the NaN test is a well-predicted branch.
        const sg = kind === 'max' ? 1 : -1;
        let m0 = sg * src[base]!, m1 = m0, m2 = m0, m3 = m0, j = 1, nan = m0 !== m0;
        for (; j + 3 < r && !nan; j += 4) {
          const v0 = sg * src[base + j]!, v1 = sg * src[base + j + 1]!, v2 = sg * src[base + j + 2]!, v3 = sg * src[base + j + 3]!;
          if (v0 > m0) m0 = v0;
          if (v1 > m1) m1 = v1;
          if (v2 > m2) m2 = v2;
          if (v3 > m3) m3 = v3;
          if (v0 !== v0 || v1 !== v1 || v2 !== v2 || v3 !== v3) nan = true;
        }
        for (; j < r && !nan; j++) { const v = sg * src[base + j]!; if (v > m0) m0 = v; if (v !== v) nan = true; }
        out[o] = nan ? NaN : sg * Math.max(m0, m1, m2, m3);
        break;
      }
      case 'argmax':
      case 'argmin': {
        let m = src[base]!, k = 0;
        for (let j = 1; j < r; j++) {
          const v = src[base + j]!;
          if (kind === 'argmax' ? v > m : v < m) { m = v; k = j; }
        }
        out[o] = k;
        break;
      }
    }
  }
  return { data: out, kept };
}

function keepShape(shape: readonly number[], axes: number[], keepdims: boolean, kept: number[]): number[] {
  return keepdims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : kept;
}

export function sum(x: Tensor, axis?: number | readonly number[], keepdims = false): Tensor {
  const axes = normAxes('sum', axis, x.ndim);
  const { data, kept } = reduceBlocks('sum', x, axes);
  return emit('sum', [x], new Tensor(data, keepShape(x.shape, axes, keepdims, kept)), { axes, keepdims });
}

export function max(x: Tensor, axis?: number | readonly number[], keepdims = false): Tensor {
  const axes = normAxes('max', axis, x.ndim);
  const { data, kept } = reduceBlocks('max', x, axes);
  return emit('max', [x], new Tensor(data, keepShape(x.shape, axes, keepdims, kept)), { axes, keepdims });
}

export function min(x: Tensor, axis?: number | readonly number[], keepdims = false): Tensor {
  return E.neg(max(E.neg(x), axis, keepdims));
}

export function mean(x: Tensor, axis?: number | readonly number[], keepdims = false): Tensor {
  const axes = normAxes('mean', axis, x.ndim);
  const n = axes.reduce((p, a) => p * x.shape[a]!, 1);
  if (n === 0) throw new ArgumentError(`mean: cannot average over an empty axis (shape [${x.shape.join(', ')}])`);
  return E.div(sum(x, axes, keepdims), n);
}

/** Population variance (divides by n), like NumPy's default. */
export function variance(x: Tensor, axis?: number | readonly number[], keepdims = false): Tensor {
  const axes = normAxes('variance', axis, x.ndim);
  const d = E.sub(x, mean(x, axes, true));
  return mean(E.mul(d, d), axes, keepdims);
}

export function argmax(x: Tensor, axis = -1): Tensor {
  const a = normAxis('argmax', axis, x.ndim);
  const { data, kept } = reduceBlocks('argmax', x, [a]);
  return new Tensor(data, kept);
}

export function argmin(x: Tensor, axis = -1): Tensor {
  const a = normAxis('argmin', axis, x.ndim);
  const { data, kept } = reduceBlocks('argmin', x, [a]);
  return new Tensor(data, kept);
}

/**
 * log Σ exp(x) along `axis`, shifted by the (constant) maximum so it never overflows. Over one axis it is a
 * primitive (one fused pass per row on the wasm kernel; gradient g·exp(x − out)); over several axes it is derived
 * from max, exp, sum and log.
 */
export function logsumexp(x: Tensor, axis: number | readonly number[] = -1, keepdims = false): Tensor {
  if (!isFloat(x.dtype)) throw new DTypeError(`logsumexp: needs a float tensor, got ${x.dtype}`);
  const axes = normAxes('logsumexp', axis, x.ndim);
  if (axes.length === 1 && x.shape[axes[0]!]! > 0) {
    const a = axes[0]!;
    const { data: src, offset, r, rows } = rowsAlong(x, a);
    const lse = new Float64Array(rows);
    if (!logsumexpRowsWasm(src as FloatArray, offset, rows, r, lse)) logsumexpRowsJs(src, offset, rows, r, lse);
    const out = allocate(x.dtype, rows, 'logsumexp');
    out.set(lse);
    const shape = x.shape.map((d, i) => (i === a ? 1 : d));
    return emit('logsumexp', [x], new Tensor(out, keepdims ? shape : shape.filter((_, i) => i !== a)), { axis: a, keepdims });
  }
  // The shift is a constant for differentiation: detach it by rebuilding from its data (not recorded).
  const mRaw = max(x, axes, true);
  const m = new Tensor(mRaw.data, mRaw.shape);
  const mSafe = E.where(E.eq(E.abs(m), Infinity), 0, m);
  const s = E.add(E.log(sum(E.exp(E.sub(x, mSafe)), axes, true)), mSafe);
  return keepdims ? s : s.reshape(s.shape.filter((_, i) => !axes.includes(i)));
}

/** The fallback of the wasm row kernel, with the same shift rule (a non-finite row maximum other than NaN → 0). */
export function logsumexpRowsJs(src: ArrayLike<number>, offset: number, rows: number, r: number, out: Float64Array): void {
  for (let o = 0; o < rows; o++) {
    const base = offset + o * r;
    let m = -Infinity;
    for (let j = 0; j < r; j++) { const v = src[base + j]!; if (v > m || v !== v) m = v; }
    if (m === Infinity || m === -Infinity) m = 0;
    let s = 0;
    for (let j = 0; j < r; j++) s += Math.exp(src[base + j]! - m);
    out[o] = m + Math.log(s);
  }
}

/** Euclidean (Frobenius) norm over `axis` (all axes by default). */
export function norm(x: Tensor, axis?: number | readonly number[], keepdims = false): Tensor {
  return E.sqrt(sum(E.mul(x, x), axis, keepdims));
}

/** Inclusive cumulative sum along `axis`. */
export function cumsum(x: Tensor, axis = -1): Tensor {
  const a = normAxis('cumsum', axis, x.ndim);
  const { data: src, offset, r, rows } = rowsAlong(x, a);
  const out = allocate(x.dtype, x.size);
  for (let o = 0; o < rows; o++) {
    let s = 0;
    for (let j = 0; j < r; j++) {
      s += src[offset + o * r + j]!;
      out[o * r + j] = s;
    }
  }
  return emit('cumsum', [x], new Tensor(axisBack(out, x.shape, a), [...x.shape]), { axis: a });
}
