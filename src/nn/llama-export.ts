import { Tensor, transpose, ArgumentError } from '../core/index.ts';
import {
  writeGguf, readGguf, ggufMetadataValue, ggufTensorToFloat32, llamaGgufMetadata, llamaGgufTensors,
  type LlamaGgufConfig, type LlamaVocabulary, type LlamaWeights,
} from '../llm/index.ts';
import type { LinearParams } from './layers.ts';
import { validateConfig, type TransformerConfig, type TransformerParams } from './transformer.ts';

/**
 * Export of Strata's Llama-layout transformer to llama.cpp's `llama` GGUF architecture. Token ids of the trained
 * model must be the GGUF vocabulary's ids (the vocabulary's size is the model's `vocab`). Our linear weights are
 * [in, out] (y = xW); llama.cpp stores W as `out` rows of `in` values, so every matrix is transposed. RoPE needs
 * no permutation: both rotate adjacent pairs.
 */
function rows(t: Tensor, name: string): Float32Array {
  if (t.dtype !== 'float32' && t.dtype !== 'float64') throw new ArgumentError(`llama export: ${name} must be a float tensor`);
  const v = t.values();
  return v instanceof Float32Array ? v : Float32Array.from(v);
}
const outIn = (w: Tensor, name: string) => rows(transpose(w).contiguous(), name);

/** The llama.cpp configuration (metadata) of a transformer with this config and vocabulary. */
export function llamaConfigFor(config: TransformerConfig, vocabulary: LlamaVocabulary, name: string): LlamaGgufConfig {
  const c = validateConfig(config);
  if (c.positions !== 'rope') throw new ArgumentError('llama export: only rotary-position models map onto llama.cpp (config.positions must be "rope")');
  if (vocabulary.tokens.length !== c.vocab) throw new ArgumentError(`llama export: vocabulary has ${vocabulary.tokens.length} tokens, the model's vocab is ${c.vocab}`);
  return {
    name, contextLength: c.context, embeddingLength: c.dim, blockCount: c.layers, headCount: c.heads,
    feedForwardLength: c.hidden, rmsEpsilon: c.normEps, ropeFreqBase: c.ropeBase, vocabulary,
  };
}

export function transformerToLlama(params: TransformerParams, config: TransformerConfig, vocabulary: LlamaVocabulary, name: string): { config: LlamaGgufConfig; weights: LlamaWeights } {
  const cfg = llamaConfigFor(config, vocabulary, name);
  const weights: LlamaWeights = {
    tokenEmbedding: rows(params.embed.table, 'embed.table'),
    blocks: params.blocks.map((b, i) => ({
      attnNorm: rows(b.attnNorm.scale, `blocks.${i}.attnNorm`),
      wq: outIn(b.wq.w, `blocks.${i}.wq`), wk: outIn(b.wk.w, `blocks.${i}.wk`), wv: outIn(b.wv.w, `blocks.${i}.wv`), wo: outIn(b.wo.w, `blocks.${i}.wo`),
      ffnNorm: rows(b.ffnNorm.scale, `blocks.${i}.ffnNorm`),
      wGate: outIn(b.w1.w, `blocks.${i}.w1`), wUp: outIn(b.w3.w, `blocks.${i}.w3`), wDown: outIn(b.w2.w, `blocks.${i}.w2`),
    })),
    outputNorm: rows(params.norm.scale, 'norm'),
    output: outIn(params.head.w, 'head'),
  };
  return { config: cfg, weights };
}

/** Writes a trained transformer as a GGUF file that node-llama-cpp / llama.cpp load. */
export async function exportTransformerGguf(path: string, params: TransformerParams, config: TransformerConfig, vocabulary: LlamaVocabulary, name: string): Promise<void> {
  const { config: cfg, weights } = transformerToLlama(params, config, vocabulary, name);
  await writeGguf(path, { metadata: llamaGgufMetadata(cfg), tensors: llamaGgufTensors(cfg, weights) });
}

/** Inverse of the export's transpose: a llama.cpp matrix of `out` rows × `in` columns back to our [in, out] layout. */
function linearFrom(rows: Float32Array, inDim: number, outDim: number): LinearParams {
  const w = new Float32Array(inDim * outDim);
  for (let o = 0; o < outDim; o++) for (let i = 0; i < inDim; i++) w[i * outDim + o] = rows[o * inDim + i]!;
  return { w: new Tensor(w, [inDim, outDim]) };
}

/**
 * Reads a Llama-architecture GGUF (F32/F16 tensors, untied output, multi-head attention) back into a transformer
 * configuration and parameter tree, so our own forward pass can be compared with llama.cpp's or the model can run
 * and be fine-tuned in-process. The inverse of `exportTransformerGguf`.
 */
export async function loadTransformerGguf(path: string): Promise<{ config: TransformerConfig; params: TransformerParams }> {
  const file = await readGguf(path);
  const num = (key: string): number => {
    const v = ggufMetadataValue(file, key);
    if (typeof v !== 'number' && typeof v !== 'bigint') throw new ArgumentError(`loadTransformerGguf: ${path} has no numeric ${key}`);
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
