/**
 * Any OpenAI-compatible server (OpenAI, vLLM, llama.cpp's server, Ollama, `strata serve`): legacy completions for
 * next-token top-k, prompt scoring (echo + logprobs) and sampling; chat completions with top log-probabilities.
 * A missing capability raises UnsupportedCapabilityError instead of degrading silently.
 */
import { ArgumentError } from '../../core/index.ts';
import { ApiCallError, InvalidResponseError, UnsupportedCapabilityError } from '../errors.ts';
import { checkPositiveInt } from '../sampling.ts';
import { DEFAULT_RETRY_POLICY, JsonHttpClient, type HttpCallStats, type RetryPolicy } from './http-client.ts';
import type {
  ChatOptions, ChatResult, ContinuationLogprobs, FinishReason, GeneratedToken, LanguageModel, LanguageModelCapabilities,
  NextTokenDistribution, NextTokenDistributionOptions, Prompt, SampleOptions, SampleResult, TokenLogprob, Warning,
} from '../language-model.ts';

export interface OpenAiHttpOptions {
  /** Base URL including the version prefix, e.g. http://127.0.0.1:8080/v1 or https://api.openai.com/v1. */
  baseUrl: string;
  /** Model name sent with every request. */
  model: string;
  /** Sent as `Authorization: Bearer …` when given. */
  apiKey?: string;
  /** Requests in flight at once; default 4. */
  maxConcurrency?: number;
  retry?: Partial<RetryPolicy>;
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
  private readonly baseUrl: string;
  private readonly client: JsonHttpClient;

  constructor(readonly options: OpenAiHttpOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new ArgumentError(`createOpenAiHttpModel: baseUrl ${JSON.stringify(options.baseUrl)} is not a URL; expected e.g. http://127.0.0.1:8080/v1`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ArgumentError(`createOpenAiHttpModel: baseUrl must be http(s), got ${url.protocol}`);
    }
    if (typeof options.model !== 'string' || options.model === '') {
      throw new ArgumentError('createOpenAiHttpModel: model (the server\'s model name) is required');
    }
    checkPositiveInt('createOpenAiHttpModel', 'maxConcurrency', options.maxConcurrency);
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.modelId = options.model;
    this.identity = `openai-http:${this.baseUrl}#${options.model}`;
    const policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.client = new JsonHttpClient(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}, policy, options.maxConcurrency ?? 4);
    this.capabilities = {
      tokenize: true, distribution: 'top-k', promptLogprobs: true, restrictedSampling: 'logit-bias', chat: true,
      maxTopLogprobs: options.maxCompletionLogprobs ?? 5,
    };
  }

  get httpStats(): Readonly<HttpCallStats> {
    return this.client.stats;
  }

  private url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  /** llama.cpp-style endpoints live beside /v1, not under it. */
  private rootUrl(path: string): string {
    return `${this.baseUrl.replace(/\/v1$/, '')}${path}`;
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

  async continuationLogprobs(prompt: string, continuation: string, options: { topLogprobs?: number } = {}): Promise<ContinuationLogprobs> {
    if (typeof prompt !== 'string' || typeof continuation !== 'string') {
      throw new ArgumentError('continuationLogprobs: prompt and continuation must be strings');
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
    const warnings: Warning[] = [];
    const bias: Record<string, number> = { ...(options.logitBias ?? {}) };
    if (options.allowedTokens) {
      // A +100 bias makes the allowed tokens win on any real model, but it is not a hard mask.
      for (const id of options.allowedTokens) bias[id] = 100;
      warnings.push({ type: 'approximation', setting: 'allowedTokens', message: 'enforced with logit_bias = +100 (soft restriction); check the returned text' });
    }
    if (options.stopAtEos === false) warnings.push({ type: 'unsupported-setting', setting: 'stopAtEos', message: 'OpenAI-compatible servers always stop at end-of-sequence' });
    const logprobs = Math.min(options.topLogprobs ?? 0, this.capabilities.maxTopLogprobs);
    const r = await this.complete({
      prompt: this.promptBody(options.prompt), max_tokens: options.maxTokens, temperature: options.temperature ?? 1,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.stop?.length ? { stop: options.stop } : {}),
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
    const maxTop = this.options.maxChatTopLogprobs ?? 20;
    if ((options.topLogprobs ?? 0) > maxTop) {
      throw new ArgumentError(`chat: topLogprobs must be ≤ ${maxTop} for this server, got ${options.topLogprobs}`);
    }
    const url = this.url('/chat/completions');
    const r = await this.client.post(url, {
      model: this.modelId, messages: options.messages, max_tokens: options.maxTokens, temperature: options.temperature ?? 1,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.stop?.length ? { stop: options.stop } : {}),
      logprobs: true, ...(options.topLogprobs ? { top_logprobs: options.topLogprobs } : {}),
    }) as { choices?: { message?: { content?: unknown }; logprobs?: { content?: unknown } | null; finish_reason?: unknown }[] };
    const choice = r?.choices?.[0];
    if (!choice || typeof choice.message?.content !== 'string') throw new InvalidResponseError(url, 'no choices[0].message.content');
    const content = choice.logprobs?.content;
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
