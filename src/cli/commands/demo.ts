/** `strata demo`: runs the experiment registry and writes the HTML report and results.json. */
import { renameSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import {
  type Experiment, findSharedDataDir, experiments as registry, registryModule, runExperiments, selectExperiments,
  type DemoResults, type ExperimentRecord, type RegistryRef,
} from '../../experiments/index.ts';
import { ArgumentError, RuntimeFailure } from '../../core/index.ts';
import { formatSeconds, writeReport } from '../../report/index.ts';
import { commonOptions, parseCommandArgs, parseIntFlag, parseList, parseSeed, type CliIO, type Command } from '../command.ts';
import { prepareOutputDir } from '../output-dir.ts';
import { ProgressRenderer, progressMode } from '../progress.ts';
import { textTable } from '../text-table.ts';

const defaultSeed = 1;
const defaultJobs = 2;

const help = `strata demo — run each system's miniature paper experiment and write a report

Usage: strata demo [options]

Options:
  --only <names>   run only these experiments (comma-separated names; see --list)
  --quick          smaller budgets: a smoke run in seconds rather than minutes
  --extended       longer, closer-to-the-paper settings where an experiment has them (tens of minutes)
  --out <dir>      where to write index.html and results.json (default: report); checked before the
                   first experiment, and results.json is rewritten after each one, so an interrupted
                   run keeps what finished
  --seed <n>       random seed, 0..4294967295 (default: ${defaultSeed}); each experiment runs with a seed
                   derived from it and the experiment's name, so results do not depend on order or --jobs
  --jobs <n>       experiments run at once, each in its own worker process (default: ${defaultJobs});
                   1 runs them one after another in this process. Experiments that report timings
                   (cola-structure, digits-mlp) always run alone. Same results.json whatever n (timings aside).
  --list           list the registered experiments and exit
  --json           print the results (the same document as results.json) on stdout
  -q, --quiet      no progress or log lines on stderr
  --debug          show stack traces for errors
  -h, --help       show this help

Exit status: 0 when every experiment ran (whatever its verdict), 1 when one failed to run, 2 for bad usage.

Examples:
  npm start                                  # same as: strata demo
  strata demo --quick                        # fast smoke run of everything
  strata demo --only nn-structured-moe --extended   # the longer MoE comparison (two seeds, 300 steps)
  strata demo --list
  strata demo --only digits-mlp --seed 7 --out /tmp/report
  strata demo --jobs 1                       # sequential, in-process (easiest to debug)
  strata demo --quick --json --quiet > results.json
`;

/**
 * The `demo` command over a list of experiments. Worker processes (`--jobs` > 1) re-import the experiments from
 * `workerRegistry`; without one (an in-memory list, as in tests) every run is in-process and sequential.
 */
export function createDemoCommand(
  all: readonly Experiment[], sharedDataDir: () => string | null = findSharedDataDir, workerRegistry?: RegistryRef,
): Command {
  return {
    name: 'demo',
    summary: "run every system's miniature paper experiment and write report/index.html",
    help,
    async run(argv: string[], io: CliIO): Promise<number> {
      const { values } = parseCommandArgs('demo', argv, {
        ...commonOptions,
        only: { type: 'string' },
        quick: { type: 'boolean' },
        extended: { type: 'boolean' },
        out: { type: 'string' },
        seed: { type: 'string' },
        jobs: { type: 'string' },
        list: { type: 'boolean' },
        json: { type: 'boolean' },
      });
      if (values.help) {
        io.stdout.write(help);
        return 0;
      }
      const seed = parseSeed(values.seed, defaultSeed);
      const jobs = parseIntFlag('--jobs', values.jobs) ?? defaultJobs;
      const only = parseList(values.only, '--only');
      if (values.out !== undefined && values.out.trim() === '') throw new ArgumentError("--out: expected a directory path, got ''");
      const selected = selectExperiments(all, only);

      if (values.list) {
        printList(selected, io, values.json === true);
        return 0;
      }

      const quick = values.quick === true;
      const extended = values.extended === true;
      if (quick && extended) throw new ArgumentError('--quick and --extended: choose one (quick = smoke run, extended = longer, paper-closer settings)');
      // The output folder is checked before the first experiment: a bad --out costs seconds, not the whole run.
      const outDir = resolve(io.cwd, values.out ?? 'report');
      prepareOutputDir('--out', outDir);

      const parallel = workerRegistry !== undefined && jobs > 1 && selected.length > 1;
      // Two redrawn bars on one terminal would overwrite each other; with workers, progress comes as plain lines.
      const mode = ((m) => (parallel && m === 'tty' ? 'plain' : m))(progressMode(io.stderr, values.quiet === true));
      const log = (message: string): void => {
        if (mode !== 'quiet') io.stderr.write(message + '\n');
      };
      if (selected.length === 0) {
        log('strata demo: no experiments are registered yet (src/experiments/registry.ts is empty); writing an empty report.');
      }
      const results = await runExperiments(
        selected,
        { seed, quick, extended, only, sharedDataDir: sharedDataDir(), jobs: parallel ? jobs : 1, ...(parallel ? { registry: workerRegistry } : {}) },
        {
          progressFor: (e) => new ProgressRenderer({ stream: io.stderr, mode, prefix: `${e.system}/${e.name}` }),
          onStart: (e, i, n) => {
            const budget = quick ? e.budgetSeconds.quick : extended ? e.budgetSeconds.extended ?? e.budgetSeconds.full : e.budgetSeconds.full;
            log(`[${i + 1}/${n}] ${e.system}/${e.name} — budget ~${formatSeconds(budget)}${e.exclusive ? ' (runs alone: it reports timings)' : ''}`);
          },
          onFinish: (r) => log(`      ${r.system}/${r.name}: ${verdictLine(r)}`),
          onUpdate: (partial) => writePartialResults(outDir, partial, log),
          onOutput: (text) => io.stderr.write(text),
        },
      );

      let written;
      try {
        written = writeReport(outDir, results);
      } catch (error) {
        throw new RuntimeFailure(`demo: could not write the report to ${outDir}: ${(error as Error).message}`, { cause: error });
      }
      const failed = results.experiments.filter((r) => r.status === 'failed');
      if (values.json) {
        io.stdout.write(JSON.stringify(results, null, 2) + '\n');
      } else {
        io.stdout.write(summaryText(results.experiments));
        io.stdout.write(`Report: ${displayPath(io.cwd, written.html)} (results: ${displayPath(io.cwd, written.json)})\n`);
      }
      if (failed.length > 0) {
        log(`strata demo: ${failed.length} experiment${failed.length === 1 ? '' : 's'} failed to run: ${failed.map((r) => r.name).join(', ')}`);
        return 1;
      }
      return 0;
    },
  };
}

export const demoCommand: Command = createDemoCommand(registry, findSharedDataDir, registryModule);

/**
 * results.json after each finished experiment (with `pending` naming the rest), written to a temporary file and
 * renamed so a reader never sees half a file. A failed write is reported and the run goes on; the final write
 * decides the exit status.
 */
function writePartialResults(outDir: string, partial: DemoResults, log: (message: string) => void): void {
  const target = join(outDir, 'results.json');
  const temporary = `${target}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, JSON.stringify(partial, null, 2) + '\n');
    renameSync(temporary, target);
  } catch (error) {
    log(`strata demo: could not update ${target} (${(error as Error).message}); continuing`);
  }
}

/** Relative to the working directory when inside it, absolute otherwise. */
function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

function verdictLine(r: ExperimentRecord): string {
  if (r.status === 'failed') return `FAILED after ${formatSeconds(r.seconds)}: ${r.error?.name ?? 'Error'}: ${r.error?.message ?? ''}`;
  return `${r.verdict} in ${formatSeconds(r.seconds)}`;
}

function printList(selected: Experiment[], io: CliIO, json: boolean): void {
  if (json) {
    const list = selected.map((e) => ({
      name: e.name,
      system: e.system,
      paper: e.paper,
      claim: e.claim,
      budgetSeconds: e.budgetSeconds,
      command: e.command,
    }));
    io.stdout.write(JSON.stringify({ experiments: list }, null, 2) + '\n');
    return;
  }
  if (selected.length === 0) {
    io.stdout.write('No experiments are registered yet (src/experiments/registry.ts).\n');
    return;
  }
  io.stdout.write(
    textTable([
      ['SYSTEM', 'NAME', 'BUDGET (full / quick)', 'PAPER'],
      ...selected.map((e) => [e.system, e.name, `${formatSeconds(e.budgetSeconds.full)} / ${formatSeconds(e.budgetSeconds.quick)}`, e.paper]),
    ]),
  );
}

function summaryText(records: ExperimentRecord[]): string {
  if (records.length === 0) return 'No experiments ran.\n';
  return textTable([
    ['SYSTEM', 'EXPERIMENT', 'VERDICT', 'TIME'],
    ...records.map((r) => [r.system, r.name, r.status === 'failed' ? 'FAILED' : r.verdict, formatSeconds(r.seconds)]),
  ]);
}
