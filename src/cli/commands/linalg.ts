/** `strata linalg bench [--json] [--quick]`: the linalg benchmark problems beside CoLA's recorded and SciPy's live times. */
import { UsageError, commonOptions, parseCommandArgs, type CliIO, type Command } from '../command.ts';
import { runBenchmarks } from '../../experiments/index.ts';

const help = `strata linalg — compositional linear algebra tools

Usage: strata linalg bench [options]

Runs the benchmark problems of the linalg spec (§6): Strata's time and error beside CoLA's recorded time and SciPy's
time measured live (when python3 with scipy is available).

Options:
  --json       print a JSON array of {problem, seconds, error, cola_seconds, scipy_seconds, krylov}
  --quick      smaller sizes (seconds instead of minutes; CoLA columns then apply only to unchanged problems)
  --no-scipy   skip the live SciPy timings
  -q, --quiet  no progress lines on stderr
  -h, --help   show this help

Examples:
  strata linalg bench
  strata linalg bench --quick --json > linalg.json
`;

export const linalgCommand: Command = {
  name: 'linalg',
  summary: 'linalg benchmarks (structure-aware solves, logdets, eigenvalues) against CoLA and SciPy',
  help,
  async run(argv: string[], io: CliIO): Promise<number> {
    const [sub, ...rest] = argv;
    if (sub === '--help' || sub === '-h') { io.stdout.write(help); return 0; }
    if (sub !== 'bench') throw new UsageError('linalg', `unknown subcommand '${sub ?? ''}'; expected 'bench'`);
    const { values } = parseCommandArgs('linalg', rest, { ...commonOptions, json: { type: 'boolean' }, quick: { type: 'boolean' }, 'no-scipy': { type: 'boolean' } });
    if (values.help) { io.stdout.write(help); return 0; }
    const rows = runBenchmarks({ quick: !!values.quick, scipy: !values['no-scipy'], log: values.quiet ? undefined : (s) => io.stderr.write(s + '\n') });
    if (values.json) {
      io.stdout.write(JSON.stringify(rows.map(({ problem, seconds, error, cola_seconds, scipy_seconds, krylov }) => ({ problem, seconds, error, cola_seconds, scipy_seconds, krylov })), null, 2) + '\n');
    } else {
      io.stdout.write('problem                  strata s     error       CoLA s     SciPy s    notes\n');
      for (const r of rows) io.stdout.write(`${r.problem.padEnd(24)} ${r.seconds.toExponential(2).padEnd(12)} ${r.error.toExponential(2).padEnd(11)} ${String(r.cola_seconds ?? '-').padEnd(10)} ${(r.scipy_seconds?.toExponential(2) ?? '-').padEnd(10)} ${r.note}\n`);
    }
    return 0;
  },
};
