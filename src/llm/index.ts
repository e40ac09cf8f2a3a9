/**
 * `strata/llm`: language-model backends behind one interface, an OpenAI-compatible server, a query cache, and
 * GGUF reading, validation and writing.
 */
export type {
  LanguageModel, LanguageModelCapabilities, Warning, TokenLogprob, GeneratedToken, Prompt, NextTokenDistribution,
  NextTokenDistributionOptions, ContinuationLogprobs, ContinuationOptions, SampleOptions, SampleResult, FinishReason, ChatMessage,
  ChatOptions, ChatResult,
} from './language-model.ts';
export {
  InvalidGgufError, ModelNotFoundError, UnsupportedCapabilityError, ApiCallError, ServerUnreachableError,
  InvalidResponseError, InsecureConnectionError, CacheMissError, isRetryableStatus,
} from './errors.ts';
export { OptionalDependencyError } from './optional.ts';

export { openModel, modelIdentity, resolveApiKey, detectCapabilities } from './open.ts';
export type { ModelSpec, GgufModelSpec, HttpModelSpec, OpenModelOptions } from './open.ts';

export { loadGgufModel, GgufLanguageModel } from './backends/gguf.ts';
export { ggufIdentity } from './backends/gguf-identity.ts';
export type { GgufModelOptions } from './backends/gguf.ts';
export { createOpenAiHttpModel, OpenAiHttpLanguageModel, openAiHttpIdentity } from './backends/openai-http.ts';
export type { OpenAiHttpOptions } from './backends/openai-http.ts';
export { DEFAULT_RETRY_POLICY, parseRetryAfter, backoffDelay, redact } from './backends/http-client.ts';
export type { RetryPolicy, WaitEvent, HttpClock } from './backends/http-client.ts';

export { startServer } from './server.ts';
export type { StartServerOptions, RunningServer } from './server.ts';
export { QueryCache, withCache, replayModel, cacheKey, storedRequest, isCachedBy, ensureCacheDirectory } from './cache.ts';
export type { CacheStats, CachedModelOptions, CachedLanguageModel, ModelCard } from './cache.ts';
export { scoreOptions } from './score-options.ts';
export type { OptionScore } from './score-options.ts';
export { sampleToken, requestRng, checkTopP } from './sampling.ts';
export type { TokenSamplingOptions } from './sampling.ts';

export { readGguf, readGgufHeader, ggufMetadataValue, ggufTensorToFloat32, validateForLlamaCpp } from './gguf/reader.ts';
export type { GgufHeader, GgufFile, GgufTensorInfo } from './gguf/reader.ts';
export { writeGguf, encodeGguf } from './gguf/writer.ts';
export type { GgufTensorInput, GgufWriteInput } from './gguf/writer.ts';
export { gguf, GGML_TYPES } from './gguf/format.ts';
export type { GgufValue, GgufScalarType } from './gguf/format.ts';
export { characterVocabulary, llamaGgufMetadata, llamaGgufTensors, TOKEN_TYPE, SPM_SPACE } from './gguf/llama-model.ts';
export type { LlamaVocabulary, LlamaGgufConfig, LlamaWeights, LlamaBlockWeights } from './gguf/llama-model.ts';
