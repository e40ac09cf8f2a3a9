/**
 * The demo's public face for `cli` and `report`: the experiment contract, the registry, the runner, the
 * `results.json` types, and the experiment helpers the CLI's own subcommands reuse (the linalg benchmark table,
 * the structured-layer sweeps).
 */
export type {
  SystemName, Verdict, ProgressSink, ExperimentContext, Series, Figure, Table, ExperimentResult, Experiment,
} from './contract.ts';
export { resultsSchema, type ExperimentRecord, type EnvironmentInfo, type DemoResults } from './results.ts';
export { experiments } from './registry.ts';
/** Where demo worker processes import the shipped registry from (they cannot be handed the experiment objects). */
export const registryModule = { module: new URL('./registry.ts', import.meta.url).href, exportName: 'experiments' } as const;
export {
  selectExperiments, runExperiments, runOne, experimentContext, scheduleOrder, environmentInfo, type RunHooks, type RunOptions,
  type RegistryRef, type Outcome,
} from './runner.ts';
export { checkExperimentResult } from './validate.ts';
export { repoRoot, findSharedDataDir } from './paths.ts';
export { runBenchmarks, scipyTimes, type BenchRow } from './linalg/benchmarks.ts';
export { structuredScalingExperiment, runScalingSweep, summarise, type SweepConfig, type SweepRow } from './nn/structured-scaling.ts';
export { structuredLrTransferExperiment } from './nn/structured-lr-transfer.ts';
export { structuredEinsumSweepExperiment } from './nn/structured-einsum-sweep.ts';
export { structuredMoeExperiment } from './nn/structured-moe.ts';
export { SYSTEMS, simulateRows, spikeEvent, destandardise, type SystemData } from './diffusion/fhn-data.ts';
export { loadBoundsCorpus, VOCAB_SIZE } from './bounds/data.ts';
export { charMlpInit, predictDocument } from './bounds/char-mlp.ts';
export { runVariant, type MiniatureSettings } from './bounds/miniature.ts';
export { compressionExperiment, compressionVerdict, loadText, measureCompression } from './complexity/compression.ts';
export { labelCompressionExperiment } from './complexity/label-compression.ts';
export { polynomialExperiment } from './complexity/polynomial.ts';
export { simplicityExperiment } from './complexity/simplicity.ts';
