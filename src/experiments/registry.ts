/**
 * Every system's miniature experiment, run in this order by `strata demo` (= `npm start`). A system's issue adds its
 * experiment here with one import and one entry; only real experiments belong in this list (test fixtures live in
 * the tests).
 */
import type { Experiment } from './contract.ts';
import { charLmExperiment } from './nn/charlm.ts';
import { digitsExperiment } from './nn/digits.ts';
import { forecastExperiment } from './forecast/llmtime.ts';
import { quereExperiment } from './quere/arithmetic.ts';
import { linalgExperiment } from './linalg/cola-structure.ts';
import { structuredScalingExperiment } from './nn/structured-scaling.ts';
import { structuredLrTransferExperiment } from './nn/structured-lr-transfer.ts';
import { structuredEinsumSweepExperiment } from './nn/structured-einsum-sweep.ts';
import { eventSamplingExperiment } from './diffusion/event-sampling.ts';
import { learnedScoreExperiment } from './diffusion/learned-score.ts';
import { diffrepsExperiment } from './diffusion/diffreps.ts';
import { structuredMoeExperiment } from './nn/structured-moe.ts';
import { pdeExperiment } from './pde/neural-ivp.ts';
import { boundsExperiment } from './bounds/sublora-bounds.ts';
import { compressionExperiment } from './complexity/compression.ts';
import { labelCompressionExperiment } from './complexity/label-compression.ts';
import { polynomialExperiment } from './complexity/polynomial.ts';
import { simplicityExperiment } from './complexity/simplicity.ts';

export const experiments: Experiment[] = [digitsExperiment, charLmExperiment, forecastExperiment, quereExperiment, linalgExperiment, structuredScalingExperiment, structuredLrTransferExperiment, structuredEinsumSweepExperiment, structuredMoeExperiment, eventSamplingExperiment, learnedScoreExperiment, diffrepsExperiment, pdeExperiment, boundsExperiment, compressionExperiment, labelCompressionExperiment, polynomialExperiment, simplicityExperiment];
