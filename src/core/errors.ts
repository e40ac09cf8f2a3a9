/**
 * Error classes shared by every module. A user mistake (bad shape, bad argument, missing file) is a
 * `StrataError` subclass whose message names the operation, the argument and what was expected; the CLI prints
 * such errors without a stack trace and exits 2 for usage errors, 1 for failures.
 */
export class StrataError extends Error {
  override name = 'StrataError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** An argument has the wrong shape, dtype, range or value. Exit code 2 in the CLI. */
export class ArgumentError extends StrataError {
  override name = 'ArgumentError';
}

/** Array shapes do not fit together (matmul inner sizes, broadcasting, einsum subscripts). */
export class ShapeError extends ArgumentError {
  override name = 'ShapeError';
}

/** Two operands of different dtypes met where precision must not change silently. */
export class DTypeError extends ArgumentError {
  override name = 'DTypeError';
}

/** A value that must be finite was NaN or ±Inf. */
export class NonFiniteError extends ArgumentError {
  override name = 'NonFiniteError';
}

/** Something outside the caller's control failed: an unreachable server, a corrupt file, a diverged solver. */
export class RuntimeFailure extends StrataError {
  override name = 'RuntimeFailure';
}

/** A file or resource the caller named does not exist or cannot be read. Exit code 1 in the CLI (not a usage error). */
export class MissingResourceError extends ArgumentError {
  override name = 'MissingResourceError';
}

/** A mistake in how the caller used an API or the CLI (exit 2); a missing file or resource is a failure instead. */
export function isUsageError(e: unknown): e is ArgumentError {
  return e instanceof ArgumentError && !(e instanceof MissingResourceError);
}
