/**
 * strata/bounds — compression-based generalisation bounds for language models (Lotfi et al., ICML 2024):
 * subspace / LoRA / SubLoRA parameterisations, quantisation and arithmetic coding of the trained coordinates,
 * and the document-level bound with subsampling, in one call `computeBound(model, documents, options)`.
 */
export * from './coding/index.ts';
export * as projectors from './projectors.ts';
export { type Projector, type ProjectorOptions, type KronQRFactors } from './projectors.ts';
export { subspace, fullParameters, type Parameterisation } from './parameterisation.ts';
export { lora, type Lora, type LoraOptions, type LoraFactors } from './lora.ts';
export { trainCoordinates, type TrainOptions, type TrainResult } from './train.ts';
export { quantize, type Quantized, type QuantizeOptions } from './quantize.ts';
export { roundFloat16 } from './float16.ts';
export { codeLength, rawCodeLength, type CodeLength } from './code-length.ts';
export {
  ALPHA_GRID, TOP_K_GRID, occamBound, subsamplingBound, klBound, binaryKl, klInverseUpper, smoothingRange, smoothedLogLoss,
  randomGuess, alphaSelectionBits, selectionBits, type BoundTerms,
} from './formulas.ts';
export {
  computeBound, documentStats, type BoundModel, type BoundReport, type BoundRow, type ComputeBoundOptions, type DocumentStats,
  type DocumentStatsStore,
} from './evaluate.ts';
