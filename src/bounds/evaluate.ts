import { createHash } from 'node:crypto';
import { Tensor, ArgumentError, NonFiniteError, Rng, noGrad } from '../core/index.ts';
import type { Tree } from '../autodiff/index.ts';
import type { Parameterisation } from './parameterisation.ts';
import { quantize, type Quantized } from './quantize.ts';
import { codeLength, rawCodeLength, type CodeLength } from './code-length.ts';
import {
  ALPHA_GRID, alphaSelectionBits, klBound, occamBound, randomGuess, smoothedLogLoss, smoothingRange, subsamplingBound,
} from './formulas.ts';

/** A model whose generalisation is bounded: a parameterisation of its weights plus per-document prediction. */
export interface BoundModel<P extends Tree> {
  parameterisation: Parameterisation<P>;
  /**
   * Next-token logits [n, V] for the n predicted positions of ONE document, and the n true tokens. Contexts must
   * not cross document boundaries (documents are the i.i.d. unit of the bound).
   */
  predict(params: P, document: Int32Array): { logits: Tensor; targets: ArrayLike<number> };
  vocabSize: number;
  /** Names the architecture for cache keys (the coordinates are hashed separately). */
  identity?: string;
}

/** Per-document mean losses: smoothed bits per token for each α, and top-k error for each k. */
export interface DocumentStats { tokens: number; bpd: number[]; topK: number[] }

/** Where finished documents are kept so an interrupted evaluation resumes (the CLI uses strata/llm's SQLite cache). */
export interface DocumentStatsStore {
  get(key: string): DocumentStats | undefined;
  put(key: string, stats: DocumentStats): void;
}

export interface ComputeBoundOptions {
  /** Documents to evaluate: a subsample size (≤ m, drawn uniformly with replacement) or 'all' (full evaluation). Default min(2000, m). */
  n?: number | 'all';
  delta?: number;
  alphas?: readonly number[];
  topK?: readonly number[];
  /** 'quantize' (default): L-level codebook + arithmetic code; 'raw32': every coordinate as a float32 (uncompressed). */
  compression?: 'quantize' | 'raw32';
  levels?: number;
  /** A codebook from quantisation-aware training (overrides the uniform-bins one). */
  codebook?: ArrayLike<number>;
  coder?: 'arithmetic' | 'entropy';
  /** Bits for choices fixed before looking at the data's results but not derivable from it (reference: 7). */
  extraBits?: number;
  /** Further bits for selections made after seeing results (e.g. ⌈log2 #d⌉ when reporting the best d). */
  selectionBits?: number;
  /** 'reference' charges α cumulatively (8 bits per grid step) as the reference code does. */
  compat?: 'default' | 'reference';
  /** Also report the binary-kl inverse bound for top-k errors. */
  klInverse?: boolean;
  seed?: number;
  /** Held-out documents scored with the same quantised model (a bound below its held-out risk is a bug). */
  heldOut?: readonly Int32Array[];
  store?: DocumentStatsStore;
  onProgress?: (done: number, total: number, label: string) => void;
}

export interface BoundRow {
  loss: 'bpd' | 'top-k';
  /** Smoothing α (BPD rows). */
  alpha: number | null;
  /** k (top-k rows). */
  k: number | null;
  form: 'hoeffding' | 'kl';
  empirical: number;
  /** Width Δ of the loss range. */
  range: number;
  /** Bits of K + extra bits charged for this row. */
  kBits: number;
  extraBits: number;
  complexity: number;
  sampling: number;
  bound: number;
  randomGuess: number;
  vacuous: boolean;
  /** Mean loss on the held-out documents, when given. */
  heldOut: number | null;
}

export interface BoundReport {
  mode: 'subsampled' | 'full';
  m: number;
  n: number;
  delta: number;
  /** Trained coordinates coded. */
  coordinates: number;
  code: CodeLength;
  quantized: Quantized | null;
  rows: BoundRow[];
  /** Lowest BPD bound over α, and each top-k row's Hoeffding bound. */
  bestBpd: BoundRow;
  top1: BoundRow | null;
  /** Per-document statistics served from the store / computed now. */
  cacheHits: number;
  evaluated: number;
}

function need(name: string, ok: boolean, expected: string, got: unknown): void {
  if (!ok) throw new ArgumentError(`computeBound: ${name} must be ${expected}, got ${got}`);
}

/** Mean smoothed log-loss (per α) and top-k error (per k) of one document's predictions. */
export function documentStats(logits: Tensor, targets: ArrayLike<number>, alphas: readonly number[], topK: readonly number[], vocabSize: number, docIndex: number): DocumentStats {
  const V = vocabSize;
  const n = targets.length;
  if (logits.ndim !== 2 || logits.shape[0] !== n || logits.shape[1] !== V) {
    throw new ArgumentError(`computeBound: predict returned logits of shape [${logits.shape.join(', ')}] for document ${docIndex}; expected [${n}, ${V}] (one row per target)`);
  }
  if (n === 0) throw new ArgumentError(`computeBound: document ${docIndex} has no predicted tokens; drop empty documents before computing the bound (that changes m)`);
  const v = logits.values();
  const bpd = new Array<number>(alphas.length).fill(0), miss = new Array<number>(topK.length).fill(0);
  for (let t = 0; t < n; t++) {
    const y = targets[t]!;
    if (!Number.isInteger(y) || y < 0 || y >= V) throw new ArgumentError(`computeBound: document ${docIndex} target ${t} is ${y}, outside [0, ${V})`);
    const off = t * V;
    let mx = -Infinity;
    for (let c = 0; c < V; c++) { const x = v[off + c]!; if (!Number.isFinite(x)) throw new NonFiniteError(`computeBound: document ${docIndex} has a non-finite logit (${x}) at position ${t}`); if (x > mx) mx = x; }
    let se = 0;
    for (let c = 0; c < V; c++) se += Math.exp(v[off + c]! - mx);
    const ty = v[off + y]!;
    const lp = ty - mx - Math.log(se);
    for (let a = 0; a < alphas.length; a++) bpd[a]! += smoothedLogLoss(lp, alphas[a]!, V);
    // Rank of the true token: logits above it, ties broken towards the lower index (a fixed, data-free rule).
    let rank = 0;
    for (let c = 0; c < V; c++) { const x = v[off + c]!; if (x > ty || (x === ty && c < y)) rank++; }
    for (let q = 0; q < topK.length; q++) if (rank >= topK[q]!) miss[q]!++;
  }
  return { tokens: n, bpd: bpd.map((s) => s / n), topK: miss.map((s) => s / n) };
}

function hashCoords(identity: string, coords: ArrayLike<number>, alphas: readonly number[], topK: readonly number[]): string {
  const h = createHash('sha256').update(identity).update(JSON.stringify({ alphas, topK }));
  h.update(new Uint8Array(Float64Array.from(coords).buffer));
  return h.digest('hex').slice(0, 32);
}

function hashDoc(doc: Int32Array): string {
  return createHash('sha256').update(new Uint8Array(doc.buffer, doc.byteOffset, doc.byteLength)).digest('hex').slice(0, 32);
}

/**
 * The document-level compression bound of Lotfi et al. (2024) §4–5 in one call (spec §2.5): quantise and code
 * the model's trained coordinates (K), score a seeded subsample of n training documents (or all m) with the
 * decoded model, and turn each loss (smoothed BPD for every α, top-k error for every k) into a bound that holds
 * with probability ≥ 1 − δ over the draw of the m training documents.
 */
export async function computeBound<P extends Tree>(model: BoundModel<P>, documents: readonly Int32Array[], options: ComputeBoundOptions = {}): Promise<BoundReport> {
  if (!model || typeof model.predict !== 'function' || !model.parameterisation) throw new ArgumentError('computeBound: model must be {parameterisation, predict, vocabSize}');
  const V = model.vocabSize;
  need('model.vocabSize', Number.isInteger(V) && V >= 2, 'an integer ≥ 2', V);
  need('documents', Array.isArray(documents) && documents.length >= 1 && documents.every((d) => d instanceof Int32Array), 'a non-empty array of Int32Array token sequences', Array.isArray(documents) ? `${documents.length} items` : typeof documents);
  const m = documents.length;
  const delta = options.delta ?? 0.05;
  need('delta', delta > 0 && delta < 1, 'in (0, 1)', delta);
  const alphas = options.alphas ?? ALPHA_GRID;
  need('alphas', alphas.length >= 1, 'a non-empty list', `[${alphas.join(', ')}]`);
  for (const a of alphas) need('alphas', a > 0 && a < 1, 'values in (0, 1)', a);
  const topK = options.topK ?? [1];
  for (const k of topK) need('topK', Number.isInteger(k) && k >= 1 && k <= V, `integers in [1, ${V}]`, k);
  const nOpt = options.n ?? Math.min(2000, m);
  if (nOpt !== 'all') {
    need('n', Number.isInteger(nOpt) && nOpt >= 1, "a positive integer or 'all'", nOpt);
    if (nOpt > m) throw new ArgumentError(`computeBound: n = ${nOpt} exceeds m = ${m} training documents; use n ≤ m or n: 'all'`);
  }
  const extraBits = options.extraBits ?? 7, selBits = options.selectionBits ?? 0;
  need('extraBits', Number.isFinite(extraBits) && extraBits >= 0, 'a number ≥ 0', extraBits);
  need('selectionBits', Number.isFinite(selBits) && selBits >= 0, 'a number ≥ 0', selBits);
  const compat = options.compat ?? 'default';
  need('compat', compat === 'default' || compat === 'reference', "'default' or 'reference'", compat);
  const compression = options.compression ?? 'quantize';
  need('compression', compression === 'quantize' || compression === 'raw32', "'quantize' or 'raw32'", compression);

  // 1. K: the bits of the hypothesis actually evaluated (the decoded ŵ, or the float32-rounded raw weights).
  const par = model.parameterisation;
  const w = par.coords.data as Float64Array;
  let quantized: Quantized | null = null, code: CodeLength, decoded: Float64Array;
  if (compression === 'quantize') {
    quantized = quantize(w, options.codebook !== undefined ? { codebook: options.codebook } : { levels: options.levels ?? 11 });
    code = codeLength(quantized, { coder: options.coder ?? 'arithmetic' });
    decoded = quantized.decoded;
  } else {
    code = rawCodeLength(w.length, 32);
    decoded = Float64Array.from(Float32Array.from(w));
  }
  const params = par.paramsFor(decoded);

  // 2. Which documents: a seeded uniform draw with replacement, or all of them.
  const full = nOpt === 'all';
  const n = full ? m : nOpt;
  const rng = new Rng(options.seed ?? 0);
  const draws = full ? Array.from({ length: m }, (_, i) => i) : Array.from({ length: n }, () => rng.int(0, m));
  const unique = [...new Set(draws)];
  const modelKey = hashCoords(model.identity ?? 'model', decoded, alphas, topK);
  const stats = new Map<number, DocumentStats>();
  const heldOut = options.heldOut ?? [];
  const total = unique.length + heldOut.length;
  let hits = 0, done = 0;
  const scoreOne = (doc: Int32Array, index: number): DocumentStats => {
    const key = `${modelKey}:${hashDoc(doc)}`;
    const cached = options.store?.get(key);
    if (cached) { hits++; return cached; }
    const { logits, targets } = noGrad(() => model.predict(params, doc));
    const s = documentStats(logits, targets, alphas, topK, V, index);
    options.store?.put(key, s);
    return s;
  };
  for (const i of unique) {
    stats.set(i, scoreOne(documents[i]!, i));
    options.onProgress?.(++done, total, 'evaluating documents');
    if (done % 64 === 0) await new Promise((r) => setImmediate(r));
  }
  const heldStats = heldOut.map((doc, i) => {
    const s = scoreOne(doc, i);
    options.onProgress?.(++done, total, 'held-out documents');
    return s;
  });
  const meanOf = (pick: (s: DocumentStats) => number, list: DocumentStats[]) => list.reduce((a, s) => a + pick(s), 0) / list.length;
  const sampled = draws.map((i) => stats.get(i)!);

  // 3. One bound per loss.
  const base = code.prefixFree;
  const rows: BoundRow[] = [];
  const hoeffding = (empirical: number, kBits: number, range: number) => (full ? occamBound({ empirical, kBits, m, range, delta }) : subsamplingBound({ empirical, kBits, m, n, range, delta }));
  alphas.forEach((alpha, a) => {
    const extra = extraBits + selBits + alphaSelectionBits(a, alphas.length, compat);
    const empirical = meanOf((s) => s.bpd[a]!, sampled);
    const range = smoothingRange(alpha, V);
    const t = hoeffding(empirical, base + extra, range);
    const rg = randomGuess({ kind: 'bpd' }, V);
    rows.push({ loss: 'bpd', alpha, k: null, form: 'hoeffding', empirical, range, kBits: base + extra, extraBits: extra, ...t, randomGuess: rg, vacuous: t.bound >= rg, heldOut: heldStats.length ? meanOf((s) => s.bpd[a]!, heldStats) : null });
  });
  topK.forEach((k, q) => {
    const extra = extraBits + selBits;
    const empirical = meanOf((s) => s.topK[q]!, sampled);
    const rg = randomGuess({ kind: 'top-k', k }, V);
    const ho = heldStats.length ? meanOf((s) => s.topK[q]!, heldStats) : null;
    const t = hoeffding(empirical, base + extra, 1);
    rows.push({ loss: 'top-k', alpha: null, k, form: 'hoeffding', empirical, range: 1, kBits: base + extra, extraBits: extra, ...t, randomGuess: rg, vacuous: t.bound >= rg, heldOut: ho });
    if (options.klInverse) {
      const kl = klBound({ empirical, kBits: base + extra, m, ...(full ? {} : { n }), delta });
      rows.push({ loss: 'top-k', alpha: null, k, form: 'kl', empirical, range: 1, kBits: base + extra, extraBits: extra, ...kl, randomGuess: rg, vacuous: kl.bound >= rg, heldOut: ho });
    }
  });
  const bpdRows = rows.filter((r) => r.loss === 'bpd');
  const bestBpd = bpdRows.reduce((a, b) => (b.bound < a.bound ? b : a));
  const top1 = rows.find((r) => r.loss === 'top-k' && r.k === 1 && r.form === 'hoeffding') ?? null;
  return { mode: full ? 'full' : 'subsampled', m, n, delta, coordinates: w.length, code, quantized, rows, bestBpd, top1, cacheHits: hits, evaluated: unique.length + heldOut.length - hits };
}
