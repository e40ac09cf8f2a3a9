/**
 * Lossless coding of symbol streams: empirical entropy, the ideal ⌈N·H⌉ + 1 length, and a real arithmetic coder
 * (encode and decode). Shared by `bounds` (code lengths of quantised weights) and `complexity`.
 */
export {
  arithmeticEncode, arithmeticDecode, arithmeticEncodeAdaptive, arithmeticDecodeAdaptive, countsFromProbabilities, MAX_TOTAL_COUNT,
  type ArithmeticCode, type CountsAt,
} from './arithmetic.ts';
export { symbolCounts, empiricalEntropyBits, idealCodeLength } from './frequencies.ts';
export { BitWriter, BitReader } from './bits.ts';
