/**
 * An OpenAI-compatible HTTP server over a local GGUF model: `/v1/models` (list and retrieve), `/v1/completions`
 * (logprobs, echo, streaming), `/v1/chat/completions` (logprobs, top_logprobs, streaming), plus llama.cpp-style
 * `/tokenize` and `/detokenize`. Log-probabilities are those of the model's full softmax at temperature 1, whatever
 * sampling temperature, top_p or logit_bias was requested.
 *
 * Every request is validated before it reaches llama.cpp (which aborts the process on a token id outside the
 * vocabulary); errors answered to clients are OpenAI-shaped and never carry internal details.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ArgumentError, RuntimeFailure } from '../core/index.ts';
import { GenerationCancelledError, loadGgufModel } from './backends/gguf.ts';
import type { GgufLanguageModel, GgufModelOptions, GgufSampleResult } from './backends/gguf.ts';
import type { GeneratedToken } from './language-model.ts';
import {
  answerPreflight, apiKeyDigest, checkBearer, corsHeaders, errorBody, EventStream, isLoopbackHost, readJson, sendJson,
} from './server/http.ts';
import {
  parseChatRequest, parseCompletionRequest, parseDetokenizeRequest, parseTokenizeRequest, RequestError,
} from './server/request.ts';
import type { Body, ModelLimits } from './server/request.ts';

export interface StartServerOptions extends GgufModelOptions {
  /** GGUF file to serve (ignored when `model` is given). */
  modelPath?: string;
  /** An already loaded model to serve (it is not closed by `close()`). */
  model?: GgufLanguageModel;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1 (loopback only); use 0.0.0.0 to serve other machines (then set `apiKey`). */
  host?: string;
  /** Name reported by /v1/models and in responses; default the file name. Requests may name either. */
  modelName?: string;
  /** Largest `logprobs` / `top_logprobs` accepted; default 20. */
  maxTopLogprobs?: number;
  /** When set, every route but /health and CORS preflights requires `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Answer CORS preflights and add `Access-Control-Allow-Origin`: true for any origin (`*`), or one origin. */
  cors?: boolean | string;
  /** Receives one line per internal error (with details that are never sent to clients). */
  log?: (line: string) => void;
}

export interface ServerStats {
  requests: number;
  /** Generations abandoned because their client disconnected. */
  cancelled: number;
  /** Tokens generated (and sent or counted) over all requests. */
  generatedTokens: number;
  /** 5xx answers (internal errors). */
  serverErrors: number;
}

export interface RunningServer {
  /** Base URL ending in /v1, e.g. http://127.0.0.1:8080/v1. */
  url: string;
  port: number;
  /** Things the operator should know, e.g. a non-loopback address without an API key. */
  warnings: string[];
  readonly stats: Readonly<ServerStats>;
  close(): Promise<void>;
}

interface TokenEntry {
  text: string;
  logprob: number | null;
  top: Record<string, number> | null;
}

/** Legacy completions key top_logprobs by text: tokens sharing a text keep the most likely one, as OpenAI does. */
function topMap(top: readonly { text: string; logprob: number }[] | undefined): Record<string, number> {
  const m: Record<string, number> = {};
  for (const e of top ?? []) if (!(e.text in m)) m[e.text] = e.logprob;
  return m;
}

const bytes = (s: string): number[] => [...Buffer.from(s, 'utf8')];

function chatLogprob(t: GeneratedToken): unknown {
  return {
    token: t.text, logprob: t.logprob, bytes: bytes(t.text),
    top_logprobs: (t.top ?? []).map((e) => ({ token: e.text, logprob: e.logprob, bytes: bytes(e.text) })),
  };
}

const finishReason = (r: GgufSampleResult): 'stop' | 'length' => (r.finishReason === 'length' ? 'length' : 'stop');

/** Routes and the methods each answers; anything else is a 404 (unknown path) or a 405 (known path, other method). */
const ROUTES: Record<string, string> = {
  '/v1/models': 'GET', '/models': 'GET', '/health': 'GET',
  '/v1/completions': 'POST', '/completions': 'POST', '/v1/chat/completions': 'POST', '/chat/completions': 'POST',
  '/tokenize': 'POST', '/detokenize': 'POST',
};

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ArgumentError(`startServer: port must be an integer in 0…65535, got ${port}`);
  if (options.apiKey !== undefined && (typeof options.apiKey !== 'string' || options.apiKey.trim() === '' || /\s/.test(options.apiKey))) {
    throw new ArgumentError('startServer: apiKey must be a non-empty string without spaces');
  }
  const host = options.host ?? '127.0.0.1';
  const corsOrigin = options.cors === true ? '*' : typeof options.cors === 'string' && options.cors !== '' ? options.cors : undefined;
  const keyDigest = options.apiKey === undefined ? undefined : apiKeyDigest(options.apiKey);
  const log = options.log ?? (() => {});
  const maxTop = options.maxTopLogprobs ?? 20;
  let model = options.model;
  const owned = !model;
  if (!model) {
    if (!options.modelPath) throw new ArgumentError('startServer: give modelPath (a .gguf file) or an already loaded model');
    model = await loadGgufModel(options.modelPath, options);
  }
  const m = model;
  const modelName = options.modelName ?? m.modelId;
  const knownNames = new Set([modelName, m.modelId]);
  const limits: ModelLimits = { vocabularySize: m.vocabularySize, maxTopLogprobs: maxTop };
  const contextSize = m.contextSize;
  const created = Math.floor(Date.now() / 1000);
  const stats: ServerStats = { requests: 0, cancelled: 0, generatedTokens: 0, serverErrors: 0 };
  const headers = corsHeaders(corsOrigin);
  let counter = 0;
  const id = (prefix: string): string => `${prefix}-${Date.now().toString(36)}${(counter++).toString(36)}`;

  const modelObject = { id: modelName, object: 'model', created, owned_by: 'strata' };
  function checkModel(name: string | undefined): void {
    if (name !== undefined && !knownNames.has(name)) {
      throw new RequestError(404, `The model ${JSON.stringify(name)} does not exist; this server serves ${JSON.stringify(modelName)}`, 'model', 'model_not_found');
    }
  }

  /** max_tokens capped to the room the context leaves after the prompt, so a huge value ends with "length". */
  function capTokens(requested: number, promptLength: number, what: string): number {
    if (promptLength === 0) throw new RequestError(400, `the ${what} is empty and this model adds no BOS token; give at least one token`, what === 'prompt' ? 'prompt' : 'messages');
    const room = contextSize - promptLength;
    if (room < 0 || (room === 0 && requested > 0)) {
      throw new RequestError(400, `the ${what} takes ${promptLength} tokens; this server's context holds ${contextSize}, leaving no room to generate (shorten the ${what} or restart strata serve with a larger --context-size)`,
        what === 'prompt' ? 'prompt' : 'messages', 'context_length_exceeded');
    }
    return Math.min(requested, room);
  }

  /**
   * Teacher-forced log-probabilities of the prompt's tokens; the first has none, as in OpenAI's API (nothing of the
   * prompt precedes it). A text prompt is scored in one batched pass, exactly as `continuationLogprobs` in process.
   */
  async function echoEntries(ids: number[], skip: number, text: string | undefined, top: number | undefined, signal: AbortSignal): Promise<TokenEntry[]> {
    const texts = m.tokenTexts(ids);
    const entries: TokenEntry[] = [];
    if (top === undefined) return ids.slice(skip).map((_, k) => ({ text: texts[skip + k]!, logprob: null, top: null }));
    const scored = text !== undefined ? (await m.continuationLogprobs('', text, { topLogprobs: top })).tokens : undefined;
    const firstScored = scored ? ids.length - scored.length : 0;
    for (let j = skip; j < ids.length; j++) {
      if (j === skip || (scored && j < firstScored)) { entries.push({ text: texts[j]!, logprob: null, top: null }); continue; }
      if (scored) {
        const t = scored[j - firstScored]!;
        entries.push({ text: texts[j]!, logprob: t.logprob, top: top > 0 ? topMap(t.top) : null });
        continue;
      }
      if (signal.aborted) throw new GenerationCancelledError('echo scoring: cancelled');
      const dist = await m.nextTokenDistribution({ tokens: ids.slice(0, j) });
      const own = dist.entries.find((e) => e.id === ids[j]);
      entries.push({ text: texts[j]!, logprob: own ? own.logprob : -Infinity, top: top > 0 ? topMap(dist.entries.slice(0, top)) : null });
    }
    return entries;
  }

  function legacyLogprobs(entries: readonly TokenEntry[], offset: number, withTop: boolean): unknown {
    return {
      tokens: entries.map((e) => e.text),
      token_logprobs: entries.map((e) => e.logprob),
      top_logprobs: withTop ? entries.map((e) => e.top) : null,
      text_offset: entries.map((e) => { const o = offset; offset += e.text.length; return o; }),
    };
  }

  const toEntry = (t: GeneratedToken, withTop: boolean): TokenEntry => ({ text: t.text, logprob: t.logprob, top: withTop ? topMap(t.top) : null });

  async function completions(body: Body, res: ServerResponse, signal: AbortSignal): Promise<void> {
    const r = parseCompletionRequest(body, limits);
    checkModel(r.model);
    const requested = r.maxTokens ?? 16;
    const prompts = await Promise.all(r.prompts.map(async (p) => {
      if ('tokens' in p) return { ids: p.tokens, skip: 0, text: undefined as string | undefined };
      const ids = await m.tokenize(p.text);
      const bare = await m.tokenize(p.text, { addBos: false });
      return { ids, skip: ids.length - bare.length, text: p.text };
    }));
    const caps = prompts.map((p) => capTokens(requested, p.ids.length, 'prompt'));
    const withTop = r.logprobs !== undefined && r.logprobs > 0;
    const stream = r.stream ? new EventStream(res, headers) : undefined;
    const cmplId = id('cmpl');
    const chunk = (choice: unknown): unknown => ({ id: cmplId, object: 'text_completion', created: Math.floor(Date.now() / 1000), model: modelName, choices: [choice] });
    const choices: unknown[] = [];
    let promptTokens = 0;
    let completionTokens = 0;
    for (const [pi, p] of prompts.entries()) {
      promptTokens += p.ids.length;
      const echo = r.echo ? await echoEntries(p.ids, p.skip, p.text, r.logprobs, signal) : [];
      const echoText = !r.echo ? '' : p.text ?? await m.detokenize(p.ids);
      for (let i = 0; i < r.n; i++) {
        const index = choices.length;
        let offset = echo.reduce((a, e) => a + e.text.length, 0);
        let streamed = '';
        if (stream && r.echo) stream.send(chunk({ index, text: echoText, logprobs: r.logprobs === undefined ? null : legacyLogprobs(echo, 0, withTop), finish_reason: null }));
        const result = await m.sample({
          prompt: { tokens: p.ids }, maxTokens: caps[pi]!, temperature: r.temperature, topP: r.topP, stop: r.stop,
          seed: r.seed === undefined ? undefined : r.seed + i, logitBias: r.logitBias, topLogprobs: r.logprobs, signal,
          onToken: (t) => {
            stats.generatedTokens++;
            if (!stream) return;
            const entry = toEntry(t, withTop);
            stream.send(chunk({ index, text: t.text, logprobs: r.logprobs === undefined ? null : legacyLogprobs([entry], offset, withTop), finish_reason: null }));
            offset += t.text.length;
            streamed += t.text;
          },
        });
        completionTokens += result.tokens.length;
        if (stream) {
          // A stop string may start inside the last token: its text before the stop string was held back until now.
          const rest = result.text.slice(streamed.length);
          if (rest !== '') stream.send(chunk({ index, text: rest, logprobs: r.logprobs === undefined ? null : legacyLogprobs([], offset, withTop), finish_reason: null }));
          stream.send(chunk({ index, text: '', logprobs: null, finish_reason: finishReason(result) }));
          continue;
        }
        choices.push({
          index,
          text: echoText + result.text,
          logprobs: r.logprobs === undefined ? null : legacyLogprobs([...echo, ...result.tokens.map((t) => toEntry(t, withTop))], 0, withTop),
          finish_reason: finishReason(result),
        });
      }
    }
    const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
    if (stream) {
      if (r.includeUsage) stream.send({ id: cmplId, object: 'text_completion', created: Math.floor(Date.now() / 1000), model: modelName, choices: [], usage });
      stream.end();
      return;
    }
    sendJson(res, 200, { id: cmplId, object: 'text_completion', created: Math.floor(Date.now() / 1000), model: modelName, choices, usage }, headers);
  }

  async function chatCompletions(body: Body, res: ServerResponse, signal: AbortSignal): Promise<void> {
    const r = parseChatRequest(body, limits);
    checkModel(r.model);
    const promptLength = m.chatPrompt(r.messages).tokens.length;
    const maxTokens = capTokens(r.maxTokens ?? contextSize, promptLength, 'messages');
    const stream = r.stream ? new EventStream(res, headers) : undefined;
    const chatId = id('chatcmpl');
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): unknown =>
      ({ id: chatId, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: modelName, choices, ...extra });
    const choices: unknown[] = [];
    let completionTokens = 0;
    for (let i = 0; i < r.n; i++) {
      let streamed = '';
      stream?.send(chunk([{ index: i, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]));
      const result = await m.chat({
        messages: r.messages, maxTokens, temperature: r.temperature, topP: r.topP, stop: r.stop, logitBias: r.logitBias,
        seed: r.seed === undefined ? undefined : r.seed + i, topLogprobs: r.topLogprobs ?? 0, signal,
        onToken: (t) => {
          stats.generatedTokens++;
          if (!stream) return;
          stream.send(chunk([{ index: i, delta: { content: t.text }, logprobs: r.logprobs ? { content: [chatLogprob(t)] } : null, finish_reason: null }]));
          streamed += t.text;
        },
      });
      completionTokens += result.tokens.length;
      if (stream) {
        const rest = result.text.slice(streamed.length);
        if (rest !== '') stream.send(chunk([{ index: i, delta: { content: rest }, logprobs: r.logprobs ? { content: [] } : null, finish_reason: null }]));
        stream.send(chunk([{ index: i, delta: {}, logprobs: null, finish_reason: finishReason(result) }]));
        continue;
      }
      choices.push({
        index: i,
        message: { role: 'assistant', content: result.text, refusal: null },
        logprobs: r.logprobs ? { content: result.tokens.map(chatLogprob) } : null,
        finish_reason: finishReason(result),
      });
    }
    // The prompt is conditioned on once, however many choices are drawn from it.
    const usage = { prompt_tokens: promptLength, completion_tokens: completionTokens, total_tokens: promptLength + completionTokens };
    if (stream) {
      if (r.includeUsage) stream.send(chunk([], { usage }));
      stream.end();
      return;
    }
    sendJson(res, 200, { id: chatId, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model: modelName, choices, usage }, headers);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS' && corsOrigin !== undefined) { answerPreflight(req, res, corsOrigin); return; }
    const modelMatch = /^\/(?:v1\/)?models\/(.+)$/.exec(path);
    const allowed = modelMatch ? 'GET' : ROUTES[path];
    if (allowed === undefined) throw new RequestError(404, `Invalid URL (${method} ${path.slice(0, 200)})`);
    if (method !== allowed) throw new RequestError(405, `${path} answers ${allowed} only, not ${method.slice(0, 20)}`);
    if (path === '/health') { sendJson(res, 200, { status: 'ok' }, headers); return; }
    if (keyDigest) checkBearer(req.headers.authorization, keyDigest);
    if (modelMatch) {
      let name: string;
      try { name = decodeURIComponent(modelMatch[1]!); } catch { name = modelMatch[1]!; }
      checkModel(name);
      sendJson(res, 200, { ...modelObject, id: name }, headers);
      return;
    }
    if (method === 'GET') { sendJson(res, 200, { object: 'list', data: [modelObject] }, headers); return; }
    const body = await readJson(req);
    switch (path) {
      case '/v1/completions': case '/completions': return completions(body, res, signal);
      case '/v1/chat/completions': case '/chat/completions': return chatCompletions(body, res, signal);
      case '/tokenize': {
        const t = parseTokenizeRequest(body);
        sendJson(res, 200, { tokens: await m.tokenize(t.content, { addBos: t.addSpecial }) }, headers);
        return;
      }
      default: {
        const tokens = parseDetokenizeRequest(body, limits);
        sendJson(res, 200, { content: await m.detokenize(tokens) }, headers);
      }
    }
  }

  function fail(res: ServerResponse, e: unknown, signal: AbortSignal, stream: boolean): void {
    if (e instanceof GenerationCancelledError || signal.aborted) {
      if (e instanceof GenerationCancelledError) stats.cancelled++;
      if (!res.writableEnded) res.destroy();
      return;
    }
    let error: RequestError;
    if (e instanceof RequestError) {
      error = e;
    } else if (e instanceof ArgumentError) {
      // A check of the model's own that the request validation did not anticipate: still the client's doing, but
      // its message names library functions, so only the part after "operation: " is sent.
      log(`strata serve: request refused by the model: ${e.message}`);
      error = new RequestError(400, e.message.replace(/^[\w.]+: /, '').replace(/\b(?:loadGgufModel|startServer)\b/g, 'the server'));
    } else {
      stats.serverErrors++;
      log(`strata serve: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      error = new RequestError(500, 'internal server error (details are in the server log)');
    }
    if (stream || res.headersSent) {
      if (!res.writableEnded && !res.destroyed) res.end(`data: ${JSON.stringify(errorBody(error))}\n\n`);
      return;
    }
    const extra: Record<string, string> = { ...headers };
    if (error.status === 405) extra.allow = ROUTES[(res.req?.url ?? '').split('?')[0]!.replace(/\/+$/, '')] ?? 'GET';
    if (error.status === 401) extra['www-authenticate'] = 'Bearer';
    sendJson(res, error.status, errorBody(error), extra);
  }

  const server = createServer((req, res) => {
    stats.requests++;
    const abort = new AbortController();
    // 'close' before the answer is finished: the client went away, so its generation stops before the next token.
    res.on('close', () => { if (!res.writableFinished) abort.abort(); });
    handle(req, res, abort.signal).catch((e: unknown) => fail(res, e, abort.signal, res.headersSent));
  });
  // A malformed request line or header never reaches the handler: answer 400 instead of dropping the socket silently.
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  }).catch(async (e: unknown) => {
    if (owned) await m.close();
    const code = (e as { code?: string }).code;
    const reason = code === 'EADDRINUSE' ? 'the port is already in use' : code === 'EACCES' ? 'permission denied' : code === 'EADDRNOTAVAIL' ? 'the address is not one of this machine\'s' : (e as Error).message;
    throw new RuntimeFailure(`cannot listen on ${host}:${port}: ${reason}`, { cause: e });
  });
  const warnings: string[] = [];
  if (!isLoopbackHost(host) && keyDigest === undefined) {
    warnings.push(`listening on ${host}, reachable from other machines, without an API key: anyone who can reach port ${(server.address() as AddressInfo).port} can use the model; pass --api-key or set STRATA_API_KEY`);
  }
  const actualPort = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? (host === '::' ? '[::1]' : `[${host}]`) : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${shownHost}:${actualPort}/v1`,
    port: actualPort,
    warnings,
    stats,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (owned) await m.close();
    },
  };
}
