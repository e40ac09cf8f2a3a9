import { Rng } from '../../core/index.ts';
import { cosineSchedule } from '../../optim/index.ts';
import {
  projectors, subspace, fullParameters, trainCoordinates, computeBound, selectionBits, type BoundReport, type BoundRow, type Parameterisation,
} from '../../bounds/index.ts';
import type { ProgressSink } from '../contract.ts';
import type { DocumentStatsStore } from '../../bounds/index.ts';
import { VOCAB_SIZE, type BoundsCorpus } from './data.ts';
import { charMlpInit, predictDocument, WindowSampler, windowLoss, type CharMlpParams } from './char-mlp.ts';

export interface MiniatureSettings {
  /** Subspace dimensions d of the grid. */
  dims: number[];
  levels: number;
  /** Subsampled training documents scored per bound. */
  n: number;
  steps: number;
  batch: number;
  /** Adam learning rates: subspace coordinates, all parameters. */
  lrSubspace: number;
  lrFull: number;
  seed: number;
  /** d whose bound is also computed by full evaluation over all m documents (null: skip). */
  fullEvalDim: number | null;
  /** Also train and bound the uncompressed full model. */
  includeFull: boolean;
  extraBits: number;
  compat: 'default' | 'reference';
  /** k values of the top-k error bounds (default 1, 5, 10). */
  topK?: number[];
}

export interface VariantResult {
  name: string;
  d: number | null;
  trainSeconds: number;
  evalSeconds: number;
  finalTrainLoss: number;
  report: BoundReport;
  /** The same model bounded after quantise + code (only for the full model; its main report is raw float32). */
  quantizedReport: BoundReport | null;
  fullEval: BoundReport | null;
}

const PROJECTOR_SEED = 137; // fixed before seeing data (spec §2.3), not tuned

/** Trains one variant (a subspace of dimension d, or all D parameters) and bounds it. */
export interface VariantHooks {
  /** Where per-document results are cached (the CLI's SQLite store). */
  store?: DocumentStatsStore;
  /** Score all m documents instead of the subsample for the main report. */
  fullEvaluation?: boolean;
  /** Called with the trained coordinates (e.g. to save them). */
  onModel?: (coords: import('../../core/index.ts').Tensor) => void;
}

export async function runVariant(corpus: BoundsCorpus, d: number | null, s: MiniatureSettings, progress?: ProgressSink, hooks: VariantHooks = {}): Promise<VariantResult> {
  const [rInit, rData] = new Rng(s.seed).split(2);
  const theta0 = charMlpInit(rInit!);
  let par: Parameterisation<CharMlpParams>;
  if (d === null) par = fullParameters(theta0);
  else {
    const D = fullParameters(theta0).size;
    par = subspace(theta0, { projector: projectors.kronQR(D, d, { seed: PROJECTOR_SEED, compat: s.compat }) });
  }
  const name = d === null ? 'full model' : `d=${d}`;
  const sampler = new WindowSampler(corpus.train, rData!);
  const t0 = performance.now();
  const tr = trainCoordinates(par, (p) => windowLoss(p, sampler.next(s.batch)), {
    steps: s.steps, optimizer: { kind: 'adam', lr: cosineSchedule({ peak: d === null ? s.lrFull : s.lrSubspace, total: Math.max(1, s.steps), warmup: Math.min(10, s.steps) }) },
    onProgress: (done, total) => progress?.update(done, total, `${name} training`),
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  hooks.onModel?.(par.coords);
  // Without a caller's store, an in-memory one lets the full evaluation reuse the subsample's documents.
  const mem = new Map<string, import('../../bounds/index.ts').DocumentStats>();
  const store = hooks.store ?? { get: (k: string) => mem.get(k), put: (k: string, v: import('../../bounds/index.ts').DocumentStats) => void mem.set(k, v) };
  const model = { parameterisation: par, predict: predictDocument, vocabSize: VOCAB_SIZE, identity: `char-mlp/${name}` };
  const common = {
    n: s.n, levels: s.levels, extraBits: s.extraBits, compat: s.compat, topK: s.topK ?? [1, 5, 10], seed: s.seed,
    // The best d is picked after seeing the bounds: every subspace bound pays ⌈log2 |grid|⌉ bits for that choice.
    selectionBits: d === null ? 0 : selectionBits(s.dims.length),
    heldOut: corpus.heldOut, store,
  };
  const t1 = performance.now();
  const report = await computeBound(model, corpus.train, {
    ...common, compression: d === null ? 'raw32' : 'quantize', ...(hooks.fullEvaluation ? { n: 'all' as const } : {}),
    onProgress: (done, total) => progress?.update(done, total, `${name} bound`),
  });
  const quantizedReport = d === null ? await computeBound(model, corpus.train, { ...common, compression: 'quantize', onProgress: (done, total) => progress?.update(done, total, `${name} quantised bound`) }) : null;
  const fullEval = d !== null && d === s.fullEvalDim
    ? await computeBound(model, corpus.train, { ...common, n: 'all', heldOut: [], onProgress: (done, total) => progress?.update(done, total, `${name} full evaluation`) })
    : null;
  const evalSeconds = (performance.now() - t1) / 1000;
  const last = tr.losses.slice(-20);
  return { name, d, trainSeconds, evalSeconds, finalTrainLoss: last.reduce((a, b) => a + b, 0) / last.length / Math.LN2, report, quantizedReport, fullEval };
}

/** Rows whose bound is below the held-out risk of the same model: each is a bug, never an expected outcome. */
export function heldOutViolations(reports: BoundReport[]): { report: number; row: BoundRow }[] {
  const out: { report: number; row: BoundRow }[] = [];
  reports.forEach((r, i) => { for (const row of r.rows) if (row.heldOut !== null && row.bound < row.heldOut) out.push({ report: i, row }); });
  return out;
}
