/**
 * Diffusion §5.1 in miniature (spec diffusion.md): event-conditioned sampling with an exact score, so every error is
 * the method's and not a network's. Data: stationary AR(1), T = 32, ρ = 0.9, unit variance, VE noise σ ∈ [1e-3, 20].
 * Events: the linear mean(x) − 1.5 > 0 (P ≈ 0.0105, exact from Φ) and the nonlinear max_τ x(τ) − 3 > 0. Ground truth
 * is rejection sampling from exact draws. Samplers: unconditional; the event score with the probit and logistic-1.6
 * links; fixed-temperature guidance τ ∈ {0.1, 1} without the variance term. log P(E) from the PF-ODE (§2.3).
 */
import type { Experiment, ExperimentContext, ExperimentResult, Figure, Verdict } from '../contract.ts';
import { Rng, Tensor, mean, max, sub } from '../../core/index.ts';
import * as D from '../../diffusion/index.ts';

const T = 32, RHO = 0.9, LIN = 1.5, MAXT = 3.0;
const linearEvent = (x: Tensor) => sub(mean(x, 1), LIN);
const maxEvent = (x: Tensor) => sub(max(x, 1), MAXT);

export interface EventSamplingMetrics {
  linearFraction: number;
  linearKsP: number;
  logPError: number;
  logPStderr: number;
  maxFraction: number;
  maxKs: number;
  /** KS distances of the fixed-temperature guidance variants on the max event. */
  guidanceKs: number[];
  /** The KS distance two samples of these sizes exceed with 5% probability under equal distributions. */
  ksNoise: number;
}

export interface Criterion { name: string; outcome: 'pass' | 'fail' | 'inconclusive'; detail: string }

/**
 * The spec's "reproduced if" conditions, as a pure function. The log P(E) criterion is inconclusive when the
 * estimate's ±2 SE interval straddles the 0.1 tolerance; the KS comparison requires the event sampler to beat every
 * guidance variant by more than the two-sample noise level, and is inconclusive when the gap is within it.
 */
export function eventSamplingCriteria(m: EventSamplingMetrics): Criterion[] {
  const c: Criterion[] = [];
  c.push({ name: 'linear event: ≥ 99% of probit samples inside E', outcome: m.linearFraction >= 0.99 ? 'pass' : 'fail', detail: `${(100 * m.linearFraction).toFixed(2)}%` });
  c.push({ name: 'linear event: KS test against rejection sampling passes (p > 0.01)', outcome: m.linearKsP > 0.01 ? 'pass' : 'fail', detail: `p = ${m.linearKsP.toPrecision(3)}` });
  const lo = Math.abs(m.logPError) - 2 * m.logPStderr, hi = Math.abs(m.logPError) + 2 * m.logPStderr;
  c.push({ name: 'linear event: |log P̂(E) − log P(E)| < 0.1', outcome: hi < 0.1 ? 'pass' : lo >= 0.1 ? 'fail' : 'inconclusive', detail: `error ${m.logPError.toFixed(3)} ± ${(2 * m.logPStderr).toFixed(3)} (2 SE)` });
  c.push({ name: 'max event: ≥ 90% of event-score samples inside E', outcome: m.maxFraction >= 0.9 ? 'pass' : 'fail', detail: `${(100 * m.maxFraction).toFixed(2)}%` });
  const best = Math.min(...m.guidanceKs);
  c.push({
    name: 'max event: event sampler KS distance below every fixed-τ guidance variant',
    outcome: m.maxKs + m.ksNoise < best ? 'pass' : m.maxKs >= best ? 'fail' : 'inconclusive',
    detail: `${m.maxKs.toFixed(3)} vs best guidance ${best.toFixed(3)} (noise ${m.ksNoise.toFixed(3)})`,
  });
  return c;
}

export function eventSamplingVerdict(m: EventSamplingMetrics): Verdict {
  const c = eventSamplingCriteria(m);
  const fails = c.filter((x) => x.outcome === 'fail').length, unsure = c.filter((x) => x.outcome === 'inconclusive').length;
  if (fails === 0 && unsure === 0) return 'reproduced';
  if (fails === 0) return 'inconclusive';
  return fails < c.length - unsure && c.some((x) => x.outcome === 'pass') ? 'partly reproduced' : 'not reproduced';
}

/** Exact AR(1) draws by the recursion x_{k+1} = ρx_k + sqrt(1 − ρ²)ε, keeping the rows inside each event. */
function rejectionSample(n: number, rng: Rng): { linear: Float64Array[]; max: Float64Array[] } {
  const linear: Float64Array[] = [], mx: Float64Array[] = [];
  const a = Math.sqrt(1 - RHO * RHO), row = new Float64Array(T);
  for (let r = 0; r < n; r++) {
    let v = rng.gauss(), s = 0, m = -Infinity;
    for (let k = 0; k < T; k++) {
      if (k > 0) v = RHO * v + a * rng.gauss();
      row[k] = v; s += v; if (v > m) m = v;
    }
    if (s / T - LIN > 0) linear.push(Float64Array.from(row));
    if (m - MAXT > 0) mx.push(Float64Array.from(row));
  }
  return { linear, max: mx };
}

const col = (rows: Float64Array[] | Float64Array, j: number, d = T): number[] =>
  rows instanceof Float64Array ? Array.from({ length: rows.length / d }, (_, i) => rows[i * d + j]!) : rows.map((r) => r[j]!);

function eventValues(rows: Float64Array[], ev: (x: Tensor) => Tensor): Float64Array {
  return Float64Array.from(ev(new Tensor(Float64Array.from(rows.flatMap((r) => [...r])), [rows.length, T])).values());
}

function ksNoise(n: number, m: number): number {
  return 1.358 * Math.sqrt((n + m) / (n * m));
}

export async function runEventSampling(ctx: ExperimentContext): Promise<ExperimentResult> {
  const n = ctx.quick ? 400 : 2000;
  const steps = ctx.quick ? 200 : ctx.extended ? 1000 : 500;
  const draws = ctx.quick ? 200_000 : 1_000_000;
  const nLogP = ctx.quick ? 60 : ctx.extended ? 400 : 150, logPSteps = ctx.quick ? 50 : ctx.extended ? 150 : 80;
  const [gtRng, ...runRngs] = new Rng(ctx.seed).split(9);
  const g = D.gaussian(D.ar1Covariance(T, RHO), T);
  const sched = D.ve({ sigmaMin: 1e-3, sigmaMax: 20 });
  const score = D.gaussianScore(g, sched);
  let s = 0;
  for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) s += RHO ** Math.abs(i - j);
  const exactLogP = D.logNdtr(-LIN / Math.sqrt(s / (T * T)));

  ctx.progress.log(`ground truth: ${draws.toLocaleString('en-US')} exact AR(1) draws`);
  const gt = rejectionSample(draws, gtRng!);
  const gtLin = eventValues(gt.linear, linearEvent), gtMax = eventValues(gt.max, maxEvent);

  // reg = 0: the linearised variance is exact and positive for these events; the reference's 1e-3 adds σ²·1e-3 to it,
  // which at σ = 20 is ≈ 0.4 against a true variance ≈ 0.6 — run as an ablation below.
  const variants: { key: string; label: string; event: 'linear' | 'max'; make: () => D.ScoreFn }[] = [
    { key: 'uncond', label: 'unconditional', event: 'max', make: () => score },
    { key: 'linProbit', label: 'event score, probit', event: 'linear', make: () => D.eventScore(score, linearEvent, { sched, link: 'probit', reg: 0 }) },
    { key: 'linLogistic', label: 'event score, logistic-1.6', event: 'linear', make: () => D.eventScore(score, linearEvent, { sched, link: 'logistic-1.6', reg: 0 }) },
    { key: 'linReg', label: 'event score, probit, reg 1e-3 (reference)', event: 'linear', make: () => D.eventScore(score, linearEvent, { sched, link: 'probit', reg: 1e-3 }) },
    { key: 'maxProbit', label: 'event score, probit', event: 'max', make: () => D.eventScore(score, maxEvent, { sched, link: 'probit', reg: 0 }) },
    { key: 'maxLogistic', label: 'event score, logistic-1.6', event: 'max', make: () => D.eventScore(score, maxEvent, { sched, link: 'logistic-1.6', reg: 0 }) },
    { key: 'maxTau01', label: 'guidance τ = 0.1', event: 'max', make: () => D.guidanceScore(score, maxEvent, { sched, temperature: 0.1 }) },
    { key: 'maxTau1', label: 'guidance τ = 1', event: 'max', make: () => D.guidanceScore(score, maxEvent, { sched, temperature: 1 }) },
  ];
  const totalSteps = variants.length * steps + 2 * logPSteps;
  let done = 0;
  const out: Record<string, { label: string; event: 'linear' | 'max'; x: Tensor; c: Float64Array; frac: number; ks: D.KsResult; seconds: number }> = {};
  variants.forEach((v, i) => {
    const t0 = performance.now();
    const x = D.sampleSDE(v.make(), { sched, n, dim: T, steps, rng: runRngs[i]!, onStep: (k) => ctx.progress.update(done + k, totalSteps, v.label) });
    done += steps;
    const ev = v.event === 'linear' ? linearEvent : maxEvent;
    const c = Float64Array.from(ev(x).values());
    const inside = c.filter((q) => q > 0);
    // KS over all samples' C(x) (spec §5.1): samples outside the event count against the sampler.
    const ks = D.ks2(c, v.event === 'linear' ? gtLin : gtMax);
    out[v.key] = { label: v.label, event: v.event, x, c, frac: inside.length / n, ks, seconds: (performance.now() - t0) / 1000 };
    ctx.progress.log(`${v.event} ${v.label}: ${(100 * inside.length / n).toFixed(1)}% in E, KS ${ks.statistic.toFixed(3)} (p ${ks.pValue.toPrecision(2)})`);
  });

  const lin = out.linProbit!;
  const t0 = performance.now();
  const lp = D.eventLogProb(score, D.eventScore(score, linearEvent, { sched, link: 'probit', reg: 0 }), linearEvent, lin.x.slice([0, nLogP]), {
    sched, steps: logPSteps, logPrior: (x) => D.gaussianLogDensity(g, x),
    onStep: (k) => ctx.progress.update(done + k, totalSteps, 'log P(E)'),
  });
  const logPSeconds = (performance.now() - t0) / 1000;
  // marginal KS of x(τ) for the linear event
  const linInside: number[] = [];
  for (let i = 0; i < n; i++) if (lin.c[i]! > 0) linInside.push(i);
  const lv = lin.x.values();
  const marginalKs = [0, 16, 31].map((tau) => D.ks2(linInside.map((i) => lv[i * T + tau]!), col(gt.linear, tau)));

  const metricsIn: EventSamplingMetrics = {
    linearFraction: lin.frac, linearKsP: lin.ks.pValue, logPError: lp.logP - exactLogP, logPStderr: lp.stderr,
    maxFraction: out.maxProbit!.frac, maxKs: out.maxProbit!.ks.statistic,
    guidanceKs: [out.maxTau01!.ks.statistic, out.maxTau1!.ks.statistic],
    ksNoise: ksNoise(n, gtMax.length),
  };
  const criteria = eventSamplingCriteria(metricsIn);
  const verdict = eventSamplingVerdict(metricsIn);

  // mean ± std paths of the linear-event samples against ground truth
  const pathStats = (rows: number[][]) => {
    const m = new Array(T).fill(0), sd = new Array(T).fill(0);
    for (const r of rows) r.forEach((v, k) => { m[k] += v / rows.length; });
    for (const r of rows) r.forEach((v, k) => { sd[k] += (v - m[k]) ** 2 / rows.length; });
    return { m, sd: sd.map(Math.sqrt) };
  };
  const sampRows = linInside.map((i) => Array.from(lv.subarray(i * T, (i + 1) * T)));
  const ps = pathStats(sampRows), pg = pathStats(gt.linear.map((r) => [...r]));
  const taus = Array.from({ length: T }, (_, k) => k);
  const figures: Figure[] = [
    {
      id: 'diffusion-event-paths', title: 'Linear event mean(x) > 1.5: mean ± 1 sd of the paths', kind: 'line', xLabel: 'time step τ', yLabel: 'x(τ)',
      series: [
        { name: 'event sampler (probit)', x: taus, y: ps.m, band: { lo: ps.m.map((v, k) => v - ps.sd[k]), hi: ps.m.map((v, k) => v + ps.sd[k]) } },
        { name: 'rejection sampling (truth)', x: taus, y: pg.m, band: { lo: pg.m.map((v, k) => v - pg.sd[k]), hi: pg.m.map((v, k) => v + pg.sd[k]) } },
      ],
      caption: 'The conditioned samples follow the ground-truth conditional mean and spread along the whole path.',
    },
    histogramFigure('diffusion-max-hist', 'Max event: distribution of max_τ x(τ) − 3 inside the event', [
      ['rejection sampling (truth)', gtMax], ['event score, probit', out.maxProbit!.c.filter((q) => q > 0)],
      ['guidance τ = 0.1', out.maxTau01!.c.filter((q) => q > 0)], ['guidance τ = 1', out.maxTau1!.c.filter((q) => q > 0)],
    ]),
    {
      id: 'diffusion-ks', title: 'KS distance to ground truth (lower is better)', kind: 'bar', xLabel: 'sampler', yLabel: 'KS distance',
      categories: variants.filter((v) => v.key !== 'uncond').map((v) => `${v.event}: ${v.label}`),
      series: [{ name: 'KS distance', x: variants.filter((v) => v.key !== 'uncond').map((_, i) => i), y: variants.filter((v) => v.key !== 'uncond').map((v) => out[v.key]!.ks.statistic) }],
      caption: `KS distance of every sample's C(x) (outside the event counts as error) to the rejection-sampled truth; two-sample noise level ≈ ${metricsIn.ksNoise.toFixed(3)}.`,
    },
  ];
  const metrics: Record<string, number | string | null> = {
    'linear P(E) exact': Math.exp(exactLogP),
    'unconditional sampler: fraction in max event': out.uncond!.frac,
    'linear probit: fraction in E': lin.frac,
    'linear probit: KS p-value': lin.ks.pValue,
    'linear probit: KS x(0), x(16), x(31) p-values': marginalKs.map((k) => k.pValue.toPrecision(2)).join(', '),
    'linear logistic-1.6: fraction in E': out.linLogistic!.frac,
    'linear logistic-1.6: KS p-value': out.linLogistic!.ks.pValue,
    'linear probit reg 1e-3: KS p-value': out.linReg!.ks.pValue,
    'log P(E) estimate': lp.logP,
    'log P(E) standard error': lp.stderr,
    'log P(E) exact': exactLogP,
    'max probit: fraction in E': out.maxProbit!.frac,
    'max probit: KS distance': out.maxProbit!.ks.statistic,
    'max logistic-1.6: KS distance': out.maxLogistic!.ks.statistic,
    'max guidance τ=0.1: fraction / KS': `${out.maxTau01!.frac.toFixed(3)} / ${out.maxTau01!.ks.statistic.toFixed(3)}`,
    'max guidance τ=1: fraction / KS': `${out.maxTau1!.frac.toFixed(3)} / ${out.maxTau1!.ks.statistic.toFixed(3)}`,
    'ground truth accepted (linear / max)': `${gt.linear.length} / ${gt.max.length}`,
    'log P(E) seconds': logPSeconds,
  };
  const reference: Record<string, number | string | null> = {
    'linear P(E) exact': 'spec §5.1: ≈ 0.0105 (derived from Φ)',
    'linear probit: fraction in E': 'spec §5.1 target: ≥ 0.99',
    'linear probit: KS p-value': 'spec §5.1 target: > 0.01',
    'log P(E) estimate': 'spec §5.1 target: within 0.1 of exact',
    'max probit: fraction in E': 'spec §5.1 target: ≥ 0.90',
    'max probit: KS distance': 'spec §5.1 target: below every fixed-τ variant',
    'unconditional sampler: fraction in max event': 'spec §5.1: P ≈ 0.020 (measured on 10⁶ exact draws)',
  };
  return {
    verdict,
    summary:
      `With the exact AR(1) score, the probit event sampler put ${(100 * lin.frac).toFixed(1)}% of ${n} samples inside mean(x) > 1.5 ` +
      `(KS p = ${lin.ks.pValue.toPrecision(2)} against ${gt.linear.length} rejection samples) and estimated log P(E) = ${lp.logP.toFixed(3)} ± ${lp.stderr.toFixed(3)} ` +
      `against the exact ${exactLogP.toFixed(3)}. For max x > 3 it reached ${(100 * out.maxProbit!.frac).toFixed(1)}% with KS ${out.maxProbit!.ks.statistic.toFixed(3)}, ` +
      `versus ${out.maxTau01!.ks.statistic.toFixed(3)} (τ = 0.1) and ${out.maxTau1!.ks.statistic.toFixed(3)} (τ = 1) for guidance without the variance term. ` +
      `Criteria: ${criteria.map((c) => `${c.name} — ${c.outcome} (${c.detail})`).join('; ')}. ` +
      `The reference regulariser reg = 1e-3 gives KS p = ${out.linReg!.ks.pValue.toPrecision(2)} on the linear event (it inflates the variance at high noise).`,
    setup:
      `Stationary AR(1), T = ${T}, ρ = ${RHO}, unit variance; VE schedule σ ∈ [1e-3, 20]; exact score −(Σ + σ²I)⁻¹x. ` +
      `${n} samples per sampler, Euler–Maruyama with ${steps} steps (the spec's 1000 with --extended); ground truth from ${draws.toLocaleString('en-US')} exact draws. ` +
      `log P(E) = mean of log p(x) − log p(x | E) over ${nLogP} samples, PF-ODE with Heun (${logPSteps} steps) and the exact Jacobian trace. Seeds derived from --seed ${ctx.seed}.`,
    metrics, reference, figures,
    tables: [{ title: 'Reproduction criteria (spec §5.1)', columns: ['criterion', 'outcome', 'measured'], rows: criteria.map((c) => [c.name, c.outcome, c.detail]) }],
  };
}

function histogramFigure(id: string, title: string, sets: [string, ArrayLike<number>][]): Figure {
  const all = sets.flatMap(([, v]) => Array.from(v));
  const lo = 0, hi = Math.max(...all.filter(Number.isFinite), 1e-6), bins = 20, w = (hi - lo) / bins;
  const centres = Array.from({ length: bins }, (_, b) => lo + (b + 0.5) * w);
  return {
    id, title, kind: 'line', xLabel: 'C(x) = max x − 3', yLabel: 'density', logY: true,
    series: sets.map(([name, v]) => {
      const h = new Array(bins).fill(0);
      for (let i = 0; i < v.length; i++) { const b = Math.min(bins - 1, Math.floor((v[i]! - lo) / w)); if (b >= 0) h[b]++; }
      return { name, x: centres, y: h.map((c) => (c > 0 ? c / (v.length * w) : NaN)) };
    }),
    caption: 'Histograms (log density) of the event statistic inside the event; empty bins are not drawn.',
  };
}

export const eventSamplingExperiment: Experiment = {
  name: 'diffusion-event-sampling',
  system: 'diffusion',
  paper: 'User-defined Event Sampling and Uncertainty Quantification in Diffusion Models for Physical Dynamical Systems (Finzi, Boral, Wilson, Sha, Zepeda-Núñez; ICML 2023)',
  claim: 'Conditioning the score on a user event C(x) > 0 through Tweedie’s mean and covariance samples the event-conditional distribution and estimates the event’s probability, without retraining.',
  budgetSeconds: { full: 60, quick: 15, extended: 120 },
  command: 'strata demo --only diffusion-event-sampling',
  run: runEventSampling,
};
