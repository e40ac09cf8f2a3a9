import type { Verdict } from '../contract.ts';

/** What the verdict reads: measured numbers of the bounds miniature (spec §5). */
export interface BoundsVerdictMetrics {
  dims: number[];
  /** Subsampled top-1 and best-α BPD bounds per d (same order as dims). */
  top1Bounds: number[];
  bpdBounds: number[];
  top1Random: number;
  bpdRandom: number;
  /** The fully trained, uncompressed model's bounds. */
  fullModelTop1Bound: number;
  fullModelBpdBound: number;
  /** Hoeffding term of the subsample (Δ = 1): the seed-level resolution of a subsampled top-1 bound. */
  samplingTerm: number;
  /** Number of (variant, loss) pairs whose bound is below the held-out risk of the same quantised model. */
  heldOutViolations: number;
  /** Subsampled and full-evaluation top-1 bounds of one d; null when the full evaluation was not run. */
  subsampledTop1: number | null;
  fullEvalTop1: number | null;
}

export type ConditionStatus = 'pass' | 'fail' | 'inconclusive';
export interface Condition { id: number; name: string; status: ConditionStatus; detail: string }

const f = (x: number) => x.toFixed(3);

/** The five "reproduced if" conditions of spec §5, each pass / fail / inconclusive. */
export function boundsConditions(m: BoundsVerdictMetrics): Condition[] {
  const iTop = m.top1Bounds.indexOf(Math.min(...m.top1Bounds));
  const iBpd = m.bpdBounds.indexOf(Math.min(...m.bpdBounds));
  const bestTop = m.top1Bounds[iTop]!, bestBpd = m.bpdBounds[iBpd]!;
  const c1 = bestTop < m.top1Random && bestBpd < m.bpdRandom;
  const c2 = m.fullModelTop1Bound >= m.top1Random && m.fullModelBpdBound >= m.bpdRandom;
  // U shape: the top-1 minimum is interior and both ends sit above it by more than the subsample's resolution.
  const n = m.top1Bounds.length;
  const ends = n >= 1 ? Math.min(m.top1Bounds[0]!, m.top1Bounds[n - 1]!) : NaN;
  let c3: ConditionStatus;
  if (n < 3) c3 = 'inconclusive';
  else if (iTop > 0 && iTop < n - 1) c3 = ends - bestTop > m.samplingTerm ? 'pass' : 'inconclusive';
  else {
    const interior = Math.min(...m.top1Bounds.slice(1, -1));
    c3 = interior - bestTop > m.samplingTerm ? 'fail' : 'inconclusive';
  }
  let c5: ConditionStatus = 'inconclusive';
  let d5 = 'full evaluation not run';
  if (m.subsampledTop1 !== null && m.fullEvalTop1 !== null) {
    const diff = Math.abs(m.subsampledTop1 - m.fullEvalTop1);
    c5 = diff < m.samplingTerm ? 'pass' : 'fail';
    d5 = `|${f(m.subsampledTop1)} − ${f(m.fullEvalTop1)}| = ${f(diff)} vs Hoeffding term ${f(m.samplingTerm)}`;
  }
  return [
    { id: 1, name: 'best subspace variant non-vacuous (top-1 and BPD)', status: c1 ? 'pass' : 'fail', detail: `top-1 ${f(bestTop)} (d=${m.dims[iTop]}) vs random ${f(m.top1Random)}; BPD ${f(bestBpd)} (d=${m.dims[iBpd]}) vs ${f(m.bpdRandom)}` },
    { id: 2, name: 'full model vacuous', status: c2 ? 'pass' : 'fail', detail: `top-1 ${f(m.fullModelTop1Bound)}, BPD ${f(m.fullModelBpdBound)}` },
    { id: 3, name: 'U shape in d (top-1 bound smallest at an intermediate d)', status: c3, detail: `top-1 bounds ${m.top1Bounds.map(f).join(' / ')} for d = ${m.dims.join(' / ')}; margin needed ${f(m.samplingTerm)}` },
    { id: 4, name: 'every bound ≥ held-out risk of the same quantised model', status: m.heldOutViolations === 0 ? 'pass' : 'fail', detail: `${m.heldOutViolations} violation(s)` },
    { id: 5, name: 'subsampled and full-evaluation bounds differ by less than the Hoeffding term', status: c5, detail: d5 },
  ];
}

/**
 * Verdict: a violated bound (condition 4) is a bug → not reproduced; all five pass → reproduced; condition 1
 * failing → not reproduced; otherwise a failure → partly reproduced, and only inconclusive gaps → inconclusive.
 */
export function boundsVerdict(m: BoundsVerdictMetrics): Verdict {
  const cs = boundsConditions(m);
  const st = (id: number) => cs.find((c) => c.id === id)!.status;
  if (st(4) === 'fail' || st(1) === 'fail') return 'not reproduced';
  if (cs.every((c) => c.status === 'pass')) return 'reproduced';
  if (cs.some((c) => c.status === 'fail')) return 'partly reproduced';
  return 'inconclusive';
}
