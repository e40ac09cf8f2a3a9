/**
 * SQLite cache of model queries (better-sqlite3 v12) and `withCache`, the one wrapper every caller puts around a
 * model to use it. Each answer is committed as soon as it arrives, keyed by a sha256 of (model identity, request
 * kind, full request), so an interrupted run resumes without repeating any completed query and a repeated run makes
 * no model calls at all — tokenize/detokenize and capability probes included. Rows store the request with its
 * prompt text replaced by a hash (a forecast prompt can be megabytes), and never a credential.
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Database } from './optional.ts';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { ArgumentError, RuntimeFailure } from '../core/index.ts';
import { CacheMissError } from './errors.ts';
import type {
  ChatOptions, ChatResult, ContinuationLogprobs, ContinuationOptions, LanguageModel, LanguageModelCapabilities,
  NextTokenDistribution, NextTokenDistributionOptions, Prompt, SampleOptions, SampleResult, Warning,
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

/**
 * Create the directory that will hold a cache file, one level at a time. `mkdirSync({recursive: true})` under a path
 * where mkdir cannot succeed (e.g. /proc/x/…) loops at 100% CPU on Node 20; walking up to the nearest existing
 * ancestor, checking it is a writable directory, and creating each missing level without `recursive` fails at once
 * with a message naming the path.
 */
export function ensureCacheDirectory(operation: string, dir: string): void {
  const missing: string[] = [];
  let d = resolve(dir);
  for (;;) {
    let st;
    try {
      st = statSync(d);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw new ArgumentError(`${operation}: cannot use ${d} for the cache (${code}); pass --cache with a path in a writable directory`);
      const parent = dirname(d);
      if (parent === d) throw new ArgumentError(`${operation}: no existing directory above ${dir}`);
      missing.unshift(d);
      d = parent;
      continue;
    }
    if (!st.isDirectory()) throw new ArgumentError(`${operation}: ${d} is not a directory, so the cache cannot be created under it; pass --cache with a path in a writable directory`);
    try {
      accessSync(d, constants.W_OK | constants.X_OK);
    } catch {
      throw new ArgumentError(`${operation}: the directory ${d} is not writable; pass --cache with a path in a writable directory`);
    }
    break;
  }
  for (const m of missing) {
    try {
      mkdirSync(m);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      throw new ArgumentError(`${operation}: cannot create the directory ${m} (${code ?? (e as Error).message}); pass --cache with a path in a writable directory`);
    }
  }
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
      if (path !== ':memory:') ensureCacheDirectory('QueryCache', dirname(path));
      this.db = new Database(path);
    } catch (e) {
      if (e instanceof ArgumentError) throw e;
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
  get<T>(key: string, options: { meta?: boolean } = {}): T | undefined {
    const row = this.getStmt.get(key);
    if (!row) return undefined;
    if (!options.meta) this.hits++;
    return decode(row.response) as T;
  }

  put(key: string, identity: string, kind: string, request: unknown, response: unknown, options: { meta?: boolean } = {}): void {
    // A meta row (a model card) is bookkeeping, not an answer the model computed: it is not counted as a miss.
    if (!options.meta) this.misses++;
    this.putStmt.run(key, identity, kind, encode(request), encode(response), Date.now());
  }

  /** Entries per request kind (tests and `--debug` use it to see what a run stored). */
  countByKind(): Record<string, number> {
    const rows = this.db.prepare('SELECT kind, count(*) AS n FROM queries GROUP BY kind').all() as { kind: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.kind, r.n]));
  }

  /** Every stored request row (hashes in place of prompts), for inspection. */
  storedRequests(): { kind: string; request: string; response: string }[] {
    return this.db.prepare('SELECT kind, request, response FROM queries').all() as { kind: string; request: string; response: string }[];
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

/** Fields of a request that carry prompt text: stored as a sha256, never verbatim (issue: 8.8 MB rows). */
const PROMPT_FIELDS = new Set(['prompt', 'messages', 'text', 'continuation', 'tokens']);

function digest(value: unknown): string {
  return `sha256:${createHash('sha256').update(canonical(value)).digest('hex')}`;
}

/** The request as stored beside the response: parameters verbatim, prompt-bearing fields as hashes. */
export function storedRequest(request: unknown): unknown {
  if (!request || typeof request !== 'object' || Array.isArray(request)) return request;
  return Object.fromEntries(Object.entries(request as Record<string, unknown>).map(([k, v]) => [k, PROMPT_FIELDS.has(k) ? digest(v) : v]));
}

/** What a replay needs to stand in for a model it never loads: stored once per identity by `withCache`. */
export interface ModelCard {
  provider: string;
  modelId: string;
  capabilities: LanguageModelCapabilities;
  contextSize?: number;
}

const CARD_KIND = 'model-card';
const CAPABILITIES_KIND = 'capabilities';
const WRAPPED = Symbol('strata.llm.withCache');

/** Optional backend methods the wrapper forwards (HTTP capability detection). */
interface DetectingModel extends LanguageModel {
  detectCapabilities?(): Promise<LanguageModelCapabilities>;
  adoptCapabilities?(caps: Partial<LanguageModelCapabilities>): void;
}

/** The cached model's extra surface: the cache it uses, and capability detection whose answer is stored. */
export interface CachedLanguageModel extends LanguageModel {
  readonly cache: QueryCache;
  readonly inner: LanguageModel;
  detectCapabilities(): Promise<LanguageModelCapabilities>;
}

/** True when `model` is already `withCache(…, cache)` (wrapping twice would count every hit twice). */
export function isCachedBy(model: LanguageModel, cache: QueryCache): model is CachedLanguageModel {
  return (model as { [WRAPPED]?: QueryCache })[WRAPPED] === cache;
}

/**
 * Wrap a model so that every query goes through `cache` — the one caching path of the project (forecast, nll,
 * quere and the CLI all call it). Sampling without a `seed` is passed through uncached (with a warning): caching it
 * would hand back the same "random" sample for every draw. Identical queries in flight at the same time are sent
 * once, so callers need not deduplicate tokenize/detokenize calls themselves.
 */
export function withCache(model: LanguageModel, cache: QueryCache, options: CachedModelOptions = {}): LanguageModel {
  if (options.noCache) return model;
  if (isCachedBy(model, cache)) return model;
  const inner = model as DetectingModel;
  const inFlight = new Map<string, Promise<unknown>>();
  const cached = <T>(kind: string, request: unknown, compute: () => Promise<T>): Promise<T> => {
    const key = cacheKey(model.identity, kind, request);
    const hit = cache.get<T>(key);
    if (hit !== undefined) return Promise.resolve(hit);
    const pending = inFlight.get(key);
    if (pending) return pending as Promise<T>;
    const p = compute().then((value) => {
      cache.put(key, model.identity, kind, storedRequest(request), value);
      return value;
    }).finally(() => inFlight.delete(key));
    inFlight.set(key, p);
    return p;
  };
  // A stored card lets --replay stand in for this model without loading it; the first real run writes it.
  const cardKey = cacheKey(model.identity, CARD_KIND, {});
  const writeCard = (): void => {
    const card: ModelCard = { provider: model.provider, modelId: model.modelId, capabilities: { ...model.capabilities }, ...(model.contextSize !== undefined ? { contextSize: model.contextSize } : {}) };
    cache.put(cardKey, model.identity, CARD_KIND, {}, card, { meta: true });
  };
  if (!(model as { replay?: boolean }).replay && cache.get<ModelCard>(cardKey, { meta: true }) === undefined) writeCard();
  const unseeded: Warning = { type: 'other', setting: 'seed', message: 'sampling without a seed is not cached; pass a distinct seed per draw to make it resumable' };
  const wrapped: CachedLanguageModel & { [WRAPPED]: QueryCache } = {
    [WRAPPED]: cache,
    cache,
    inner: model,
    specificationVersion: model.specificationVersion,
    provider: model.provider,
    modelId: model.modelId,
    identity: model.identity,
    capabilities: model.capabilities,
    ...(model.contextSize !== undefined ? { contextSize: model.contextSize } : {}),
    detectCapabilities: async () => {
      if (!inner.detectCapabilities) return model.capabilities;
      const caps = await cached(CAPABILITIES_KIND, {}, () => inner.detectCapabilities!());
      inner.adoptCapabilities?.(caps);
      // Keep the card in step with what detection found, so a replay sees the same capabilities.
      if (!(model as { replay?: boolean }).replay) writeCard();
      return model.capabilities;
    },
    tokenize: (text: string, o?: { addBos?: boolean }) => cached('tokenize', { text, ...o }, () => model.tokenize(text, o)),
    detokenize: (tokens: readonly number[]) => cached('detokenize', { tokens }, () => model.detokenize(tokens)),
    nextTokenDistribution: (prompt: Prompt, o?: NextTokenDistributionOptions): Promise<NextTokenDistribution> =>
      cached('nextTokenDistribution', { prompt, ...o }, () => model.nextTokenDistribution(prompt, o)),
    continuationLogprobs: (prompt: string, continuation: string, o?: ContinuationOptions): Promise<ContinuationLogprobs> =>
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
  return wrapped;
}

/**
 * A model that is only its cache: the card stored by an earlier run under `identity`, and every query answered
 * from `cache` or refused with `CacheMissError`. `--replay` uses it to rescore without loading or calling a model.
 */
export function replayModel(identity: string, cache: QueryCache): LanguageModel {
  const card = cache.get<ModelCard>(cacheKey(identity, CARD_KIND, {}), { meta: true });
  if (!card) throw new CacheMissError('model-card', identity, cache.path);
  const miss = (kind: string) => (): Promise<never> => Promise.reject(new CacheMissError(kind, identity, cache.path));
  const stub: LanguageModel & { replay: true } = {
    replay: true,
    specificationVersion: 'strata-llm-1', provider: card.provider, modelId: card.modelId, identity,
    capabilities: { ...card.capabilities },
    ...(card.contextSize !== undefined ? { contextSize: card.contextSize } : {}),
    tokenize: miss('tokenize'), detokenize: miss('detokenize'), nextTokenDistribution: miss('nextTokenDistribution'),
    continuationLogprobs: miss('continuationLogprobs'), sample: miss('sample'), chat: miss('chat'),
    close: async () => undefined,
  };
  return withCache(stub, cache);
}
