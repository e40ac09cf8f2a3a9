/**
 * strata/complexity — building blocks for "The No Free Lunch Theorem, Kolmogorov Complexity, and the Role of
 * Inductive Biases in Machine Learning" (Goldblum, Finzi, Rowan, Wilson; ICML 2024): compressed sizes of real vs
 * shuffled vs random data, the counting bound, label compression with a model's arithmetic code, Occam bounds.
 */
export { compressedBits, shuffleSymbols, alphabetOf, uniformSymbols, unigramEntropy, compressibleFraction, type Codec } from './compression.ts';
export { labelCodeLength, type LabelCode } from './labels.ts';
export { occamBound } from './occam.ts';
export { fitPolynomial, evalPolynomial, polyExperiment, POLY_TARGETS, type PolyTarget, type PolyLearner, type PolyCell } from './poly.ts';
export { lstsqMinNorm } from './lstsq.ts';
export { mdl, binaryMdlCounts, randomInitChain, sampleFullContext, simplicityHistogram, GPT_NANO, type GptConfig } from './simplicity.ts';
