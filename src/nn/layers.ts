import {
  Tensor, Rng, matmul, add, mul, sub, div, sqrt, mean, take, variance, ones, zeros, type FloatDType,
  ArgumentError, ShapeError,
} from '../core/index.ts';
import { relu, gelu, silu, tanh, sin } from './functional.ts';

/**
 * Layers as pairs of plain functions: `xInit(rng, ...)` returns a parameter tree, `x(params, input)` applies it.
 * No module objects, no registration: a model is a tree of these trees, and its forward pass is a function.
 */

export interface LinearParams { w: Tensor; b?: Tensor }

function checkDim(op: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0) throw new ArgumentError(`${op}: ${name} must be a positive integer, got ${v}`);
}

/** Dense layer y = x W + b with W of shape [in, out]; W ~ N(0, scale²/in) (LeCun/µP-style fan-in scaling). */
export function linearInit(rng: Rng, inDim: number, outDim: number, opts: { bias?: boolean; dtype?: FloatDType; scale?: number } = {}): LinearParams {
  checkDim('linearInit', 'inDim', inDim);
  checkDim('linearInit', 'outDim', outDim);
  const dtype = opts.dtype ?? 'float32';
  const w = rng.normal([inDim, outDim], { std: (opts.scale ?? 1) / Math.sqrt(inDim), dtype });
  return opts.bias === false ? { w } : { w, b: zeros([outDim], dtype) };
}

export function linear(p: LinearParams, x: Tensor): Tensor {
  const inDim = p.w.shape[0]!;
  if (x.shape[x.ndim - 1] !== inDim) throw new ShapeError(`linear: input's last axis is ${x.shape[x.ndim - 1]}, the layer expects ${inDim} (input shape [${x.shape.join(', ')}])`);
  const y = matmul(x, p.w);
  return p.b ? add(y, p.b) : y;
}

export interface EmbeddingParams { table: Tensor }

export function embeddingInit(rng: Rng, vocab: number, dim: number, opts: { dtype?: FloatDType; std?: number } = {}): EmbeddingParams {
  checkDim('embeddingInit', 'vocab', vocab);
  checkDim('embeddingInit', 'dim', dim);
  return { table: rng.normal([vocab, dim], { std: opts.std ?? 1, dtype: opts.dtype ?? 'float32' }) };
}

/** Rows of the table for integer ids of any shape: output shape ids.shape + [dim]. */
export function embedding(p: EmbeddingParams, ids: Tensor | readonly number[]): Tensor {
  return take(p.table, ids, 0);
}

export interface NormParams { scale: Tensor; shift?: Tensor }

export function layerNormInit(dim: number, dtype: FloatDType = 'float32'): NormParams {
  return { scale: ones([dim], dtype), shift: zeros([dim], dtype) };
}

export function layerNorm(p: NormParams, x: Tensor, eps = 1e-5): Tensor {
  const mu = mean(x, -1, true);
  const y = div(sub(x, mu), sqrt(add(variance(x, -1, true), eps)));
  return p.shift ? add(mul(y, p.scale), p.shift) : mul(y, p.scale);
}

export function rmsNormInit(dim: number, dtype: FloatDType = 'float32'): NormParams {
  return { scale: ones([dim], dtype) };
}

/** RMSNorm (Zhang & Sennrich 2019): x / sqrt(mean(x²) + eps) · scale — the Llama convention. */
export function rmsNorm(p: NormParams, x: Tensor, eps = 1e-5): Tensor {
  return mul(div(x, sqrt(add(mean(mul(x, x), -1, true), eps))), p.scale);
}

export type Activation = 'relu' | 'gelu' | 'silu' | 'tanh' | 'sin';
export const ACTIVATIONS: Record<Activation, (x: Tensor) => Tensor> = { relu, gelu, silu, tanh, sin };

export interface MlpParams { layers: LinearParams[] }

/** A multilayer perceptron with sizes [in, hidden..., out]. */
export function mlpInit(rng: Rng, sizes: readonly number[], opts: { dtype?: FloatDType } = {}): MlpParams {
  if (sizes.length < 2) throw new ArgumentError(`mlpInit: sizes needs at least [in, out], got ${JSON.stringify(sizes)}`);
  const rngs = rng.split(sizes.length - 1);
  return { layers: sizes.slice(1).map((out, i) => linearInit(rngs[i]!, sizes[i]!, out, { dtype: opts.dtype })) };
}

export function mlp(p: MlpParams, x: Tensor, activation: Activation = 'relu'): Tensor {
  const act = ACTIVATIONS[activation];
  if (!act) throw new ArgumentError(`mlp: unknown activation '${activation}' (expected one of ${Object.keys(ACTIVATIONS).join(', ')})`);
  let h = x;
  p.layers.forEach((l, i) => {
    h = linear(l, h);
    if (i < p.layers.length - 1) h = act(h);
  });
  return h;
}
