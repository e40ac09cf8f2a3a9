/**
 * Strata's digit model: the default forecasting model of `strata forecast` and of the demo, trained by
 * `scripts/train-forecast-model.ts` and shipped as `models/forecast-digits.gguf`. This file maps the nn module's
 * parameter tree onto llama.cpp's tensor names and locates the committed file.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Tensor } from '../core/index.ts';
import { ArgumentError } from '../core/errors.ts';
import type { TransformerConfig, TransformerParams } from '../nn/transformer.ts';
import { readGguf, ggufMetadataValue, ggufTensorToFloat32 } from '../llm/gguf/reader.ts';
import type { LinearParams } from '../nn/layers.ts';
import { llamaGgufMetadata, llamaGgufTensors, type LlamaGgufConfig, type LlamaWeights } from '../llm/gguf/llama-model.ts';
import { writeGguf } from '../llm/gguf/writer.ts';
import { DIGIT_VOCABULARY } from './digit-vocabulary.ts';

/** Absolute path of the committed model. */
export const DEFAULT_MODEL_PATH = fileURLToPath(new URL('../../models/forecast-digits.gguf', import.meta.url));

export function defaultModelAvailable(): boolean {
  return existsSync(DEFAULT_MODEL_PATH);
}

export function digitModelGgufConfig(config: TransformerConfig, name: string): LlamaGgufConfig {
  return {
    name, contextLength: config.context, embeddingLength: config.dim, blockCount: config.layers, headCount: config.heads,
    feedForwardLength: config.hidden, rmsEpsilon: config.normEps ?? 1e-5, ropeFreqBase: config.ropeBase ?? 10000,
    vocabulary: DIGIT_VOCABULARY, addBos: true,
  };
}

/** Our Linear stores W as [in, out] (y = x W); llama.cpp wants the `out` rows of `in` values (y = W x). */
function rowsOut(p: LinearParams): Float32Array {
  const [inDim, outDim] = p.w.shape as [number, number];
  const src = p.w.contiguous().data as Float32Array;
  const dst = new Float32Array(inDim * outDim);
  for (let i = 0; i < inDim; i++) for (let o = 0; o < outDim; o++) dst[o * inDim + i] = src[i * outDim + o]!;
  return dst;
}

function f32(t: { contiguous(): { data: ArrayLike<number> } }): Float32Array {
  return Float32Array.from(t.contiguous().data);
}

/** Llama weights of a trained transformer (rope positions, no biases). */
export function toLlamaWeights(params: TransformerParams): LlamaWeights {
  return {
    tokenEmbedding: f32(params.embed.table),
    outputNorm: f32(params.norm.scale),
    output: rowsOut(params.head),
    blocks: params.blocks.map((b) => ({
      attnNorm: f32(b.attnNorm.scale), wq: rowsOut(b.wq), wk: rowsOut(b.wk), wv: rowsOut(b.wv), wo: rowsOut(b.wo),
      ffnNorm: f32(b.ffnNorm.scale), wGate: rowsOut(b.w1), wUp: rowsOut(b.w3), wDown: rowsOut(b.w2),
    })),
  };
}

export async function exportDigitModel(path: string, params: TransformerParams, config: TransformerConfig, name = 'strata-forecast-digits'): Promise<void> {
  const cfg = digitModelGgufConfig(config, name);
  await writeGguf(path, { metadata: llamaGgufMetadata(cfg), tensors: llamaGgufTensors(cfg, toLlamaWeights(params)) });
}

/** Inverse of `rowsOut`: a llama.cpp matrix of `out` rows × `in` columns back to our [in, out] layout. */
function linearFrom(rows: Float32Array, inDim: number, outDim: number): LinearParams {
  const w = new Float32Array(inDim * outDim);
  for (let o = 0; o < outDim; o++) for (let i = 0; i < inDim; i++) w[i * outDim + o] = rows[o * inDim + i]!;
  return { w: new Tensor(w, [inDim, outDim]) };
}

/**
 * Read a digit model's GGUF back into a transformer configuration and parameter tree, so our own forward pass can be
 * compared with llama.cpp's (and the model can run in-process).
 */
export async function loadDigitModelParams(path: string): Promise<{ config: TransformerConfig; params: TransformerParams }> {
  const file = await readGguf(path);
  const num = (key: string): number => {
    const v = ggufMetadataValue(file, key);
    if (typeof v !== 'number' && typeof v !== 'bigint') throw new ArgumentError(`loadDigitModelParams: ${path} has no numeric ${key}`);
    return Number(v);
  };
  const dim = num('llama.embedding_length'), layers = num('llama.block_count'), heads = num('llama.attention.head_count');
  const hidden = num('llama.feed_forward_length'), context = num('llama.context_length');
  const vocab = (ggufMetadataValue(file, 'tokenizer.ggml.tokens') as unknown[]).length;
  const config: TransformerConfig = {
    vocab, dim, layers, heads, hidden, context, dtype: 'float32',
    normEps: num('llama.attention.layer_norm_rms_epsilon'), ropeBase: num('llama.rope.freq_base'),
  };
  const t = (name: string) => ggufTensorToFloat32(file, name);
  const norm = (name: string) => ({ scale: new Tensor(t(name), [dim]) });
  const params: TransformerParams = {
    embed: { table: new Tensor(t('token_embd.weight'), [vocab, dim]) },
    blocks: Array.from({ length: layers }, (_, i) => ({
      attnNorm: norm(`blk.${i}.attn_norm.weight`),
      wq: linearFrom(t(`blk.${i}.attn_q.weight`), dim, dim), wk: linearFrom(t(`blk.${i}.attn_k.weight`), dim, dim),
      wv: linearFrom(t(`blk.${i}.attn_v.weight`), dim, dim), wo: linearFrom(t(`blk.${i}.attn_output.weight`), dim, dim),
      ffnNorm: norm(`blk.${i}.ffn_norm.weight`),
      w1: linearFrom(t(`blk.${i}.ffn_gate.weight`), dim, hidden), w3: linearFrom(t(`blk.${i}.ffn_up.weight`), dim, hidden),
      w2: linearFrom(t(`blk.${i}.ffn_down.weight`), hidden, dim),
    })),
    norm: norm('output_norm.weight'),
    head: linearFrom(t('output.weight'), dim, vocab),
  };
  return { config, params };
}
