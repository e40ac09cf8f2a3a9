/**
 * strata/nn structured linear layers — "Compute Better Spent" (Qiu et al., ICML 2024) and "Searching for Efficient
 * Linear Layers over a Continuous Space of Structured Matrices" (Potapczynski et al., NeurIPS 2024); spec nn.
 * Each constructor returns an immutable layer description with `init(rng)` → parameter tree and
 * `apply(params, x)`; `toDense(params)` is the reference matrix; `factors` carry the fan-in/out that drive µP init
 * and the structure-aware learning rates of `lrMultipliers`.
 */
export {
  type StructuredLayer, type StructuredParams, type FactorInfo, type StructureKind, type CommonOptions, type InitMode, type AuxLosses,
  muPStd, initStd, countMatmulMacs,
} from './layer.ts';
export { factorize, primeFactors } from './factorize.ts';
export type { StructureWarning } from './warnings.ts';
export { dense } from './dense.ts';
export { lowRank, type LowRankOptions } from './low-rank.ts';
export { kronecker } from './kronecker.ts';
export { tensorTrain as tt, tensorTrain, type TensorTrainOptions } from './tensor-train.ts';
export { monarch, type MonarchOptions } from './monarch.ts';
export { btt, type BttOptions } from './btt.ts';
export { einsumLayer as einsum, einsumLayer, type EinsumOptions } from './einsum-layer.ts';
export { bttMoE, createAuxCollector, GATE_EPS, type BttMoELayer, type BttMoEOptions, type AuxCollector } from './btt-moe.ts';
export { checkTheta, thetaSizes, MAX_PAD_FRACTION, THETA_SUM_TOLERANCE, type Theta, type ThetaSizes } from './theta.ts';
export { taxonomy, numericRank, type Taxonomy } from './taxonomy.ts';
export { NAMED_THETAS } from './named-thetas.ts';
export { makeLayer, parseStructure, STRUCTURE_NAMES, type StructureSpec } from './registry.ts';
export { replaceLinears, layerAt, type LayerTable, type ReplaceOptions } from './replace.ts';
export { lrMultipliers, factorMultipliers, type LrMultiplierOptions } from './mup.ts';
export { asOperator } from './operator.ts';
