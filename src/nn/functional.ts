import {
  Tensor, Rng, add, mul, sub, exp, tanh, sigmoid, maximum, logSoftmax, takeAlongAxis, mean, scalarLike, shapeStr,
  unsqueeze, assertFinite, integerArray, ArgumentError, DTypeError, ShapeError,
} from '../core/index.ts';

/** Activations and losses, all derived from core primitives (so they need no gradient rules of their own). */

export const relu = (x: Tensor) => maximum(x, scalarLike(0, x.dtype));
/** GELU, tanh approximation (Hendrycks & Gimpel 2016): a core primitive with a fused derivative. */
export { gelu } from '../core/index.ts';
/** SiLU / swish x·σ(x): a core primitive with a fused derivative (the SwiGLU gate of every transformer block). */
export { silu } from '../core/index.ts';
export { tanh, sigmoid, sin } from '../core/index.ts';

export { logSoftmax };

export function softmax(x: Tensor, axis = -1): Tensor {
  return exp(logSoftmax(x, axis));
}

/**
 * Mean softmax cross-entropy between `logits` [..., K] and integer `targets` [...] (int32 tensor or array).
 * Non-finite logits are an error here rather than a NaN loss several steps later.
 */
export function crossEntropy(logits: Tensor, targets: Tensor | readonly number[] | Int32Array): Tensor {
  const K = logits.shape[logits.ndim - 1]!;
  const t = targets instanceof Tensor ? targets : new Tensor(targets instanceof Int32Array ? targets : integerArray('crossEntropy', 'target', targets), [targets.length]);
  if (t.dtype !== 'int32') throw new DTypeError(`crossEntropy: targets must be int32 class indices, got ${t.dtype}`);
  if (t.shape.join() !== logits.shape.slice(0, -1).join()) {
    throw new ShapeError(`crossEntropy: targets have shape ${shapeStr(t.shape)}, expected ${shapeStr(logits.shape.slice(0, -1))} for logits ${shapeStr(logits.shape)}`);
  }
  const td = t.values();
  for (let i = 0; i < td.length; i++) if (td[i]! < 0 || td[i]! >= K) throw new ArgumentError(`crossEntropy: target ${td[i]} at position ${i} is outside [0, ${K})`);
  assertFinite('crossEntropy', 'logits', logits);
  const lp = logSoftmax(logits, -1);
  const picked = takeAlongAxis(lp, unsqueeze(t, t.ndim), -1);
  return mul(mean(picked), -1);
}

export function mse(pred: Tensor, target: Tensor): Tensor {
  if (pred.shape.join() !== target.shape.join()) throw new ShapeError(`mse: prediction ${shapeStr(pred.shape)} and target ${shapeStr(target.shape)} differ`);
  const d = sub(pred, target);
  return mean(mul(d, d));
}

/** Inverted dropout: zeroes each entry with probability p and rescales the rest by 1/(1−p); identity when not training. */
export function dropout(x: Tensor, p: number, rng: Rng, training: boolean): Tensor {
  if (!(p >= 0 && p < 1)) throw new ArgumentError(`dropout: p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  const mask = rng.uniform(x.shape, { dtype: x.dtype as 'float32' | 'float64' });
  const m = mask.data;
  for (let i = 0; i < m.length; i++) m[i] = m[i]! >= p ? 1 / (1 - p) : 0;
  return mul(x, mask);
}

/** Fraction of rows whose argmax equals the target. */
export function accuracy(logits: Tensor, targets: ArrayLike<number>): number {
  const K = logits.shape[logits.ndim - 1]!;
  const v = logits.values();
  let correct = 0;
  const n = v.length / K;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (v[i * K + k]! > v[i * K + best]!) best = k;
    if (best === targets[i]) correct++;
  }
  return correct / n;
}
