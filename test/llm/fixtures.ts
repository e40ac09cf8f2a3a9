/** Shared test fixtures: the stories260K model from ../shared and a tiny random character-level Llama. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { characterVocabulary, llamaGgufMetadata, llamaGgufTensors } from '../../src/llm/gguf/llama-model.ts';
import type { LlamaGgufConfig, LlamaWeights } from '../../src/llm/gguf/llama-model.ts';
import { Rng } from '../../src/core/index.ts';
import { writeGguf } from '../../src/llm/gguf/writer.ts';

// ../shared beside the repository; STRATA_SHARED_DIR points elsewhere (a git worktree sits one level deeper).
export const STORIES_PATH = process.env.STRATA_SHARED_DIR
  ? `${process.env.STRATA_SHARED_DIR}/models/stories260K.gguf`
  : fileURLToPath(new URL('../../../shared/models/stories260K.gguf', import.meta.url));
export const STORIES_PRESENT = existsSync(STORIES_PATH);
/** Pass as `{ skip: STORIES_SKIP }` so the skip reason names the missing file. */
export const STORIES_SKIP: string | false = STORIES_PRESENT ? false : `model ${STORIES_PATH} is absent`;

export const DIGIT_SYMBOLS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ',', '.', '-', ' ', '+', '\n', 'N'];

export function tinyCharModel(seed: number): { cfg: LlamaGgufConfig; weights: LlamaWeights } {
  const vocabulary = characterVocabulary(DIGIT_SYMBOLS);
  const cfg: LlamaGgufConfig = {
    name: 'strata-test-char', contextLength: 64, embeddingLength: 32, blockCount: 2, headCount: 4, headCountKv: 2,
    feedForwardLength: 48, rmsEpsilon: 1e-5, vocabulary,
  };
  const rng = new Rng(seed);
  const u = (): number => rng.random();
  const rand = (n: number, scale: number): Float32Array => Float32Array.from({ length: n }, () => (u() * 2 - 1) * scale);
  const ones = (n: number): Float32Array => Float32Array.from({ length: n }, () => 1 + (u() - 0.5) * 0.2);
  const dim = 32, kvDim = 16, ff = 48, vocab = vocabulary.tokens.length;
  const weights: LlamaWeights = {
    tokenEmbedding: rand(vocab * dim, 1),
    outputNorm: ones(dim),
    output: rand(vocab * dim, 0.5),
    blocks: [0, 1].map(() => ({
      attnNorm: ones(dim), wq: rand(dim * dim, 0.4), wk: rand(kvDim * dim, 0.4), wv: rand(kvDim * dim, 0.4),
      wo: rand(dim * dim, 0.3), ffnNorm: ones(dim), wGate: rand(ff * dim, 0.3), wUp: rand(ff * dim, 0.3),
      wDown: rand(dim * ff, 0.3),
    })),
  };
  return { cfg, weights };
}

export async function writeTinyCharModel(path: string, seed: number): Promise<{ cfg: LlamaGgufConfig; weights: LlamaWeights }> {
  const m = tinyCharModel(seed);
  await writeGguf(path, { metadata: llamaGgufMetadata(m.cfg), tensors: llamaGgufTensors(m.cfg, m.weights) });
  return m;
}
