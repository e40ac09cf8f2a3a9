import { allocate, isFloat, type FloatArray } from './dtype.ts';
import { DTypeError, ShapeError } from './errors.ts';
import { broadcastShapes, shapeStr, sizeOf } from './shape.ts';
import { Tensor, reshape } from './tensor.ts';
import { emit } from './trace.ts';
import { gemm, type GemmOperand } from './kernels/gemm.ts';

/**
 * Batched, broadcasting matrix product with NumPy's `matmul` semantics: 1-d operands are promoted (and the
 * added axis removed afterwards), leading axes broadcast. The primitive recorded for autodiff is always ≥ 2-d.
 * All arithmetic goes through the one `gemm` kernel family.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) throw new DTypeError('matmul: both operands must be Tensors');
  if (a.ndim === 0 || b.ndim === 0) throw new ShapeError(`matmul: operands must have at least one dimension, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  if (a.ndim === 1 || b.ndim === 1) {
    const a2 = a.ndim === 1 ? reshape(a, [1, a.shape[0]!]) : a;
    const b2 = b.ndim === 1 ? reshape(b, [b.shape[0]!, 1]) : b;
    const c = matmul(a2, b2);
    const s = [...c.shape];
    if (b.ndim === 1) s.pop();
    if (a.ndim === 1) s.splice(s.length - (b.ndim === 1 ? 1 : 2), 1);
    return reshape(c, s);
  }
  if (a.dtype !== b.dtype) throw new DTypeError(`matmul: dtype mismatch, ${a.dtype} @ ${b.dtype} (convert one with astype)`);
  if (!isFloat(a.dtype)) throw new DTypeError(`matmul: needs float tensors, got ${a.dtype}`);
  const m = a.shape[a.ndim - 2]!, k = a.shape[a.ndim - 1]!;
  const k2 = b.shape[b.ndim - 2]!, n = b.shape[b.ndim - 1]!;
  if (k !== k2) throw new ShapeError(`matmul: inner dimensions differ, ${shapeStr(a.shape)} @ ${shapeStr(b.shape)} (${k} vs ${k2})`);
  const batchShape = broadcastShapes('matmul (batch axes)', a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = sizeOf(batchShape);
  const out = allocate(a.dtype, batch * m * n) as FloatArray;
  const oa = batchOperand(a, batchShape);
  const ob = batchOperand(b, batchShape);
  if (oa && ob) {
    gemm(m, n, k, batch, oa, ob, out, 0);
  } else {
    // Batch axes that do not collapse to one stride: one gemm call per batch element.
    for (let t = 0; t < batch; t++) {
      gemm(m, n, k, 1, operandAt(a, batchShape, t), operandAt(b, batchShape, t), out, t * m * n);
    }
  }
  return emit('matmul', [a, b], new Tensor(out, [...batchShape, m, n]));
}

/** The operand's batch axes as one stride (0 = broadcast), or null when they do not collapse. */
function batchOperand(x: Tensor, batchShape: number[]): GemmOperand | null {
  const nb = batchShape.length;
  const lead = nb - (x.ndim - 2);
  let stride: number | null = null;
  let expected = -1;
  for (let i = nb - 1; i >= 0; i--) {
    const d = batchShape[i]!;
    const xd = i < lead ? 1 : x.shape[i - lead]!;
    if (d === 1) continue;
    const s = xd === 1 ? 0 : x.strides[i - lead]!;
    if (stride === null) {
      stride = s;
      expected = s * d;
    } else if (stride === 0 && s === 0) {
      continue;
    } else if (s === expected && stride !== 0) {
      expected = s * d;
    } else {
      return null;
    }
  }
  return {
    data: x.data as FloatArray,
    offset: x.offset,
    rowStride: x.strides[x.ndim - 2]!,
    colStride: x.strides[x.ndim - 1]!,
    batchStride: stride ?? 0,
  };
}

function operandAt(x: Tensor, batchShape: number[], t: number): GemmOperand {
  const nb = batchShape.length;
  const lead = nb - (x.ndim - 2);
  let off = x.offset;
  for (let i = nb - 1; i >= 0; i--) {
    const d = batchShape[i]!;
    const idx = t % d;
    t = Math.floor(t / d);
    if (i >= lead && x.shape[i - lead] !== 1) off += idx * x.strides[i - lead]!;
  }
  return { data: x.data as FloatArray, offset: off, rowStride: x.strides[x.ndim - 2]!, colStride: x.strides[x.ndim - 1]!, batchStride: 0 };
}
