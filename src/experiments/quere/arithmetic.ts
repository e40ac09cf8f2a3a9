/**
 * The QueRE miniature (spec quere.md §5): two small models trained by this repository on a synthetic arithmetic chat
 * language (scripts/train-quere-models.ts, committed under models/quere/), queried through the GGUF backend exposing
 * only the first token's top-5 log-probabilities — the API setting. Tests three claims: follow-up answers predict
 * correctness (vs confidence baselines and a white-box probe), they expose a hidden adversarial prefix, and they
 * tell two models apart.
 */
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import type { Experiment, ExperimentContext, ExperimentResult, Verdict } from '../contract.ts';
import { combineOutcomes, type Outcome } from '../verdict.ts';
import { RuntimeFailure } from '../../core/index.ts';
import type { LanguageModel } from '../../llm/index.ts';
import {
  ADVERSARIAL_PREFIX, PAIR_SPLIT_SEED, TRAINED_QUESTIONS, UNSEEN_QUESTIONS, additionPairs, arithmeticTask,
  type ArithmeticItem, elicit, buildFeatures, type RawRecord, type Reading, fitAndEvaluate, type ProbeEvaluation,
  auroc, bootstrapInterval,
} from '../../quere/index.ts';

export interface QuereMetrics {
  /** Lower end of the 95% bootstrap interval of the follow-ups-only probe's AUROC. */
  followUpsAurocLo: number;
  /** Lower end of the paired-bootstrap 95% interval of AUROC(QueRE) − AUROC(answer probability); null if not computed. */
  gainOverAnswerProbabilityLo: number | null;
  /** Accuracy of the QueRE probe at detecting the hidden adversarial prefix. */
  adversarialAccuracy: number;
}

/**
 * Three criteria: follow-ups alone predict correctness (CI above 0.5), follow-ups add AUROC over the answer
 * probability (paired CI of the difference above 0), the adversarial prefix is detected with accuracy ≥ 0.9. A feature
 * superset matching its subset is not evidence and is not a criterion. All three → reproduced, none → not reproduced.
 */
export function quereVerdict(m: QuereMetrics): Verdict {
  const outcomes: Outcome[] = [
    m.followUpsAurocLo > 0.5 ? 'pass' : 'fail',
    m.gainOverAnswerProbabilityLo === null ? 'undetermined' : m.gainOverAnswerProbabilityLo > 0 ? 'pass' : 'fail',
    m.adversarialAccuracy >= 0.9 ? 'pass' : 'fail',
  ];
  return combineOutcomes(outcomes);
}

/**
 * The accuracy at telling prefixed from clean items (balanced) of a detector that sees only whether each answer is
 * right: the best of "prefixed iff wrong" and its inverse. Features that carry only correctness cannot beat it.
 */
export function correctnessOracleCeiling(cleanAccuracy: number, adversarialAccuracy: number): number {
  const a = 0.5 * (cleanAccuracy + (1 - adversarialAccuracy));
  return Math.max(a, 1 - a);
}

/**
 * Paired percentile bootstrap of AUROC(a) − AUROC(b) on the same test items: each resample draws items once and
 * scores both probes on them, so the interval is of the difference, not of two independent AUROCs.
 */
export function pairedAurocGain(labels: readonly boolean[], a: Float64Array, b: Float64Array, seed: number, samples: number) {
  const idx = Float64Array.from(labels, (_, i) => i);
  return bootstrapInterval((y, ii) => auroc(y, Float64Array.from(ii, (i) => a[i]!)) - auroc(y, Float64Array.from(ii, (i) => b[i]!)),
    labels.map((v) => (v ? 1 : 0)), idx, { seed, samples });
}

const QUESTIONS = [...TRAINED_QUESTIONS.map((q) => q.text), ...UNSEEN_QUESTIONS];

/** Paper figures (secondary summary of the NeurIPS 2025 version; unverified, spec §4). */
const PAPER = {
  correctness: 'QueRE AUROC 0.73–0.96 vs post-conf 0.79–0.92, RepE 0.66–0.70 (GSM8K, NQ, SQuAD; unverified)',
  adversarial: 'QueRE accuracy 0.87–0.93 on adversarial BoolQ (pre-conf 0.54–0.57; unverified)',
  identification: 'near-perfect model identification (unverified)',
};

const fmt = (x: number): string => x.toFixed(3);
const ci = (e: ProbeEvaluation, key: 'auroc' | 'accuracy'): string => `${fmt(e[key].estimate)} [${fmt(e[key].lo)}, ${fmt(e[key].hi)}]`;

function modelPath(name: string): string {
  // The committed demo models live at the repository root, two levels above this file.
  const p = fileURLToPath(new URL(`../../../models/quere/arith-${name}.gguf`, import.meta.url));
  if (!existsSync(p)) throw new RuntimeFailure(`quere demo: ${p} is missing; train it with 'npx tsx scripts/train-quere-models.ts'`);
  return p;
}

export async function runQuereMiniature(ctx: ExperimentContext): Promise<ExperimentResult> {
  const { openModel } = await import('../../llm/index.ts');
  const sizes = ctx.quick ? { train: 160, test: 120, adv: 80, id: 100 } : { train: 1500, test: 1000, adv: 500, id: 500 };
  const { heldOut } = additionPairs(PAIR_SPLIT_SEED);
  const items: ArithmeticItem[] = heldOut.map((p, i) => ({ ...p, id: `held-out-${i}` }));
  const correctnessItems = items.slice(0, sizes.train + sizes.test);
  const advItems = items.slice(sizes.train + sizes.test, sizes.train + sizes.test + sizes.adv);
  const totalCalls = (correctnessItems.length + 2 * advItems.length + sizes.id) * (QUESTIONS.length + 3);
  let callsBefore = 0;
  const run = async (model: LanguageModel, list: ArithmeticItem[], systemPrompt?: string, whiteBox = false): Promise<RawRecord[]> => {
    const r = await elicit(arithmeticTask, list, {
      model, questions: QUESTIONS, systemPrompt, whiteBox,
      onProgress: (p) => ctx.progress.update(callsBefore + p.callsDone, totalCalls, 'queries'),
    });
    callsBefore += list.length * (QUESTIONS.length + 3);
    return r;
  };
  const t0 = performance.now();
  const small = await openModel({ kind: 'gguf', path: modelPath('small'), threads: 1 });
  let clean: RawRecord[], adversarial: RawRecord[], advClean: RawRecord[], smallId: RawRecord[], largeId: RawRecord[];
  try {
    clean = await run(small, correctnessItems, undefined, true);
    advClean = await run(small, advItems);
    adversarial = await run(small, advItems, ADVERSARIAL_PREFIX);
    smallId = clean.slice(0, sizes.id);
  } finally {
    await small.close();
  }
  const large = await openModel({ kind: 'gguf', path: modelPath('large'), threads: 1 });
  try {
    largeId = await run(large, correctnessItems.slice(0, sizes.id));
  } finally {
    await large.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  const rate = totalCalls / seconds;

  // ---- correctness prediction, both readings ----
  const byReading: Record<Reading, ProbeEvaluation[]> = { normalized: [], reference: [] };
  let featureNames: string[] = [];
  for (const reading of ['normalized', 'reference'] as const) {
    const f = buildFeatures(clean, arithmeticTask, QUESTIONS, reading);
    featureNames = f.names;
    const y = clean.map((r) => r.correct);
    const split = { train: { X: f.X.slice(0, sizes.train), y: y.slice(0, sizes.train) }, test: { X: f.X.slice(sizes.train), y: y.slice(sizes.train) } };
    const g = f.groups;
    const unseen = g.followUps.slice(TRAINED_QUESTIONS.length);
    const specs = [
      { name: 'QueRE (all features)', columns: undefined, C: 1 },
      { name: 'follow-ups only', columns: g.followUps, C: 1 },
      { name: 'unseen questions only', columns: unseen, C: 1 },
      { name: 'answer top-5 log-probs', columns: g.topLogprobs, C: 0.1 },
      { name: 'answer probability', columns: g.answer, C: 0.1 },
      { name: 'pre-confidence', columns: g.pre, C: 0.1 },
      { name: 'post-confidence', columns: g.post, C: 0.1 },
    ];
    for (const s of specs) byReading[reading].push(fitAndEvaluate(s, split.train, split.test, { seed: ctx.seed, bootstrapSamples: ctx.quick ? 200 : 1000 }));
  }
  // White-box: the full next-token log-distribution at the answer position, a linear image of the last hidden state.
  const wb = clean.map((r) => Float64Array.from(r.nextTokenLogprobs!));
  const yAll = clean.map((r) => r.correct);
  const whiteBox = fitAndEvaluate({ name: 'white-box: full next-token log-probs', C: 0.1, standardize: true },
    { X: wb.slice(0, sizes.train), y: yAll.slice(0, sizes.train) }, { X: wb.slice(sizes.train), y: yAll.slice(sizes.train) },
    { seed: ctx.seed, bootstrapSamples: ctx.quick ? 200 : 1000 });

  // ---- adversarial system prompt detection: label 1 = hidden prefix present ----
  const advF = buildFeatures([...advClean, ...adversarial], arithmeticTask, QUESTIONS, 'normalized');
  const half = Math.floor(advItems.length / 2);
  const n = advItems.length;
  // Train on the first half of the questions (clean and prefixed), test on the other half: no question in both.
  const trIdx = [...Array(half).keys(), ...Array.from({ length: half }, (_, i) => n + i)];
  const teIdx = [...Array.from({ length: n - half }, (_, i) => half + i), ...Array.from({ length: n - half }, (_, i) => n + half + i)];
  const advY = [...advClean.map(() => 0), ...adversarial.map(() => 1)];
  const advEval = (name: string, columns?: number[], C = 1) => fitAndEvaluate({ name, columns, C },
    { X: trIdx.map((i) => advF.X[i]!), y: trIdx.map((i) => advY[i]!) }, { X: teIdx.map((i) => advF.X[i]!), y: teIdx.map((i) => advY[i]!) },
    { seed: ctx.seed, bootstrapSamples: ctx.quick ? 200 : 1000, calibrate: false });
  const adv = [advEval('QueRE (all features)'), advEval('pre-confidence', advF.groups.pre, 0.1), advEval('answer top-5 log-probs', advF.groups.topLogprobs, 0.1)];
  const advAccuracy = adversarial.filter((r) => r.correct).length / adversarial.length;
  const cleanAccuracyAdvItems = advClean.filter((r) => r.correct).length / advClean.length;

  // ---- model identification: which model produced the features on the same prompts (label 1 = large) ----
  const idF = buildFeatures([...smallId, ...largeId], arithmeticTask, QUESTIONS, 'normalized');
  const m = sizes.id, mh = Math.floor(m / 2);
  const idTr = [...Array(mh).keys(), ...Array.from({ length: mh }, (_, i) => m + i)];
  const idTe = [...Array.from({ length: m - mh }, (_, i) => mh + i), ...Array.from({ length: m - mh }, (_, i) => m + mh + i)];
  const idY = [...smallId.map(() => 0), ...largeId.map(() => 1)];
  const idEval = fitAndEvaluate({ name: 'QueRE (all features)' },
    { X: idTr.map((i) => idF.X[i]!), y: idTr.map((i) => idY[i]!) }, { X: idTe.map((i) => idF.X[i]!), y: idTe.map((i) => idY[i]!) },
    { seed: ctx.seed, bootstrapSamples: ctx.quick ? 200 : 1000, calibrate: false });

  // ---- verdict (spec §5 criteria) ----
  const N = byReading.normalized;
  const quere = N[0]!, followUps = N[1]!, unseenOnly = N[2]!, topLp = N[3]!, answerProb = N[4]!, post = N[6]!;
  const gain = pairedAurocGain(yAll.slice(sizes.train), quere.testProbabilities, answerProb.testProbabilities, ctx.seed, ctx.quick ? 200 : 1000);
  const c1 = followUps.auroc.lo > 0.5;
  const c2 = gain.lo > 0;
  const c3 = adv[0]!.accuracy.estimate >= 0.9;
  const oracleCeiling = correctnessOracleCeiling(cleanAccuracyAdvItems, advAccuracy);
  const accuracySmall = clean.filter((r) => r.correct).length / clean.length;
  const accuracyLarge = largeId.filter((r) => r.correct).length / largeId.length;
  const refQ = byReading.reference[0]!;

  const table = (evals: ProbeEvaluation[], withCal = true) => evals.map((e) => [
    e.name, e.dims, e.C, ci(e, 'auroc'), ci(e, 'accuracy'), fmt(e.f1.estimate), fmt(e.ece.estimate), withCal && e.eceCalibrated !== null ? `${fmt(e.eceCalibrated)} (${e.calibration})` : '—',
  ]);
  const columns = ['probe', 'dims', 'C', 'AUROC [95% CI]', 'accuracy [95% CI]', 'F1', 'ECE', 'ECE calibrated'];

  return {
    verdict: quereVerdict({ followUpsAurocLo: followUps.auroc.lo, gainOverAnswerProbabilityLo: gain.lo, adversarialAccuracy: adv[0]!.accuracy.estimate }),
    summary: `On ${sizes.test} held-out sums (small model right on ${(100 * accuracySmall).toFixed(0)}% of all ${clean.length}), the QueRE probe reaches AUROC ${ci(quere, 'auroc')} `
      + `vs answer top-5 log-probs ${fmt(topLp.auroc.estimate)}, post-confidence ${fmt(post.auroc.estimate)} and the white-box probe ${fmt(whiteBox.auroc.estimate)}; `
      + `follow-ups alone ${ci(followUps, 'auroc')}, the 4 never-seen questions alone ${ci(unseenOnly, 'auroc')}. `
      + `The authors' 'reference' reading gives ${fmt(refQ.auroc.estimate)}. A hidden "S:bad" prefix (answers then right ${(100 * advAccuracy).toFixed(0)}% vs ${(100 * cleanAccuracyAdvItems).toFixed(0)}% clean) is detected with accuracy ${ci(adv[0]!, 'accuracy')}; a detector that sees only whether each answer is right would reach ${fmt(oracleCeiling)} `
      + `(pre-confidence alone ${fmt(adv[1]!.accuracy.estimate)}); the two models are told apart with accuracy ${ci(idEval, 'accuracy')}. `
      + `Criteria: follow-ups alone above chance (AUROC 95% CI above 0.5) ${c1 ? 'yes' : 'no'}; follow-ups add AUROC over the answer probability (QueRE − answer probability ${fmt(gain.estimate)}, paired-bootstrap 95% CI [${fmt(gain.lo)}, ${fmt(gain.hi)}], must lie above 0) ${c2 ? 'yes' : 'no'}; adversarial accuracy ≥ 0.9 ${c3 ? 'yes' : 'no'}. QueRE vs the top-5 log-prob baseline (${fmt(quere.auroc.estimate)} vs ${fmt(topLp.auroc.estimate)}) is shown but is not evidence: the QueRE features contain the baseline's. `
      + `Paper (unverified): ${PAPER.correctness}; ${PAPER.adversarial}; ${PAPER.identification}.`,
    setup: `Models: models/quere/arith-small.gguf and arith-large.gguf, Llama-layout character transformers trained by scripts/train-quere-models.ts on two-digit addition (answers written least-significant digit first) with truthful y/n verification lines and adversarial "S:bad" lines; held-out pairs never seen in training. `
      + `Each item: greedy answer, pre-confidence (?can, never trained), post-confidence (?ok), ${QUESTIONS.length} follow-ups (${TRAINED_QUESTIONS.length} trained + ${UNSEEN_QUESTIONS.length} never seen), reading only the first token's top-5 log-probabilities through node-llama-cpp (1 thread): ${totalCalls} calls in ${seconds.toFixed(1)} s (${rate.toFixed(0)} calls/s). `
      + `Probes: L2 logistic regression, balanced classes, C = 1 for QueRE and 0.1 for baselines (paper); calibration (Platt or isotonic, chosen by cross-validated Brier score on out-of-fold training predictions). Correctness: ${sizes.train} train / ${sizes.test} test items${ctx.quick ? ' (quick run; the full run uses 1500/1000)' : ''}. `
      + `Adversarial: ${advItems.length} questions asked with and without the prefix, split by question. Identification: ${sizes.id} shared questions per model (small right ${(100 * accuracySmall).toFixed(0)}%, large ${(100 * accuracyLarge).toFixed(0)}%).`,
    metrics: {
      quere_auroc: quere.auroc.estimate, followups_auroc: followUps.auroc.estimate, followups_auroc_ci_lo: followUps.auroc.lo,
      unseen_questions_auroc: unseenOnly.auroc.estimate, top5_logprob_auroc: topLp.auroc.estimate, post_conf_auroc: post.auroc.estimate,
      white_box_auroc: whiteBox.auroc.estimate, reference_reading_auroc: refQ.auroc.estimate,
      quere_ece: quere.ece.estimate, quere_ece_calibrated: quere.eceCalibrated,
      auroc_gain_over_answer_probability: gain.estimate, auroc_gain_ci_lo: gain.lo,
      adversarial_accuracy: adv[0]!.accuracy.estimate, adversarial_correctness_oracle_ceiling: oracleCeiling, model_id_accuracy: idEval.accuracy.estimate,
      calls_per_second: rate,
    },
    reference: {
      quere_auroc: '0.73–0.96 (paper: GSM8K, NQ, SQuAD with LLaMA/GPT models; secondary summary, unverified)', followups_auroc: null, followups_auroc_ci_lo: '> 0.5 (target: above chance)', unseen_questions_auroc: 'random questions come close (paper; unverified)',
      top5_logprob_auroc: 'full logits 0.53–0.60 (paper; unverified)', post_conf_auroc: '0.79–0.92 (paper; unverified)', white_box_auroc: 'RepE 0.66–0.70 (paper; unverified)', reference_reading_auroc: null,
      quere_ece: null, quere_ece_calibrated: null, auroc_gain_over_answer_probability: null, auroc_gain_ci_lo: '> 0 (target)', adversarial_correctness_oracle_ceiling: null,
      adversarial_accuracy: '0.87–0.93 (paper: adversarial BoolQ, secondary summary, unverified); ≥ 0.9 (target)', model_id_accuracy: 'near 1 (paper; unverified)', calls_per_second: null,
    },
    figures: [{
      id: 'quere-auroc', title: 'Correctness prediction on held-out sums (AUROC)', kind: 'bar', xLabel: 'probe', yLabel: 'AUROC',
      categories: [...N.map((e) => e.name), whiteBox.name],
      series: [{ name: 'normalized reading', x: [...N.keys(), N.length], y: [...N.map((e) => e.auroc.estimate), whiteBox.auroc.estimate] },
        { name: 'reference reading', x: [...byReading.reference.keys()], y: byReading.reference.map((e) => e.auroc.estimate) }],
      caption: 'Black-box follow-up features against confidence baselines and a white-box probe; 0.5 is chance.',
    }],
    tables: [
      { title: 'Correctness prediction (normalized reading)', columns, rows: [...table(N), ...table([whiteBox])] },
      { title: 'Correctness prediction (reference reading)', columns, rows: table(byReading.reference) },
      { title: 'Adversarial prefix detection and model identification', columns, rows: [...table(adv, false).map((r) => ['adversarial: ' + r[0], ...r.slice(1)]), ...table([idEval], false).map((r) => ['model id: ' + r[0], ...r.slice(1)])] },
      { title: 'Feature columns', columns: ['index', 'feature'], rows: featureNames.map((n, i) => [i, n]) },
    ],
  };
}

export const quereExperiment: Experiment = {
  name: 'quere-arithmetic',
  system: 'quere',
  paper: 'Sam, Finzi & Kolter, Predicting the Performance of Black-box LLMs through Self-Queries (arXiv 2501.01558, 2025)',
  claim: 'Linear probes on a model\'s yes/no answers to follow-up questions predict whether its answer is right, detect a hidden adversarial instruction, and tell two models apart, using only top-5 log-probabilities.',
  budgetSeconds: { full: 90, quick: 20 },
  command: 'strata demo --only quere-arithmetic',
  run: runQuereMiniature,
};
