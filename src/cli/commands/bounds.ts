/** `strata bounds`: train subspace models and compute compression bounds (`run`), or bound a saved model (`evaluate`). */
import { resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { Rng } from '../../core/index.ts';
import { ArgumentError } from '../../core/index.ts';
import { saveParams, loadParams } from '../../nn/index.ts';
import { QueryCache, cacheKey } from '../../llm/index.ts';
import { computeBound, fullParameters, projectors, subspace, type BoundReport, type DocumentStats, type DocumentStatsStore } from '../../bounds/index.ts';
import { loadBoundsCorpus, VOCAB_SIZE } from '../../experiments/index.ts';
import { charMlpInit, predictDocument } from '../../experiments/index.ts';
import { runVariant, type MiniatureSettings } from '../../experiments/index.ts';
import { findSharedDataDir } from '../../experiments/index.ts';
import { commonOptions, parseCommandArgs, parseSeed, UsageError, type CliIO, type Command } from '../command.ts';
import { ProgressRenderer, progressMode } from '../progress.ts';

const help = `strata bounds — non-vacuous compression bounds for language models (Lotfi et al., ICML 2024)

Usage: strata bounds <run | evaluate> [options]
  strata bounds run       train the character model in random subspaces of each --dims and bound each one
  strata bounds evaluate  compute the bound of a model saved by 'run --save-dir' (safetensors)

run options:
  --data <file>         %-separated documents (default ../shared/data/fortunes.txt, else an embedded corpus)
  --dims <list>         subspace dimensions d (default 250,500,1000,2000,4000); 'full' adds the uncompressed model
  --levels <L>          quantisation levels (default 11)
  --n <n>               subsampled training documents per bound (default min(2000, m); 'all' = full evaluation)
  --steps <k>           training steps per variant (default 400)   --batch <b>   windows per step (default 128)
  --save-dir <dir>      save each trained model as <dir>/bounds-d<d>.safetensors
evaluate options:
  --model <file>        a model saved by 'run --save-dir' (required)
  --data <file>         the documents it was trained on (same split seed)
  --levels <L>, --n <n> as above
common:
  --cache <file>        SQLite cache of per-document results: an interrupted evaluation resumes where it stopped
                        (default .strata/bounds-cache.sqlite; --no-cache to disable)
  --seed <n>            split / init / subsample seed (default 1)
  --compat <mode>       'default' or 'reference' (the reference code's α charge and E scaling)
  --topk <list>         k values of the top-k error bounds (default 1,5,10)
  --json                one JSON document on stdout      -q/--quiet, --debug, -h/--help

Examples:
  strata bounds run --data ../shared/data/fortunes.txt --dims 250,500,1000 --levels 11 --n 2000
  strata bounds run --dims 500,full --steps 200 --save-dir models/ --json > bounds.json
  strata bounds evaluate --model models/bounds-d500.safetensors --data ../shared/data/fortunes.txt --n all
`;

function positiveInt(flag: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new ArgumentError(`${flag}: expected a positive integer, got '${v}'`);
  return Number(v);
}

/** `--n`: a positive integer or 'all'; undefined means the default, min(2000, m). */
function parseN(v: string | undefined): number | 'all' | undefined {
  if (v === undefined || v === 'all') return v;
  return positiveInt('--n', v, 2000);
}

function parseDims(v: string | undefined): { dims: number[]; full: boolean } {
  const items = (v ?? '250,500,1000,2000,4000').split(',').map((s) => s.trim());
  const full = items.includes('full');
  const dims = items.filter((s) => s !== 'full').map((s) => {
    if (!/^\d+$/.test(s) || Number(s) < 1) throw new ArgumentError(`--dims: expected comma-separated positive integers (or 'full'), got '${s}'`);
    return Number(s);
  });
  if (dims.length === 0 && !full) throw new ArgumentError('--dims: give at least one subspace dimension');
  return { dims, full };
}

function parseTopK(v: string | undefined): number[] {
  if (v === undefined) return [1, 5, 10];
  return v.split(',').map((x) => {
    const k = Number(x.trim());
    if (!Number.isInteger(k) || k < 1 || k > 96) throw new ArgumentError(`--topk: expected comma-separated integers in [1, 96], got '${x}'`);
    return k;
  });
}

function parseCompat(v: string | undefined): 'default' | 'reference' {
  if (v === undefined || v === 'default' || v === 'reference') return v ?? 'default';
  throw new ArgumentError(`--compat: expected 'default' or 'reference', got '${v}'`);
}

/** Per-document results in strata/llm's SQLite cache, one committed row per document. */
function sqliteStore(cache: QueryCache): DocumentStatsStore {
  return {
    get: (key) => cache.get<DocumentStats>(cacheKey('strata-bounds', 'document-stats', key)),
    put: (key, stats) => cache.put(cacheKey('strata-bounds', 'document-stats', key), 'strata-bounds', 'document-stats', key, stats),
  };
}

function reportJson(name: string, r: BoundReport) {
  const { quantized, ...rest } = r;
  return { variant: name, ...rest, quantized: quantized ? { levels: quantized.levels, codebook: Array.from(quantized.codebook), counts: quantized.counts } : null };
}

function reportText(name: string, r: BoundReport): string {
  const lines = [`${name}: K = ${Math.round(r.code.prefixFree)} bits (coded ${r.code.coded} + codebook ${r.code.codebook} + table ${r.code.table}), ${r.mode} evaluation of ${r.n} of m = ${r.m} documents${r.cacheHits ? ` (${r.cacheHits} from cache)` : ''}`];
  lines.push('  loss        empirical  complexity  bound    random   held-out  vacuous');
  for (const row of r.rows) {
    const label = row.loss === 'bpd' ? `bpd α=${row.alpha}` : `top-${row.k}${row.form === 'kl' ? ' kl' : ''}`;
    lines.push(`  ${label.padEnd(11)} ${row.empirical.toFixed(4).padStart(9)}  ${(row.complexity + row.sampling).toFixed(4).padStart(10)}  ${row.bound.toFixed(4).padStart(7)}  ${row.randomGuess.toFixed(4).padStart(7)}  ${row.heldOut === null ? '     –' : row.heldOut.toFixed(4).padStart(8)}  ${row.vacuous ? 'yes' : 'no'}`);
  }
  lines.push(`  best BPD bound ${r.bestBpd.bound.toFixed(4)} (α = ${r.bestBpd.alpha}); top-1 bound ${r.top1 ? r.top1.bound.toFixed(4) : '–'}`);
  return lines.join('\n');
}

const shared = {
  ...commonOptions, data: { type: 'string' }, levels: { type: 'string' }, n: { type: 'string' }, seed: { type: 'string' },
  cache: { type: 'string' }, 'no-cache': { type: 'boolean' }, compat: { type: 'string' }, topk: { type: 'string' }, json: { type: 'boolean' },
} as const;

function openStore(values: { cache?: string; 'no-cache'?: boolean }, io: CliIO): { store?: DocumentStatsStore; cache?: QueryCache } {
  if (values['no-cache']) {
    if (values.cache !== undefined) throw new ArgumentError('--cache and --no-cache cannot be combined');
    return {};
  }
  const cache = new QueryCache(resolve(io.cwd, values.cache ?? '.strata/bounds-cache.sqlite'));
  return { store: sqliteStore(cache), cache };
}

async function runRun(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs('bounds', argv, { ...shared, dims: { type: 'string' }, steps: { type: 'string' }, batch: { type: 'string' }, 'save-dir': { type: 'string' } });
  if (values.help) { io.stdout.write(help); return 0; }
  const { dims, full } = parseDims(values.dims);
  const seed = parseSeed(values.seed, 1);
  const nFlag = parseN(values.n);
  const levels = positiveInt('--levels', values.levels, 11);
  const compat = parseCompat(values.compat);
  const corpus = loadBoundsCorpus({ sharedDataDir: findSharedDataDir(), file: values.data === undefined ? undefined : resolve(io.cwd, values.data), seed });
  const n = nFlag ?? Math.min(2000, corpus.train.length);
  if (n !== 'all' && n > corpus.train.length) throw new ArgumentError(`--n: ${n} exceeds the ${corpus.train.length} training documents of ${corpus.source}`);
  const D = fullParameters(charMlpInit(new Rng(0))).size;
  for (const d of dims) if (d > D) throw new ArgumentError(`--dims: d = ${d} exceeds the model's D = ${D} parameters (no compression)`);
  const progress = new ProgressRenderer({ stream: io.stderr, mode: progressMode(io.stderr, values.quiet === true), prefix: 'bounds run' });
  const { store, cache } = openStore(values, io);
  const s: MiniatureSettings = {
    dims, levels, n: n === 'all' ? corpus.train.length : n, steps: positiveInt('--steps', values.steps, 400), batch: positiveInt('--batch', values.batch, 128),
    lrSubspace: 0.05, lrFull: 1e-3, seed, fullEvalDim: null, includeFull: full, extraBits: 7, compat, topK: parseTopK(values.topk),
  };
  const saveDir = values['save-dir'] === undefined ? null : resolve(io.cwd, values['save-dir']);
  if (saveDir) mkdirSync(saveDir, { recursive: true });
  const out: ReturnType<typeof reportJson>[] = [];
  const texts: string[] = [`data: ${corpus.source} (m = ${corpus.train.length} training, ${corpus.heldOut.length} held-out documents)`];
  try {
    for (const d of [...dims, ...(full ? [null] : [])]) {
      const v = await runVariant(corpus, d, { ...s, ...(n === 'all' ? { n: corpus.train.length } : {}) }, progress, { store, fullEvaluation: n === 'all', onModel: saveDir ? (coords) => {
        saveParams(resolve(saveDir, `bounds-${d === null ? 'full' : `d${d}`}.safetensors`), { w: coords }, { kind: 'strata-bounds-char-mlp', d: d === null ? 'full' : String(d), seed: String(seed), projectorSeed: '137', compat });
      } : undefined });
      out.push(reportJson(v.name, v.report));
      texts.push(reportText(v.name, v.report));
    }
  } finally {
    progress.finish();
    cache?.close();
  }
  if (values.json) io.stdout.write(JSON.stringify({ data: corpus.source, seed, settings: s, variants: out }, null, 2) + '\n');
  else io.stdout.write(texts.join('\n\n') + '\n');
  return 0;
}

async function runEvaluate(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs('bounds', argv, { ...shared, model: { type: 'string' } });
  if (values.help) { io.stdout.write(help); return 0; }
  if (values.model === undefined) throw new UsageError('bounds', 'bounds evaluate: --model <file.safetensors> is required (save one with bounds run --save-dir)');
  const { params, metadata } = loadParams(resolve(io.cwd, values.model));
  if (metadata.kind !== 'strata-bounds-char-mlp' || !params?.w) throw new ArgumentError(`--model: ${values.model} was not saved by 'strata bounds run' (metadata kind '${metadata.kind ?? ''}')`);
  const seed = parseSeed(values.seed ?? metadata.seed, 1);
  const compat = parseCompat(values.compat ?? metadata.compat);
  const corpus = loadBoundsCorpus({ sharedDataDir: findSharedDataDir(), file: values.data === undefined ? undefined : resolve(io.cwd, values.data), seed });
  const [rInit] = new Rng(seed).split(2);
  const theta0 = charMlpInit(rInit!);
  const D = fullParameters(theta0).size;
  const d = metadata.d === 'full' ? null : Number(metadata.d);
  const par = d === null ? fullParameters(theta0) : subspace(theta0, { projector: projectors.kronQR(D, d, { seed: Number(metadata.projectorSeed ?? 137), compat }) });
  const w = (params.w.values() as ArrayLike<number>);
  if (w.length !== par.size) throw new ArgumentError(`--model: holds ${w.length} coordinates, the parameterisation expects ${par.size}`);
  (par.coords.data as Float64Array).set(w);
  const progress = new ProgressRenderer({ stream: io.stderr, mode: progressMode(io.stderr, values.quiet === true), prefix: 'bounds evaluate' });
  const { store, cache } = openStore(values, io);
  let report: BoundReport;
  try {
    report = await computeBound({ parameterisation: par, predict: predictDocument, vocabSize: VOCAB_SIZE, identity: `char-mlp/${d === null ? 'full' : `d=${d}`}` }, corpus.train, {
      n: parseN(values.n) ?? Math.min(2000, corpus.train.length), levels: positiveInt('--levels', values.levels, 11), compression: d === null ? 'raw32' : 'quantize', compat, seed, topK: parseTopK(values.topk), heldOut: corpus.heldOut, store,
      onProgress: (done, total, label) => progress.update(done, total, label),
    });
  } finally {
    progress.finish();
    cache?.close();
  }
  const name = d === null ? 'full model' : `d=${d}`;
  if (values.json) io.stdout.write(JSON.stringify({ model: values.model, data: corpus.source, ...reportJson(name, report) }, null, 2) + '\n');
  else io.stdout.write(reportText(name, report) + '\n');
  return 0;
}

export const boundsCommand: Command = {
  name: 'bounds',
  summary: 'compression bounds for language models: train in random subspaces and certify (bounds run), or bound a saved model (bounds evaluate)',
  help,
  async run(argv: string[], io: CliIO): Promise<number> {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '-h' || sub === '--help') { io.stdout.write(help); return 0; }
    if (sub === 'run') return runRun(rest, io);
    if (sub === 'evaluate') return runEvaluate(rest, io);
    throw new UsageError('bounds', `unknown subcommand '${sub}'; expected 'run' or 'evaluate'`);
  },
};
