/**
 * `openModel`: the one way every command and experiment gets a `LanguageModel` — a local GGUF file or an
 * OpenAI-compatible server — with its connection settings (threads, API key source, retries, timeouts), its
 * capabilities detected once, and the query cache wrapped around it.
 */
import { ArgumentError } from '../core/index.ts';
import { InsecureConnectionError, ModelNotFoundError } from './errors.ts';
import { replayModel, withCache, type QueryCache } from './cache.ts';
import { ggufIdentity } from './backends/gguf-identity.ts';
import { createOpenAiHttpModel, openAiHttpIdentity, parseBaseUrl } from './backends/openai-http.ts';
import type { HttpClock, RetryPolicy, WaitEvent } from './backends/http-client.ts';
import type { LanguageModel } from './language-model.ts';
import { existsSync } from 'node:fs';

export interface GgufModelSpec {
  kind: 'gguf';
  path: string;
  /** llama.cpp threads; default 1. */
  threads?: number;
  contextSize?: number;
  kvCacheType?: 'F16' | 'F32';
  /** Seed of the model's session stream (draws of unseeded samples). */
  seed?: number;
}

export interface HttpModelSpec {
  kind: 'http';
  /** Base URL including the version prefix, e.g. http://127.0.0.1:8080/v1. */
  url: string;
  /** The server's model name. */
  model: string;
  /**
   * Name of the environment variable holding the API key for this endpoint. Without it a key is sent only to
   * api.openai.com (from OPENAI_API_KEY): a key is never sent to a host the user did not name it for.
   */
  apiKeyEnv?: string;
  /** Where variables are read; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Retries on 429/5xx/timeouts/bad bodies; default 5. */
  retries?: number;
  /** Per-attempt timeout in ms; default 120 000. */
  timeoutMs?: number;
  /** Other retry settings (tests shorten the delays). */
  retry?: Partial<RetryPolicy>;
  /** Requests in flight at once; default 4. */
  concurrency?: number;
  onWait?: (event: WaitEvent) => void;
  clock?: HttpClock;
  jitterSeed?: number;
}

export type ModelSpec = GgufModelSpec | HttpModelSpec;

export interface OpenModelOptions {
  /** Wrap the model in this cache (`withCache`); omit for no caching. */
  cache?: QueryCache;
  /**
   * Never load or call the model: every answer comes from `cache` (a miss is a `CacheMissError`). Needs `cache`
   * and a run that stored this model's card.
   */
  replay?: boolean;
  /** Probe an HTTP server's capabilities (tokenizer, plain completions) before returning; default true. */
  detect?: boolean;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * The API key for `url`, and where it came from. A named variable must be set (a typo should not silently send no
 * key); without one, only OpenAI's own host gets OPENAI_API_KEY. A key is never sent over plain http to a
 * non-loopback host (anyone on the path could read it).
 */
export function resolveApiKey(url: string, apiKeyEnv: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): { key?: string; source: string } {
  const u = parseBaseUrl('openModel', url);
  let key: string | undefined;
  let source: string;
  if (apiKeyEnv !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(apiKeyEnv)) throw new ArgumentError(`--api-key-env: expected an environment variable name, got ${JSON.stringify(apiKeyEnv)}`);
    key = env[apiKeyEnv];
    if (!key) throw new InsecureConnectionError(`--api-key-env ${apiKeyEnv}: the variable is not set (or empty); export it or drop --api-key-env`);
    source = `$${apiKeyEnv}`;
  } else if (u.hostname === 'api.openai.com') {
    key = env.OPENAI_API_KEY || undefined;
    source = key ? '$OPENAI_API_KEY (the OpenAI host)' : 'none';
  } else {
    source = 'none';
  }
  if (key && u.protocol === 'http:' && !LOOPBACK.has(u.hostname)) {
    throw new InsecureConnectionError(`openModel: refusing to send the API key over plain http to ${u.host}; use https, or drop --api-key-env`);
  }
  return { ...(key ? { key } : {}), source };
}

function checkGgufPath(path: string): void {
  if (typeof path !== 'string' || path === '') throw new ArgumentError('openModel: a GGUF spec needs path (the .gguf file)');
  if (!existsSync(path)) throw new ModelNotFoundError('openModel', path);
}

/** The identity `spec`'s model has in cache keys, without loading it (the backends compute it the same way). */
export async function modelIdentity(spec: ModelSpec): Promise<string> {
  if (spec.kind === 'gguf') {
    checkGgufPath(spec.path);
    return ggufIdentity(spec.path);
  }
  if (spec.kind === 'http') return openAiHttpIdentity(spec.url, spec.model);
  throw new ArgumentError(`openModel: spec.kind must be 'gguf' or 'http', got ${JSON.stringify((spec as { kind?: unknown }).kind)}`);
}

/** Open the model `spec` names, detect what it can do, and put the cache around it. */
export async function openModel(spec: ModelSpec, options: OpenModelOptions = {}): Promise<LanguageModel> {
  if (!spec || typeof spec !== 'object') throw new ArgumentError('openModel: spec must be {kind: "gguf", path} or {kind: "http", url, model}');
  if (options.replay) {
    if (!options.cache) throw new ArgumentError('openModel: replay needs a cache to replay from');
    return replayModel(await modelIdentity(spec), options.cache);
  }
  let model: LanguageModel;
  if (spec.kind === 'gguf') {
    checkGgufPath(spec.path);
    // Loaded on demand: node-llama-cpp is heavy and HTTP-only users need not load it.
    const { loadGgufModel } = await import('./backends/gguf.ts');
    model = await loadGgufModel(spec.path, {
      ...(spec.threads !== undefined ? { threads: spec.threads } : {}),
      ...(spec.contextSize !== undefined ? { contextSize: spec.contextSize } : {}),
      ...(spec.kvCacheType !== undefined ? { kvCacheType: spec.kvCacheType } : {}),
      ...(spec.seed !== undefined ? { seed: spec.seed } : {}),
    });
  } else if (spec.kind === 'http') {
    if (spec.retries !== undefined && !(Number.isInteger(spec.retries) && spec.retries >= 0)) throw new ArgumentError(`openModel: retries must be an integer ≥ 0, got ${spec.retries}`);
    if (spec.timeoutMs !== undefined && !(spec.timeoutMs > 0 && Number.isFinite(spec.timeoutMs))) throw new ArgumentError(`openModel: timeoutMs must be a positive number, got ${spec.timeoutMs}`);
    const { key } = resolveApiKey(spec.url, spec.apiKeyEnv, spec.env);
    model = createOpenAiHttpModel({
      baseUrl: spec.url, model: spec.model, ...(key ? { apiKey: key } : {}),
      retry: { ...spec.retry, ...(spec.retries !== undefined ? { maxRetries: spec.retries } : {}), ...(spec.timeoutMs !== undefined ? { timeoutMs: spec.timeoutMs } : {}) },
      ...(spec.concurrency !== undefined ? { maxConcurrency: spec.concurrency } : {}),
      ...(spec.onWait ? { onWait: spec.onWait } : {}), ...(spec.clock ? { clock: spec.clock } : {}),
      ...(spec.jitterSeed !== undefined ? { jitterSeed: spec.jitterSeed } : {}),
    });
  } else {
    throw new ArgumentError(`openModel: spec.kind must be 'gguf' or 'http', got ${JSON.stringify((spec as { kind?: unknown }).kind)}`);
  }
  const wrapped = options.cache ? withCache(model, options.cache) : model;
  if (spec.kind === 'http' && options.detect !== false) {
    try {
      await detectCapabilities(wrapped);
    } catch (e) {
      await model.close();
      throw e;
    }
  }
  return wrapped;
}

/** Run a backend's capability detection if it has one (HTTP), through the cache when the model is wrapped. */
export async function detectCapabilities(model: LanguageModel): Promise<void> {
  const m = model as { detectCapabilities?: () => Promise<unknown> };
  if (typeof m.detectCapabilities === 'function') await m.detectCapabilities();
}
