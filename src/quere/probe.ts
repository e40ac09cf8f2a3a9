/**
 * Fit a probe on training features, calibrate it, and evaluate it on test features with bootstrap intervals — the
 * one procedure behind `strata quere fit/evaluate`, the adversarial and model-identification tasks, and the demo.
 * Calibration uses out-of-fold predictions on the training set (held out from the probe that made them), so the
 * test set is touched only for the final numbers.
 */
import { ArgumentError } from '../core/index.ts';
import { chooseCalibrator, type Calibrator } from './calibration.ts';
import { evaluatePredictions, toLabels, type Interval, type Labels } from './metrics.ts';
import { LogisticProbe, checkBothClasses, stratifiedFolds, type LogisticOptions, type Matrix } from './predictors/logistic.ts';
import { selectColumns } from './features.ts';

export interface ProbeEvaluation {
  name: string;
  dims: number;
  C: number;
  auroc: Interval;
  accuracy: Interval;
  f1: Interval;
  /** ECE of the raw probe on the test set, and after calibration. */
  ece: Interval;
  eceCalibrated: number | null;
  calibration: Calibrator['method'] | null;
  probe: LogisticProbe;
  calibrator: Calibrator | null;
  testProbabilities: Float64Array;
}

export interface ProbeSpec {
  name: string;
  /** Columns of the feature matrix this probe sees (all when absent). */
  columns?: readonly number[];
  C?: number;
  standardize?: boolean;
}

/** Out-of-fold probabilities on the training set (each item predicted by a probe that did not see it). */
function outOfFold(X: Matrix, y: Uint8Array, options: LogisticOptions, folds: number, seed: number): Float64Array {
  const fold = stratifiedFolds(y, folds, seed);
  const out = new Float64Array(y.length);
  for (let k = 0; k < folds; k++) {
    const tr: number[] = [], te: number[] = [];
    for (let i = 0; i < y.length; i++) (fold[i] === k ? te : tr).push(i);
    const trY = tr.map((i) => y[i]!);
    if (te.length === 0 || trY.every((v) => v === trY[0])) continue;
    const p = new LogisticProbe(options).fit(tr.map((i) => X[i]!), trY).predictProba(te.map((i) => X[i]!));
    te.forEach((i, j) => { out[i] = p[j]!; });
  }
  return out;
}

export function fitAndEvaluate(
  spec: ProbeSpec,
  train: { X: Matrix; y: Labels },
  test: { X: Matrix; y: Labels },
  options: { seed?: number; bootstrapSamples?: number; calibrate?: boolean } = {},
): ProbeEvaluation {
  const seed = options.seed ?? 0;
  const ytr = toLabels(`probe '${spec.name}'`, train.y, train.X.length);
  const yte = toLabels(`probe '${spec.name}'`, test.y, test.X.length);
  checkBothClasses(`probe '${spec.name}' (training labels)`, ytr);
  const pick = (X: Matrix): Matrix => (spec.columns ? selectColumns(X as Float64Array[], spec.columns) : X);
  const Xtr = pick(train.X), Xte = pick(test.X);
  if (Xtr[0]!.length === 0) throw new ArgumentError(`probe '${spec.name}': no feature columns selected`);
  const probeOptions: LogisticOptions = { C: spec.C ?? 1, standardize: spec.standardize ?? false };
  const probe = new LogisticProbe(probeOptions).fit(Xtr, ytr);
  const p = probe.predictProba(Xte);
  const m = evaluatePredictions(yte, p, { seed, samples: options.bootstrapSamples ?? 1000 });
  let calibrator: Calibrator | null = null, eceCalibrated: number | null = null;
  if (options.calibrate ?? true) {
    const oof = outOfFold(Xtr, ytr, probeOptions, 5, seed);
    calibrator = chooseCalibrator(ytr, oof, { seed }).calibrator;
    const q = calibrator.apply(p);
    eceCalibrated = evaluatePredictions(yte, q, { seed, samples: 10 }).ece.estimate;
  }
  return {
    name: spec.name, dims: Xtr[0]!.length, C: probeOptions.C!, auroc: m.auroc, accuracy: m.accuracy, f1: m.f1, ece: m.ece,
    eceCalibrated, calibration: calibrator?.method ?? null, probe, calibrator, testProbabilities: p,
  };
}
