/**
 * What a `strata` subcommand is, and the argument helpers every subcommand shares. A subcommand lives in
 * `src/cli/commands/<name>.ts` and is listed once in `src/cli/commands/index.ts`.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { ArgumentError } from '../core/index.ts';

/** A text stream the CLI writes to; `process.stdout` / `process.stderr` fit, and so do test doubles. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CliIO {
  /** Results only: human-readable text, or exactly one JSON document with `--json`. */
  stdout: OutputStream;
  /** Logs, progress and errors. */
  stderr: OutputStream;
  /** Directory relative paths (e.g. `--out`) resolve against. */
  cwd: string;
}

export interface Command {
  name: string;
  /** One line for `strata --help`. */
  summary: string;
  /** Full `strata <name> --help` text, with examples. */
  help: string;
  /** Runs with the arguments after the subcommand name; resolves to the exit code. Usage errors are thrown as ArgumentError. */
  run(argv: string[], io: CliIO): Promise<number>;
}

/** Flags every subcommand accepts. */
export const commonOptions = {
  help: { type: 'boolean', short: 'h' },
  debug: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
} as const satisfies ParseArgsOptionsConfig;

/** Thrown for usage errors; carries the subcommand so the CLI can point at its `--help`. */
export class UsageError extends ArgumentError {
  override name = 'UsageError';
  constructor(
    readonly command: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `parseArgs` in strict mode, with its errors turned into usage errors that name the flag and list the accepted ones.
 */
export function parseCommandArgs<T extends ParseArgsOptionsConfig>(command: string, argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (!code.startsWith('ERR_PARSE_ARGS')) throw error;
    const accepted = Object.keys(options)
      .map((k) => `--${k}`)
      .join(', ');
    const message = (error as Error).message;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const flag = /'([^']+)'/.exec(message)?.[1] ?? 'option';
      throw new UsageError(command, `unknown option '${flag}'; expected one of ${accepted}`);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      const arg = /'([^']+)'/.exec(message)?.[1] ?? '';
      throw new UsageError(command, `unexpected argument '${arg}'; this command takes only options (${accepted})`);
    }
    // Missing or unexpected option values: Node's message already names the option.
    throw new UsageError(command, message.replace(/\s*\n\s*/g, ' '));
  }
}

/** `--seed`: an integer in [0, 2^32), so every module's generator can take it as an unsigned 32-bit seed. */
export function parseSeed(value: string | undefined, fallback: number, flag = '--seed'): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > 0xffffffff) {
    throw new ArgumentError(`${flag}: expected an integer from 0 to 4294967295, got '${value}'`);
  }
  return Number(value);
}

/** A comma-separated list flag such as `--only a,b`; empty items are a usage error. */
export function parseList(value: string | undefined, flag: string): string[] | null {
  if (value === undefined) return null;
  const items = value.split(',').map((s) => s.trim());
  if (items.length === 0 || items.some((s) => s.length === 0)) {
    throw new ArgumentError(`${flag}: expected a comma-separated list of names (e.g. ${flag} a,b), got '${value}'`);
  }
  return [...new Set(items)];
}

/**
 * An integer flag such as `--jobs 2` or `--port 0`: digits only, at least `min` (default 1), a safe integer.
 * Undefined when the flag is absent, so callers write `parseIntFlag('--n', values.n) ?? 200`.
 */
export function parseIntFlag(flag: string, value: string | undefined, min = 1): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < min) {
    throw new ArgumentError(`${flag}: expected ${min === 1 ? 'a positive integer' : `an integer ≥ ${min}`}, got '${value}'`);
  }
  return Number(value);
}
