/** `strata complexity`: the No-Free-Lunch / Kolmogorov-complexity miniatures (compression, label compression). */
import { resolve } from 'node:path';
import { ArgumentError } from '../../core/errors.ts';
import type { Experiment, ExperimentResult } from '../../experiments/contract.ts';
import { findSharedDataDir } from '../../experiments/paths.ts';
import { compressionExperiment, compressionVerdict, loadText, measureCompression } from '../../experiments/complexity/compression.ts';
import { labelCompressionExperiment } from '../../experiments/complexity/label-compression.ts';
import { polynomialExperiment } from '../../experiments/complexity/polynomial.ts';
import { commonOptions, parseCommandArgs, parseSeed, UsageError, type CliIO, type Command } from '../command.ts';
import { ProgressRenderer, progressMode } from '../progress.ts';

const help = `strata complexity — No Free Lunch, Kolmogorov complexity and simplicity bias (Goldblum et al., ICML 2024)

Usage: strata complexity <compress | labels | poly> [options]
  strata complexity compress [--data FILE]   bits per byte of real vs shuffled vs uniform-random data (gzip -9, brotli q11)
  strata complexity labels [--quick]         label compression and an Occam bound for a digits MLP in random subspaces
  strata complexity poly [--quick]           the penalised-polynomial single learner vs degree 2 and degree 10 (spec table)

Options:
  --data <file>   file to compress (default ../shared/data/fortunes.txt, else an embedded sample)
  --quick         smaller budget (labels: d ∈ {50, 200}, 150 steps; poly: 100 instead of 400 runs)
  --seed <n>      random seed (default 1)
  --json          one JSON document on stdout      -q/--quiet, --debug, -h/--help

Examples:
  strata complexity compress --data ../shared/data/fortunes.txt
  strata complexity compress --data README.md --json
  strata complexity labels --json > labels.json
  strata complexity poly --seed 3
`;

function printResult(io: CliIO, result: ExperimentResult, json: boolean, extra: Record<string, unknown> = {}): number {
  if (json) { io.stdout.write(JSON.stringify({ ...extra, ...result }, null, 2) + '\n'); return 0; }
  const out: string[] = [`${result.verdict.toUpperCase()}: ${result.summary}`, ''];
  for (const t of result.tables) {
    out.push(t.title);
    const cells = [t.columns, ...t.rows.map((r) => r.map((c) => (c === null ? '–' : String(c))))];
    const widths = t.columns.map((_, j) => Math.max(...cells.map((r) => String(r[j] ?? '').length)));
    for (const r of cells) out.push('  ' + r.map((c, j) => String(c).padEnd(widths[j]!)).join('  '));
    out.push('');
  }
  io.stdout.write(out.join('\n'));
  return 0;
}

async function runSub(sub: string, argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs('complexity', argv, { ...commonOptions, data: { type: 'string' }, quick: { type: 'boolean' }, seed: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) { io.stdout.write(help); return 0; }
  const seed = parseSeed(values.seed, 1);
  const progress = new ProgressRenderer({ stream: io.stderr, mode: progressMode(io.stderr, values.quiet === true), prefix: `complexity ${sub}` });
  const ctx = { seed, quick: values.quick === true, extended: false, progress, sharedDataDir: findSharedDataDir() };
  try {
    if (sub === 'compress' && values.data !== undefined) {
      const file = resolve(io.cwd, values.data);
      const { bytes, source } = loadText(null, seed, file);
      if (bytes.length === 0) throw new ArgumentError(`--data: ${values.data} is empty`);
      const m = measureCompression(bytes, seed, (d, t) => progress.update(d, t, 'compressions'));
      const { verdict, checks } = compressionVerdict(m);
      progress.finish();
      const doc = { data: source, bytes: m.n, alphabet: m.alphabet, unigramEntropy: m.entropy, bitsPerByte: { gzip: m.gzip, brotli: m.brotli }, order: ['real', 'shuffled', 'random'], verdict, checks };
      if (values.json) { io.stdout.write(JSON.stringify(doc, null, 2) + '\n'); return 0; }
      io.stdout.write(`${source}: ${m.n} bytes, ${m.alphabet} distinct values (log2 ${Math.log2(m.alphabet).toFixed(3)}), unigram entropy ${m.entropy.toFixed(3)} bits\n` +
        `  bits per byte   real    shuffled  random\n  gzip -9        ${m.gzip.map((x) => x.toFixed(3).padEnd(8)).join('')}\n  brotli q11     ${m.brotli.map((x) => x.toFixed(3).padEnd(8)).join('')}\n  ${verdict}\n`);
      return 0;
    }
    if (sub !== 'compress' && values.data !== undefined) throw new ArgumentError(`--data applies to compress only (${sub} does not read a file)`);
    const ex: Experiment = sub === 'compress' ? compressionExperiment : sub === 'labels' ? labelCompressionExperiment : polynomialExperiment;
    const result = await ex.run(ctx);
    progress.finish();
    return printResult(io, result, values.json === true, { experiment: ex.name, seed });
  } finally {
    progress.finish();
  }
}

export const complexityCommand: Command = {
  name: 'complexity',
  summary: 'No Free Lunch / Kolmogorov complexity miniatures: compression of real vs random data, label compression with Occam bounds, the polynomial single learner',
  help,
  async run(argv: string[], io: CliIO): Promise<number> {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '-h' || sub === '--help') { io.stdout.write(help); return 0; }
    if (sub === 'compress' || sub === 'labels' || sub === 'poly') return runSub(sub, rest, io);
    throw new UsageError('complexity', `unknown subcommand '${sub}'; expected 'compress', 'labels' or 'poly'`);
  },
};
