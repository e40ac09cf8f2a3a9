/**
 * Experiments for the runner's worker-process tests, imported by the workers themselves (by module URL): the
 * report fixtures, one `exclusive` experiment, one that kills its own process, and one that reports what it saw.
 */
import type { Experiment } from '../../src/experiments/contract.ts';
import { barFixture, fixtureExperiments } from '../report/fixtures.ts';

/** Reports the context it ran with and the process it ran in, as metrics. */
export const contextProbe: Experiment = {
  ...barFixture,
  name: 'fixture-context-probe',
  async run(ctx) {
    const result = await barFixture.run(ctx);
    return { ...result, metrics: { ...result.metrics, seed: ctx.seed, quick: String(ctx.quick), data: ctx.sharedDataDir, nan: Number.NaN, inf: -Infinity } };
  },
};

export const timedFixture: Experiment = { ...barFixture, name: 'fixture-timed', exclusive: true };

/** Ends its worker process mid-run, as a native abort would. */
export const crashingFixture: Experiment = {
  ...barFixture,
  name: 'fixture-crashes',
  async run(ctx) {
    ctx.progress.log('about to exit');
    process.exit(3);
  },
};

export const workerExperiments: Experiment[] = [...fixtureExperiments, contextProbe, timedFixture, crashingFixture];
