/**
 * JSON POST with a concurrency limit, per-attempt timeout, and retries with exponential backoff and jitter on
 * 408/409/429/5xx, dropped connections and timeouts. Other 4xx fail at once with a non-retryable ApiCallError.
 */
import { ApiCallError, InvalidResponseError, ServerUnreachableError, isRetryableStatus } from '../errors.ts';

export interface RetryPolicy {
  /** Retries after the first attempt; default 5. */
  maxRetries: number;
  /** First backoff delay; doubles each retry. Default 500 ms. */
  baseDelayMs: number;
  /** Cap on one delay (also on a server's Retry-After). Default 20 s. */
  maxDelayMs: number;
  /** Per-attempt timeout. Default 120 s. */
  timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 5, baseDelayMs: 500, maxDelayMs: 20_000, timeoutMs: 120_000 };

/** At most `limit` tasks run at once; the rest wait in arrival order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/** Backoff before retry `attempt` (0-based): half fixed, half random ("equal jitter"), so clients spread out. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const d = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return d / 2 + random() * (d / 2);
}

export interface HttpCallStats {
  requests: number;
  retries: number;
}

export class JsonHttpClient {
  readonly stats: HttpCallStats = { requests: 0, retries: 0 };
  private readonly semaphore: Semaphore;
  constructor(
    private readonly headers: Record<string, string>,
    readonly policy: RetryPolicy,
    concurrency: number,
  ) {
    this.semaphore = new Semaphore(concurrency);
  }

  post(url: string, body: unknown): Promise<unknown> {
    return this.semaphore.run(() => this.postWithRetries(url, body));
  }

  private async postWithRetries(url: string, body: unknown): Promise<unknown> {
    const payload = JSON.stringify(body);
    let lastError: unknown;
    let lastStatus: { status: number; text: string } | undefined;
    const attempts = this.policy.maxRetries + 1;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) this.stats.retries++;
      this.stats.requests++;
      let retryAfterMs: number | undefined;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...this.headers },
          body: payload,
          signal: AbortSignal.timeout(this.policy.timeoutMs),
        });
        // Reading the body can fail too (connection dropped mid-response): that is a network failure, retried.
        const text = await res.text();
        if (res.ok) {
          try {
            return JSON.parse(text);
          } catch {
            throw new InvalidResponseError(url, `HTTP ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
          }
        }
        if (!isRetryableStatus(res.status)) throw new ApiCallError(url, res.status, text, attempt + 1);
        lastStatus = { status: res.status, text };
        lastError = undefined;
        const ra = Number(res.headers.get('retry-after'));
        if (Number.isFinite(ra) && ra >= 0) retryAfterMs = Math.min(ra * 1000, this.policy.maxDelayMs);
      } catch (e) {
        if (e instanceof ApiCallError || e instanceof InvalidResponseError) throw e;
        lastError = e;
        lastStatus = undefined;
      }
      if (attempt + 1 < attempts) {
        await new Promise((r) => setTimeout(r, retryAfterMs ?? backoffDelay(this.policy, attempt)));
      }
    }
    if (lastStatus) throw new ApiCallError(url, lastStatus.status, lastStatus.text, attempts);
    throw new ServerUnreachableError(url, attempts, lastError);
  }
}
