/**
 * SQLite cache of model queries (better-sqlite3 v12). Each answer is committed as soon as it arrives, keyed by a
 * sha256 of (model identity, request kind, full request), so an interrupted run resumes without repeating any
 * completed query and a repeated run makes no model calls at all.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Database } from './optional.ts';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { ArgumentError, RuntimeFailure } from '../core/errors.ts';
import type {
  ChatOptions, ChatResult, ContinuationLogprobs, LanguageModel, NextTokenDistribution, NextTokenDistributionOptions,
  Prompt, SampleOptions, SampleResult, Warning,
} from './language-model.ts';

export interface CacheStats {
  /** Answers served from the cache since it was opened. */
  hits: number;
  /** Answers computed by the model (and stored) since it was opened. */
  misses: number;
  /** Entries in the file. */
  entries: number;
  /** Bytes of stored requests and responses. */
  bytes: number;
}

// JSON has no ±Infinity or NaN, and a log-probability of −Infinity is a legitimate answer: encode them as tagged strings.
const NON_FINITE_TAG = '\u0000num:';
function encode(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? `${NON_FINITE_TAG}${v}` : v));
}
function decode(text: string): unknown {
  return JSON.parse(text, (_k, v) => (typeof v === 'string' && v.startsWith(NON_FINITE_TAG) ? Number(v.slice(NON_FINITE_TAG.length)) : v));
}

/** Deterministic JSON with sorted object keys, so equal requests hash equally whatever order their fields were set in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return encode(value);
}

export function cacheKey(identity: string, kind: string, request: unknown): string {
  return createHash('sha256').update(canonical({ identity, kind, request })).digest('hex');
}

export class QueryCache {
  private readonly db: SqliteDatabase;
  private readonly getStmt: Statement<[string], { response: string }>;
  private readonly putStmt: Statement<[string, string, string, string, string, number]>;
  private hits = 0;
  private misses = 0;

  /** Open (creating if needed) a cache file; ':memory:' for a throw-away cache. */
  constructor(readonly path: string) {
    if (typeof path !== 'string' || path === '') throw new ArgumentError('QueryCache: path must be a file path or ":memory:"');
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      this.db = new Database(path);
    } catch (e) {
      throw new RuntimeFailure(`QueryCache: cannot open ${path}: ${(e as Error).message}`, { cause: e });
    }
    // WAL: each insert is durable on commit without blocking readers; a killed process loses no committed answer.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS queries (
      key TEXT PRIMARY KEY, identity TEXT NOT NULL, kind TEXT NOT NULL, request TEXT NOT NULL, response TEXT NOT NULL,
      created_ms INTEGER NOT NULL)`);
    this.getStmt = this.db.prepare('SELECT response FROM queries WHERE key = ?');
    this.putStmt = this.db.prepare('INSERT OR REPLACE INTO queries (key, identity, kind, request, response, created_ms) VALUES (?, ?, ?, ?, ?, ?)');
  }

  /** Look up a stored answer (counts a hit when found). */
  get<T>(key: string): T | undefined {
    const row = this.getStmt.get(key);
    if (!row) return undefined;
    this.hits++;
    return decode(row.response) as T;
  }

  put(key: string, identity: string, kind: string, request: unknown, response: unknown): void {
    this.misses++;
    this.putStmt.run(key, identity, kind, encode(request), encode(response), Date.now());
  }

  stats(): CacheStats {
    const row = this.db.prepare('SELECT count(*) AS n, coalesce(sum(length(request) + length(response)), 0) AS bytes FROM queries').get() as { n: number; bytes: number };
    return { hits: this.hits, misses: this.misses, entries: row.n, bytes: row.bytes };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

export interface CachedModelOptions {
  /** Bypass the cache entirely (neither read nor write), as `--no-cache` does. */
  noCache?: boolean;
}

/**
 * Wrap a model so that every query goes through `cache`. Sampling without a `seed` is passed through uncached (with
 * a warning): caching it would hand back the same "random" sample for every draw. Identical queries in flight at
 * the same time are sent once.
 */
export function withCache(model: LanguageModel, cache: QueryCache, options: CachedModelOptions = {}): LanguageModel {
  if (options.noCache) return model;
  const inFlight = new Map<string, Promise<unknown>>();
  const cached = <T>(kind: string, request: unknown, compute: () => Promise<T>): Promise<T> => {
    const key = cacheKey(model.identity, kind, request);
    const hit = cache.get<T>(key);
    if (hit !== undefined) return Promise.resolve(hit);
    const pending = inFlight.get(key);
    if (pending) return pending as Promise<T>;
    const p = compute().then((value) => {
      cache.put(key, model.identity, kind, request, value);
      return value;
    }).finally(() => inFlight.delete(key));
    inFlight.set(key, p);
    return p;
  };
  const unseeded: Warning = { type: 'other', setting: 'seed', message: 'sampling without a seed is not cached; pass a distinct seed per draw to make it resumable' };
  return {
    specificationVersion: model.specificationVersion,
    provider: model.provider,
    modelId: model.modelId,
    identity: model.identity,
    capabilities: model.capabilities,
    tokenize: (text: string, o?: { addBos?: boolean }) => cached('tokenize', { text, ...o }, () => model.tokenize(text, o)),
    detokenize: (tokens: readonly number[]) => cached('detokenize', { tokens }, () => model.detokenize(tokens)),
    nextTokenDistribution: (prompt: Prompt, o?: NextTokenDistributionOptions): Promise<NextTokenDistribution> =>
      cached('nextTokenDistribution', { prompt, ...o }, () => model.nextTokenDistribution(prompt, o)),
    continuationLogprobs: (prompt: string, continuation: string, o?: { topLogprobs?: number }): Promise<ContinuationLogprobs> =>
      cached('continuationLogprobs', { prompt, continuation, ...o }, () => model.continuationLogprobs(prompt, continuation, o)),
    sample: async (o: SampleOptions): Promise<SampleResult> => {
      if (o.seed === undefined && (o.temperature ?? 1) > 0) {
        const r = await model.sample(o);
        return { ...r, warnings: [...r.warnings, unseeded] };
      }
      return cached('sample', o, () => model.sample(o));
    },
    chat: async (o: ChatOptions): Promise<ChatResult> => {
      if (o.seed === undefined && (o.temperature ?? 1) > 0) {
        const r = await model.chat(o);
        return { ...r, warnings: [...r.warnings, unseeded] };
      }
      return cached('chat', o, () => model.chat(o));
    },
    close: () => model.close(),
  };
}
