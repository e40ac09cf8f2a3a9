/**
 * strata/diffusion — diffusion models for physical dynamical systems: noise schedules, denoising score matching,
 * reverse-SDE and probability-flow samplers, event-conditioned sampling with uncertainty and event log-probabilities
 * (Finzi, Boral, Wilson, Sha, Zepeda-Núñez, ICML 2023), and batched simulators of the paper's systems.
 */
export * as schedules from './schedules.ts';
export { ve, vp, marginalStd, timeGrid, type Schedule } from './schedules.ts';
export {
  type ScoreFn, type GaussianData, type IsotropicMixture, gaussian, ar1Covariance, gaussianScore, gaussianLogDensity,
  gaussianSample, isotropicMixture, mixtureScore,
} from './score.ts';
export { sampleSDE, samplePFODE, pfVelocity, priorSample, type SamplerOptions } from './samplers.ts';
export {
  eventScore, guidanceScore, inpaintScore, tweedieMean, eventLogLikelihood, type EventFn, type EventScoreOptions,
} from './events.ts';
export {
  logDensity, eventLogProb, scoreJacobianTrace, scoreJacobianTraceHutchinson, type LogDensityOptions,
  type LogDensityResult, type EventLogProbResult,
} from './logprob.ts';
export { trainScore, networkScore, saveScore, loadScore, scheduleFromConfig, type TrainOptions, type TrainedScore, type ScoreNetConfig } from './train.ts';
export { erfc, ndtr, logNdtr, logNdtrT, logSigmoid } from './special.ts';
export { ks2, kolmogorovQ, meanStderr, type KsResult } from './stats.ts';
export { systems, sho, pendulum, lorenz, fitzhughNagumo, integrate, type DynamicalSystem, type Trajectories, type BatchRhs } from './systems/index.ts';
export {
  pullback, sds, pullbackSample, sdsOptimize, pulledBackSolve, fitRender, identityRep, panoramaRep, sirenRep,
  type Diffrep, type PullbackOptions, type PullbackResult, type SdsOptions,
} from './diffreps.ts';
