/**
 * Every system's miniature experiment, run in this order by `strata demo` (= `npm start`). A system's issue adds its
 * experiment here with one import and one entry; only real experiments belong in this list (test fixtures live in
 * the tests).
 */
import type { Experiment } from '../core/experiment.ts';
import { charLmExperiment } from '../nn/experiments/charlm.ts';
import { digitsExperiment } from '../nn/experiments/digits.ts';
import { forecastExperiment } from '../forecast/experiment.ts';
import { quereExperiment } from '../quere/experiment.ts';
import { linalgExperiment } from '../linalg/experiment.ts';
import { structuredScalingExperiment } from '../nn/experiments/structured-scaling.ts';
import { structuredLrTransferExperiment } from '../nn/experiments/structured-lr-transfer.ts';
import { structuredEinsumSweepExperiment } from '../nn/experiments/structured-einsum-sweep.ts';
import { structuredMoeExperiment } from '../nn/experiments/structured-moe.ts';

export const experiments: Experiment[] = [digitsExperiment, charLmExperiment, forecastExperiment, quereExperiment, linalgExperiment, structuredScalingExperiment, structuredLrTransferExperiment, structuredEinsumSweepExperiment, structuredMoeExperiment];
