/** Entry point of the `strata` binary (`bin/strata.js`) and of `npm start` (`tsx src/cli/main.ts demo`). */
import { runCli } from './run.ts';

// exitCode rather than process.exit(), so piped stdout is flushed before Node exits.
process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });
