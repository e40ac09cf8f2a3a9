/**
 * Strata's digit model: the default forecasting model of `strata forecast` and of the demo, trained by
 * `scripts/train-forecast-model.ts` and shipped as `models/forecast-digits.gguf`. This file maps the nn module's
 * parameter tree onto llama.cpp's tensor names and locates the committed file.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TransformerConfig, TransformerParams } from '../nn/transformer.ts';
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
