/** `npx tsx bench/linalg.ts [--quick] [--json]`: the linalg benchmark problems of spec §6 (see src/experiments/linalg/benchmarks.ts). */
import { runBenchmarks } from '../src/experiments/linalg/benchmarks.ts';

const quick = process.argv.includes('--quick'), json = process.argv.includes('--json');
const rows = runBenchmarks({ quick, scipy: true, log: json ? undefined : (s) => process.stderr.write(s + '\n') });
if (json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
else for (const r of rows) console.log(`${r.problem.padEnd(22)} ${r.seconds.toExponential(3)} s  err ${r.error.toExponential(2)}  CoLA ${r.cola_seconds ?? '-'}  SciPy ${r.scipy_seconds?.toExponential(3) ?? '-'}  ${r.note}`);
