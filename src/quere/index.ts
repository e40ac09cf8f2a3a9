/**
 * `strata/quere`: predicting a black-box language model's behaviour from its answers to follow-up yes/no questions
 * (QueRE; Sam, Finzi & Kolter 2025). Spec: ../shared/specs/quere.md.
 */
export { QUERE_BATTERY, makeBattery, batteryFingerprint, checkSameBattery } from './battery.ts';
export type { Battery } from './battery.ts';
export { TASKS, boolqTask, csqaTask, nqTask, haluevalTask, PAPER_STYLE, ENGLISH_YES_NO } from './tasks.ts';
export type { Task, ConversationStyle, YesNoWords } from './tasks.ts';
export { gradeYesNo, gradeChoiceLetter, gradeOpenAnswer, normalizeAnswer } from './grading.ts';
export type { Compat } from './grading.ts';
export { loadBoolq, loadCsqa, loadNq, loadHalueval, loadDataset, DATASET_NAMES, DATASET_FILES } from './datasets.ts';
export type { BoolqItem, CsqaItem, NqItem, HaluevalItem, DatasetName } from './datasets.ts';
export { elicit, planElicitation, conversations } from './elicit.ts';
export type { ElicitOptions, ElicitProgress, ElicitPlan } from './elicit.ts';
export { yesNoProbability, answerProbabilities, buildFeatures, selectColumns, samplingApproximation } from './features.ts';
export type { Reading, YesNoReading, RawRecord, FeatureMatrix } from './features.ts';
export { writeFeatureFile, readFeatureFile, FEATURE_FILE_FORMAT } from './feature-file.ts';
export type { FeatureFileHeader } from './feature-file.ts';
export { LogisticProbe, selectC, stratifiedFolds } from './predictors/logistic.ts';
export type { LogisticOptions, FitInfo, CrossValidationResult } from './predictors/logistic.ts';
export { fitPlatt, fitIsotonic, chooseCalibrator, calibratorFromJSON } from './calibration.ts';
export type { Calibrator, CalibrationMethod, CalibrationChoice } from './calibration.ts';
export { auroc, accuracy, f1, ece, bootstrapInterval, evaluatePredictions } from './metrics.ts';
export type { Interval, EceOptions, BootstrapOptions, Labels } from './metrics.ts';
export { fitAndEvaluate } from './probe.ts';
export type { ProbeEvaluation, ProbeSpec } from './probe.ts';
export { ADVERSARIAL_PROMPTS } from './adversarial.ts';
export { arithmeticTask, additionPairs, TRAINED_QUESTIONS, UNSEEN_QUESTIONS, ADVERSARIAL_PREFIX, PAIR_SPLIT_SEED, type ArithmeticItem } from './arithmetic.ts';
