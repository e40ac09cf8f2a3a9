/** strata/optim — one optimizer (SGD / Adam / AdamW settings), per-parameter learning-rate multipliers, schedules. */
export { Optimizer, sgd, adam, adamw, type OptimizerOptions, type StepInfo } from './optimizer.ts';
export { constant, cosineSchedule, linearWarmup, type Schedule } from './schedules.ts';
