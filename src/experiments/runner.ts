/**
 * Runs experiments from the registry one after another, times each, and turns every outcome — including a thrown
 * error or a malformed result — into an `ExperimentRecord`. One failing experiment never stops the others.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Experiment, ProgressSink } from './contract.ts';
import { ArgumentError, RuntimeFailure } from '../core/index.ts';
import { repoRoot } from './paths.ts';
import { resultsSchema, type DemoResults, type EnvironmentInfo, type ExperimentRecord } from './results.ts';
import { checkExperimentResult } from './validate.ts';

export interface RunHooks {
  /** The progress sink handed to one experiment; `finish` (if present) is called when it returns or throws. */
  progressFor(experiment: Experiment, index: number, count: number): ProgressSink & { finish?(): void };
  /** Called before each experiment starts. */
  onStart?(experiment: Experiment, index: number, count: number): void;
  /** Called with each finished record (ok or failed). */
  onFinish?(record: ExperimentRecord, index: number, count: number): void;
  /** Monotonic clock in milliseconds; injectable so tests need no real waiting. */
  now?(): number;
}

export interface RunOptions {
  seed: number;
  quick: boolean;
  extended: boolean;
  /** Experiment names to run, in registry order; null runs all. */
  only: string[] | null;
  sharedDataDir: string | null;
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

export async function runExperiments(selected: readonly Experiment[], options: RunOptions, hooks: RunHooks): Promise<DemoResults> {
  const now = hooks.now ?? (() => performance.now());
  const createdAt = new Date().toISOString();
  const start = now();
  const records: ExperimentRecord[] = [];
  for (const [index, experiment] of selected.entries()) {
    hooks.onStart?.(experiment, index, selected.length);
    const progress = hooks.progressFor(experiment, index, selected.length);
    const t0 = now();
    let record: ExperimentRecord;
    try {
      const raw: unknown = await experiment.run({
        seed: options.seed,
        quick: options.quick,
        extended: options.extended,
        progress,
        sharedDataDir: options.sharedDataDir,
      });
      const result = checkExperimentResult(experiment.name, raw);
      record = {
        ...describe(experiment),
        verdict: result.verdict,
        metrics: result.metrics,
        reference: result.reference,
        seconds: (now() - t0) / 1000,
        status: 'ok',
        summary: result.summary,
        setup: result.setup,
        figures: result.figures,
        tables: result.tables,
      };
    } catch (error) {
      record = {
        ...describe(experiment),
        verdict: 'not reproduced',
        metrics: {},
        reference: {},
        seconds: (now() - t0) / 1000,
        status: 'failed',
        error: errorInfo(error),
        summary: '',
        setup: '',
        figures: [],
        tables: [],
      };
    } finally {
      progress.finish?.();
    }
    records.push(record);
    hooks.onFinish?.(record, index, selected.length);
  }
  return {
    schema: resultsSchema,
    createdAt,
    options: { seed: options.seed, quick: options.quick, extended: options.extended, only: options.only },
    environment: environmentInfo(options.sharedDataDir !== null),
    totalSeconds: (now() - start) / 1000,
    experiments: records,
  };
}

function describe(e: Experiment) {
  return {
    name: e.name,
    system: e.system,
    paper: e.paper,
    claim: e.claim,
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
