/**
 * The one contract every language-model backend implements (in the spirit of the Vercel AI SDK's provider
 * interface): a literal specification version, provider and model identity, capability flags, a few async methods,
 * and a `warnings` list on every result for settings the backend could not honour exactly.
 */

export interface LanguageModelCapabilities {
  /** tokenize / detokenize with the model's own token ids. */
  tokenize: boolean;
  /** `nextTokenDistribution` covers the whole vocabulary ('full') or only the server's top-k ('top-k'). */
  distribution: 'full' | 'top-k';
  /** Teacher-forced log-probabilities of a given continuation (`continuationLogprobs`). */
  promptLogprobs: boolean;
  /** How a token restriction is enforced when sampling: exactly ('mask'), by logit bias ('logit-bias'), or not at all. */
  restrictedSampling: 'mask' | 'logit-bias' | 'none';
  /** Chat completions with per-token top log-probabilities. */
  chat: boolean;
  /** Largest `topLogprobs` the backend returns (Infinity for local models). */
  maxTopLogprobs: number;
  /**
   * Plain-text completions (`sample`). False for chat-only models (e.g. GPT-4-class models behind
   * /v1/chat/completions only); callers then prompt through `chat`.
   */
  completion: boolean;
  /** `topP` (nucleus sampling) is honoured by `sample` and `chat`. */
  topP: boolean;
}

/**
 * A setting a backend could not honour exactly. 'unsupported-setting': ignored (e.g. `topP` on a server without
 * it, `allowedTokens` on a server without a tokenizer); 'approximation': honoured approximately (e.g. an allowed-token
 * set enforced by logit bias instead of a mask). Callers branch on `type` and `setting`, never on the message.
 */
export interface Warning {
  type: 'unsupported-setting' | 'approximation' | 'other';
  setting?: 'topP' | 'allowedTokens' | 'logitBias' | 'seed' | 'stopAtEos' | 'logprobs' | 'topK' | 'topLogprobs' | (string & {});
  message: string;
}

export interface TokenLogprob {
  /** Token id, when the backend knows it (always for local models; HTTP servers report text only). */
  id?: number;
  text: string;
  /** Natural-log probability. */
  logprob: number;
}

/** A prompt is text, or token ids already tokenized by this model (then no BOS is added). */
export type Prompt = string | { tokens: readonly number[] };

export interface NextTokenDistributionOptions {
  /** Keep only these token ids; the log-probabilities stay those of the full softmax (not renormalised). */
  allowedTokens?: readonly number[];
  /** Keep only the k most likely entries (after the restriction). */
  topK?: number;
}

export interface NextTokenDistribution {
  /** Entries sorted by decreasing log-probability. */
  entries: TokenLogprob[];
  coverage: 'full' | 'top-k';
  warnings: Warning[];
}

export interface ContinuationOptions {
  /** The k most likely alternatives at each continuation position (`top`). */
  topLogprobs?: number;
  /**
   * List exactly these token ids as the alternatives (`top`), with full-softmax log-probabilities — what a
   * renormalisation over a restricted vocabulary needs without storing the whole distribution. Needs a backend
   * with `distribution: 'full'`.
   */
  alternatives?: readonly number[];
}

export interface ContinuationLogprobs {
  /** One entry per continuation token, each the log-probability given everything before it (teacher forcing). */
  tokens: GeneratedToken[];
  /** Sum of the token log-probabilities: log P(continuation | prompt). */
  total: number;
  warnings: Warning[];
}

export interface SampleOptions {
  prompt: Prompt;
  maxTokens: number;
  /** 0 = greedy. Default 1. */
  temperature?: number;
  /**
   * Nucleus sampling (Holtzman et al. 2020): draw only from the smallest set of most likely tokens whose
   * probability (after temperature and the allowed-token restriction) reaches `topP`. Default 1 (off).
   */
  topP?: number;
  /**
   * Same seed, same prompt, same settings → same text (locally; HTTP servers may not honour it). Without a seed a
   * local backend draws from its own `Rng` stream (seeded when the model was opened).
   */
  seed?: number;
  /** Stop (and drop the stop text) at the first of these strings. */
  stop?: readonly string[];
  /**
   * Stop at the n-th occurrence of a `stop` string instead of the first (e.g. after `horizon` separators); default
   * 1. Servers have no such parameter: HTTP backends then generate to `maxTokens` (warning 'unsupported-setting').
   */
  stopCount?: number;
  /**
   * Sample only among these token ids (e.g. digits, separator, minus). Local backends mask exactly; HTTP backends
   * approximate with a +100 logit bias (warning 'approximation').
   */
  allowedTokens?: readonly number[];
  /** Added to a token's log-probability before sampling (OpenAI `logit_bias`, range −100…100). */
  logitBias?: Readonly<Record<number, number>>;
  /** Also stop at the model's end-of-sequence token; default true. */
  stopAtEos?: boolean;
  /** Return the top-k alternatives of every sampled token. */
  topLogprobs?: number;
}

export type FinishReason = 'stop' | 'length' | 'eos';

export interface GeneratedToken extends TokenLogprob {
  top?: TokenLogprob[];
}

export interface SampleResult {
  text: string;
  tokens: GeneratedToken[];
  finishReason: FinishReason;
  warnings: Warning[];
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatOptions {
  messages: readonly ChatMessage[];
  maxTokens: number;
  temperature?: number;
  /** Nucleus sampling mass, as in `SampleOptions.topP`. */
  topP?: number;
  seed?: number;
  stop?: readonly string[];
  /** Top log-probabilities per generated token (OpenAI allows at most 20). */
  topLogprobs?: number;
}

export type ChatResult = SampleResult;

export interface LanguageModel {
  readonly specificationVersion: 'strata-llm-1';
  /** 'gguf' or 'openai-http'. */
  readonly provider: string;
  /** Model name as a user would say it (file name, or the server's model name). */
  readonly modelId: string;
  /**
   * What makes two models give the same answers: the GGUF file's sha256, or server URL + model name. Cache keys
   * include it, so a changed file never serves stale answers.
   */
  readonly identity: string;
  readonly capabilities: LanguageModelCapabilities;
  /** Context window in tokens, when the backend knows it (local models). */
  readonly contextSize?: number;
  tokenize(text: string, options?: { addBos?: boolean }): Promise<number[]>;
  detokenize(tokens: readonly number[]): Promise<string>;
  nextTokenDistribution(prompt: Prompt, options?: NextTokenDistributionOptions): Promise<NextTokenDistribution>;
  /**
   * Teacher-forced log-probabilities of `continuation` after `prompt`. Prompt and continuation are tokenized together
   * and the continuation's tokens are those after the longest shared prefix with the prompt's own tokenization (a
   * SentencePiece model may merge across the boundary).
   */
  continuationLogprobs(prompt: string, continuation: string, options?: ContinuationOptions): Promise<ContinuationLogprobs>;
  sample(options: SampleOptions): Promise<SampleResult>;
  chat(options: ChatOptions): Promise<ChatResult>;
  close(): Promise<void>;
}
