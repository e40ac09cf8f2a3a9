/**
 * Strata benchmark harness: `npm run bench` prints a table, `npm run -s bench -- --json` writes the rows as a JSON
 * array of {op, size, dtype, value, unit, reference, ratio} to stdout (progress goes to stderr; `-s` stops npm
 * printing its own banner on stdout). reference and ratio are null when python3 or numpy is missing.
 * Options: `--filter TEXT` keeps cases whose "op size dtype" contains TEXT; `--no-reference` skips numpy.
 *
 * Adding an entry:
 *   1. Create bench/<topic>.ts exporting `cases: BenchCase[]` (types in bench/harness.ts). Each case names its
 *      op, size, dtype and unit ('GFLOP/s' with `flops` per call, or 'ms'), a `setup()` that allocates inputs
 *      untimed and returns the call to time, and a `reference` telling bench/numpy_ref.py what numpy should
 *      time (null for none). bench/matmul.ts is the worked example.
 *   2. Add the module to ENTRIES below.
 *   3. If numpy needs a new kind of reference, add it to ReferenceSpec (harness.ts) and a `prepare_<kind>` to
 *      bench/numpy_ref.py.
 *
 * Timing rule (both sides): one warm-up call, samples of ≥ 5 ms, best sample per call over ~0.6 s (≥ 5
 * samples). numpy runs single-threaded (OPENBLAS/OMP/MKL_NUM_THREADS = 1) in one child process after all
 * Strata cases, so the two never share the CPU. ratio = Strata throughput ÷ numpy throughput (for 'ms' rows,
 * numpy time ÷ Strata time), so > 1 means Strata is faster.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernelInfo } from '../src/core/kernels/gemm.ts';
import { timeBest } from './harness.ts';
import type { BenchCase, BenchUnit } from './harness.ts';
import { cases as matmulCases } from './matmul.ts';
import { cases as coreCases, trainingRows } from './core-ops.ts';
import { cases as nnStructuredCases } from './nn-structured.ts';
import { trainStepRows } from './train-steps.ts';

const ENTRIES: { name: string; cases: BenchCase[] }[] = [
  { name: 'matmul', cases: matmulCases },
  { name: 'core', cases: coreCases },
  { name: 'nn-structured', cases: nnStructuredCases },
];

/** Whole-run throughput rows (training loops): measured once each, no reference. */
type ThroughputRows = () => { op: string; size: string; dtype: string; value: number; unit: string; reference?: number | null; ratio?: number | null }[];
const THROUGHPUT: { name: string; rows: ThroughputRows }[] = [
  { name: 'training', rows: trainingRows },
  // Per-step rows with PyTorch and gemm-peak references (bench/train-steps.ts); --filter train-step runs them alone.
  { name: 'training train-step', rows: () => trainStepRows() },
];

export interface BenchRow {
  op: string;
  size: string;
  dtype: string;
  value: number;
  unit: BenchUnit | string;
  reference: number | null;
  ratio: number | null;
}

interface Args {
  json: boolean;
  filter: string | null;
  reference: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { json: false, filter: null, reference: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') args.json = true;
    else if (arg === '--no-reference') args.reference = false;
    else if (arg === '--filter') {
      const value = argv[++i];
      if (value === undefined) throw new Error('bench: --filter needs a value, e.g. --filter float32');
      args.filter = value;
    } else throw new Error(`bench: unknown option ${arg}; expected --json, --filter TEXT or --no-reference`);
  }
  return args;
}

function valueOf(c: BenchCase, seconds: number): number {
  if (c.unit === 'ms') return seconds * 1000;
  if (c.flops === undefined) throw new Error(`bench: case ${c.op} ${c.size} has unit GFLOP/s but no flops`);
  return c.flops / seconds / 1e9;
}

interface NumpyResult {
  numpy: string;
  blas: string;
  results: { id: number; seconds: number }[];
}

/** Run bench/numpy_ref.py once over every case with a reference; null (with the reason logged) if impossible. */
function numpyReference(selected: BenchCase[], log: (s: string) => void): Map<number, number> | null {
  const payload = selected.flatMap((c, id) => (c.reference ? [{ id, dtype: c.dtype, reference: c.reference }] : []));
  if (payload.length === 0) return new Map();
  const env: NodeJS.ProcessEnv = {
    ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1',
  };
  // This machine may pin OpenBLAS to a core type / L2 size that slows a current numpy; only the child drops them.
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const script = join(dirname(fileURLToPath(import.meta.url)), 'numpy_ref.py');
  const child = spawnSync('python3', [script], { input: JSON.stringify(payload), env, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (child.error || child.status !== 0) {
    const reason = child.error ? child.error.message : (child.stderr.trim().split('\n').pop() ?? `exit ${child.status}`);
    log(`numpy reference unavailable (${reason}); reference and ratio are null`);
    return null;
  }
  const parsed = JSON.parse(child.stdout) as NumpyResult;
  log(`numpy ${parsed.numpy}, single-threaded; BLAS: ${parsed.blas}`);
  return new Map(parsed.results.map((r) => [r.id, r.seconds]));
}

function formatTable(rows: BenchRow[]): string {
  const header = ['op', 'size', 'dtype', 'strata', 'unit', 'numpy', 'ratio'];
  const fmt = (x: number | null) => (x === null ? '—' : x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toPrecision(3));
  const body = rows.map((r) => [r.op, r.size, r.dtype, fmt(r.value), r.unit, fmt(r.reference), r.ratio === null ? '—' : r.ratio.toFixed(3)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 && i !== 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const all = ENTRIES.flatMap((e) => e.cases);
  const selected = args.filter === null ? all : all.filter((c) => `${c.op} ${c.size} ${c.dtype}`.includes(args.filter!));
  const info = kernelInfo();
  log(`strata kernels: ${info.backend}, ${info.threads} thread(s), fma ${info.fma}; node ${process.version}`);
  const seconds: number[] = [];
  for (const c of selected) {
    const fn = c.setup();
    const t = timeBest(fn);
    seconds.push(t.seconds);
    log(`  ${c.op} ${c.size} ${c.dtype}: ${valueOf(c, t.seconds).toPrecision(4)} ${c.unit} (best of ${t.samples}×${t.callsPerSample})`);
  }
  const reference = args.reference ? numpyReference(selected, log) : null;
  const rows: BenchRow[] = selected.map((c, id) => {
    const value = valueOf(c, seconds[id]!);
    const refSeconds = reference?.get(id);
    const ref = refSeconds === undefined ? null : valueOf(c, refSeconds);
    const ratio = ref === null ? null : c.unit === 'ms' ? ref / value : value / ref;
    return { op: c.op, size: c.size, dtype: c.dtype, value, unit: c.unit, reference: ref, ratio };
  });
  // Training rows cost a few seconds each: run them unfiltered, or when the filter names them ('train').
  for (const t of THROUGHPUT) {
    if (args.filter !== null && !t.name.includes(args.filter)) continue;
    for (const r of t.rows()) {
      log(`  ${r.op} ${r.size} ${r.dtype}: ${r.value.toPrecision(4)} ${r.unit}`);
      rows.push({ ...r, reference: r.reference ?? null, ratio: r.ratio ?? null });
    }
  }
  if (args.json) process.stdout.write(`${JSON.stringify(rows, null, 1)}\n`);
  else process.stdout.write(`${formatTable(rows)}\n(strata ${info.backend}, ${info.threads} thread(s) vs numpy single-threaded; best-of timing)\n`);
}

main();
