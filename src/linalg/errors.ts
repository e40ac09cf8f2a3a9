/**
 * Error classes of `strata/linalg`. Each extends a core class so the CLI's usage/failure split keeps working:
 * a singular or indefinite operand is a property of the caller's data (ArgumentError), an operation with no rule
 * for an operator type is a runtime failure of the library.
 */
import { ArgumentError, RuntimeFailure } from '../core/index.ts';

export { ShapeError, DTypeError, NonFiniteError, ArgumentError } from '../core/index.ts';

/** The operator is singular (a zero pivot, a zero diagonal entry, c = 0). */
export class SingularError extends ArgumentError {
  override name = 'SingularError';
}

/** A Cholesky factorization met a non-positive pivot; `pivot` is its index. */
export class NotPositiveDefiniteError extends ArgumentError {
  override name = 'NotPositiveDefiniteError';
  constructor(message: string, readonly pivot: number) {
    super(message);
  }
}

/** An explicitly chosen algorithm needs an annotation (PSD, SelfAdjoint) the operator does not carry. */
export class PreconditionError extends ArgumentError {
  override name = 'PreconditionError';
}

/** No rule of the operation's table matches the operator. */
export class NotImplementedForOperator extends RuntimeFailure {
  override name = 'NotImplementedForOperator';
}

/** An iterative algorithm called with `strict: true` did not reach its tolerance. */
export class ConvergenceError extends RuntimeFailure {
  override name = 'ConvergenceError';
}
