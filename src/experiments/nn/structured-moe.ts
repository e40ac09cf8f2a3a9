import { Tensor, Rng, deriveSeed, add, mul, reshape, noGrad } from '../../core/index.ts';
import type { Experiment, Verdict } from '../contract.ts';
import { beyondNoise } from '../verdict.ts';
import { valueAndGrad } from '../../autodiff/index.ts';
import { adamw, cosineSchedule } from '../../optim/index.ts';
import {
  crossEntropy, embedding, embeddingInit, layerNorm, layerNormInit, type EmbeddingParams, type NormParams,
  bttMoE, structured, createAuxCollector, lrMultipliers, type StructuredLayer, type StructuredParams, type LayerTable,
  gelu,
} from '../../nn/index.ts';
import { CharVocab, loadCorpus } from './data.ts';

const { dense } = structured;

/** One seed: a bits/char gain counts only if it exceeds 0.2 (assumed, not measured: no spread is known). */
export const SINGLE_SEED_BPC_MARGIN = 0.2;

/**
 * MoE beats dense at equal active FLOPs: the per-seed gain (dense − MoE bits/char, paired by seed) is above 0 beyond
 * the seed range → reproduced; below 0 beyond it → not reproduced; otherwise inconclusive.
 */
export function moeVerdict(m: { bpcDense: number[]; bpcMoe: number[] }): Verdict {
  const n = Math.min(m.bpcDense.length, m.bpcMoe.length);
  const gains = Array.from({ length: n }, (_, i) => m.bpcDense[i]! - m.bpcMoe[i]!);
  const where = beyondNoise(gains, 0, SINGLE_SEED_BPC_MARGIN);
  return where === 'above' ? 'reproduced' : where === 'below' ? 'not reproduced' : 'inconclusive';
}

const CONTEXT = 16, EMBED = 32, WIDTH = CONTEXT * EMBED;

interface CharMlpParams {
  embed: EmbeddingParams;
  blocks: { norm: NormParams; l1: StructuredParams; l2: StructuredParams }[];
  outNorm: NormParams;
  head: StructuredParams;
}

interface CharMlp { layers: LayerTable; params: CharMlpParams; activeMacs: number }

/** Embeddings of the last 16 characters (dim 32, concatenated to 512) → 2 residual MLP blocks → softmax (spec nn §5 D). */
function makeModel(rng: Rng, vocab: number, kind: 'dense' | 'moe', hidden: number): CharMlp {
  const [re, rb, rh] = rng.split(3);
  const layers: LayerTable = {};
  const blocks = [0, 1].map((i) => {
    const l1: StructuredLayer = kind === 'dense' ? dense(WIDTH, hidden) : bttMoE(WIDTH, WIDTH, { experts: 8, topK: 2 });
    const l2: StructuredLayer = kind === 'dense' ? dense(hidden, WIDTH, { zeroInit: true }) : bttMoE(WIDTH, WIDTH, { experts: 8, topK: 2, zeroInit: true });
    layers[`$.blocks[${i}].l1`] = l1;
    layers[`$.blocks[${i}].l2`] = l2;
    return { norm: layerNormInit(WIDTH), l1: l1.init(rb!), l2: l2.init(rb!) };
  });
  const head = dense(WIDTH, vocab, { zeroInit: true });
  layers['$.head'] = head;
  const params: CharMlpParams = { embed: embeddingInit(re!, vocab, EMBED), blocks, outNorm: layerNormInit(WIDTH), head: head.init(rh!) };
  return { layers, params, activeMacs: Object.values(layers).reduce((a, l) => a + l.activeMacs, 0) };
}

function forward(m: CharMlp, p: CharMlpParams, ctxIds: Tensor): { logits: Tensor; aux: Tensor | null } {
  const aux = createAuxCollector();
  let h = reshape(embedding(p.embed, ctxIds), [ctxIds.shape[0]!, WIDTH]);
  p.blocks.forEach((b, i) => {
    const u = m.layers[`$.blocks[${i}].l1`]!.apply(b.l1, layerNorm(b.norm, h), aux);
    h = add(h, m.layers[`$.blocks[${i}].l2`]!.apply(b.l2, gelu(u), aux));
  });
  return { logits: m.layers['$.head']!.apply(p.head, layerNorm(p.outNorm, h)), aux: aux.mean() };
}

/** Splits the corpus into documents (lines holding only '%'), holds out a seeded 10% of them. */
function splitDocuments(text: string, seed: number): { train: Int32Array; val: Int32Array } {
  const vocab = new CharVocab();
  const docs = text.replace(/\t/g, ' ').split(/\n%\n/).filter((d) => d.length > CONTEXT + 1);
  const rng = new Rng(deriveSeed(seed, 'documents'));
  const order = rng.permutation(docs.length);
  const nVal = Math.max(1, Math.floor(docs.length / 10));
  const pick = (idx: number[]) => vocab.encode(idx.map((i) => docs[i]!).join('\n%\n'));
  const all = Array.from(order);
  return { val: pick(all.slice(0, nVal)), train: pick(all.slice(nVal)) };
}

function batchAt(ids: Int32Array, starts: number[]): { x: Tensor; y: Int32Array } {
  const x = new Int32Array(starts.length * CONTEXT), y = new Int32Array(starts.length);
  starts.forEach((s, b) => { x.set(ids.subarray(s, s + CONTEXT), b * CONTEXT); y[b] = ids[s + CONTEXT]!; });
  return { x: new Tensor(x, [starts.length, CONTEXT]), y };
}

export const structuredMoeExperiment: Experiment = {
  name: 'nn-structured-moe',
  system: 'nn',
  paper: 'Potapczynski et al., "Searching for Efficient Linear Layers over a Continuous Space of Structured Matrices" (NeurIPS 2024), BTT-MoE',
  claim: 'A BTT mixture of experts (8 experts, top-2) reaches a lower validation loss than a dense MLP at equal active FLOPs.',
  // The default run is one seed × 100 steps; --extended runs two seeds × 300 (measured ≈ 4–5 min before the MoE
  // computed only its routed experts).
  budgetSeconds: { full: 60, quick: 25, extended: 300 },
  command: 'strata demo --only nn-structured-moe',
  async run(ctx) {
    const corpus = loadCorpus(ctx.sharedDataDir, ctx.seed);
    const { train, val } = splitDocuments(corpus.text, ctx.seed);
    const vocab = new CharVocab();
    const steps = ctx.quick ? 30 : ctx.extended ? 300 : 100, batch = 128;
    const seeds = ctx.extended ? [0, 1] : [0];
    // Equal active MACs per block: dense 2·512·h = 2·(MoE active MACs of one 512→512 layer).
    const moeActive = bttMoE(WIDTH, WIDTH, { experts: 8, topK: 2 }).activeMacs;
    const hidden = Math.round(moeActive / WIDTH);
    const evalRng = new Rng(deriveSeed(ctx.seed, 'eval'));
    const evalBatch = batchAt(val, Array.from({ length: ctx.quick ? 1024 : ctx.extended ? 4096 : 2048 }, () => evalRng.int(0, val.length - CONTEXT - 1)));
    const results: Record<string, { bpc: number[]; curve: { step: number; bpc: number }[]; activeMacs: number }> = {};
    const total = 2 * seeds.length * steps;
    let done = 0;
    for (const kind of ['dense', 'moe'] as const) {
      results[kind] = { bpc: [], curve: [], activeMacs: 0 };
      for (const s of seeds) {
        const model = makeModel(new Rng(deriveSeed(ctx.seed, 'model', s)), vocab.size, kind, hidden);
        results[kind].activeMacs = model.activeMacs;
        const opt = adamw(model.params, { lr: cosineSchedule({ peak: 3e-3, total: steps, warmup: Math.ceil(steps / 20) }), weightDecay: 0, lrMultipliers: lrMultipliers(model.layers) });
        const lossGrad = valueAndGrad((p: CharMlpParams, x: Tensor, y: Int32Array) => {
          const out = forward(model, p, x);
          const ce = crossEntropy(out.logits, y);
          return out.aux ? add(ce, mul(out.aux, 0.01)) : ce;
        });
        const evaluate = () => noGrad(() => crossEntropy(forward(model, model.params, evalBatch.x).logits, evalBatch.y).item() / Math.LN2);
        const rng = new Rng(deriveSeed(ctx.seed, 'batches', s));
        for (let step = 0; step < steps; step++) {
          const b = batchAt(train, Array.from({ length: batch }, () => rng.int(0, train.length - CONTEXT - 1)));
          opt.step(lossGrad(model.params, b.x, b.y).grad);
          if (s === seeds[0] && ((step + 1) % Math.max(1, Math.floor(steps / 6)) === 0 || step + 1 === steps)) results[kind].curve.push({ step: step + 1, bpc: evaluate() });
          ctx.progress.update(++done, total, `${kind} seed ${s}`);
        }
        results[kind].bpc.push(evaluate());
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
    const d = results.dense!, m = results.moe!;
    const gain = mean(d.bpc) - mean(m.bpc);
    const noise = Math.max(spread(d.bpc), spread(m.bpc));
    const verdict = moeVerdict({ bpcDense: d.bpc, bpcMoe: m.bpc });
    return {
      verdict,
      summary: `Validation bits/char after ${steps} steps: dense ${mean(d.bpc).toFixed(4)} vs BTT-MoE ${mean(m.bpc).toFixed(4)} (difference ${gain.toFixed(4)}; ${seeds.length > 1 ? `seed spread ${noise.toFixed(4)} over ${seeds.length} seeds` : `one seed, so no spread is known and only a gain beyond ${SINGLE_SEED_BPC_MARGIN} bits/char would count`}) at equal active MACs per token (${d.activeMacs} vs ${m.activeMacs.toFixed(0)}). ` +
        `The paper reports BTT-MoE more compute-efficient than dense and than standard MoE on GPT-2, more experts saving more (multipliers figure-only, unverified); expected here: a small improvement${verdict === 'inconclusive' ? ' — ours is within the noise margin' : ''}. Our MoE computes all experts and masks, so its wall time is not reduced.`,
      setup: `Data: ${corpus.source} (documents split on '%' lines, a seeded 10% held out, tab → space; Strata's CharVocab). Model: embeddings of the last ${CONTEXT} characters (dim ${EMBED}, concatenated to ${WIDTH}) → 2 residual pre-LN blocks LN → L1 → GELU → L2 (L2 zero-init) → LN → zero-init head. Dense blocks ${WIDTH}→${hidden}→${WIDTH}; BTT-MoE blocks ${WIDTH}→${WIDTH}→${WIDTH} with E = 8, k = 2 (load-balancing loss weight 0.01). AdamW lr 3e-3 cosine, structure-aware multipliers, batch ${batch} positions, ${steps} steps; eval on ${evalBatch.y.length} held-out positions.`,
      metrics: { val_bpc_dense: +mean(d.bpc).toFixed(5), val_bpc_moe: +mean(m.bpc).toFixed(5), bpc_gain: +gain.toFixed(5), seed_spread: seeds.length > 1 ? +noise.toFixed(5) : null, active_macs_dense: d.activeMacs, active_macs_moe: Math.round(m.activeMacs) },
      reference: { val_bpc_dense: null, val_bpc_moe: null, bpc_gain: "> 0 (paper: Potapczynski et al. 2024, GPT-2 figure; no numbers given)", seed_spread: null, active_macs_dense: null, active_macs_moe: null },
      figures: [{
        id: 'nn-moe-curve', title: 'Validation bits/char: dense vs BTT-MoE (equal active FLOPs)', kind: 'line', xLabel: 'step', yLabel: 'bits/char',
        series: [{ name: 'dense', x: d.curve.map((c) => c.step), y: d.curve.map((c) => c.bpc) }, { name: 'BTT-MoE (E=8, k=2)', x: m.curve.map((c) => c.step), y: m.curve.map((c) => c.bpc) }],
        caption: 'First seed; lower is better.',
      }],
      tables: [{ title: 'Final validation bits/char per seed', columns: ['model', 'active MACs/token', ...seeds.map((s) => `seed ${s}`)], rows: [['dense', d.activeMacs, ...d.bpc.map((v) => +v.toFixed(4))], ['BTT-MoE', Math.round(m.activeMacs), ...m.bpc.map((v) => +v.toFixed(4))]] }],
    };
  },
};
