/**
 * Error classes of the `llm` module. Each says which operation failed, what was expected and what to do; backend
 * callers branch on the class and on `isRetryable`, never on message text.
 */
import { ArgumentError, MissingResourceError, RuntimeFailure } from '../core/index.ts';

/** A file handed to the GGUF reader or loader is not a valid GGUF file (wrong magic, truncated, bad counts). */
export class InvalidGgufError extends ArgumentError {
  override name = 'InvalidGgufError';
  readonly path: string;
  readonly reason: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super(`${path} is not a loadable GGUF file: ${reason}`, options);
    this.path = path;
    this.reason = reason;
  }
}

/** The model file does not exist or cannot be read. */
export class ModelNotFoundError extends MissingResourceError {
  override name = 'ModelNotFoundError';
  readonly path: string;
  constructor(operation: string, path: string, options?: { cause?: unknown }) {
    super(`${operation}: model file ${path} does not exist or cannot be read; pass the path of a .gguf file`, options);
    this.path = path;
  }
}

/**
 * A backend cannot do what was asked (no log-probabilities, no prompt scoring, no tokenizer endpoint). Never
 * retryable: the same request will fail the same way; pick another backend or drop the feature.
 */
export class UnsupportedCapabilityError extends RuntimeFailure {
  override name = 'UnsupportedCapabilityError';
  readonly capability: string;
  readonly isRetryable = false;
  constructor(provider: string, capability: string, detail: string, options?: { cause?: unknown }) {
    super(`${provider} backend cannot ${capability}: ${detail}`, options);
    this.capability = capability;
  }
}

/** An HTTP call returned an error status. `isRetryable` for 408, 409, 429 and 5xx, following the OpenAI convention. */
export class ApiCallError extends RuntimeFailure {
  override name = 'ApiCallError';
  readonly url: string;
  readonly status: number;
  readonly responseBody: string;
  readonly isRetryable: boolean;
  constructor(url: string, status: number, responseBody: string, attempts: number, options?: { cause?: unknown; waitedMs?: number }) {
    const retryable = isRetryableStatus(status);
    const hint = retryable
      ? `gave up after ${attempts} attempt(s)${options?.waitedMs !== undefined ? ` and ${(options.waitedMs / 1000).toFixed(1)} s of back-off` : ''}`
      : status === 401 || status === 403
        ? 'check the API key'
        : status === 404
          ? 'check the base URL (it should end in /v1) and the model name'
          : 'the request was rejected; it will not be retried';
    super(`POST ${url} failed with HTTP ${status} (${hint}): ${responseBody.slice(0, 500)}`, options);
    this.url = url;
    this.status = status;
    this.responseBody = responseBody;
    this.isRetryable = retryable;
  }
}

/** No HTTP response at all: connection refused, DNS failure, dropped connection or timeout, after all retries. */
export class ServerUnreachableError extends RuntimeFailure {
  override name = 'ServerUnreachableError';
  readonly url: string;
  readonly isRetryable = true;
  constructor(url: string, attempts: number, cause: unknown, secrets: readonly string[] = []) {
    let detail = cause instanceof Error ? describeNetworkError(cause) : String(cause);
    for (const s of secrets) if (s) detail = detail.split(s).join('[redacted]');
    super(`cannot reach ${url} after ${attempts} attempt(s): ${detail}; is the server running at that address?`, { cause });
    this.url = url;
  }
}

/** A server answered 200 but the body does not have the shape of an OpenAI-compatible response. */
export class InvalidResponseError extends RuntimeFailure {
  override name = 'InvalidResponseError';
  readonly url: string;
  readonly isRetryable = false;
  constructor(url: string, detail: string) {
    super(`unexpected response from ${url}: ${detail}`);
    this.url = url;
  }
}

/**
 * A URL or option that would leak a secret or cannot be used as a base URL (credentials in the URL, a key source
 * that names an unset variable).
 */
export class InsecureConnectionError extends ArgumentError {
  override name = 'InsecureConnectionError';
}

/** A `replay` run asked for a query that is not in the cache. */
export class CacheMissError extends RuntimeFailure {
  override name = 'CacheMissError';
  readonly kind: string;
  constructor(kind: string, identity: string, cachePath: string) {
    super(`replay: a ${kind} query for ${identity} is not in the cache ${cachePath}; run once without --replay to compute it`);
    this.kind = kind;
  }
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

function describeNetworkError(e: Error): string {
  // undici wraps the socket error in `cause`; its code (ECONNREFUSED, ECONNRESET, ...) is what a user can act on.
  const cause = (e as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: string }).code;
    return code ? `${code} (${cause.message})` : cause.message;
  }
  return e.message;
}
