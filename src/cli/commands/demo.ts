/** `strata demo`: runs the experiment registry and writes the HTML report and results.json. */
import { isAbsolute, relative, resolve } from 'node:path';
import {
  type Experiment, findSharedDataDir, experiments as registry, runExperiments, selectExperiments,
  type ExperimentRecord,
} from '../../experiments/index.ts';
import { ArgumentError, RuntimeFailure } from '../../core/index.ts';
import { formatSeconds, writeReport } from '../../report/index.ts';
import { commonOptions, parseCommandArgs, parseList, parseSeed, type CliIO, type Command } from '../command.ts';
import { ProgressRenderer, progressMode } from '../progress.ts';

const defaultSeed = 1;

const help = `strata demo — run each system's miniature paper experiment and write a report

Usage: strata demo [options]

Options:
  --only <names>   run only these experiments (comma-separated names; see --list)
  --quick          smaller budgets: a smoke run in seconds rather than minutes
  --extended       longer, closer-to-the-paper settings where an experiment has them (tens of minutes)
  --out <dir>      where to write index.html and results.json (default: report)
  --seed <n>       random seed handed to every experiment, 0..4294967295 (default: ${defaultSeed})
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
  strata demo --quick --json --quiet > results.json
`;

export function createDemoCommand(all: readonly Experiment[], sharedDataDir: () => string | null = findSharedDataDir): Command {
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
        list: { type: 'boolean' },
        json: { type: 'boolean' },
      });
      if (values.help) {
        io.stdout.write(help);
        return 0;
      }
      const seed = parseSeed(values.seed, defaultSeed);
      const only = parseList(values.only, '--only');
      if (values.out !== undefined && values.out.trim() === '') throw new ArgumentError("--out: expected a directory path, got ''");
      const selected = selectExperiments(all, only);

      if (values.list) {
        printList(selected, io, values.json === true);
        return 0;
      }

      const mode = progressMode(io.stderr, values.quiet === true);
      const log = (message: string): void => {
        if (mode !== 'quiet') io.stderr.write(message + '\n');
      };
      if (selected.length === 0) {
        log('strata demo: no experiments are registered yet (src/experiments/registry.ts is empty); writing an empty report.');
      }
      const quick = values.quick === true;
      const extended = values.extended === true;
      if (quick && extended) throw new ArgumentError('--quick and --extended: choose one (quick = smoke run, extended = longer, paper-closer settings)');
      const results = await runExperiments(
        selected,
        { seed, quick, extended, only, sharedDataDir: sharedDataDir() },
        {
          progressFor: (e) => new ProgressRenderer({ stream: io.stderr, mode, prefix: `${e.system}/${e.name}` }),
          onStart: (e, i, n) => {
            const budget = quick ? e.budgetSeconds.quick : extended ? e.budgetSeconds.extended ?? e.budgetSeconds.full : e.budgetSeconds.full;
            log(`[${i + 1}/${n}] ${e.system}/${e.name} — budget ~${formatSeconds(budget)}`);
          },
          onFinish: (r) => log(`      ${verdictLine(r)}`),
        },
      );

      const outDir = resolve(io.cwd, values.out ?? 'report');
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

export const demoCommand: Command = createDemoCommand(registry);

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
    columns([
      ['SYSTEM', 'NAME', 'BUDGET (full / quick)', 'PAPER'],
      ...selected.map((e) => [e.system, e.name, `${formatSeconds(e.budgetSeconds.full)} / ${formatSeconds(e.budgetSeconds.quick)}`, e.paper]),
    ]),
  );
}

function summaryText(records: ExperimentRecord[]): string {
  if (records.length === 0) return 'No experiments ran.\n';
  return columns([
    ['SYSTEM', 'EXPERIMENT', 'VERDICT', 'TIME'],
    ...records.map((r) => [r.system, r.name, r.status === 'failed' ? 'FAILED' : r.verdict, formatSeconds(r.seconds)]),
  ]);
}

/** Left-aligned text columns separated by two spaces; the last column is not padded. */
function columns(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')).join('\n') + '\n';
}
