import {
  Tensor, Rng, add, mul, matmul, reshape, permute, slice, full, take, type FloatDType, sizeOf, ArgumentError,
  ShapeError,
} from '../core/index.ts';
import { linear, linearInit, embedding, embeddingInit, rmsNorm, rmsNormInit, type LinearParams, type EmbeddingParams, type NormParams } from './layers.ts';
import { silu, softmax, crossEntropy } from './functional.ts';

/**
 * A small decoder-only transformer in the Llama layout (pre-RMSNorm, rotary positions on adjacent pairs, SwiGLU
 * feed-forward, untied output head), so a trained model maps one-to-one onto llama.cpp's `llama` architecture and
 * can be exported as GGUF. Learned absolute positions are available for experiments.
 */
export interface TransformerConfig {
  vocab: number;
  dim: number;
  layers: number;
  heads: number;
  /** Width of the SwiGLU hidden layer. */
  hidden: number;
  /** Longest sequence the model is trained for (size of the learned position table; RoPE has no hard limit). */
  context: number;
  positions?: 'rope' | 'learned';
  ropeBase?: number;
  normEps?: number;
  dtype?: FloatDType;
}

export interface BlockParams {
  attnNorm: NormParams; wq: LinearParams; wk: LinearParams; wv: LinearParams; wo: LinearParams;
  ffnNorm: NormParams; w1: LinearParams; w3: LinearParams; w2: LinearParams;
}
export interface TransformerParams { embed: EmbeddingParams; pos?: EmbeddingParams; blocks: BlockParams[]; norm: NormParams; head: LinearParams }

export function validateConfig(c: TransformerConfig): Required<TransformerConfig> {
  for (const k of ['vocab', 'dim', 'layers', 'heads', 'hidden', 'context'] as const) {
    if (!Number.isInteger(c[k]) || c[k] <= 0) throw new ArgumentError(`transformer: config.${k} must be a positive integer, got ${c[k]}`);
  }
  if (c.dim % c.heads !== 0) throw new ArgumentError(`transformer: dim ${c.dim} must be divisible by heads ${c.heads}`);
  if ((c.dim / c.heads) % 2 !== 0 && (c.positions ?? 'rope') === 'rope') throw new ArgumentError(`transformer: head size ${c.dim / c.heads} must be even for rotary positions`);
  return { positions: 'rope', ropeBase: 10000, normEps: 1e-5, dtype: 'float32', ...c };
}

export function transformerInit(rng: Rng, config: TransformerConfig): TransformerParams {
  const c = validateConfig(config);
  const [rEmb, rPos, rHead, ...rBlocks] = rng.split(3 + c.layers);
  // Residual-branch outputs are scaled down by 1/√(2·layers) (GPT-2) so the residual stream's scale stays O(1).
  const outScale = 1 / Math.sqrt(2 * c.layers);
  const opts = { bias: false, dtype: c.dtype };
  const blocks = rBlocks.map((r) => {
    const [a, b, d, e, f, g, h] = r!.split(7);
    return {
      attnNorm: rmsNormInit(c.dim, c.dtype),
      wq: linearInit(a!, c.dim, c.dim, opts), wk: linearInit(b!, c.dim, c.dim, opts), wv: linearInit(d!, c.dim, c.dim, opts),
      wo: linearInit(e!, c.dim, c.dim, { ...opts, scale: outScale }),
      ffnNorm: rmsNormInit(c.dim, c.dtype),
      w1: linearInit(f!, c.dim, c.hidden, opts), w3: linearInit(g!, c.dim, c.hidden, opts),
      w2: linearInit(h!, c.hidden, c.dim, { ...opts, scale: outScale }),
    };
  });
  return {
    embed: embeddingInit(rEmb!, c.vocab, c.dim, { dtype: c.dtype }),
    ...(c.positions === 'learned' ? { pos: embeddingInit(rPos!, c.context, c.dim, { dtype: c.dtype, std: 0.1 }) } : {}),
    blocks,
    norm: rmsNormInit(c.dim, c.dtype),
    head: linearInit(rHead!, c.dim, c.vocab, opts),
  };
}

/**
 * Rotary tables for positions 0..T−1 (Su et al. 2021, eq. 34, θ_i = base^(−2i/d)), laid out per feature so that
 * rope(x) = x ⊙ cos + (x R) ⊙ sin, where R maps each adjacent pair (x₂ᵢ, x₂ᵢ₊₁) to (−x₂ᵢ₊₁, x₂ᵢ) — llama.cpp's
 * "normal" rope layout. One small matmul and three elementwise ops instead of slicing pairs apart.
 */
interface Rope { cos: Tensor; sin: Tensor; rot: Tensor }

function ropeTables(T: number, headSize: number, base: number, dtype: FloatDType): Rope {
  const cos = full([T, headSize], 0, dtype), sin = full([T, headSize], 0, dtype), rot = full([headSize, headSize], 0, dtype);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < headSize / 2; i++) {
      const a = t * Math.pow(base, (-2 * i) / headSize);
      cos.data[t * headSize + 2 * i] = cos.data[t * headSize + 2 * i + 1] = Math.cos(a);
      sin.data[t * headSize + 2 * i] = sin.data[t * headSize + 2 * i + 1] = Math.sin(a);
    }
  }
  for (let i = 0; i < headSize / 2; i++) {
    rot.data[(2 * i + 1) * headSize + 2 * i] = -1; // out[2i] = −x[2i+1]
    rot.data[(2 * i) * headSize + 2 * i + 1] = 1; // out[2i+1] = x[2i]
  }
  return { cos, sin, rot };
}

/** Applies rotary embeddings to x [B, H, T, hs]. */
function rope(x: Tensor, r: Rope): Tensor {
  return add(mul(x, r.cos), mul(matmul(x, r.rot), r.sin));
}

function causalMask(T: number, dtype: FloatDType): Tensor {
  const m = full([T, T], 0, dtype);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m.data[i * T + j] = -Infinity;
  return m;
}

/** Multi-head causal self-attention on x [B, T, D]. */
export function causalSelfAttention(p: BlockParams, x: Tensor, heads: number, rot: Rope | null, mask: Tensor): Tensor {
  const [B, T, D] = x.shape as [number, number, number];
  const hs = D / heads;
  const split = (t: Tensor) => permute(reshape(t, [B, T, heads, hs]), [0, 2, 1, 3]);
  let q = split(linear(p.wq, x));
  let k = split(linear(p.wk, x));
  const v = split(linear(p.wv, x));
  if (rot) {
    q = rope(q, rot);
    k = rope(k, rot);
  }
  const scores = add(mul(matmul(q, k.transpose(-2, -1)), 1 / Math.sqrt(hs)), mask);
  const att = softmax(scores, -1);
  const y = reshape(permute(matmul(att, v), [0, 2, 1, 3]), [B, T, D]);
  return linear(p.wo, y);
}

/** Logits [B, T, vocab] for token ids [B, T] (int32). */
export function transformer(params: TransformerParams, config: TransformerConfig, ids: Tensor): Tensor {
  const c = validateConfig(config);
  if (ids.dtype !== 'int32' || ids.ndim !== 2) throw new ShapeError(`transformer: ids must be an int32 tensor [batch, time], got ${ids.dtype} [${ids.shape.join(', ')}]`);
  const T = ids.shape[1]!;
  if (c.positions === 'learned' && T > c.context) throw new ShapeError(`transformer: sequence length ${T} exceeds the learned position table (${c.context})`);
  const tokens = ids.values();
  for (let i = 0; i < tokens.length; i++) if (tokens[i]! < 0 || tokens[i]! >= c.vocab) throw new ArgumentError(`transformer: token id ${tokens[i]} outside the vocabulary [0, ${c.vocab})`);
  let h = embedding(params.embed, ids);
  if (params.pos) h = add(h, take(params.pos.table, Array.from({ length: T }, (_, t) => t), 0));
  const rot = c.positions === 'rope' ? ropeTables(T, c.dim / c.heads, c.ropeBase, c.dtype) : null;
  const mask = causalMask(T, c.dtype);
  for (const b of params.blocks) {
    h = add(h, causalSelfAttention(b, rmsNorm(b.attnNorm, h, c.normEps), c.heads, rot, mask));
    const z = rmsNorm(b.ffnNorm, h, c.normEps);
    h = add(h, linear(b.w2, mul(silu(linear(b.w1, z)), linear(b.w3, z))));
  }
  return linear(params.head, rmsNorm(params.norm, h, c.normEps));
}

/** Mean next-token cross-entropy (nats) of a batch of sequences [B, T+1]. */
export function languageModelLoss(params: TransformerParams, config: TransformerConfig, batch: Tensor): Tensor {
  const [B, T1] = batch.shape as [number, number];
  const inputs = slice(batch, [null, [0, T1 - 1]]).contiguous();
  const targets = slice(batch, [null, [1, T1]]).contiguous();
  const logits = transformer(params, config, new Tensor(inputs.data, inputs.shape));
  return crossEntropy(logits, new Tensor(targets.data, [B, T1 - 1]));
}

export function countParams(tree: TransformerParams): number {
  let n = 0;
  const walk = (t: unknown): void => {
    if (t instanceof Tensor) n += sizeOf(t.shape);
    else if (t && typeof t === 'object') Object.values(t).forEach(walk);
  };
  walk(tree);
  return n;
}
