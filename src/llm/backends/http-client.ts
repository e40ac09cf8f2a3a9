/**
 * JSON POST with a concurrency limit, per-attempt timeout, and retries on 408/409/429/5xx, dropped connections,
 * timeouts and 200 responses whose body is not complete JSON. A server's `Retry-After` (seconds or HTTP-date) is
 * honoured; without it the delay is exponential with jitter; the total time spent waiting is capped. Other 4xx fail
 * at once with a non-retryable ApiCallError. The API key, when there is one, is removed from every message.
 */
import { randomBytes } from 'node:crypto';
import { Rng } from '../../core/index.ts';
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
  /**
   * Cap on the total time one request may spend in back-off sleeps; a retry whose delay would cross it is not made.
   * Default 120 s.
   */
  maxTotalDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 5, baseDelayMs: 500, maxDelayMs: 20_000, timeoutMs: 120_000, maxTotalDelayMs: 120_000 };

/** What a request is waiting for, reported to `onWait` so a CLI can show a progress line during long silences. */
export interface WaitEvent {
  /** 'response': an attempt is in flight; 'backoff': sleeping before the next attempt. */
  phase: 'response' | 'backoff';
  url: string;
  /** 1-based attempt number (of the attempt in flight, or the one about to be made). */
  attempt: number;
  /** Time since this attempt started (response) or the delay chosen (backoff). */
  ms: number;
  /** Why the previous attempt failed (backoff only), with any key redacted. */
  reason?: string;
}

/** Injected time so tests can check the retry schedule without waiting for it. */
export interface HttpClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const REAL_CLOCK: HttpClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface HttpClientOptions {
  headers?: Record<string, string>;
  policy?: Partial<RetryPolicy>;
  concurrency?: number;
  /** Secret strings (the API key) replaced by `[redacted]` in every error and event. */
  secrets?: readonly string[];
  clock?: HttpClock;
  /**
   * Seed of the jitter stream. Default: fresh OS entropy, so that many clients hitting one rate limit spread out
   * instead of retrying in lock-step (jitter is not part of any result, so it need not be reproducible).
   */
  jitterSeed?: number;
  /** Called every `waitIntervalMs` while a response is awaited, and before each back-off sleep. */
  onWait?: (event: WaitEvent) => void;
  /** Default 10 s. */
  waitIntervalMs?: number;
}

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
export function backoffDelay(policy: RetryPolicy, attempt: number, rng: Rng): number {
  const d = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return d / 2 + rng.random() * (d / 2);
}

/**
 * A `Retry-After` header as milliseconds (RFC 9110 §10.2.3: delay-seconds or an HTTP-date), or undefined when it is
 * absent or unreadable. A date in the past means "now" (0).
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  if (v === '') return undefined;
  const t = Date.parse(v);
  if (!Number.isFinite(t)) return undefined;
  return Math.max(0, t - nowMs);
}

/** Replace every occurrence of a secret with a marker (also in its URL-encoded form). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s) continue;
    out = out.split(s).join('[redacted]');
    const enc = encodeURIComponent(s);
    if (enc !== s) out = out.split(enc).join('[redacted]');
  }
  return out;
}

export interface HttpCallStats {
  /** Attempts sent (first tries and retries). */
  requests: number;
  retries: number;
  /** Total back-off sleep, ms. */
  waitedMs: number;
}

export class JsonHttpClient {
  readonly stats: HttpCallStats = { requests: 0, retries: 0, waitedMs: 0 };
  readonly policy: RetryPolicy;
  private readonly semaphore: Semaphore;
  private readonly headers: Record<string, string>;
  private readonly secrets: readonly string[];
  private readonly clock: HttpClock;
  private readonly jitter: Rng;
  private readonly onWait?: (event: WaitEvent) => void;
  private readonly waitIntervalMs: number;

  constructor(options: HttpClientOptions = {}) {
    this.headers = options.headers ?? {};
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
    this.semaphore = new Semaphore(options.concurrency ?? 4);
    this.secrets = (options.secrets ?? []).filter((s) => s.length > 0);
    this.clock = options.clock ?? REAL_CLOCK;
    this.jitter = new Rng(options.jitterSeed ?? randomBytes(4).readUInt32LE(0));
    this.onWait = options.onWait;
    this.waitIntervalMs = options.waitIntervalMs ?? 10_000;
  }

  post(url: string, body: unknown): Promise<unknown> {
    return this.semaphore.run(() => this.postWithRetries(url, body));
  }

  private clean(text: string): string {
    return redact(text, this.secrets);
  }

  /** One attempt: the parsed body, or a classified failure. */
  private async attempt(url: string, payload: string, attempt: number): Promise<
    | { ok: true; value: unknown }
    | { ok: false; retryable: boolean; status?: number; text: string; retryAfterMs?: number; cause?: unknown }
  > {
    const started = this.clock.now();
    const ticker = this.onWait
      ? setInterval(() => this.onWait!({ phase: 'response', url, attempt, ms: this.clock.now() - started }), this.waitIntervalMs)
      : undefined;
    ticker?.unref();
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
          return { ok: true, value: JSON.parse(text) };
        } catch {
          // A 200 with a truncated or malformed body is a transport failure (a proxy cut it, the server crashed
          // mid-write): the same request will very likely succeed, so it is retried like a 5xx.
          return { ok: false, retryable: true, status: res.status, text: `HTTP ${res.status} with a body that is not complete JSON (${text.length} bytes): ${text.slice(0, 200)}` };
        }
      }
      return {
        ok: false, retryable: isRetryableStatus(res.status), status: res.status, text,
        retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), this.clock.now()),
      };
    } catch (e) {
      return { ok: false, retryable: true, text: e instanceof Error ? e.message : String(e), cause: e };
    } finally {
      if (ticker) clearInterval(ticker);
    }
  }

  private async postWithRetries(url: string, body: unknown): Promise<unknown> {
    const payload = JSON.stringify(body);
    const shownUrl = this.clean(url);
    let waited = 0;
    let attempts = 0;
    for (;;) {
      attempts++;
      if (attempts > 1) this.stats.retries++;
      this.stats.requests++;
      const r = await this.attempt(url, payload, attempts);
      if (r.ok) return r.value;
      const fail = (): never => {
        if (r.status === 200) throw new InvalidResponseError(shownUrl, `${this.clean(r.text)} (after ${attempts} attempt(s))`);
        if (r.status !== undefined) throw new ApiCallError(shownUrl, r.status, this.clean(r.text), attempts, r.retryable ? { waitedMs: waited } : {});
        throw new ServerUnreachableError(shownUrl, attempts, r.cause, this.secrets);
      };
      if (!r.retryable || attempts > this.policy.maxRetries) fail();
      const backoff = backoffDelay(this.policy, attempts - 1, this.jitter);
      const delay = r.retryAfterMs !== undefined ? Math.min(r.retryAfterMs, this.policy.maxDelayMs) : backoff;
      if (waited + delay > this.policy.maxTotalDelayMs) fail();
      waited += delay;
      this.stats.waitedMs += delay;
      this.onWait?.({
        phase: 'backoff', url: shownUrl, attempt: attempts + 1, ms: delay,
        reason: this.clean(r.status !== undefined ? `HTTP ${r.status}` : r.text),
      });
      await this.clock.sleep(delay);
    }
  }
}
