/**
 * The heavy runtimes — node-llama-cpp (llama.cpp prebuilts, hundreds of MB) and better-sqlite3 (a native addon) —
 * are optional peer dependencies: a consumer who only wants `strata/linalg` installs neither. They are loaded here,
 * on first use, and their absence is an error that names the package to install instead of a module-resolution
 * crash at import time. The wrappers keep node-llama-cpp's own names and signatures so its callers change one
 * import line.
 */
import { createRequire } from 'node:module';
import type * as LlamaCpp from 'node-llama-cpp';
import type BetterSqlite3 from 'better-sqlite3';
import { MissingResourceError } from '../core/index.ts';

/** An optional runtime that a feature needs is not installed (or its native part failed to load). */
export class OptionalDependencyError extends MissingResourceError {
  override name = 'OptionalDependencyError';
  constructor(readonly packageName: string, feature: string, detail: string, options?: ErrorOptions) {
    super(`${feature} needs the optional package '${packageName}', ${detail}`, options);
  }
}

/** Whether `error` says that `packageName` itself (not something it imports) cannot be found. */
function isMissing(error: unknown, packageName: string): boolean {
  const e = error as NodeJS.ErrnoException;
  return (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') && (e.message ?? '').includes(`'${packageName}'`);
}

const VERSIONS = { 'node-llama-cpp': '3.21.1', 'better-sqlite3': '12' } as const;

function failure(packageName: keyof typeof VERSIONS, feature: string, error: unknown): OptionalDependencyError {
  const install = `npm install ${packageName}@${VERSIONS[packageName]}`;
  return isMissing(error, packageName)
    ? new OptionalDependencyError(packageName, feature, `which is not installed; run '${install}'`, { cause: error })
    : new OptionalDependencyError(packageName, feature, `which is installed but failed to load (${(error as Error)?.message ?? String(error)}); reinstall it with '${install}' (its install script must be allowed to run)`, { cause: error });
}

let llamaCpp: typeof LlamaCpp | undefined;
let llamaCppLoading: Promise<typeof LlamaCpp> | undefined;

/** @internal node-llama-cpp, imported on first call (ESM-only, so asynchronously). */
export function importNodeLlamaCpp(feature = 'loading a GGUF model'): Promise<typeof LlamaCpp> {
  llamaCppLoading ??= import('node-llama-cpp').then(
    (m) => (llamaCpp = m),
    (e: unknown) => {
      llamaCppLoading = undefined;
      throw failure('node-llama-cpp', feature, e);
    },
  );
  return llamaCppLoading;
}

function loadedLlamaCpp(name: string): typeof LlamaCpp {
  // Every synchronous use follows a model load, which went through importNodeLlamaCpp.
  if (!llamaCpp) throw failure('node-llama-cpp', name, new Error('node-llama-cpp was used before it was loaded'));
  return llamaCpp;
}

/** @internal node-llama-cpp's `getLlama`, loading the package first. */
export const getLlama = (async (options?: LlamaCpp.LlamaOptions) => (await importNodeLlamaCpp()).getLlama(options)) as typeof LlamaCpp.getLlama;

/** @internal node-llama-cpp's `resolveChatWrapper` (synchronous: a model exists, so the package is loaded). */
export const resolveChatWrapper = ((...args: Parameters<typeof LlamaCpp.resolveChatWrapper>) =>
  loadedLlamaCpp('resolveChatWrapper').resolveChatWrapper(...args)) as typeof LlamaCpp.resolveChatWrapper;

/** @internal node-llama-cpp's `LlamaLogLevel` values (a string enum, so its values are its names). */
export const LlamaLogLevel = {
  disabled: 'disabled', fatal: 'fatal', error: 'error', warn: 'warn', info: 'info', log: 'log', debug: 'debug',
} as unknown as typeof LlamaCpp.LlamaLogLevel;

let sqlite: typeof BetterSqlite3 | undefined;

/**
 * @internal better-sqlite3's Database constructor, required on first call. better-sqlite3 is CommonJS, so it loads
 * synchronously and `new QueryCache(path)` stays a plain constructor.
 */
export function requireBetterSqlite3(feature = 'the query cache'): typeof BetterSqlite3 {
  if (!sqlite) {
    try {
      sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
    } catch (e) {
      throw failure('better-sqlite3', feature, e);
    }
  }
  return sqlite;
}

/** @internal `new Database(path, options)` with better-sqlite3 required at the first construction, not at import. */
export const Database = function Database(...args: ConstructorParameters<typeof BetterSqlite3>) {
  return new (requireBetterSqlite3())(...args);
} as unknown as typeof BetterSqlite3;
