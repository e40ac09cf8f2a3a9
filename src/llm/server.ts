/**
 * An OpenAI-compatible HTTP server over a local GGUF model: `/v1/models`, `/v1/completions` (logprobs, echo),
 * `/v1/chat/completions` (logprobs, top_logprobs), plus llama.cpp-style `/tokenize` and `/detokenize`. Log-probabilities
 * are those of the model's full softmax at temperature 1, whatever sampling temperature or logit_bias was requested.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ArgumentError, StrataError } from '../core/index.ts';
import { loadGgufModel, type GgufLanguageModel, type GgufModelOptions } from './backends/gguf.ts';
import type { ChatMessage, GeneratedToken, SampleResult } from './language-model.ts';

export interface StartServerOptions extends GgufModelOptions {
  /** GGUF file to serve (ignored when `model` is given). */
  modelPath?: string;
  /** An already loaded model to serve (it is not closed by `close()`). */
  model?: GgufLanguageModel;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1 (loopback only); use 0.0.0.0 to serve other machines. */
  host?: string;
  /** Name reported by /v1/models and in responses; default the file name. */
  modelName?: string;
  /** Largest `logprobs` / `top_logprobs` accepted; default 20. */
  maxTopLogprobs?: number;
}

export interface RunningServer {
  /** Base URL ending in /v1, e.g. http://127.0.0.1:8080/v1. */
  url: string;
  port: number;
  close(): Promise<void>;
}

class RequestError extends Error {
  constructor(readonly status: number, message: string, readonly param?: string) {
    super(message);
  }
}

const MAX_BODY_BYTES = 16 << 20;

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new RequestError(413, `request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new RequestError(400, 'request body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RequestError(400, 'request body must be a JSON object');
  return body as Record<string, unknown>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? (v > 0 ? 1e308 : -1e308) : v));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

// Typed readers for request fields: each names the field and what was expected, as OpenAI's 400 errors do.
function int(body: Record<string, unknown>, key: string, fallback: number | undefined, min: number, max = Infinity): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new RequestError(400, `${key} must be an integer in ${min}…${max}, got ${JSON.stringify(v)}`, key);
  }
  return v;
}
function num(body: Record<string, unknown>, key: string, fallback: number, min: number, max: number): number {
  const v = body[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !(v >= min && v <= max)) throw new RequestError(400, `${key} must be a number in ${min}…${max}, got ${JSON.stringify(v)}`, key);
  return v;
}
function bool(body: Record<string, unknown>, key: string): boolean {
  const v = body[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new RequestError(400, `${key} must be a boolean, got ${JSON.stringify(v)}`, key);
  return v;
}
function stops(body: Record<string, unknown>): string[] {
  const v = body.stop;
  if (v === undefined || v === null) return [];
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length > 4 || list.some((s) => typeof s !== 'string' || s === '')) {
    throw new RequestError(400, 'stop must be a non-empty string or an array of at most 4 non-empty strings', 'stop');
  }
  return list as string[];
}
function logitBias(body: Record<string, unknown>): Record<number, number> | undefined {
  const v = body.logit_bias;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw new RequestError(400, 'logit_bias must be an object mapping token ids to biases', 'logit_bias');
  const out: Record<number, number> = {};
  for (const [k, b] of Object.entries(v as Record<string, unknown>)) {
    if (!/^\d+$/.test(k) || typeof b !== 'number') throw new RequestError(400, `logit_bias entry ${k}: keys must be token ids and values numbers`, 'logit_bias');
    out[Number(k)] = b;
  }
  return out;
}
function rejectStreaming(body: Record<string, unknown>): void {
  if (body.stream === true) throw new RequestError(400, 'stream: true is not supported by strata serve; omit it', 'stream');
}

function topMap(t: GeneratedToken): Record<string, number> {
  const m: Record<string, number> = {};
  for (const e of t.top ?? []) if (!(e.text in m)) m[e.text] = e.logprob;
  return m;
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ArgumentError(`startServer: port must be an integer in 0…65535, got ${port}`);
  const maxTop = options.maxTopLogprobs ?? 20;
  let model = options.model;
  const owned = !model;
  if (!model) {
    if (!options.modelPath) throw new ArgumentError('startServer: give modelPath (a .gguf file) or an already loaded model');
    model = await loadGgufModel(options.modelPath, options);
  }
  const m = model;
  const modelName = options.modelName ?? m.modelId;
  const created = Math.floor(Date.now() / 1000);
  let counter = 0;
  const id = (prefix: string): string => `${prefix}-${Date.now().toString(36)}${(counter++).toString(36)}`;

  async function completions(body: Record<string, unknown>): Promise<unknown> {
    rejectStreaming(body);
    const raw = body.prompt;
    const prompts: (string | number[])[] = typeof raw === 'string' ? [raw]
      : Array.isArray(raw) && raw.length > 0 && raw.every((p) => typeof p === 'number') ? [raw as number[]]
        : Array.isArray(raw) && raw.length > 0 && raw.every((p) => typeof p === 'string') ? raw as string[]
          : (() => { throw new RequestError(400, 'prompt must be a string, an array of strings, or an array of token ids', 'prompt'); })();
    const maxTokens = int(body, 'max_tokens', 16, 0)!;
    const temperature = num(body, 'temperature', 1, 0, 2);
    const n = int(body, 'n', 1, 1, 16)!;
    const logprobs = int(body, 'logprobs', undefined, 0, maxTop);
    const echo = bool(body, 'echo');
    const seed = int(body, 'seed', undefined, -(2 ** 53), 2 ** 53);
    const stop = stops(body);
    const bias = logitBias(body);
    const choices: unknown[] = [];
    let promptTokens = 0;
    let completionTokens = 0;
    for (const prompt of prompts) {
      const ids = typeof prompt === 'string' ? await m.tokenize(prompt) : prompt;
      promptTokens += ids.length;
      let echoed: GeneratedToken[] = [];
      let echoText = '';
      if (echo) {
        // Score the prompt after BOS by teacher forcing; the text is the prompt exactly as given.
        echoText = typeof prompt === 'string' ? prompt : await m.detokenize(ids);
        if (logprobs !== undefined) echoed = (await m.continuationLogprobs('', echoText, { topLogprobs: logprobs })).tokens;
      }
      for (let i = 0; i < n; i++) {
        const r: SampleResult = await m.sample({
          prompt: { tokens: ids }, maxTokens, temperature, stop,
          seed: seed === undefined ? undefined : seed + i,
          logitBias: bias, topLogprobs: logprobs,
        });
        completionTokens += r.tokens.length;
        const all = [...echoed, ...r.tokens];
        let offset = 0;
        const textOffset = all.map((t) => { const o = offset; offset += t.text.length; return o; });
        choices.push({
          index: choices.length,
          text: echoText + r.text,
          logprobs: logprobs === undefined ? null : {
            tokens: all.map((t) => t.text),
            token_logprobs: all.map((t) => t.logprob),
            top_logprobs: logprobs > 0 ? all.map(topMap) : null,
            text_offset: textOffset,
          },
          finish_reason: r.finishReason === 'length' ? 'length' : 'stop',
        });
      }
    }
    return {
      id: id('cmpl'), object: 'text_completion', created: Math.floor(Date.now() / 1000), model: modelName, choices,
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    };
  }

  async function chatCompletions(body: Record<string, unknown>): Promise<unknown> {
    rejectStreaming(body);
    const messages = body.messages;
    if (!Array.isArray(messages) || messages.length === 0) throw new RequestError(400, 'messages must be a non-empty array', 'messages');
    const parsed: ChatMessage[] = messages.map((msg, i) => {
      const role = (msg as { role?: unknown })?.role;
      const content = (msg as { content?: unknown })?.content;
      if (role !== 'system' && role !== 'user' && role !== 'assistant' && role !== 'developer') {
        throw new RequestError(400, `messages[${i}].role must be system, user or assistant`, 'messages');
      }
      if (typeof content !== 'string') throw new RequestError(400, `messages[${i}].content must be a string`, 'messages');
      return { role: role === 'developer' ? 'system' : role, content };
    });
    const maxTokens = int(body, 'max_completion_tokens', undefined, 0) ?? int(body, 'max_tokens', 256, 0)!;
    const temperature = num(body, 'temperature', 1, 0, 2);
    const n = int(body, 'n', 1, 1, 16)!;
    const wantLogprobs = bool(body, 'logprobs');
    const top = int(body, 'top_logprobs', undefined, 0, maxTop);
    if (top !== undefined && !wantLogprobs) throw new RequestError(400, 'top_logprobs requires logprobs: true', 'top_logprobs');
    const seed = int(body, 'seed', undefined, -(2 ** 53), 2 ** 53);
    const stop = stops(body);
    const choices: unknown[] = [];
    let completionTokens = 0;
    for (let i = 0; i < n; i++) {
      const r = await m.chat({ messages: parsed, maxTokens, temperature, stop, seed: seed === undefined ? undefined : seed + i, topLogprobs: top ?? 0 });
      completionTokens += r.tokens.length;
      const bytes = (s: string): number[] => [...Buffer.from(s, 'utf8')];
      choices.push({
        index: i,
        message: { role: 'assistant', content: r.text },
        logprobs: wantLogprobs ? {
          content: r.tokens.map((t) => ({
            token: t.text, logprob: t.logprob, bytes: bytes(t.text),
            top_logprobs: (t.top ?? []).map((e) => ({ token: e.text, logprob: e.logprob, bytes: bytes(e.text) })),
          })),
        } : null,
        finish_reason: r.finishReason === 'length' ? 'length' : 'stop',
      });
    }
    return {
      id: id('chatcmpl'), object: 'chat.completion', created: Math.floor(Date.now() / 1000), model: modelName, choices,
      usage: { prompt_tokens: 0, completion_tokens: completionTokens, total_tokens: completionTokens },
    };
  }

  async function route(req: IncomingMessage): Promise<[number, unknown]> {
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '') || '/';
    if (req.method === 'GET' && (path === '/v1/models' || path === '/models')) {
      return [200, { object: 'list', data: [{ id: modelName, object: 'model', created, owned_by: 'strata' }] }];
    }
    if (req.method === 'GET' && path === '/health') return [200, { status: 'ok' }];
    if (req.method !== 'POST') throw new RequestError(path.startsWith('/v1/') ? 405 : 404, `no route ${req.method} ${path}`);
    const body = await readJson(req);
    switch (path) {
      case '/v1/completions': case '/completions': return [200, await completions(body)];
      case '/v1/chat/completions': case '/chat/completions': return [200, await chatCompletions(body)];
      case '/tokenize': {
        if (typeof body.content !== 'string') throw new RequestError(400, 'content must be a string', 'content');
        return [200, { tokens: await m.tokenize(body.content, { addBos: body.add_special === true }) }];
      }
      case '/detokenize': {
        const tokens = body.tokens;
        if (!Array.isArray(tokens) || tokens.some((t) => !Number.isInteger(t))) throw new RequestError(400, 'tokens must be an array of token ids', 'tokens');
        return [200, { content: await m.detokenize(tokens as number[]) }];
      }
      default: throw new RequestError(404, `no route POST ${path}`);
    }
  }

  const server = createServer((req, res) => {
    route(req).then(([status, body]) => send(res, status, body), (e: unknown) => {
      if (e instanceof RequestError) {
        send(res, e.status, { error: { message: e.message, type: 'invalid_request_error', param: e.param ?? null, code: null } });
      } else if (e instanceof ArgumentError) {
        send(res, 400, { error: { message: e.message, type: 'invalid_request_error', param: null, code: null } });
      } else {
        const message = e instanceof StrataError || e instanceof Error ? e.message : String(e);
        send(res, 500, { error: { message, type: 'server_error', param: null, code: null } });
      }
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  }).catch(async (e: unknown) => {
    if (owned) await m.close();
    throw new ArgumentError(`startServer: cannot listen on ${host}:${port}: ${(e as Error).message}`, { cause: e });
  });
  const actualPort = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${shownHost}:${actualPort}/v1`,
    port: actualPort,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (owned) await m.close();
    },
  };
}
