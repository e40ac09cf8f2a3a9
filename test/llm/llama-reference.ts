/**
 * A plain, slow Llama forward pass used as the oracle for GGUF export: RMSNorm, RoPE on adjacent pairs, causal
 * multi-head attention, SwiGLU (Touvron et al. 2023, "LLaMA", §2.2). Weights as in `LlamaWeights` (row-major W[out][in]).
 */
import type { LlamaGgufConfig, LlamaWeights } from '../../src/llm/gguf/llama-model.ts';

function matVec(w: Float32Array, x: Float64Array, rows: number, cols: number): Float64Array {
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += w[r * cols + c]! * x[c]!;
    y[r] = s;
  }
  return y;
}

function rmsNorm(x: Float64Array, g: Float32Array, eps: number): Float64Array {
  let ss = 0;
  for (const v of x) ss += v * v;
  const scale = 1 / Math.sqrt(ss / x.length + eps);
  return x.map((v, i) => v * scale * g[i]!);
}

function rope(x: Float64Array, pos: number, headDim: number, base: number): void {
  for (let h = 0; h < x.length; h += headDim) {
    for (let i = 0; i < headDim; i += 2) {
      const theta = pos * base ** (-i / headDim);
      const a = x[h + i]!, b = x[h + i + 1]!;
      x[h + i] = a * Math.cos(theta) - b * Math.sin(theta);
      x[h + i + 1] = a * Math.sin(theta) + b * Math.cos(theta);
    }
  }
}

/** Natural-log next-token distribution after each position of `tokens`. */
export function llamaReferenceLogprobs(cfg: LlamaGgufConfig, w: LlamaWeights, tokens: number[]): Float64Array[] {
  const dim = cfg.embeddingLength, nHead = cfg.headCount, nKv = cfg.headCountKv ?? nHead;
  const headDim = dim / nHead, kvDim = headDim * nKv, ff = cfg.feedForwardLength, eps = cfg.rmsEpsilon;
  const vocab = cfg.vocabulary.tokens.length, base = cfg.ropeFreqBase ?? 10000;
  const keys: Float64Array[][] = w.blocks.map(() => []);
  const values: Float64Array[][] = w.blocks.map(() => []);
  const out: Float64Array[] = [];
  tokens.forEach((tok, pos) => {
    let x = Float64Array.from(w.tokenEmbedding.subarray(tok * dim, (tok + 1) * dim));
    w.blocks.forEach((b, l) => {
      const h = rmsNorm(x, b.attnNorm, eps);
      const q = matVec(b.wq, h, dim, dim), k = matVec(b.wk, h, kvDim, dim), v = matVec(b.wv, h, kvDim, dim);
      rope(q, pos, headDim, base);
      rope(k, pos, headDim, base);
      keys[l]!.push(k);
      values[l]!.push(v);
      const att = new Float64Array(dim);
      for (let hd = 0; hd < nHead; hd++) {
        const kvh = Math.floor(hd / (nHead / nKv));
        const scores = keys[l]!.map((kk) => {
          let s = 0;
          for (let i = 0; i < headDim; i++) s += q[hd * headDim + i]! * kk[kvh * headDim + i]!;
          return s / Math.sqrt(headDim);
        });
        const m = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - m));
        const z = e.reduce((a, c) => a + c, 0);
        values[l]!.forEach((vv, t) => {
          for (let i = 0; i < headDim; i++) att[hd * headDim + i]! += (e[t]! / z) * vv[kvh * headDim + i]!;
        });
      }
      const o = matVec(b.wo, att, dim, dim);
      x = x.map((xi, i) => xi + o[i]!);
      const h2 = rmsNorm(x, b.ffnNorm, eps);
      const g = matVec(b.wGate, h2, ff, dim), u = matVec(b.wUp, h2, ff, dim);
      const act = g.map((gi, i) => (gi / (1 + Math.exp(-gi))) * u[i]!);
      const d = matVec(b.wDown, act, dim, ff);
      x = x.map((xi, i) => xi + d[i]!);
    });
    const f = rmsNorm(x, w.outputNorm, eps);
    const logits = matVec(w.output ?? w.tokenEmbedding, f, vocab, dim);
    const m = Math.max(...logits);
    const lse = m + Math.log(logits.reduce((a, c) => a + Math.exp(c - m), 0));
    out.push(logits.map((v) => v - lse));
  });
  return out;
}
