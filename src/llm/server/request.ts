/**
 * Validation of `strata serve` request bodies: pure functions from a parsed JSON body (and the model's limits) to a
 * typed request, or a `RequestError` naming the field and what was expected, as OpenAI's 400 answers do. Every token
 * id that comes from outside is checked against the vocabulary here: llama.cpp aborts the process on one it lacks.
 */
import type { ChatMessage } from '../language-model.ts';

/** An error answered to the HTTP client; `code` is OpenAI's machine-readable code (e.g. `model_not_found`). */
export class RequestError extends Error {
  override name = 'RequestError';
  constructor(readonly status: number, message: string, readonly param: string | null = null, readonly code: string | null = null) {
    super(message);
  }
}

export interface ModelLimits {
  vocabularySize: number;
  /** Largest `logprobs` / `top_logprobs` accepted. */
  maxTopLogprobs: number;
}

export type Body = Record<string, unknown>;

export type PromptInput = { text: string } | { tokens: number[] };

interface SamplingRequest {
  /** Requested by the client; undefined means the endpoint's default. Capped to the context later. */
  maxTokens: number | undefined;
  temperature: number;
  topP: number;
  n: number;
  seed: number | undefined;
  stop: string[];
  logitBias: Record<number, number> | undefined;
  stream: boolean;
  includeUsage: boolean;
  /** The `model` field when given. */
  model: string | undefined;
}

export interface CompletionRequest extends SamplingRequest {
  prompts: PromptInput[];
  logprobs: number | undefined;
  echo: boolean;
}

export interface ChatRequest extends SamplingRequest {
  messages: ChatMessage[];
  logprobs: boolean;
  topLogprobs: number | undefined;
}

const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

function isObject(v: unknown): v is Body {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function int(body: Body, key: string, fallback: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new RequestError(400, `${key} must be an integer in ${min}…${max}, got ${show(v)}`, key);
  }
  return v;
}

export function num(body: Body, key: string, fallback: number, min: number, max: number): number {
  const v = body[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !(v >= min && v <= max)) throw new RequestError(400, `${key} must be a number in ${min}…${max}, got ${show(v)}`, key);
  return v;
}

export function bool(body: Body, key: string): boolean {
  const v = body[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new RequestError(400, `${key} must be a boolean, got ${show(v)}`, key);
  return v;
}

function stops(body: Body): string[] {
  const v = body.stop;
  if (v === undefined || v === null) return [];
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length > 4 || list.some((s) => typeof s !== 'string' || s === '')) {
    throw new RequestError(400, 'stop must be a non-empty string or an array of at most 4 non-empty strings', 'stop');
  }
  return list as string[];
}

/**
 * Check that every entry of `ids` is a token id of the model; the error names the offending index as `name[i]`.
 * @returns the ids, typed.
 */
export function checkTokenIdList(ids: unknown, name: string, vocabularySize: number, param = name): number[] {
  if (!Array.isArray(ids)) throw new RequestError(400, `${name} must be an array of token ids`, param);
  for (let i = 0; i < ids.length; i++) {
    const t: unknown = ids[i];
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t >= vocabularySize) {
      throw new RequestError(400, `${name}[${i}] is ${show(t)}, not a token id of this model (an integer in 0…${vocabularySize - 1})`, param);
    }
  }
  return ids as number[];
}

function logitBias(body: Body, vocabularySize: number): Record<number, number> | undefined {
  const v = body.logit_bias;
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new RequestError(400, 'logit_bias must be an object mapping token ids to biases in -100…100', 'logit_bias');
  const out: Record<number, number> = {};
  for (const [k, b] of Object.entries(v)) {
    const id = Number(k);
    if (!/^\d{1,16}$/.test(k) || id >= vocabularySize) {
      throw new RequestError(400, `logit_bias key ${show(k)} is not a token id of this model (an integer in 0…${vocabularySize - 1})`, 'logit_bias');
    }
    if (typeof b !== 'number' || !(b >= -100 && b <= 100)) throw new RequestError(400, `logit_bias[${k}] must be a number in -100…100, got ${show(b)}`, 'logit_bias');
    out[id] = b;
  }
  return out;
}

function modelField(body: Body): string | undefined {
  const v = body.model;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new RequestError(400, `model must be a string, got ${show(v)}`, 'model');
  return v;
}

function streamOptions(body: Body, stream: boolean): boolean {
  const v = body.stream_options;
  if (v === undefined || v === null) return false;
  if (!isObject(v)) throw new RequestError(400, 'stream_options must be an object such as {"include_usage": true}', 'stream_options');
  if (!stream) throw new RequestError(400, 'stream_options is only allowed with stream: true', 'stream_options');
  const u = v.include_usage;
  if (u !== undefined && u !== null && typeof u !== 'boolean') throw new RequestError(400, `stream_options.include_usage must be a boolean, got ${show(u)}`, 'stream_options');
  return u === true;
}

/** Settings this server does not implement: refused rather than silently ignored. */
function refuseUnsupported(body: Body, keys: readonly string[]): void {
  for (const key of keys) {
    const v = body[key];
    if (v === undefined || v === null || v === 0 || v === 1 && key === 'best_of') continue;
    throw new RequestError(400, `${key} is not supported by strata serve; omit it`, key);
  }
}

function sampling(body: Body, limits: ModelLimits, maxTokens: number | undefined): SamplingRequest {
  const stream = bool(body, 'stream');
  return {
    maxTokens,
    temperature: num(body, 'temperature', 1, 0, 2),
    topP: num(body, 'top_p', 1, 0, 1),
    n: int(body, 'n', 1, 1, 16)!,
    seed: int(body, 'seed', undefined, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
    stop: stops(body),
    logitBias: logitBias(body, limits.vocabularySize),
    stream,
    includeUsage: streamOptions(body, stream),
    model: modelField(body),
  };
}

export function parseCompletionRequest(body: Body, limits: ModelLimits): CompletionRequest {
  const raw = body.prompt;
  const { vocabularySize } = limits;
  let prompts: PromptInput[];
  if (typeof raw === 'string') prompts = [{ text: raw }];
  else if (Array.isArray(raw) && raw.length > 0 && raw.every((p) => typeof p === 'string')) prompts = (raw as string[]).map((text) => ({ text }));
  else if (Array.isArray(raw) && raw.length > 0 && raw.every((p) => typeof p === 'number')) prompts = [{ tokens: checkTokenIdList(raw, 'prompt', vocabularySize) }];
  else if (Array.isArray(raw) && raw.length > 0 && raw.every((p) => Array.isArray(p))) {
    prompts = raw.map((p, i) => ({ tokens: checkTokenIdList(p, `prompt[${i}]`, vocabularySize, 'prompt') }));
  } else {
    throw new RequestError(400, 'prompt must be a string, an array of strings, an array of token ids, or an array of arrays of token ids', 'prompt');
  }
  refuseUnsupported(body, ['suffix', 'best_of', 'presence_penalty', 'frequency_penalty']);
  return {
    ...sampling(body, limits, int(body, 'max_tokens', undefined, 0)),
    prompts,
    logprobs: int(body, 'logprobs', undefined, 0, limits.maxTopLogprobs),
    echo: bool(body, 'echo'),
  };
}

/** A message's text: a string, or an array of text content parts (OpenAI's `[{type: 'text', text}]`), joined. */
function messageText(content: unknown, i: number, role: string): string {
  if (typeof content === 'string') return content;
  if ((content === null || content === undefined) && role === 'assistant') return '';
  if (Array.isArray(content)) {
    return content.map((part: unknown, j) => {
      if (!isObject(part) || part.type !== 'text' || typeof part.text !== 'string') {
        const type = isObject(part) ? show(part.type) : show(part);
        throw new RequestError(400, `messages[${i}].content[${j}] must be a text part {"type": "text", "text": "..."}; got type ${type} (only text is supported)`, 'messages');
      }
      return part.text;
    }).join('');
  }
  throw new RequestError(400, `messages[${i}].content must be a string or an array of text parts`, 'messages');
}

export function parseChatRequest(body: Body, limits: ModelLimits): ChatRequest {
  const raw = body.messages;
  if (!Array.isArray(raw) || raw.length === 0) throw new RequestError(400, 'messages must be a non-empty array of {role, content}', 'messages');
  const messages: ChatMessage[] = raw.map((msg: unknown, i) => {
    if (!isObject(msg)) throw new RequestError(400, `messages[${i}] must be an object {role, content}`, 'messages');
    const role = msg.role;
    if (role !== 'system' && role !== 'user' && role !== 'assistant' && role !== 'developer') {
      throw new RequestError(400, `messages[${i}].role must be system, developer, user or assistant, got ${show(role)}`, 'messages');
    }
    return { role: role === 'developer' ? 'system' : role, content: messageText(msg.content, i, role) };
  });
  refuseUnsupported(body, ['tools', 'functions', 'response_format', 'presence_penalty', 'frequency_penalty']);
  const maxTokens = int(body, 'max_completion_tokens', undefined, 0) ?? int(body, 'max_tokens', undefined, 0);
  const logprobs = bool(body, 'logprobs');
  const topLogprobs = int(body, 'top_logprobs', undefined, 0, limits.maxTopLogprobs);
  if (topLogprobs !== undefined && !logprobs) throw new RequestError(400, 'top_logprobs requires logprobs: true', 'top_logprobs');
  return { ...sampling(body, limits, maxTokens), messages, logprobs, topLogprobs };
}

export function parseTokenizeRequest(body: Body): { content: string; addSpecial: boolean } {
  if (typeof body.content !== 'string') throw new RequestError(400, 'content must be a string', 'content');
  return { content: body.content, addSpecial: bool(body, 'add_special') };
}

export function parseDetokenizeRequest(body: Body, limits: ModelLimits): number[] {
  return checkTokenIdList(body.tokens, 'tokens', limits.vocabularySize);
}
