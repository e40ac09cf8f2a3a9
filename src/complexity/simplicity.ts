import { Rng, ArgumentError } from '../core/index.ts';

/**
 * Description length of a sequence as in Goldblum et al. (2024) §4 (spec §2.2): the length of the shortest prefix
 * p such that repeating p and truncating to |s| gives s (1 ≤ mdl ≤ |s|).
 */
export function mdl(s: string | ArrayLike<number>): number {
  const n = s.length;
  if (n === 0) throw new ArgumentError('mdl: the sequence must not be empty');
  const at = (i: number) => (typeof s === 'string' ? s.charCodeAt(i) : s[i]!);
  for (let p = 1; p <= n; p++) {
    let ok = true;
    for (let i = p; i < n && ok; i++) if (at(i) !== at(i % p)) ok = false;
    if (ok) return p;
  }
  return n;
}

/** Number of binary strings of length L in each MDL class 1..L (index 0 unused), by enumerating all 2^L strings. */
export function binaryMdlCounts(L: number): number[] {
  if (!Number.isInteger(L) || L < 1 || L > 24) throw new ArgumentError(`binaryMdlCounts: L must be an integer in [1, 24], got ${L}`);
  const counts = new Array<number>(L + 1).fill(0);
  const bits = new Uint8Array(L);
  for (let v = 0; v < 2 ** L; v++) {
    for (let i = 0; i < L; i++) bits[i] = (v >>> (L - 1 - i)) & 1;
    counts[mdl(bits)]!++;
  }
  return counts;
}

export interface GptConfig { layers: number; heads: number; embed: number; vocab: number }
/** minGPT's gpt-nano: 3 layers, 3 heads, E = 48; V = 2 for binary sequences. */
export const GPT_NANO: GptConfig = { layers: 3, heads: 3, embed: 48, vocab: 2 };

function uniformInit(rng: Rng, n: number, bound: number): Float64Array {
  const a = new Float64Array(n);
  // 32 random bits per weight (PyTorch initialises float32 weights): uniform on [−bound, bound).
  for (let i = 0; i < n; i++) a[i] = (rng.nextU32() / 4294967296 * 2 - 1) * bound;
  return a;
}

function layerNorm(x: Float64Array): Float64Array {
  // weight 1, bias 0 at initialisation; eps 1e-5 as PyTorch.
  const n = x.length;
  let mu = 0; for (let i = 0; i < n; i++) mu += x[i]!; mu /= n;
  let v = 0; for (let i = 0; i < n; i++) v += (x[i]! - mu) ** 2; v /= n;
  const inv = 1 / Math.sqrt(v + 1e-5);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (x[i]! - mu) * inv;
  return out;
}

/** y = W·x + b for W stored [out][in] (PyTorch's Linear layout). */
function affine(W: Float64Array, b: Float64Array | null, x: Float64Array, out: number): Float64Array {
  const inn = x.length;
  const y = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    let s = b ? b[o]! : 0;
    const off = o * inn;
    for (let i = 0; i < inn; i++) s += W[off + i]! * x[i]!;
    y[o] = s;
  }
  return y;
}

const geluTanh = (x: number) => 0.5 * x * (1 + Math.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));

/**
 * Next-token probabilities of a freshly initialised minGPT with context length 1 (spec §2.3, the reference's
 * block_size = 1): every module re-initialised as PyTorch's reset_parameters would (Linear U(±1/√fan_in) for
 * weight and bias, Embedding N(0, 1), LayerNorm 1/0), evaluated on each token alone. With one position, causal
 * attention returns each head's value vector, so the query and key weights cannot change the output and are
 * not drawn (the distribution of the chain is the same). Returns P(next = 1 | token) for tokens 0..V−1.
 */
export function randomInitChain(rng: Rng, c: GptConfig = GPT_NANO): Float64Array[] {
  const E = c.embed, V = c.vocab;
  const wte = Float64Array.from({ length: V * E }, () => rng.gauss());
  const wpe = Float64Array.from({ length: E }, () => rng.gauss());
  const be = 1 / Math.sqrt(E), b4 = 1 / Math.sqrt(4 * E);
  const layers = Array.from({ length: c.layers }, () => ({
    // Only the value third of the fused QKV Linear(E, 3E) matters with one position.
    wv: uniformInit(rng, E * E, be), bv: uniformInit(rng, E, be),
    wo: uniformInit(rng, E * E, be), bo: uniformInit(rng, E, be),
    w1: uniformInit(rng, 4 * E * E, be), b1: uniformInit(rng, 4 * E, be),
    w2: uniformInit(rng, E * 4 * E, b4), b2: uniformInit(rng, E, b4),
  }));
  const head = uniformInit(rng, V * E, be);
  return Array.from({ length: V }, (_, t) => {
    let x = new Float64Array(E);
    for (let i = 0; i < E; i++) x[i] = wte[t * E + i]! + wpe[i]!;
    for (const l of layers) {
      const a = affine(l.wo, l.bo, affine(l.wv, l.bv, layerNorm(x), E), E);
      x = x.map((v, i) => v + a[i]!);
      const h = affine(l.w1, l.b1, layerNorm(x), 4 * E).map(geluTanh);
      const m = affine(l.w2, l.b2, h, E);
      x = x.map((v, i) => v + m[i]!);
    }
    const logits = affine(head, null, layerNorm(x), V);
    const mx = Math.max(...logits);
    const e = logits.map((z) => Math.exp(z - mx));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((z) => z / s);
  });
}

/**
 * One string from a freshly initialised minGPT with full causal context (block_size = length, spec §2.3's natural
 * extension): all weights drawn (fused QKV included), positions embedded, tokens generated one at a time with a
 * key/value cache — exact, since causal attention never lets later tokens change earlier positions.
 */
export function sampleFullContext(rng: Rng, sampler: Rng, length: number, c: GptConfig = GPT_NANO): Uint8Array {
  const E = c.embed, V = c.vocab, H = c.heads, hd = E / H;
  if (!Number.isInteger(hd)) throw new ArgumentError(`sampleFullContext: embed ${E} must be divisible by heads ${H}`);
  const wte = Float64Array.from({ length: V * E }, () => rng.gauss());
  const wpe = Float64Array.from({ length: length * E }, () => rng.gauss());
  const be = 1 / Math.sqrt(E), b4 = 1 / Math.sqrt(4 * E);
  const layers = Array.from({ length: c.layers }, () => ({
    wqkv: uniformInit(rng, 3 * E * E, be), bqkv: uniformInit(rng, 3 * E, be),
    wo: uniformInit(rng, E * E, be), bo: uniformInit(rng, E, be),
    w1: uniformInit(rng, 4 * E * E, be), b1: uniformInit(rng, 4 * E, be),
    w2: uniformInit(rng, E * 4 * E, b4), b2: uniformInit(rng, E, b4),
    keys: [] as Float64Array[], values: [] as Float64Array[],
  }));
  const head = uniformInit(rng, V * E, be);
  const seq = new Uint8Array(length);
  seq[0] = sampler.random() < 0.5 ? 0 : 1;
  for (let t = 0; t < length - 1; t++) {
    let x = new Float64Array(E);
    for (let i = 0; i < E; i++) x[i] = wte[seq[t]! * E + i]! + wpe[t * E + i]!;
    for (const l of layers) {
      const qkv = affine(l.wqkv, l.bqkv, layerNorm(x), 3 * E);
      const q = qkv.subarray(0, E), k = qkv.slice(E, 2 * E), v = qkv.slice(2 * E, 3 * E);
      l.keys.push(k); l.values.push(v);
      const y = new Float64Array(E);
      for (let h = 0; h < H; h++) {
        const scores = l.keys.map((kk) => { let s = 0; for (let i = 0; i < hd; i++) s += q[h * hd + i]! * kk[h * hd + i]!; return s / Math.sqrt(hd); });
        const mx = Math.max(...scores);
        const w = scores.map((z) => Math.exp(z - mx));
        const sw = w.reduce((a, b) => a + b, 0);
        l.values.forEach((vv, j) => { for (let i = 0; i < hd; i++) y[h * hd + i]! += (w[j]! / sw) * vv[h * hd + i]!; });
      }
      const a = affine(l.wo, l.bo, y, E);
      x = x.map((val, i) => val + a[i]!);
      const m = affine(l.w2, l.b2, affine(l.w1, l.b1, layerNorm(x), 4 * E).map(geluTanh), E);
      x = x.map((val, i) => val + m[i]!);
    }
    const logits = affine(head, null, layerNorm(x), V);
    const p1 = 1 / (1 + Math.exp(logits[0]! - logits[1]!));
    seq[t + 1] = sampler.random() < p1 ? 1 : 0;
  }
  return seq;
}

/**
 * Samples `samples` binary strings of `length`, each from a freshly initialised model (first token uniform, the
 * rest at temperature 1), and histograms their MDL (index 1..length).
 */
export function simplicityHistogram(o: { samples: number; length: number; seed: number; context?: 'reference-1' | 'full'; config?: GptConfig; onProgress?: (done: number, total: number) => void }): { counts: number[]; shares: number[]; samples: number } {
  if (!Number.isInteger(o.samples) || o.samples < 1) throw new ArgumentError(`simplicityHistogram: samples must be a positive integer, got ${o.samples}`);
  if (!Number.isInteger(o.length) || o.length < 1) throw new ArgumentError(`simplicityHistogram: length must be a positive integer, got ${o.length}`);
  const c = o.config ?? GPT_NANO;
  if (c.vocab !== 2) throw new ArgumentError('simplicityHistogram: binary sequences need vocab 2');
  const context = o.context ?? 'reference-1';
  if (context !== 'reference-1' && context !== 'full') throw new ArgumentError(`simplicityHistogram: context must be 'reference-1' or 'full', got '${String(context)}'`);
  const root = new Rng(o.seed);
  const counts = new Array<number>(o.length + 1).fill(0);
  const seq = new Uint8Array(o.length);
  for (let s = 0; s < o.samples; s++) {
    const [rModel, rSample] = root.split(2);
    if (context === 'full') {
      counts[mdl(sampleFullContext(rModel!, rSample!, o.length, c))]!++;
    } else {
      const chain = randomInitChain(rModel!, c);
      seq[0] = rSample!.random() < 0.5 ? 0 : 1;
      for (let i = 1; i < o.length; i++) seq[i] = rSample!.random() < chain[seq[i - 1]!]![1]! ? 1 : 0;
      counts[mdl(seq)]!++;
    }
    if ((s + 1) % 500 === 0) o.onProgress?.(s + 1, o.samples);
  }
  return { counts, shares: counts.map((x) => x / o.samples), samples: o.samples };
}
