/**
 * Any OpenAI-compatible server (OpenAI, vLLM, llama.cpp's server, Ollama, `strata serve`): legacy completions for
 * next-token top-k, prompt scoring (echo + logprobs) and sampling; chat completions with top log-probabilities.
 * A missing capability raises UnsupportedCapabilityError instead of degrading silently.
 */
import { ArgumentError } from '../../core/index.ts';
import { ApiCallError, InsecureConnectionError, InvalidResponseError, UnsupportedCapabilityError } from '../errors.ts';
import { checkPositiveInt, checkTopP } from '../sampling.ts';
import { JsonHttpClient } from './http-client.ts';
import type { HttpCallStats, HttpClock, RetryPolicy, WaitEvent } from './http-client.ts';
import type {
  ChatOptions, ChatResult, ContinuationLogprobs, ContinuationOptions, FinishReason, GeneratedToken, LanguageModel, LanguageModelCapabilities,
  NextTokenDistribution, NextTokenDistributionOptions, Prompt, SampleOptions, SampleResult, TokenLogprob, Warning,
} from '../language-model.ts';

export interface OpenAiHttpOptions {
  /** Base URL including the version prefix, e.g. http://127.0.0.1:8080/v1 or https://api.openai.com/v1. */
  baseUrl: string;
  /** Model name sent with every request. */
  model: string;
  /**
   * Sent as `Authorization: Bearer …` when given, and redacted from every error. `openModel` passes one only when
   * the user named its source for this endpoint (see `resolveApiKey`).
   */
  apiKey?: string;
  /** Requests in flight at once; default 4. */
  maxConcurrency?: number;
  retry?: Partial<RetryPolicy>;
  /** Progress while a response is awaited or a retry is pending. */
  onWait?: (event: WaitEvent) => void;
  /** How often `onWait` hears about a response still awaited; default 10 s. */
  waitIntervalMs?: number;
  /** Injected time for tests of the retry schedule. */
  clock?: HttpClock;
  /** Seed of the retry jitter (default: OS entropy). */
  jitterSeed?: number;
  /** Largest `logprobs` the completions endpoint accepts (OpenAI: 5); default 5. */
  maxCompletionLogprobs?: number;
  /** Largest chat `top_logprobs` (OpenAI: 20); default 20. */
  maxChatTopLogprobs?: number;
}

interface CompletionLogprobs {
  tokens: string[];
  token_logprobs: (number | null)[];
  top_logprobs: (Record<string, number> | null)[] | null;
  text_offset: number[];
}

function asTopList(m: Record<string, number> | null | undefined): TokenLogprob[] {
  return Object.entries(m ?? {}).map(([text, logprob]) => ({ text, logprob })).sort((a, b) => b.logprob - a.logprob);
}

function finish(reason: unknown): FinishReason {
  return reason === 'length' ? 'length' : 'stop';
}

/**
 * Parse and check a base URL: http(s) only, no `user:pass@` (the password would end up in logs, errors and cache
 * rows). A query string is kept and re-attached to every endpoint (`endpointUrl`).
 */
/** @internal (returns a WHATWG URL; kept out of the published declarations, which must not need DOM or Node types) */
export function parseBaseUrl(operation: string, baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ArgumentError(`${operation}: ${JSON.stringify(baseUrl.replace(/\/\/[^@/]*@/, '//[redacted]@'))} is not a URL; expected e.g. http://127.0.0.1:8080/v1`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new InsecureConnectionError(`${operation}: the URL carries credentials (user:password@${url.host}); remove them and pass the key with --api-key-env NAME instead`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ArgumentError(`${operation}: the URL must be http(s), got ${url.protocol}`);
  }
  url.hash = '';
  return url;
}

/** `base` + `path` with the base's query string kept after the path (not glued before it). */
/** @internal */
export function endpointUrl(base: URL, path: string, options: { root?: boolean } = {}): string {
  const u = new URL(base.href);
  let p = u.pathname.replace(/\/+$/, '');
  // llama.cpp-style endpoints (/tokenize, /detokenize) live beside /v1, not under it.
  if (options.root) p = p.replace(/\/v1$/, '');
  u.pathname = p + path;
  return u.href;
}

/**
 * What makes two servers give the same answers, for cache keys and replay: origin + path + model name. The query
 * string is left out (it may carry a key), as is any credential (refused anyway).
 */
export function openAiHttpIdentity(baseUrl: string, model: string): string {
  const u = parseBaseUrl('openAiHttpIdentity', baseUrl);
  return `openai-http:${u.origin}${u.pathname.replace(/\/+$/, '')}#${model}`;
}

/** Hosts whose API is known to have no tokenizer endpoint (probing them would cost a request and a 404). */
const NO_TOKENIZER_HOSTS = new Set(['api.openai.com']);

export function createOpenAiHttpModel(options: OpenAiHttpOptions): OpenAiHttpLanguageModel {
  return new OpenAiHttpLanguageModel(options);
}

export class OpenAiHttpLanguageModel implements LanguageModel {
  readonly specificationVersion = 'strata-llm-1' as const;
  readonly provider = 'openai-http';
  readonly modelId: string;
  readonly identity: string;
  /** Starts optimistic for prompt scoring and tokenization; a refusal from the server turns the flag off. */
  readonly capabilities: LanguageModelCapabilities;
  private readonly base: URL;
  private readonly client: JsonHttpClient;
  private detected: Promise<LanguageModelCapabilities> | undefined;

  constructor(readonly options: OpenAiHttpOptions) {
    if (typeof options.baseUrl !== 'string') throw new ArgumentError('createOpenAiHttpModel: baseUrl must be a string');
    this.base = parseBaseUrl('createOpenAiHttpModel', options.baseUrl);
    if (typeof options.model !== 'string' || options.model === '') {
      throw new ArgumentError('createOpenAiHttpModel: model (the server\'s model name) is required');
    }
    checkPositiveInt('createOpenAiHttpModel', 'maxConcurrency', options.maxConcurrency);
    this.modelId = options.model;
    this.identity = openAiHttpIdentity(options.baseUrl, options.model);
    this.client = new JsonHttpClient({
      headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
      policy: options.retry, concurrency: options.maxConcurrency ?? 4, secrets: options.apiKey ? [options.apiKey] : [],
      clock: options.clock, jitterSeed: options.jitterSeed, onWait: options.onWait, waitIntervalMs: options.waitIntervalMs,
    });
    this.capabilities = {
      tokenize: !NO_TOKENIZER_HOSTS.has(this.base.hostname), distribution: 'top-k', promptLogprobs: true,
      restrictedSampling: 'logit-bias', chat: true, maxTopLogprobs: options.maxCompletionLogprobs ?? 5,
      completion: true, topP: true,
    };
  }

  /**
   * Find out once what this server offers: a tokenizer (POST /tokenize at the server root, as llama.cpp's server,
   * vLLM and strata serve have; OpenAI, Ollama and LM Studio do not) and plain completions (a 1-token
   * /completions request; chat-only models refuse it). Updates and returns `capabilities`. `withCache` stores the
   * answer, so a repeated run does not probe again.
   */
  detectCapabilities(): Promise<LanguageModelCapabilities> {
    this.detected ??= (async () => {
      if (this.capabilities.tokenize) {
        try {
          const r = await this.client.post(this.rootUrl('/tokenize'), { content: '0', add_special: false }) as { tokens?: unknown };
          this.capabilities.tokenize = Array.isArray(r?.tokens);
        } catch (e) {
          if (!(e instanceof ApiCallError && e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 403)) throw e;
          this.capabilities.tokenize = false;
        }
      }
      try {
        await this.complete({ prompt: '0', max_tokens: 1, temperature: 0 });
      } catch (e) {
        if (!(e instanceof ApiCallError && e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 403 && e.status !== 429)) throw e;
        this.capabilities.completion = false;
        this.capabilities.promptLogprobs = false;
      }
      return { ...this.capabilities };
    })();
    return this.detected;
  }

  /** Adopt capabilities detected earlier (from the cache) without probing. */
  adoptCapabilities(caps: Partial<LanguageModelCapabilities>): void {
    Object.assign(this.capabilities, caps);
    this.detected = Promise.resolve({ ...this.capabilities });
  }

  get httpStats(): Readonly<HttpCallStats> {
    return this.client.stats;
  }

  private url(path: string): string {
    return endpointUrl(this.base, path);
  }

  private rootUrl(path: string): string {
    return endpointUrl(this.base, path, { root: true });
  }

  private async tokenEndpoint(path: string, body: unknown, operation: string): Promise<Record<string, unknown>> {
    if (!this.capabilities.tokenize) throw this.noTokenizer(operation);
    try {
      return await this.client.post(this.rootUrl(path), body) as Record<string, unknown>;
    } catch (e) {
      if (e instanceof ApiCallError && (e.status === 404 || e.status === 405)) {
        this.capabilities.tokenize = false;
        throw this.noTokenizer(operation, e);
      }
      throw e;
    }
  }

  private noTokenizer(operation: string, cause?: unknown): UnsupportedCapabilityError {
    return new UnsupportedCapabilityError(this.provider, operation,
      `${this.rootUrl('/tokenize')} does not exist (OpenAI's API has no tokenizer endpoint; llama.cpp's server and strata serve do)`, { cause });
  }

  async tokenize(text: string, options: { addBos?: boolean } = {}): Promise<number[]> {
    const r = await this.tokenEndpoint('/tokenize', { content: text, add_special: options.addBos ?? true }, 'tokenize');
    if (!Array.isArray(r.tokens)) throw new InvalidResponseError(this.rootUrl('/tokenize'), 'no "tokens" array');
    return r.tokens as number[];
  }

  async detokenize(tokens: readonly number[]): Promise<string> {
    const r = await this.tokenEndpoint('/detokenize', { tokens }, 'detokenize');
    if (typeof r.content !== 'string') throw new InvalidResponseError(this.rootUrl('/detokenize'), 'no "content" string');
    return r.content;
  }

  private async complete(body: Record<string, unknown>): Promise<{ text: string; logprobs: CompletionLogprobs | null; finish_reason: unknown }> {
    const url = this.url('/completions');
    const r = await this.client.post(url, { model: this.modelId, ...body }) as { choices?: unknown[] };
    const choice = r?.choices?.[0] as { text?: unknown; logprobs?: CompletionLogprobs | null; finish_reason?: unknown } | undefined;
    if (!choice || typeof choice.text !== 'string') throw new InvalidResponseError(url, 'no choices[0].text in the completion');
    return { text: choice.text, logprobs: choice.logprobs ?? null, finish_reason: choice.finish_reason };
  }

  private promptBody(prompt: Prompt): string | number[] {
    if (typeof prompt === 'string') return prompt;
    if (prompt && Array.isArray(prompt.tokens)) return [...prompt.tokens];
    throw new ArgumentError('prompt must be a string or {tokens: number[]}');
  }

  async nextTokenDistribution(prompt: Prompt, options: NextTokenDistributionOptions = {}): Promise<NextTokenDistribution> {
    checkPositiveInt('nextTokenDistribution', 'topK', options.topK);
    if (options.allowedTokens) {
      throw new UnsupportedCapabilityError(this.provider, 'restrict a next-token distribution to token ids',
        'OpenAI-compatible servers report the top-k tokens as text only; use a local GGUF model for restricted distributions');
    }
    const max = this.capabilities.maxTopLogprobs;
    const k = Math.min(options.topK ?? max, max);
    const warnings: Warning[] = [];
    if (options.topK !== undefined && options.topK > max) {
      warnings.push({ type: 'unsupported-setting', setting: 'topK', message: `the server returns at most ${max} alternatives; got ${k}` });
    }
    const r = await this.complete({ prompt: this.promptBody(prompt), max_tokens: 1, logprobs: k, temperature: 0 });
    const top = r.logprobs?.top_logprobs?.[0];
    if (!top) {
      throw new UnsupportedCapabilityError(this.provider, 'return next-token log-probabilities', `${this.url('/completions')} answered without logprobs.top_logprobs`);
    }
    return { entries: asTopList(top).slice(0, k), coverage: 'top-k', warnings };
  }

  async continuationLogprobs(prompt: string, continuation: string, options: ContinuationOptions = {}): Promise<ContinuationLogprobs> {
    if (typeof prompt !== 'string' || typeof continuation !== 'string') {
      throw new ArgumentError('continuationLogprobs: prompt and continuation must be strings');
    }
    if (options.alternatives) {
      throw new UnsupportedCapabilityError(this.provider, 'list chosen alternatives per token', 'OpenAI-compatible servers report only their top-k alternatives, as text');
    }
    if (!this.capabilities.promptLogprobs) {
      throw new UnsupportedCapabilityError(this.provider, 'score a prompt (echo + logprobs)', 'the server refused it earlier');
    }
    const full = prompt + continuation;
    let r;
    try {
      // max_tokens 1, not 0: several servers reject 0; the generated token is dropped below by its text offset.
      r = await this.complete({ prompt: full, max_tokens: 1, echo: true, logprobs: options.topLogprobs ?? 0, temperature: 0 });
    } catch (e) {
      if (e instanceof ApiCallError && e.status >= 400 && e.status < 500 && e.status !== 404 && e.status !== 401 && e.status !== 403) {
        this.capabilities.promptLogprobs = false;
        throw new UnsupportedCapabilityError(this.provider, 'score a prompt (echo + logprobs)',
          `the server rejected the request (HTTP ${e.status}); hosted OpenAI models no longer return prompt log-probabilities — use a local GGUF model or vLLM`, { cause: e });
      }
      throw e;
    }
    const lp = r.logprobs;
    if (!lp || !Array.isArray(lp.tokens) || !Array.isArray(lp.token_logprobs) || !Array.isArray(lp.text_offset) || !r.text.startsWith(full)) {
      this.capabilities.promptLogprobs = false;
      throw new UnsupportedCapabilityError(this.provider, 'score a prompt (echo + logprobs)', 'the server answered without echoed prompt log-probabilities');
    }
    const tokens: GeneratedToken[] = [];
    const warnings: Warning[] = [];
    let total = 0;
    for (let i = 0; i < lp.tokens.length; i++) {
      const start = lp.text_offset[i]!;
      const end = start + lp.tokens[i]!.length;
      if (end <= prompt.length || start >= full.length) continue;
      if (start < prompt.length) warnings.push({ type: 'approximation', message: `token ${JSON.stringify(lp.tokens[i])} spans the prompt/continuation boundary and is scored as part of the continuation` });
      const logprob = lp.token_logprobs[i];
      if (typeof logprob !== 'number') {
        throw new UnsupportedCapabilityError(this.provider, 'score a prompt (echo + logprobs)', `no log-probability for token ${i}, the first of the continuation`);
      }
      total += logprob;
      const item: GeneratedToken = { text: lp.tokens[i]!, logprob };
      if (options.topLogprobs) item.top = asTopList(lp.top_logprobs?.[i]);
      tokens.push(item);
    }
    return { tokens, total, warnings };
  }

  async sample(options: SampleOptions): Promise<SampleResult> {
    checkPositiveInt('sample', 'maxTokens', options.maxTokens, true);
    checkTopP('sample', options.topP);
    if (!this.capabilities.completion) {
      throw new UnsupportedCapabilityError(this.provider, 'complete plain text', `${this.url('/completions')} refused a completion (a chat-only model); prompt it through chat()`);
    }
    const warnings: Warning[] = [];
    const bias: Record<string, number> = { ...(options.logitBias ?? {}) };
    if (options.allowedTokens) {
      // A +100 bias makes the allowed tokens win on any real model, but it is not a hard mask.
      for (const id of options.allowedTokens) bias[id] = 100;
      warnings.push({ type: 'approximation', setting: 'allowedTokens', message: 'enforced with logit_bias = +100 (soft restriction); check the returned text' });
    }
    const stopCount = options.stopCount ?? 1;
    checkPositiveInt('sample', 'stopCount', stopCount);
    if (stopCount > 1) warnings.push({ type: 'unsupported-setting', setting: 'stopCount', message: `OpenAI-compatible servers stop at the first stop string; stopCount ${stopCount} is not sent, generating up to maxTokens` });
    if (options.stopAtEos === false) warnings.push({ type: 'unsupported-setting', setting: 'stopAtEos', message: 'OpenAI-compatible servers always stop at end-of-sequence' });
    const logprobs = Math.min(options.topLogprobs ?? 0, this.capabilities.maxTopLogprobs);
    const r = await this.complete({
      prompt: this.promptBody(options.prompt), max_tokens: options.maxTokens, temperature: options.temperature ?? 1,
      ...(options.topP !== undefined && options.topP < 1 ? { top_p: options.topP } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.stop?.length && stopCount === 1 ? { stop: options.stop } : {}),
      ...(Object.keys(bias).length ? { logit_bias: bias } : {}),
      logprobs,
    });
    if (!r.logprobs) warnings.push({ type: 'unsupported-setting', setting: 'logprobs', message: 'the server returned no per-token log-probabilities' });
    const tokens: GeneratedToken[] = (r.logprobs?.tokens ?? []).map((text, i) => {
      const t: GeneratedToken = { text, logprob: r.logprobs!.token_logprobs[i] ?? NaN };
      if (options.topLogprobs) t.top = asTopList(r.logprobs!.top_logprobs?.[i]);
      return t;
    });
    return { text: r.text, tokens, finishReason: finish(r.finish_reason), warnings };
  }

  async chat(options: ChatOptions): Promise<ChatResult> {
    checkPositiveInt('chat', 'maxTokens', options.maxTokens, true);
    checkPositiveInt('chat', 'topLogprobs', options.topLogprobs, true);
    checkTopP('chat', options.topP);
    const maxTop = this.options.maxChatTopLogprobs ?? 20;
    if ((options.topLogprobs ?? 0) > maxTop) {
      throw new ArgumentError(`chat: topLogprobs must be ≤ ${maxTop} for this server, got ${options.topLogprobs}`);
    }
    const url = this.url('/chat/completions');
    const r = await this.client.post(url, {
      model: this.modelId, messages: options.messages, max_tokens: options.maxTokens, temperature: options.temperature ?? 1,
      ...(options.topP !== undefined && options.topP < 1 ? { top_p: options.topP } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.stop?.length ? { stop: options.stop } : {}),
      // Ask for log-probabilities only when wanted: several servers (Ollama, LM Studio) reject or ignore them.
      ...(options.topLogprobs !== undefined ? { logprobs: true, ...(options.topLogprobs ? { top_logprobs: options.topLogprobs } : {}) } : {}),
    }) as { choices?: { message?: { content?: unknown }; logprobs?: { content?: unknown } | null; finish_reason?: unknown }[] };
    const choice = r?.choices?.[0];
    if (!choice || typeof choice.message?.content !== 'string') throw new InvalidResponseError(url, 'no choices[0].message.content');
    const content = choice.logprobs?.content;
    if (options.topLogprobs === undefined && !Array.isArray(content)) {
      return { text: choice.message.content, tokens: [], finishReason: finish(choice.finish_reason), warnings: [] };
    }
    if (!Array.isArray(content)) {
      throw new UnsupportedCapabilityError(this.provider, 'return chat log-probabilities', `${url} answered without choices[0].logprobs.content`);
    }
    const tokens: GeneratedToken[] = content.map((c: { token: string; logprob: number; top_logprobs?: { token: string; logprob: number }[] }) => {
      const t: GeneratedToken = { text: c.token, logprob: c.logprob };
      if (options.topLogprobs) t.top = (c.top_logprobs ?? []).map((e) => ({ text: e.token, logprob: e.logprob }));
      return t;
    });
    return { text: choice.message.content, tokens, finishReason: finish(choice.finish_reason), warnings: [] };
  }

  async close(): Promise<void> {}
}
