import { Tensor, transpose } from '../core/index.ts';
import { ArgumentError } from '../core/errors.ts';
import { writeGguf } from '../llm/gguf/writer.ts';
import { llamaGgufMetadata, llamaGgufTensors, type LlamaGgufConfig, type LlamaVocabulary, type LlamaWeights } from '../llm/gguf/llama-model.ts';
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

export function transformerToLlama(params: TransformerParams, config: TransformerConfig, vocabulary: LlamaVocabulary, name: string): { config: LlamaGgufConfig; weights: LlamaWeights } {
  const c = validateConfig(config);
  if (c.positions !== 'rope') throw new ArgumentError('llama export: only rotary-position models map onto llama.cpp (config.positions must be "rope")');
  if (vocabulary.tokens.length !== c.vocab) throw new ArgumentError(`llama export: vocabulary has ${vocabulary.tokens.length} tokens, the model's vocab is ${c.vocab}`);
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
  return {
    config: {
      name, contextLength: c.context, embeddingLength: c.dim, blockCount: c.layers, headCount: c.heads,
      feedForwardLength: c.hidden, rmsEpsilon: c.normEps, ropeFreqBase: c.ropeBase, vocabulary,
    },
    weights,
  };
}

/** Writes a trained transformer as a GGUF file that node-llama-cpp / llama.cpp load. */
export async function exportTransformerGguf(path: string, params: TransformerParams, config: TransformerConfig, vocabulary: LlamaVocabulary, name: string): Promise<void> {
  const { config: cfg, weights } = transformerToLlama(params, config, vocabulary, name);
  await writeGguf(path, { metadata: llamaGgufMetadata(cfg), tensors: llamaGgufTensors(cfg, weights) });
}
