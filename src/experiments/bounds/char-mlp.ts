import { Tensor, Rng, reshape } from '../../core/index.ts';
import { embedding, embeddingInit, linear, linearInit, relu, crossEntropy, type EmbeddingParams, type LinearParams } from '../../nn/index.ts';
import { BOS, VOCAB_SIZE } from './data.ts';

/**
 * Spec §5's model: embeddings (dim 16) of the previous 8 characters → hidden 128 → 96 logits. ReLU instead of the
 * spec's GELU: core's tanh-based GELU kernel was 40% of the evaluation time (docs/decisions.md, ## bounds).
 */
export interface CharMlpConfig { context: number; embed: number; hidden: number }
export const CHAR_MLP: CharMlpConfig = { context: 8, embed: 16, hidden: 128 };
/** Output layer initialised at 0.1× fan-in scale so the random θ₀ starts near uniform predictions (fixed before seeing data). */
const OUT_SCALE = 0.1;

export interface CharMlpParams { embed: EmbeddingParams; hidden: LinearParams; out: LinearParams }

export function charMlpInit(rng: Rng, c: CharMlpConfig = CHAR_MLP): CharMlpParams {
  const [r1, r2, r3] = rng.split(3);
  return {
    embed: embeddingInit(r1!, VOCAB_SIZE + 1, c.embed, { std: 1 }),
    hidden: linearInit(r2!, c.context * c.embed, c.hidden),
    out: linearInit(r3!, c.hidden, VOCAB_SIZE, { scale: OUT_SCALE }),
  };
}

/** Logits [B, 96] for B context windows given as a [B, context] int32 tensor. */
export function charMlp(p: CharMlpParams, contexts: Tensor, c: CharMlpConfig = CHAR_MLP): Tensor {
  const B = contexts.shape[0]!;
  const e = reshape(embedding(p.embed, contexts), [B, c.context * c.embed]);
  return linear(p.out, relu(linear(p.hidden, e)));
}

/** The context windows of every position of one document (BOS-padded at its start: contexts never cross documents). */
export function documentContexts(doc: Int32Array, c: CharMlpConfig = CHAR_MLP): Tensor {
  const T = doc.length, C = c.context;
  const ctx = new Int32Array(T * C);
  for (let t = 0; t < T; t++) for (let q = 0; q < C; q++) { const s = t - C + q; ctx[t * C + q] = s < 0 ? BOS : doc[s]!; }
  return new Tensor(ctx, [T, C]);
}

/** Every token of every document is predicted (the first from BOS padding alone). */
export function predictDocument(p: CharMlpParams, doc: Int32Array): { logits: Tensor; targets: Int32Array } {
  return { logits: charMlp(p, documentContexts(doc)), targets: doc };
}

/** Draws `batch` training windows (document ∝ length, then a position) for one step. */
export class WindowSampler {
  private readonly cum: Float64Array;
  constructor(private readonly docs: readonly Int32Array[], private readonly rng: Rng, private readonly c: CharMlpConfig = CHAR_MLP) {
    this.cum = new Float64Array(docs.length + 1);
    docs.forEach((d, i) => { this.cum[i + 1] = this.cum[i]! + d.length; });
  }
  next(batch: number): { contexts: Tensor; targets: Tensor } {
    const C = this.c.context, total = this.cum[this.docs.length]!;
    const ctx = new Int32Array(batch * C), tgt = new Int32Array(batch);
    for (let b = 0; b < batch; b++) {
      const g = Math.floor(this.rng.random() * total);
      let lo = 0, hi = this.docs.length - 1;
      while (lo < hi) { const mid = (lo + hi + 1) >>> 1; if (this.cum[mid]! <= g) lo = mid; else hi = mid - 1; }
      const doc = this.docs[lo]!, t = g - this.cum[lo]!;
      for (let q = 0; q < C; q++) { const s = t - C + q; ctx[b * C + q] = s < 0 ? BOS : doc[s]!; }
      tgt[b] = doc[t]!;
    }
    return { contexts: new Tensor(ctx, [batch, C]), targets: new Tensor(tgt, [batch]) };
  }
}

export function windowLoss(p: CharMlpParams, batch: { contexts: Tensor; targets: Tensor }): Tensor {
  return crossEntropy(charMlp(p, batch.contexts), batch.targets);
}
