/**
 * Top-level dispatch for the `strata` binary: `--version`, `--help`, then the subcommand from the table. Errors are
 * turned into exit codes here: usage mistakes (ArgumentError) exit 2 with a one-line message and no stack trace,
 * other failures exit 1; `--debug` adds the stack.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isUsageError } from '../core/index.ts';
import { repoRoot } from '../experiments/index.ts';
import { UsageError, type CliIO, type Command } from './command.ts';
import { commands as defaultCommands } from './commands/index.ts';

export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const;

export function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function topLevelHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  const list = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `strata — structure-exploiting numerics and the Finzi et al. research systems

Usage: strata <command> [options]
       strata <command> --help

Commands:
${list}

Options:
  -h, --help     show this help
  -v, --version  print the version
  --debug        show stack traces for errors

Examples:
  strata demo                 # run every experiment, write report/index.html (= npm start)
  strata demo --quick --list
  strata demo --help
`;
}

/** Runs the CLI for `argv` (the arguments after the program name) and resolves to the exit code. */
export async function runCli(argv: string[], io: CliIO, commands: readonly Command[] = defaultCommands): Promise<number> {
  const end = argv.indexOf('--');
  const debug = (end === -1 ? argv : argv.slice(0, end)).includes('--debug');
  // `strata --debug demo …` means the same as `strata demo --debug …`.
  if (argv[0] === '--debug' && argv.length > 1) return runCli([argv[1]!, '--debug', ...argv.slice(2)], io, commands);
  const [first, ...rest] = argv;
  let commandName: string | undefined;
  try {
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      if (first === 'help' && rest[0] !== undefined) return runCli([rest[0], '--help'], io, commands);
      io.stdout.write(topLevelHelp(commands));
      return first === undefined ? exitCodes.usage : exitCodes.ok;
    }
    if (first === '--version' || first === '-v') {
      io.stdout.write(`strata ${version()}\n`);
      return exitCodes.ok;
    }
    const command = commands.find((c) => c.name === first);
    if (!command) {
      const what = first.startsWith('-') ? `unknown option '${first}'` : `unknown command '${first}'`;
      throw new UsageError('', `${what}; expected one of ${commands.map((c) => c.name).join(', ')}, --help or --version`);
    }
    commandName = command.name;
    return await command.run(rest, io);
  } catch (error) {
    return report(error, io, debug, commandName);
  }
}

function report(error: unknown, io: CliIO, debug: boolean, commandName: string | undefined): number {
  const where = commandName ? `strata ${commandName}` : 'strata';
  const message = error instanceof Error ? error.message : String(error);
  if (isUsageError(error)) {
    io.stderr.write(`${where}: ${message}\n`);
    io.stderr.write(`Run '${where} --help' for usage.\n`);
    if (debug && error instanceof Error && error.stack) io.stderr.write(error.stack + '\n');
    return exitCodes.usage;
  }
  io.stderr.write(`${where}: error: ${message}\n`);
  if (debug) {
    if (error instanceof Error && error.stack) io.stderr.write(error.stack + '\n');
  } else {
    io.stderr.write('(run again with --debug for the stack trace)\n');
  }
  return exitCodes.failure;
}
