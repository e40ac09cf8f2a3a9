/**
 * Shared verdict logic of the demo's experiments: pure functions of measured numbers, no I/O.
 *
 * A sub-claim is judged from per-seed effects. With ≥ 2 seeds the margin is the seed range (max − min): an effect
 * counts only when its mean clears the threshold by more than that range. With one seed the spread is unknown, so the
 * caller supplies a single-seed margin ("huge effect") and anything smaller is left undetermined.
 */
import type { Verdict } from './contract.ts';

export type Outcome = 'pass' | 'fail' | 'undetermined';

export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
export const range = (xs: readonly number[]): number => (xs.length ? Math.max(...xs) - Math.min(...xs) : 0);

/**
 * Where the mean of per-seed `effects` lies relative to `threshold`, beyond seed noise: 'above' when
 * mean − threshold > margin, 'below' when threshold − mean > margin, otherwise 'within'. margin = the seed range with
 * ≥ 2 seeds, `singleSeedMargin` with one. No (or non-finite) effects → 'within'.
 */
export function beyondNoise(effects: readonly number[], threshold: number, singleSeedMargin: number): 'above' | 'below' | 'within' {
  if (effects.length === 0 || effects.some((e) => !Number.isFinite(e))) return 'within';
  const margin = effects.length >= 2 ? range(effects) : singleSeedMargin;
  const m = mean(effects);
  if (m - threshold > margin) return 'above';
  if (threshold - m > margin) return 'below';
  return 'within';
}

/**
 * Combines sub-claim outcomes: all pass → reproduced; none decided → inconclusive; some fail and none pass →
 * not reproduced; otherwise (some pass, the rest failed or undetermined) → partly reproduced. `null` marks a sub-claim
 * the run could not judge at all (e.g. too few points) and is left out.
 */
export function combineOutcomes(judged: readonly (Outcome | null)[]): Verdict {
  const outcomes = judged.filter((o): o is Outcome => o !== null);
  if (outcomes.length > 0 && outcomes.every((o) => o === 'pass')) return 'reproduced';
  const pass = outcomes.some((o) => o === 'pass'), fail = outcomes.some((o) => o === 'fail');
  if (!pass && !fail) return 'inconclusive';
  if (!pass) return 'not reproduced';
  return 'partly reproduced';
}

/** A group of members judged together: fails if any member fails, passes if all pass, else undetermined. */
export function allOf(outcomes: readonly Outcome[]): Outcome {
  if (outcomes.length === 0) return 'undetermined';
  if (outcomes.some((o) => o === 'fail')) return 'fail';
  return outcomes.every((o) => o === 'pass') ? 'pass' : 'undetermined';
}

/** The verdict a foundation check (not a paper claim) records: pass → reproduced, fail → not reproduced. */
export const checkVerdict = (passed: boolean): Verdict => (passed ? 'reproduced' : 'not reproduced');
