/**
 * From raw top-k log-probabilities to the QueRE feature vector (spec quere.md §2.2, §2.5):
 *   [follow-up P(yes) (N)] ⊕ answer probabilities ⊕ pre-confidence ⊕ post-confidence ⊕ sorted top-5 log-probs.
 * Two readings of a top-k list: 'normalized' (default, correct) and 'reference' (the authors' reader, bit for bit).
 */
import { Rng, ArgumentError } from '../core/index.ts';
import type { TokenLogprob } from '../llm/index.ts';
import type { Task, YesNoWords } from './tasks.ts';

export type Reading = 'normalized' | 'reference';

export interface YesNoReading {
  /** P(yes) normalised over the yes and no classes. */
  p: number;
  /** Neither class appeared in the top-k: p is 0.5 and carries no information. */
  missing: boolean;
}

function checkTop(operation: string, top: readonly TokenLogprob[]): void {
  if (!Array.isArray(top)) throw new ArgumentError(`${operation}: expected an array of {text, logprob}`);
  top.forEach((t, i) => {
    if (typeof t?.text !== 'string' || typeof t.logprob !== 'number' || Number.isNaN(t.logprob) || t.logprob > 1e-9) {
      throw new ArgumentError(`${operation}: entry ${i} must be {text: string, logprob: number ≤ 0}, got ${JSON.stringify(t)}`);
    }
  });
}

const logSumExp = (xs: number[]): number => {
  const m = Math.max(...xs);
  return m === -Infinity ? -Infinity : m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
};

/**
 * Normalised class probabilities from a top-k list: each class's log-probability is the log-sum-exp over the tokens
 * that spell it; a class absent from the top-k gets the smallest listed log-probability (an upper bound on its
 * true value); if every class is absent the result is uniform and flagged missing.
 */
function classProbabilities(top: readonly TokenLogprob[], classes: readonly (readonly string[])[]): { p: number[]; missing: boolean } {
  const floor = top.length > 0 ? Math.min(...top.map((t) => t.logprob)) : -Infinity;
  const logs = classes.map((words) => {
    const set = new Set(words.map((w) => w.trim().toLowerCase()));
    const hits = top.filter((t) => set.has(t.text.trim().toLowerCase())).map((t) => t.logprob);
    return hits.length > 0 ? logSumExp(hits) : null;
  });
  if (logs.every((l) => l === null || l === -Infinity)) return { p: classes.map(() => 1 / classes.length), missing: true };
  const filled = logs.map((l) => l ?? floor);
  const z = logSumExp(filled);
  return { p: filled.map((l) => Math.exp(l - z)), missing: false };
}

/**
 * P(yes) from the first generated token's top-k list.
 *  'normalized': Σ p(tokens spelling yes) / (that + Σ p(tokens spelling no)), spellings compared trimmed and lower case.
 *  'reference': the authors' reader — log-probs of tokens *containing* "yes" (else "no") are summed (probabilities
 *  multiplied) starting from 0, so an absent class counts as probability 1; `exp(ly) / (exp(ly) + exp(ln))`.
 */
export function yesNoProbability(top: readonly TokenLogprob[], reading: Reading = 'normalized', words: YesNoWords = { yes: ['yes'], no: ['no'] }): YesNoReading {
  checkTop('yesNoProbability', top);
  if (reading === 'reference') {
    let ly = 0, ln = 0;
    const yes = words.yes.map((w) => w.toLowerCase()), no = words.no.map((w) => w.toLowerCase());
    for (const t of top) {
      const s = t.text.toLowerCase();
      if (yes.some((w) => s.includes(w))) ly += t.logprob;
      else if (no.some((w) => s.includes(w))) ln += t.logprob;
    }
    const m = Math.max(ly, ln);
    return { p: Math.exp(ly - m) / (Math.exp(ly - m) + Math.exp(ln - m)), missing: false };
  }
  if (reading !== 'normalized') throw new ArgumentError(`yesNoProbability: reading must be 'normalized' or 'reference', got ${JSON.stringify(reading)}`);
  const r = classProbabilities(top, [words.yes, words.no]);
  return { p: r.p[0]!, missing: r.missing };
}

/**
 * Probabilities of the answer options from the answer's first-token top-k.
 *  'normalized': per option, the tokens equal to it (trimmed, case-insensitive), normalised as in `yesNoProbability`.
 *  'reference': per option, the sum of log-probs of tokens *containing* it (case-sensitive), starting at 0; softmax.
 */
export function answerProbabilities(top: readonly TokenLogprob[], options: readonly string[], reading: Reading = 'normalized'): { p: number[]; missing: boolean } {
  checkTop('answerProbabilities', top);
  if (reading === 'reference') {
    const logs = options.map((o) => top.filter((t) => t.text.includes(o)).reduce((s, t) => s + t.logprob, 0));
    const z = logSumExp(logs);
    return { p: logs.map((l) => Math.exp(l - z)), missing: false };
  }
  return classProbabilities(top, options.map((o) => [o]));
}

/** One item's raw elicitation: everything needed to recompute features under any reading, with no model calls. */
export interface RawRecord {
  id: string;
  /** Graded correctness of the answer (the label of the correctness task). */
  correct: boolean;
  answer: { text: string; top: TokenLogprob[] };
  pre: TokenLogprob[];
  post: TokenLogprob[];
  followUps: TokenLogprob[][];
  /** White-box baseline, local backends only: log-probabilities of the whole vocabulary at the answer position. */
  nextTokenLogprobs?: number[];
}

export interface FeatureMatrix {
  X: Float64Array[];
  names: string[];
  /** Column ranges of each feature group, for the baselines (probes on one group). */
  groups: { followUps: number[]; answer: number[]; pre: number[]; post: number[]; topLogprobs: number[] };
  /** Readings where neither class was in the top-k (feature set to 0.5). */
  missingReadings: number;
  /** Items whose answer top-k had fewer than 5 entries (padded with the smallest seen). */
  paddedItems: number;
}

const TOP_K = 5;

/** Assemble the feature matrix from raw records (spec §2.5 order). */
export function buildFeatures(records: readonly RawRecord[], task: Pick<Task, 'kind' | 'options' | 'yesNo'>, questions: readonly string[], reading: Reading = 'normalized'): FeatureMatrix {
  if (records.length === 0) throw new ArgumentError('buildFeatures: no records');
  const nq = questions.length;
  const answerNames = task.kind === 'choice' && task.options ? task.options.map((o) => `answer P(${o})`) : ['answer probability'];
  const names = [...questions.map((q, i) => `follow-up ${i}: ${q}`), ...answerNames, 'pre-confidence', 'post-confidence', ...Array.from({ length: TOP_K }, (_, k) => `answer top-${k + 1} log-prob`)];
  const range = (a: number, n: number) => Array.from({ length: n }, (_, i) => a + i);
  const groups = {
    followUps: range(0, nq), answer: range(nq, answerNames.length), pre: [nq + answerNames.length], post: [nq + answerNames.length + 1],
    topLogprobs: range(nq + answerNames.length + 2, TOP_K),
  };
  let missingReadings = 0, paddedItems = 0;
  const yn = (top: TokenLogprob[]): number => {
    const r = yesNoProbability(top, reading, task.yesNo);
    if (r.missing) missingReadings++;
    return r.p;
  };
  const X = records.map((r, i) => {
    if (r.followUps.length !== nq) throw new ArgumentError(`buildFeatures: record ${i} (${r.id}) has ${r.followUps.length} follow-up answers, the battery has ${nq} questions`);
    let answer: number[];
    if (task.kind === 'choice' && task.options) {
      const a = answerProbabilities(r.answer.top, task.options, reading);
      if (a.missing) missingReadings++;
      answer = a.p;
    } else {
      // Open answers: the reference reads P(yes) of the answer token (meaningless for a free answer); the default
      // uses the probability of the most likely first answer token, the model's confidence in how it starts.
      answer = reading === 'reference' ? [yn(r.answer.top)] : [r.answer.top.length > 0 ? Math.exp(Math.max(...r.answer.top.map((t) => t.logprob))) : 0.5];
    }
    const sorted = r.answer.top.map((t) => t.logprob).sort((a, b) => b - a).slice(0, TOP_K);
    if (sorted.length < TOP_K) {
      paddedItems++;
      const fill = sorted.length > 0 ? sorted[sorted.length - 1]! : -100;
      while (sorted.length < TOP_K) sorted.push(fill);
    }
    // A log-probability of −∞ (a token the model rules out) would poison the probe; clamp to a large negative value.
    const logs = sorted.map((l) => Math.max(l, -100));
    const row = Float64Array.from([...r.followUps.map(yn), ...answer, yn(r.pre), yn(r.post), ...logs]);
    row.forEach((v, j) => {
      if (!Number.isFinite(v)) throw new ArgumentError(`buildFeatures: feature ${j} (${names[j]}) of record ${r.id} is ${v}`);
    });
    return row;
  });
  return { X, names, groups, missingReadings, paddedItems };
}

/** Columns `cols` of each row. */
export function selectColumns(X: readonly Float64Array[], cols: readonly number[]): Float64Array[] {
  return X.map((row) => Float64Array.from(cols, (j) => row[j]!));
}

/**
 * The sampling approximation without log-probabilities (spec §2.9): each probability feature p becomes Binomial(k, p)/k,
 * as if the yes/no question had been sampled k times at temperature 1. `probabilityColumns` selects which columns.
 */
export function samplingApproximation(X: readonly Float64Array[], probabilityColumns: readonly number[], k: number, seed: number): Float64Array[] {
  if (!Number.isInteger(k) || k < 1) throw new ArgumentError(`samplingApproximation: k must be a positive integer, got ${k}`);
  const rng = new Rng(seed);
  return X.map((row) => {
    const out = Float64Array.from(row);
    for (const j of probabilityColumns) {
      let yes = 0;
      for (let s = 0; s < k; s++) if (rng.random() < row[j]!) yes++;
      out[j] = yes / k;
    }
    return out;
  });
}
