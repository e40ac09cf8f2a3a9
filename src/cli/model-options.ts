/**
 * The model/connection flags every model-using subcommand shares (`forecast`, `quere collect`): one set of names,
 * one help text, one parser to an `openModel` spec, one progress line while a server is slow.
 */
import { resolve } from 'node:path';
import type { ParseArgsOptionsConfig } from 'node:util';
import { ArgumentError } from '../core/index.ts';
import type { ModelSpec, WaitEvent } from '../llm/index.ts';
import type { CliIO } from './command.ts';

export const connectionOptions = {
  model: { type: 'string' },
  url: { type: 'string' },
  'model-name': { type: 'string' },
  threads: { type: 'string' },
  retries: { type: 'string' },
  timeout: { type: 'string' },
  'api-key-env': { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

export const connectionHelp = `  --model PATH.gguf        a local GGUF model (llama.cpp through node-llama-cpp)
  --url URL                an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1 (with --model-name)
  --model-name NAME        the server's model name
  --api-key-env NAME       send the key in $NAME as a Bearer token to --url (without it a key is sent only to
                           api.openai.com, from $OPENAI_API_KEY; never over plain http to another host)
  --threads N              llama.cpp threads (default 1)
  --retries N              HTTP retries on 429/5xx/resets/timeouts/truncated replies (default 5; exponential
                           back-off with jitter, Retry-After honoured, at most 120 s of waiting per request)
  --timeout SECONDS        per-attempt HTTP timeout (default 120); a progress line shows while waiting
`;

export interface ConnectionValues {
  model?: string; url?: string; 'model-name'?: string; threads?: string; retries?: string; timeout?: string;
  'api-key-env'?: string; quiet?: boolean;
}

function integer(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (value.trim() === '' || !Number.isInteger(v) || v < min) throw new ArgumentError(`${flag}: expected an integer ≥ ${min}, got '${value}'`);
  return v;
}

/** A stderr line every time a request has waited another 10 s, or is about to be retried. */
export function waitReporter(io: CliIO, prefix: string): (e: WaitEvent) => void {
  return (e) => {
    if (e.phase === 'response') io.stderr.write(`${prefix}: waiting for ${e.url} (attempt ${e.attempt}, ${Math.round(e.ms / 1000)} s so far)\n`);
    else io.stderr.write(`${prefix}: ${e.reason ?? 'request failed'}; retry ${e.attempt - 1} in ${(e.ms / 1000).toFixed(1)} s\n`);
  };
}

/**
 * The `openModel` spec the flags name. `--model` may also be an http(s) URL (quere's older spelling of `--url`).
 * `defaultModel` is used when neither --model nor --url is given (null: one of them is required).
 */
export function modelSpecFromFlags(command: string, values: ConnectionValues, io: CliIO, defaultModel: string | null): ModelSpec {
  const asUrl = values.model !== undefined && /^https?:\/\//i.test(values.model) ? values.model : undefined;
  const url = values.url ?? asUrl;
  if (values.url && values.model) throw new ArgumentError(`${command}: pass either --model PATH.gguf or --url URL --model-name NAME, not both`);
  const threads = integer('--threads', values.threads, 1);
  const retries = integer('--retries', values.retries, 0);
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    const t = Number(values.timeout);
    if (values.timeout.trim() === '' || !(t > 0) || !Number.isFinite(t)) throw new ArgumentError(`--timeout: expected a number of seconds > 0, got '${values.timeout}'`);
    timeoutMs = t * 1000;
  }
  if (url) {
    if (threads !== undefined) throw new ArgumentError(`${command}: --threads applies to a local --model; the server decides its own threads`);
    const name = values['model-name'];
    if (!name) throw new ArgumentError(`${command}: --url needs --model-name (the name the server knows the model by)`);
    return {
      kind: 'http', url, model: name,
      ...(values['api-key-env'] !== undefined ? { apiKeyEnv: values['api-key-env'] } : {}),
      ...(retries !== undefined ? { retries } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(values.quiet ? {} : { onWait: waitReporter(io, command) }),
    };
  }
  for (const flag of ['api-key-env', 'retries', 'timeout', 'model-name'] as const) {
    if (values[flag] !== undefined) throw new ArgumentError(`${command}: --${flag} applies to --url (an HTTP server), not to a local model`);
  }
  const path = values.model ?? defaultModel;
  if (!path) throw new ArgumentError(`${command}: --model PATH.gguf or --url URL --model-name NAME is required`);
  return { kind: 'gguf', path: resolve(io.cwd, path), ...(threads !== undefined ? { threads } : {}) };
}
