/**
 * Metadata for a Llama-architecture GGUF file that llama.cpp loads, and a character-level vocabulary for small models
 * over digits and separators (spec llm.md, "Writing GGUF"). Weight layout: a matrix W with `out` rows and `in`
 * columns, stored row-major, is written with ggml dims `[in, out]` (ne0 = input features).
 */
import { ArgumentError } from '../../core/index.ts';
import { gguf, type GgufValue } from './format.ts';

/** SentencePiece token types as llama.cpp numbers them. */
export const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

export interface LlamaVocabulary {
  tokens: string[];
  scores: number[];
  tokenTypes: number[];
  bosId: number;
  eosId: number;
  unkId: number;
}

export interface LlamaGgufConfig {
  name: string;
  contextLength: number;
  embeddingLength: number;
  blockCount: number;
  headCount: number;
  /** Defaults to `headCount` (multi-head attention). */
  headCountKv?: number;
  feedForwardLength: number;
  rmsEpsilon: number;
  /** RoPE base θ; llama.cpp defaults to 10000. */
  ropeFreqBase?: number;
  vocabulary: LlamaVocabulary;
  /** Prepend BOS when tokenizing; default true. */
  addBos?: boolean;
}

/** The SentencePiece stand-in for a space: llama.cpp's "llama" tokenizer replaces ' ' with U+2581 before lookup. */
export const SPM_SPACE = '\u2581';

/**
 * A character-level "llama" (SentencePiece) vocabulary: `<unk>`, `<s>`, `</s>`, one token per symbol, then the 256
 * byte-fallback tokens llama.cpp requires. Every token is a single character, so the SentencePiece merge step finds no
 * pair to merge and every input character becomes exactly one token; characters outside `symbols` fall back to bytes.
 */
export function characterVocabulary(symbols: readonly string[]): LlamaVocabulary {
  const seen = new Set<string>();
  for (const s of symbols) {
    if ([...s].length !== 1) throw new ArgumentError(`characterVocabulary: symbol ${JSON.stringify(s)} must be exactly one character`);
    if (seen.has(s)) throw new ArgumentError(`characterVocabulary: symbol ${JSON.stringify(s)} appears twice`);
    seen.add(s);
  }
  const tokens = ['<unk>', '<s>', '</s>', ...symbols.map((s) => (s === ' ' ? SPM_SPACE : s))];
  const tokenTypes: number[] = [TOKEN_TYPE.unknown, TOKEN_TYPE.control, TOKEN_TYPE.control, ...symbols.map(() => TOKEN_TYPE.normal)];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    tokenTypes.push(TOKEN_TYPE.byte);
  }
  return { tokens, scores: tokens.map(() => 0), tokenTypes, bosId: 1, eosId: 2, unkId: 0 };
}

/** Key-values llama.cpp needs to load a Llama-architecture model with a "llama" (SentencePiece) tokenizer. */
export function llamaGgufMetadata(cfg: LlamaGgufConfig): Map<string, GgufValue> {
  const ints: [string, number][] = [['contextLength', cfg.contextLength], ['embeddingLength', cfg.embeddingLength],
    ['blockCount', cfg.blockCount], ['headCount', cfg.headCount], ['feedForwardLength', cfg.feedForwardLength]];
  for (const [k, v] of ints) {
    if (!Number.isInteger(v) || v <= 0) throw new ArgumentError(`llamaGgufMetadata: ${k} must be a positive integer, got ${v}`);
  }
  if (cfg.embeddingLength % cfg.headCount !== 0) {
    throw new ArgumentError(`llamaGgufMetadata: embeddingLength ${cfg.embeddingLength} must be divisible by headCount ${cfg.headCount}`);
  }
  const v = cfg.vocabulary;
  if (v.scores.length !== v.tokens.length || v.tokenTypes.length !== v.tokens.length) {
    throw new ArgumentError('llamaGgufMetadata: vocabulary tokens, scores and tokenTypes must have the same length');
  }
  return new Map<string, GgufValue>([
    ['general.architecture', gguf.str('llama')],
    ['general.name', gguf.str(cfg.name)],
    ['general.alignment', gguf.u32(32)],
    ['llama.context_length', gguf.u32(cfg.contextLength)],
    ['llama.embedding_length', gguf.u32(cfg.embeddingLength)],
    ['llama.block_count', gguf.u32(cfg.blockCount)],
    ['llama.feed_forward_length', gguf.u32(cfg.feedForwardLength)],
    ['llama.attention.head_count', gguf.u32(cfg.headCount)],
    ['llama.attention.head_count_kv', gguf.u32(cfg.headCountKv ?? cfg.headCount)],
    ['llama.attention.layer_norm_rms_epsilon', gguf.f32(cfg.rmsEpsilon)],
    ['llama.rope.freq_base', gguf.f32(cfg.ropeFreqBase ?? 10000)],
    ['llama.rope.dimension_count', gguf.u32(cfg.embeddingLength / cfg.headCount)],
    ['tokenizer.ggml.model', gguf.str('llama')],
    ['tokenizer.ggml.tokens', gguf.arr('string', v.tokens)],
    ['tokenizer.ggml.scores', gguf.arr('f32', v.scores)],
    ['tokenizer.ggml.token_type', gguf.arr('i32', v.tokenTypes)],
    ['tokenizer.ggml.bos_token_id', gguf.u32(v.bosId)],
    ['tokenizer.ggml.eos_token_id', gguf.u32(v.eosId)],
    ['tokenizer.ggml.unknown_token_id', gguf.u32(v.unkId)],
    ['tokenizer.ggml.add_bos_token', gguf.bool(cfg.addBos ?? true)],
    ['tokenizer.ggml.add_eos_token', gguf.bool(false)],
    // Without this llama.cpp prepends U+2581 to every input, which a digit vocabulary has no use for.
    ['tokenizer.ggml.add_space_prefix', gguf.bool(false)],
  ]);
}

/** Weights of one transformer block; each matrix row-major with `out` rows of `in` values (y = W x). */
export interface LlamaBlockWeights {
  attnNorm: Float32Array;   // [dim]
  wq: Float32Array;         // [dim][dim]
  wk: Float32Array;         // [kvDim][dim]
  wv: Float32Array;         // [kvDim][dim]
  wo: Float32Array;         // [dim][dim]
  ffnNorm: Float32Array;    // [dim]
  wGate: Float32Array;      // [ff][dim]
  wUp: Float32Array;        // [ff][dim]
  wDown: Float32Array;      // [dim][ff]
}

export interface LlamaWeights {
  tokenEmbedding: Float32Array; // [vocab][dim]
  blocks: LlamaBlockWeights[];
  outputNorm: Float32Array;     // [dim]
  /** [vocab][dim]; omit to tie the output projection to the embedding. */
  output?: Float32Array;
}

/**
 * Named GGUF tensors for a Llama model (llama.cpp's `LLM_ARCH_LLAMA` names). Query and key projections are used as
 * given: llama.cpp rotates adjacent pairs (x[2i], x[2i+1]) for this architecture, so a model trained with that RoPE
 * layout needs no permutation.
 */
export function llamaGgufTensors(cfg: LlamaGgufConfig, w: LlamaWeights): { name: string; dims: number[]; data: Float32Array }[] {
  const dim = cfg.embeddingLength;
  const kvDim = (dim / cfg.headCount) * (cfg.headCountKv ?? cfg.headCount);
  const ff = cfg.feedForwardLength;
  const vocab = cfg.vocabulary.tokens.length;
  const out: { name: string; dims: number[]; data: Float32Array }[] = [];
  const add = (name: string, dims: number[], data: Float32Array | undefined): void => {
    const n = dims.reduce((a, b) => a * b, 1);
    if (!(data instanceof Float32Array) || data.length !== n) {
      throw new ArgumentError(`llamaGgufTensors: ${name} must be a Float32Array of ${n} values (ggml dims [${dims.join(', ')}]), got ${data instanceof Float32Array ? data.length : typeof data}`);
    }
    out.push({ name, dims, data });
  };
  if (w.blocks.length !== cfg.blockCount) {
    throw new ArgumentError(`llamaGgufTensors: ${w.blocks.length} blocks given but blockCount is ${cfg.blockCount}`);
  }
  add('token_embd.weight', [dim, vocab], w.tokenEmbedding);
  add('output_norm.weight', [dim], w.outputNorm);
  if (w.output) add('output.weight', [dim, vocab], w.output);
  w.blocks.forEach((b, i) => {
    add(`blk.${i}.attn_norm.weight`, [dim], b.attnNorm);
    add(`blk.${i}.attn_q.weight`, [dim, dim], b.wq);
    add(`blk.${i}.attn_k.weight`, [dim, kvDim], b.wk);
    add(`blk.${i}.attn_v.weight`, [dim, kvDim], b.wv);
    add(`blk.${i}.attn_output.weight`, [dim, dim], b.wo);
    add(`blk.${i}.ffn_norm.weight`, [dim], b.ffnNorm);
    add(`blk.${i}.ffn_gate.weight`, [dim, ff], b.wGate);
    add(`blk.${i}.ffn_up.weight`, [dim, ff], b.wUp);
    add(`blk.${i}.ffn_down.weight`, [ff, dim], b.wDown);
  });
  return out;
}
