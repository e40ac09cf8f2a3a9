/**
 * strata/nn — layers as (init, apply) function pairs over plain parameter trees, activations and losses, a
 * Llama-layout decoder transformer, and checkpoints in the safetensors layout.
 */
export { relu, gelu, silu, tanh, sigmoid, sin, softmax, logSoftmax, crossEntropy, mse, dropout, accuracy } from './functional.ts';
export {
  linear, linearInit, embedding, embeddingInit, layerNorm, layerNormInit, rmsNorm, rmsNormInit, mlp, mlpInit, ACTIVATIONS,
  type LinearParams, type EmbeddingParams, type NormParams, type MlpParams, type Activation,
} from './layers.ts';
export {
  transformer, transformerInit, causalSelfAttention, languageModelLoss, countParams, validateConfig,
  type TransformerConfig, type TransformerParams, type BlockParams,
} from './transformer.ts';
export { saveParams, loadParams, serializeParams, deserializeParams } from './checkpoint.ts';
export { transformerToLlama, exportTransformerGguf, llamaConfigFor, loadTransformerGguf } from './llama-export.ts';
export * as structured from './structured/index.ts';
// The structured-layer entry points other modules use, also flat (the rest stay under `structured.`, where names such
// as `dense` or `einsum` cannot be mistaken for linalg's or core's).
export {
  makeLayer, parseStructure, STRUCTURE_NAMES, NAMED_THETAS, taxonomy, lrMultipliers, replaceLinears, layerAt, bttMoE,
  createAuxCollector, type StructureSpec, type StructuredLayer, type StructuredParams, type LayerTable,
} from './structured/index.ts';
