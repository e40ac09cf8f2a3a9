/** What complexity reuses from bounds (its coder and bound formulas) and core, in one place. */
export { arithmeticEncodeAdaptive, arithmeticDecodeAdaptive, countsFromProbabilities, klBound, occamBound as hoeffdingOccam } from '../bounds/index.ts';
export { RuntimeFailure } from '../core/index.ts';
