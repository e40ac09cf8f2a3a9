/**
 * Local GGUF models through node-llama-cpp (llama.cpp in-process). One context sequence per model, used by one
 * request at a time; the evaluated prefix is kept between requests so repeated prompts (many samples of one
 * forecast) evaluate the prompt once.
 */
import { basename } from 'node:path';
import { importNodeLlamaCpp } from '../optional.ts';
import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel, Token, ChatHistoryItem } from 'node-llama-cpp';
import { ArgumentError, RuntimeFailure, Rng } from '../../core/index.ts';
import { readGgufHeader, validateForLlamaCpp } from '../gguf/reader.ts';
import { ggufIdentity } from './gguf-identity.ts';
import { checkPositiveInt, checkTopP, nthStopIndex, requestRng, sampleToken } from '../sampling.ts';
import type {
  ChatOptions, ChatResult, ContinuationLogprobs, ContinuationOptions, FinishReason, GeneratedToken, LanguageModel, LanguageModelCapabilities,
  NextTokenDistribution, NextTokenDistributionOptions, Prompt, SampleOptions, SampleResult, TokenLogprob, Warning,
} from '../language-model.ts';

export interface GgufModelOptions {
  /** CPU threads for llama.cpp. Default 1: the library default (max(4, cores)) was ~1000× slower on a loaded 2-core machine. */
  threads?: number;
  /** Context window in tokens; default min(2048, the model's training context). */
  contextSize?: number;
  /**
   * Element type of llama.cpp's key/value cache. Default 'F16' (llama.cpp's default, half the memory); 'F32' makes
   * results match a float32 reference to ~1e-6 instead of ~1e-3.
   */
  kvCacheType?: 'F16' | 'F32';
  /** Override the model identity used in cache keys (default: `ggufIdentity(path)`). */
  identity?: string;
  /**
   * Seed of the model's session stream, from which a `sample` or `chat` call without its own `seed` draws (through
   * `Rng.split`). Default 0: unseeded runs are reproducible too.
   */
  seed?: number;
}

/** Controls of one generation beyond the backend-neutral options (used by `strata serve`). */
export interface GgufGenerationControl {
  /** Abort the generation before its next token (a client disconnected); the call then rejects with `GenerationCancelledError`. */
  /** An AbortSignal (only `aborted` is read), typed structurally so the declarations need no DOM or Node types. */
  signal?: { readonly aborted: boolean };
  /**
   * Called with each token once it is final: tokens that could still be cut by a stop string or by the chat
   * template's stop sequence are held back until they cannot.
   */
  onToken?: (token: GeneratedToken) => void;
  /** Nucleus sampling (OpenAI `top_p`): sample among the most likely tokens whose tempered probability sums to ≥ topP. */
  topP?: number;
}

export type GgufSampleResult = SampleResult & {
  /** Tokens the prompt (or the chat template applied to the messages) occupied. */
  promptTokens: number;
};

/** A generation abandoned through `GgufGenerationControl.signal`. */
export class GenerationCancelledError extends RuntimeFailure {
  override name = 'GenerationCancelledError';
}

/** Sampler settings under which node-llama-cpp reports the full softmax instead of a truncated, renormalised top set. */
const FULL_DISTRIBUTION = { temperature: 1, topK: 0, topP: 1, minP: 0 } as const;

// node-llama-cpp is loaded on first use (≈ 0.4 s): every module that imports `strata/llm` — nn, forecast, quere —
// would otherwise pay for it at start-up, model or not.
let nodeLlamaCpp: typeof import('node-llama-cpp') | undefined;
const llamas = new Map<number, Promise<Llama>>();
function sharedLlama(threads: number): Promise<Llama> {
  let p = llamas.get(threads);
  if (!p) {
    // build 'never': the prebuilt binary ships in the npm package; never try to download or compile at run time.
    p = importNodeLlamaCpp().then((m) => {
      nodeLlamaCpp = m;
      return m.getLlama({ gpu: false, maxThreads: threads, build: 'never', logLevel: m.LlamaLogLevel.error, progressLogs: false });
    });
    llamas.set(threads, p);
  }
  return p;
}


/**
 * Load a GGUF model. The file is validated in TypeScript first (header, tensor bounds, keys llama.cpp would abort
 * on), so a missing, truncated or non-GGUF file raises `ModelNotFoundError` / `InvalidGgufError` instead of killing
 * the process.
 */
export async function loadGgufModel(path: string, options: GgufModelOptions = {}): Promise<GgufLanguageModel> {
  const threads = options.threads ?? 1;
  checkPositiveInt('loadGgufModel', 'threads', threads);
  checkPositiveInt('loadGgufModel', 'contextSize', options.contextSize);
  const header = await readGgufHeader(path);
  validateForLlamaCpp(header);
  const identity = options.identity ?? await ggufIdentity(path);
  const llama = await sharedLlama(threads);
  let model: LlamaModel;
  try {
    model = await llama.loadModel({ modelPath: path, gpuLayers: 0 });
  } catch (e) {
    throw new RuntimeFailure(`loadGgufModel: llama.cpp could not load ${path}: ${(e as Error).message}`, { cause: e });
  }
  const contextSize = options.contextSize ?? Math.min(2048, model.trainContextSize);
  const kvCacheType = options.kvCacheType ?? 'F16';
  if (kvCacheType !== 'F16' && kvCacheType !== 'F32') {
    throw new ArgumentError(`loadGgufModel: kvCacheType must be 'F16' or 'F32', got ${JSON.stringify(kvCacheType)}`);
  }
  const context = await model.createContext({
    contextSize, threads, sequences: 1,
    experimentalKvCacheKeyType: kvCacheType, experimentalKvCacheValueType: kvCacheType,
    // llama.cpp's CPU flash attention rounds queries to F16 whatever the cache type; F32 asks for full precision.
    ...(kvCacheType === 'F32' ? { flashAttention: false } : {}),
  });
  return new GgufLanguageModel(path, identity, model, context, new Rng(options.seed ?? 0));
}

export class GgufLanguageModel implements LanguageModel {
  readonly specificationVersion = 'strata-llm-1' as const;
  readonly provider = 'gguf';
  readonly modelId: string;
  readonly capabilities: LanguageModelCapabilities = {
    tokenize: true, distribution: 'full', promptLogprobs: true, restrictedSampling: 'mask', chat: true,
    maxTopLogprobs: Infinity, completion: true, topP: true,
  };
  private readonly sequence: LlamaContextSequence;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly pieceCache = new Map<number, string>();
  private referenceTokens: Token[] | undefined;
  private closed = false;

  /** @internal (use loadGgufModel; the declarations must not name node-llama-cpp's types) */
  constructor(
    readonly path: string,
    readonly identity: string,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly session: Rng,
  ) {
    this.modelId = basename(path);
    this.sequence = context.getSequence();
  }

  get vocabularySize(): number {
    return this.model.fileInfo.metadata.tokenizer.ggml.tokens.length;
  }

  get contextSize(): number {
    return this.context.contextSize;
  }

  get eosToken(): number | null {
    return this.model.tokens.eos;
  }

  /** Run one operation at a time on the single sequence. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new RuntimeFailure(`${this.modelId}: the model was closed`));
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private tokenizeSync(text: string, addBos: boolean): Token[] {
    const tokens = this.model.tokenize(text, false);
    const bos = this.model.tokens.bos;
    return addBos && bos !== null && this.model.tokens.shouldPrependBosToken ? [bos, ...tokens] : tokens;
  }

  async tokenize(text: string, options: { addBos?: boolean } = {}): Promise<number[]> {
    if (typeof text !== 'string') throw new ArgumentError(`tokenize: text must be a string, got ${typeof text}`);
    return this.tokenizeSync(text, options.addBos ?? true);
  }

  async detokenize(tokens: readonly number[]): Promise<string> {
    // llama.cpp aborts the whole process on an id outside the vocabulary: refuse it here.
    if (!Array.isArray(tokens)) throw new ArgumentError('detokenize: tokens must be an array of token ids');
    if (tokens.length > 0) this.checkTokenIds('detokenize', 'tokens', tokens);
    return this.model.detokenize(tokens.map((t) => t as Token), false);
  }

  /** The text each token adds after the ones before it; the pieces concatenate to the tokens' text. */
  tokenTexts(tokens: readonly number[]): string[] {
    if (tokens.length > 0) this.checkTokenIds('tokenTexts', 'tokens', tokens);
    return tokens.map((id, i) => this.model.detokenize([id as Token], false, tokens.slice(Math.max(0, i - 4), i) as Token[]));
  }

  /** The text a token adds after other text (keeps SentencePiece's leading space that detokenize strips at start). */
  private piece(id: number): string {
    let s = this.pieceCache.get(id);
    if (s === undefined) {
      // Detokenize after an ordinary token: at the start of a text llama.cpp drops SentencePiece's leading space.
      this.referenceTokens ??= this.model.tokenize('a', false);
      s = this.model.detokenize([id as Token], false, this.referenceTokens);
      this.pieceCache.set(id, s);
    }
    return s;
  }

  private promptTokens(prompt: Prompt, operation: string): Token[] {
    if (typeof prompt === 'string') return this.tokenizeSync(prompt, true);
    if (!prompt || !Array.isArray(prompt.tokens)) {
      throw new ArgumentError(`${operation}: prompt must be a string or {tokens: number[]}`);
    }
    if (prompt.tokens.length > 0) this.checkTokenIds(operation, 'prompt.tokens', prompt.tokens);
    return prompt.tokens.map((t) => t as Token);
  }

  /**
   * Evaluate `tokens` and return, for every position i ≥ `from`, the full next-token distribution after tokens[0..i].
   * Tokens before `from` already in the sequence are reused instead of re-evaluated.
   */
  private async distributionsAfter(tokens: Token[], from: number, operation: string): Promise<Map<Token, number>[]> {
    if (tokens.length === 0) throw new ArgumentError(`${operation}: the prompt is empty (no tokens to condition on)`);
    if (tokens.length > this.context.contextSize) {
      throw new ArgumentError(`${operation}: ${tokens.length} tokens exceed the context size ${this.context.contextSize}; pass a larger contextSize to loadGgufModel or shorten the prompt`);
    }
    const current = this.sequence.contextTokens;
    let common = 0;
    while (common < current.length && common < tokens.length && current[common] === tokens[common]) common++;
    const keep = Math.min(common, from);
    if (keep < current.length) await this.sequence.eraseContextTokenRanges([{ start: keep, end: current.length }]);
    const input = tokens.slice(keep).map((t, j) =>
      keep + j >= from ? [t, { generateNext: { probabilities: true, options: FULL_DISTRIBUTION } }] as const : t);
    const results = await this.sequence.controlledEvaluate(input as Parameters<LlamaContextSequence['controlledEvaluate']>[0]);
    const out: Map<Token, number>[] = [];
    for (let j = from - keep; j < input.length; j++) {
      const probs = results[j]?.next?.probabilities;
      if (!probs) throw new RuntimeFailure(`${operation}: llama.cpp returned no distribution at position ${keep + j}`);
      out.push(probs);
    }
    return out;
  }

  private entriesOf(probs: Map<Token, number>, allowed: ReadonlySet<number> | null): TokenLogprob[] {
    const entries: TokenLogprob[] = [];
    if (allowed) {
      for (const id of allowed) entries.push({ id, text: this.piece(id), logprob: Math.log(probs.get(id as Token) ?? 0) });
    } else {
      for (const [id, p] of probs) entries.push({ id, text: this.piece(id), logprob: Math.log(p) });
    }
    return entries.sort((a, b) => b.logprob - a.logprob);
  }

  private checkTokenIds(operation: string, name: string, ids: readonly number[] | undefined): Set<number> | null {
    if (ids === undefined) return null;
    const n = this.vocabularySize;
    const bad = ids.find((t) => !Number.isInteger(t) || t < 0 || t >= n);
    if (bad !== undefined) throw new ArgumentError(`${operation}: ${name} contains ${bad}, not a token id of this model (0…${n - 1})`);
    if (ids.length === 0) throw new ArgumentError(`${operation}: ${name} is empty; give at least one token id`);
    return new Set(ids);
  }

  nextTokenDistribution(prompt: Prompt, options: NextTokenDistributionOptions = {}): Promise<NextTokenDistribution> {
    checkPositiveInt('nextTokenDistribution', 'topK', options.topK);
    const allowed = this.checkTokenIds('nextTokenDistribution', 'allowedTokens', options.allowedTokens);
    const tokens = this.promptTokens(prompt, 'nextTokenDistribution');
    return this.exclusive(async () => {
      const [probs] = await this.distributionsAfter(tokens, tokens.length - 1, 'nextTokenDistribution');
      let entries = this.entriesOf(probs!, allowed);
      if (options.topK !== undefined) entries = entries.slice(0, options.topK);
      return { entries, coverage: 'full' as const, warnings: [] };
    });
  }

  continuationLogprobs(prompt: string, continuation: string, options: ContinuationOptions = {}): Promise<ContinuationLogprobs> {
    if (typeof prompt !== 'string' || typeof continuation !== 'string') {
      throw new ArgumentError('continuationLogprobs: prompt and continuation must be strings');
    }
    checkPositiveInt('continuationLogprobs', 'topLogprobs', options.topLogprobs, true);
    const alternatives = this.checkTokenIds('continuationLogprobs', 'alternatives', options.alternatives);
    const full = this.tokenizeSync(prompt + continuation, true);
    const own = this.tokenizeSync(prompt, true);
    let shared = 0;
    while (shared < own.length && shared < full.length && own[shared] === full[shared]) shared++;
    const warnings: Warning[] = [];
    if (shared === full.length) {
      return Promise.resolve({ tokens: [], total: 0, warnings: [{ type: 'other', message: 'the continuation adds no tokens' }] });
    }
    if (shared < own.length) {
      warnings.push({ type: 'approximation', message: `the prompt's last ${own.length - shared} token(s) merge with the continuation; they are scored as part of it` });
    }
    if (shared === 0) {
      // No BOS and no shared prefix: nothing conditions the first token, so it cannot be scored.
      shared = 1;
      warnings.push({ type: 'approximation', message: 'the first token has no context (model adds no BOS) and is not scored' });
    }
    return this.exclusive(async () => {
      const dists = await this.distributionsAfter(full.slice(0, full.length - 1), shared - 1, 'continuationLogprobs');
      const tokens: GeneratedToken[] = [];
      let total = 0;
      for (let i = shared; i < full.length; i++) {
        const id = full[i]!;
        const logprob = Math.log(dists[i - shared]!.get(id) ?? 0);
        total += logprob;
        const item: GeneratedToken = { id, text: this.model.detokenize([id], false, full.slice(0, i)), logprob };
        if (alternatives) item.top = this.entriesOf(dists[i - shared]!, alternatives);
        else if (options.topLogprobs) item.top = this.entriesOf(dists[i - shared]!, null).slice(0, options.topLogprobs);
        tokens.push(item);
      }
      return { tokens, total, warnings };
    });
  }

  sample(options: SampleOptions & GgufGenerationControl): Promise<GgufSampleResult> {
    const tokens = this.promptTokens(options.prompt, 'sample');
    return this.generate('sample', tokens, options, []);
  }

  chat(options: ChatOptions & GgufGenerationControl & Pick<SampleOptions, 'logitBias'>): Promise<GgufSampleResult> {
    const { tokens, stopSequences } = this.chatPrompt(options.messages);
    return this.generate('chat', tokens, { ...options, prompt: { tokens } }, stopSequences);
  }

  /** The tokens `chat` conditions on (the chat template applied to the messages) and the template's stop sequences. */
  /** @internal (node-llama-cpp token types stay out of the published declarations) */
  chatPrompt(messages: ChatOptions['messages']): { tokens: Token[]; stopSequences: Token[][] } {
    if (!Array.isArray(messages) || messages.length === 0) {
      throw new ArgumentError('chat: messages must be a non-empty array of {role, content}');
    }
    const history: ChatHistoryItem[] = messages.map((m, i) => {
      if (typeof m?.content !== 'string') throw new ArgumentError(`chat: messages[${i}].content must be a string`);
      if (m.role === 'system') return { type: 'system', text: m.content };
      if (m.role === 'user') return { type: 'user', text: m.content };
      if (m.role === 'assistant') return { type: 'model', response: [m.content] };
      throw new ArgumentError(`chat: messages[${i}].role must be "system", "user" or "assistant", got ${JSON.stringify(m.role)}`);
    });
    // The model's own chat template when its GGUF carries one; a generic template otherwise.
    const wrapper = nodeLlamaCpp!.resolveChatWrapper(this.model); // loaded: this.model came from sharedLlama
    const state = wrapper.generateContextState({ chatHistory: [...history, { type: 'model', response: [] }] });
    const tokens = state.contextText.tokenize(this.model.tokenizer);
    const stopSequences = state.stopGenerationTriggers.map((t) => t.tokenize(this.model.tokenizer));
    return { tokens, stopSequences };
  }

  private generate(operation: string, promptTokens: Token[], options: SampleOptions & GgufGenerationControl, stopSequences: Token[][]): Promise<GgufSampleResult> {
    checkPositiveInt(operation, 'maxTokens', options.maxTokens, true);
    checkPositiveInt(operation, 'topLogprobs', options.topLogprobs, true);
    if (options.maxTokens === undefined) throw new ArgumentError(`${operation}: maxTokens is required`);
    const temperature = options.temperature ?? 1;
    if (!(temperature >= 0)) throw new ArgumentError(`${operation}: temperature must be ≥ 0, got ${temperature}`);
    const allowed = this.checkTokenIds(operation, 'allowedTokens', options.allowedTokens);
    const bias = new Map<number, number>();
    for (const [key, value] of Object.entries(options.logitBias ?? {})) {
      const id = Number(key);
      this.checkTokenIds(operation, 'logitBias keys', [id]);
      if (!(Math.abs(value) <= 100)) throw new ArgumentError(`${operation}: logitBias[${key}] must be in −100…100, got ${value}`);
      bias.set(id, value);
    }
    const stop = options.stop ?? [];
    if (!Array.isArray(stop) || stop.some((s) => typeof s !== 'string' || s.length === 0)) {
      throw new ArgumentError(`${operation}: stop must be an array of non-empty strings`);
    }
    const stopCount = options.stopCount ?? 1;
    checkPositiveInt(operation, 'stopCount', stopCount);
    const stopAtEos = options.stopAtEos ?? true;
    checkTopP(operation, options.topP);
    const sampling = { temperature, topP: options.topP ?? 1 };
    const { signal, onToken } = options;
    // Greedy decoding draws nothing, so it must not advance the session stream (unseeded draws stay reproducible).
    const rng = temperature > 0 ? requestRng(options.seed, this.session) : new Rng(0);
    return this.exclusive(async () => {
      const generated: GeneratedToken[] = [];
      const ids: Token[] = [];
      let finishReason: FinishReason = 'length';
      let text = '';
      let emitted = 0;
      // (The index moves outside the optional call: `onToken?.(x[i++])` skips the increment when onToken is absent.)
      const emit = (upTo: number): void => { for (; emitted < upTo; emitted++) onToken?.(generated[emitted]!); };
      const cancelled = (): boolean => signal?.aborted === true;
      if (cancelled()) throw new GenerationCancelledError(`${operation}: cancelled before it started`);
      if (options.maxTokens === 0) return { text, tokens: generated, finishReason, warnings: [], promptTokens: promptTokens.length };
      let [probs] = await this.distributionsAfter(promptTokens, promptTokens.length - 1, operation);
      for (;;) {
        if (cancelled()) throw new GenerationCancelledError(`${operation}: cancelled after ${generated.length} token(s)`);
        const candidates = allowed ? [...allowed] : [...probs!.keys()];
        const logprobs = candidates.map((id) => Math.log(probs!.get(id as Token) ?? 0) + (bias.get(id) ?? 0));
        const id = candidates[sampleToken(logprobs, sampling, rng)]! as Token;
        if (stopAtEos && this.model.isEogToken(id)) { finishReason = 'eos'; break; }
        const item: GeneratedToken = { id, text: this.model.detokenize([id], false, [...promptTokens, ...ids]), logprob: Math.log(probs!.get(id) ?? 0) };
        if (options.topLogprobs) item.top = this.entriesOf(probs!, null).slice(0, options.topLogprobs);
        ids.push(id);
        generated.push(item);
        text += item.text;
        const hit = stop.length > 0 ? nthStopIndex(text, stop, stopCount) : -1;
        if (hit >= 0) {
          text = text.slice(0, hit);
          while (generated.length > 0 && generated.map((g) => g.text).join('').length > text.length) generated.pop();
          finishReason = 'stop';
          break;
        }
        if (stopSequences.some((seq) => seq.length > 0 && seq.length <= ids.length && seq.every((t, k) => ids[ids.length - seq.length + k] === t))) {
          const seq = stopSequences.find((s) => s.length > 0 && s.every((t, k) => ids[ids.length - s.length + k] === t))!;
          generated.splice(generated.length - seq.length);
          text = generated.map((g) => g.text).join('');
          finishReason = 'stop';
          break;
        }
        if (onToken) emit(finalTokenCount(generated, ids, stop, stopSequences));
        if (generated.length >= options.maxTokens) break;
        const all = [...promptTokens, ...ids];
        [probs] = await this.distributionsAfter(all, all.length - 1, operation);
      }
      emit(generated.length);
      return { text, tokens: generated, finishReason, warnings: [], promptTokens: promptTokens.length };
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.exclusive(async () => undefined);
    this.closed = true;
    await this.context.dispose();
    await this.model.dispose();
  }
}

/**
 * How many leading generated tokens no later stop can remove: a token is held back while the text from its start
 * could still grow into a stop string, or while it belongs to a trailing run of ids that begins a stop sequence.
 */
export function finalTokenCount(generated: readonly { text: string }[], ids: readonly number[], stop: readonly string[], stopSequences: readonly (readonly number[])[]): number {
  const text = generated.map((g) => g.text).join('');
  let held = 0;
  for (const s of stop) {
    for (let k = Math.min(s.length - 1, text.length); k > held; k--) if (text.endsWith(s.slice(0, k))) { held = k; break; }
  }
  let count = 0;
  for (let end = 0; count < generated.length && (end += generated[count]!.text.length) <= text.length - held;) count++;
  let heldIds = 0;
  for (const seq of stopSequences) {
    for (let k = Math.min(seq.length - 1, ids.length); k > heldIds; k--) {
      if (seq.slice(0, k).every((t, j) => ids[ids.length - k + j] === t)) { heldIds = k; break; }
    }
  }
  return Math.min(count, ids.length - heldIds);
}
