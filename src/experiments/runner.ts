/**
 * Runs experiments from the registry — one after another in this process, or several at once in worker processes —
 * times each, and turns every outcome (including a thrown error, a malformed result or a crashed worker) into an
 * `ExperimentRecord`. One failing experiment never stops the others.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Experiment, ExperimentContext, ExperimentResult, ProgressSink } from './contract.ts';
import { ArgumentError, RuntimeFailure, deriveSeed } from '../core/index.ts';
import { repoRoot } from './paths.ts';
import { resultsSchema, type DemoResults, type EnvironmentInfo, type ExperimentRecord } from './results.ts';
import { checkExperimentResult } from './validate.ts';
import { ExperimentWorker } from './worker-pool.ts';

export interface RunHooks {
  /** The progress sink handed to one experiment; `finish` (if present) is called when it returns or throws. */
  progressFor(experiment: Experiment, index: number, count: number): ProgressSink & { finish?(): void };
  /** Called before each experiment starts (`index` is its place in `selected`). */
  onStart?(experiment: Experiment, index: number, count: number): void;
  /** Called with each finished record (ok or failed). */
  onFinish?(record: ExperimentRecord, index: number, count: number): void;
  /**
   * Called before the first experiment and after each finished one with the results so far: the finished records
   * in `selected` order and the names still running or waiting in `pending`. The demo writes it to results.json so an interrupted run keeps them.
   */
  onUpdate?(partial: DemoResults): void;
  /** Text a worker process wrote to its stdout or stderr (workers only; in-process output goes where it goes). */
  onOutput?(text: string): void;
  /** Monotonic clock in milliseconds; injectable so tests need no real waiting (in-process runs only). */
  now?(): number;
}

export interface RunOptions {
  /** The user's seed; each experiment runs with `deriveSeed(seed, experiment.name)`. */
  seed: number;
  quick: boolean;
  extended: boolean;
  /** Experiment names to run, in registry order; null runs all. */
  only: string[] | null;
  sharedDataDir: string | null;
  /**
   * How many experiments run at once. 1 (the default) runs them one after another in this process; N > 1 runs them
   * in N worker processes (`worker.ts`), which needs `registry`. Experiments marked `exclusive` always run alone.
   */
  jobs?: number;
  /** Where worker processes find the experiments: a module URL and the name of its exported `Experiment[]`. */
  registry?: RegistryRef;
}

/** A registry the worker processes can import by themselves (the experiments are functions; they cannot be sent). */
export interface RegistryRef {
  module: string;
  exportName: string;
}

/**
 * The experiments `--only` selects, in registry order. Unknown names are a usage error listing the known ones;
 * duplicate names in the registry are a programming error (a name must select exactly one experiment).
 */
export function selectExperiments(all: readonly Experiment[], only: string[] | null): Experiment[] {
  const seen = new Set<string>();
  for (const e of all) {
    if (seen.has(e.name)) throw new RuntimeFailure(`demo registry: two experiments are named '${e.name}'; names must be unique`);
    seen.add(e.name);
  }
  if (only === null) return [...all];
  const unknown = only.filter((name) => !seen.has(name));
  if (unknown.length > 0) {
    const known = all.length > 0 ? all.map((e) => e.name).join(', ') : '(none: the registry is empty)';
    throw new ArgumentError(`--only: unknown experiment ${unknown.map((n) => `'${n}'`).join(', ')}; expected one of ${known}`);
  }
  const wanted = new Set(only);
  return all.filter((e) => wanted.has(e.name));
}

/** The context one experiment runs with: its seed comes from the user's seed and its own name. */
export function experimentContext(experiment: Experiment, options: RunOptions): Omit<ExperimentContext, 'progress'> {
  return {
    seed: deriveSeed(options.seed, experiment.name),
    quick: options.quick,
    extended: options.extended,
    sharedDataDir: options.sharedDataDir,
  };
}

/** What running one experiment gave: its validated result or the error, and the wall time of `run`. */
export type Outcome = { ok: true; result: ExperimentResult; seconds: number } | { ok: false; error: { name: string; message: string }; seconds: number };

/** Runs one experiment in this process: calls `run`, validates the result, never throws. */
export async function runOne(experiment: Experiment, ctx: ExperimentContext, now: () => number = () => performance.now()): Promise<Outcome> {
  const t0 = now();
  try {
    const raw: unknown = await experiment.run(ctx);
    const result = checkExperimentResult(experiment.name, raw);
    return { ok: true, result, seconds: (now() - t0) / 1000 };
  } catch (error) {
    return { ok: false, error: errorInfo(error), seconds: (now() - t0) / 1000 };
  }
}

export function recordOf(experiment: Experiment, outcome: Outcome): ExperimentRecord {
  if (outcome.ok) {
    const { result } = outcome;
    return {
      ...describe(experiment),
      verdict: result.verdict,
      metrics: result.metrics,
      reference: result.reference,
      seconds: outcome.seconds,
      status: 'ok',
      summary: result.summary,
      setup: result.setup,
      figures: result.figures,
      tables: result.tables,
    };
  }
  return {
    ...describe(experiment),
    verdict: 'not reproduced',
    metrics: {},
    reference: {},
    seconds: outcome.seconds,
    status: 'failed',
    error: outcome.error,
    summary: '',
    setup: '',
    figures: [],
    tables: [],
  };
}

/**
 * Runs the selected experiments and returns their records in `selected` order, whatever order they finished in.
 * With `jobs` > 1 they run in worker processes (see `scheduleOrder` for the order they start in).
 */
export async function runExperiments(selected: readonly Experiment[], options: RunOptions, hooks: RunHooks): Promise<DemoResults> {
  const jobs = options.jobs ?? 1;
  if (!Number.isInteger(jobs) || jobs < 1) throw new ArgumentError(`jobs: expected a positive integer, got ${jobs}`);
  const now = hooks.now ?? (() => performance.now());
  const createdAt = new Date().toISOString();
  const start = now();
  const environment = environmentInfo(options.sharedDataDir !== null);
  const records: (ExperimentRecord | undefined)[] = new Array(selected.length).fill(undefined);
  const snapshot = (): DemoResults => {
    const pending = selected.filter((_, i) => records[i] === undefined).map((e) => e.name);
    return {
      schema: resultsSchema,
      createdAt,
      options: { seed: options.seed, quick: options.quick, extended: options.extended, only: options.only },
      environment,
      totalSeconds: (now() - start) / 1000,
      experiments: records.filter((r): r is ExperimentRecord => r !== undefined),
      ...(pending.length > 0 ? { pending } : {}),
    };
  };
  const finish = (index: number, record: ExperimentRecord) => {
    records[index] = record;
    hooks.onFinish?.(record, index, selected.length);
    hooks.onUpdate?.(snapshot());
  };

  // A first snapshot before anything runs, so an output folder never shows a previous run's results as this one's.
  hooks.onUpdate?.(snapshot());
  if (jobs === 1 || selected.length <= 1) {
    for (const [index, experiment] of selected.entries()) {
      hooks.onStart?.(experiment, index, selected.length);
      const progress = hooks.progressFor(experiment, index, selected.length);
      let outcome: Outcome;
      try {
        outcome = await runOne(experiment, { ...experimentContext(experiment, options), progress }, now);
      } finally {
        progress.finish?.();
      }
      finish(index, recordOf(experiment, outcome));
    }
  } else {
    if (options.registry === undefined) {
      throw new ArgumentError('jobs > 1 needs options.registry (the module worker processes import the experiments from)');
    }
    await runInWorkers(selected, options, options.registry, jobs, hooks, finish);
  }
  return snapshot();
}

/**
 * The order experiments start in when several run at once: exclusive ones first, one at a time, before any other
 * worker is started (so nothing runs beside them, not even a worker booting); then the rest longest budget first
 * (the classic longest-processing-time rule, which keeps the last finisher close to the others), ties in registry
 * order. Returns indices into `selected`.
 */
export function scheduleOrder(selected: readonly Experiment[], tier: 'quick' | 'full' | 'extended'): { exclusive: number[]; shared: number[] } {
  const budget = (e: Experiment) => (tier === 'quick' ? e.budgetSeconds.quick : tier === 'extended' ? e.budgetSeconds.extended ?? e.budgetSeconds.full : e.budgetSeconds.full);
  const indices = selected.map((_, i) => i);
  const exclusive = indices.filter((i) => selected[i]!.exclusive === true);
  const shared = indices.filter((i) => selected[i]!.exclusive !== true).sort((a, b) => budget(selected[b]!) - budget(selected[a]!) || a - b);
  return { exclusive, shared };
}

async function runInWorkers(
  selected: readonly Experiment[], options: RunOptions, registry: RegistryRef, jobs: number, hooks: RunHooks,
  finish: (index: number, record: ExperimentRecord) => void,
): Promise<void> {
  const { exclusive, shared } = scheduleOrder(selected, options.quick ? 'quick' : options.extended ? 'extended' : 'full');
  const pool: ExperimentWorker[] = [];
  const onOutput = hooks.onOutput ?? ((text: string) => process.stderr.write(text));
  const runOn = async (worker: ExperimentWorker, index: number): Promise<void> => {
    const experiment = selected[index]!;
    hooks.onStart?.(experiment, index, selected.length);
    const progress = hooks.progressFor(experiment, index, selected.length);
    let outcome: Outcome;
    try {
      outcome = await worker.run(registry, experiment.name, experimentContext(experiment, options), progress);
    } finally {
      progress.finish?.();
    }
    finish(index, recordOf(experiment, outcome));
  };
  const workerAt = (slot: number): ExperimentWorker => {
    let w = pool[slot];
    if (w === undefined || w.dead) pool[slot] = w = new ExperimentWorker(onOutput);
    return w;
  };
  try {
    for (const index of exclusive) await runOn(workerAt(0), index);
    const queue = [...shared];
    const lanes = Array.from({ length: Math.min(jobs, queue.length) }, async (_, slot) => {
      for (let index = queue.shift(); index !== undefined; index = queue.shift()) await runOn(workerAt(slot), index);
    });
    await Promise.all(lanes);
  } finally {
    for (const w of pool) w?.close();
  }
}

function describe(e: Experiment) {
  return {
    name: e.name,
    system: e.system,
    paper: e.paper,
    claim: e.claim,
    kind: e.kind ?? 'claim',
    command: e.command,
    budgetSeconds: e.budgetSeconds,
  };
}

function errorInfo(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

export function environmentInfo(sharedData: boolean): EnvironmentInfo {
  const cpuList = cpus();
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: cpuList.length,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    strataVersion: packageVersion(),
    gitCommit: gitCommit(),
    sharedData,
  };
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

function gitCommit(): string | null {
  try {
    const out = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    const text = out.toString().trim();
    return /^[0-9a-f]+$/.test(text) ? text : null;
  } catch {
    return null;
  }
}
