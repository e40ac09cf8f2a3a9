/**
 * Log densities by the probability-flow ODE's change of variables (spec §2.3): integrating x from tMin to tMax along
 * dx/dt = v(x, t), log p_0(x_0) = log p_T(x_T) + ∫ ∇·v dt with ∇·v = f·d − ½g²·tr(∂s/∂x). The trace is exact (one
 * batched reverse pass over d stacked copies of the batch) or Hutchinson's estimate with Rademacher probes.
 */
import { Tensor, Rng, add, mul, sum, concat, ArgumentError } from '../core/index.ts';
import { vjp, noGrad } from '../autodiff/index.ts';
import { marginalStd, type Schedule } from './schedules.ts';
import { checkBatch, type ScoreFn } from './score.ts';
import type { EventFn } from './events.ts';

export interface LogDensityOptions {
  sched: Schedule;
  steps?: number;
  trace?: 'exact' | 'hutchinson';
  /** Rademacher probes per step for Hutchinson's estimate (default 4). */
  probes?: number;
  rng?: Rng;
  seed?: number;
  /** log p_T at the end point; default the isotropic N(0, s_T²σ_data² + σ_T²). */
  terminalLogDensity?: (xT: Tensor) => Float64Array;
  sigmaData?: number;
  onStep?: (done: number, total: number) => void;
}

/** Per-row trace of ∂s/∂x for a row-wise score, exactly: d copies of the batch, copy j pulled back along e_j. */
export function scoreJacobianTrace(score: ScoreFn, x: Tensor, t: number): { value: Tensor; trace: Float64Array } {
  const n = x.shape[0]!, d = x.shape[1]!;
  const tiled = concat(Array.from({ length: d }, () => x), 0); // [d·n, d]
  const { out, pullback } = vjp((z: Tensor) => score(z, t), tiled);
  checkBatch('scoreJacobianTrace: the score', out, d);
  const ct = new Float64Array(d * n * d);
  for (let j = 0; j < d; j++) for (let i = 0; i < n; i++) ct[(j * n + i) * d + j] = 1;
  const g = pullback(new Tensor(ct, [d * n, d])).values();
  const tr = new Float64Array(n);
  for (let j = 0; j < d; j++) for (let i = 0; i < n; i++) tr[i] += g[(j * n + i) * d + j]!;
  const ov = out.values();
  return { value: new Tensor(Float64Array.from(ov.subarray(0, n * d)), [n, d]), trace: tr };
}

/** Hutchinson's estimate of tr(∂s/∂x) per row with `probes` Rademacher vectors, and its per-row variance of the mean. */
export function scoreJacobianTraceHutchinson(score: ScoreFn, x: Tensor, t: number, probes: number, rng: Rng): { value: Tensor; trace: Float64Array; variance: Float64Array } {
  const n = x.shape[0]!, d = x.shape[1]!;
  const { out, pullback } = vjp((z: Tensor) => score(z, t), x);
  const ests: Float64Array[] = [];
  for (let k = 0; k < probes; k++) {
    const e = new Float64Array(n * d);
    for (let i = 0; i < e.length; i++) e[i] = rng.random() < 0.5 ? -1 : 1;
    const et = new Tensor(e, [n, d]);
    const g = noGrad(() => sum(mul(pullback(et), et), 1)).values();
    ests.push(Float64Array.from(g));
  }
  const tr = new Float64Array(n), variance = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (const e of ests) m += e[i]!;
    m /= probes;
    let v = 0;
    for (const e of ests) v += (e[i]! - m) ** 2;
    tr[i] = m;
    variance[i] = probes > 1 ? v / (probes - 1) / probes : 0;
  }
  return { value: out, trace: tr, variance };
}

export interface LogDensityResult {
  /** log p_0(x) per row. */
  logp: Float64Array;
  /** Standard error per row from Hutchinson's estimate (zeros for the exact trace). */
  stderr: Float64Array;
  xT: Tensor;
}

/** log p_0(x) for each row of x under the model defined by `score`, by integrating the PF-ODE with Heun's method. */
export function logDensity(score: ScoreFn, x: Tensor, opts: LogDensityOptions): LogDensityResult {
  const { sched } = opts;
  if (!sched) throw new ArgumentError('logDensity: options.sched is required');
  if (x.ndim !== 2) throw new ArgumentError(`logDensity: x must be a batch [n, d], got [${x.shape.join(', ')}]`);
  const steps = opts.steps ?? 200;
  if (!Number.isInteger(steps) || steps < 1) throw new ArgumentError(`logDensity: steps must be a positive integer, got ${steps}`);
  const mode = opts.trace ?? (x.shape[1]! <= 64 ? 'exact' : 'hutchinson');
  const probes = opts.probes ?? 4;
  if (!Number.isInteger(probes) || probes < 1) throw new ArgumentError(`logDensity: probes must be a positive integer, got ${probes}`);
  const rng = opts.rng ?? new Rng(opts.seed ?? 0);
  const n = x.shape[0]!, d = x.shape[1]!;
  const integral = new Float64Array(n), varSum = new Float64Array(n);
  const velocityAndDiv = (xx: Tensor, t: number) => {
    const r = mode === 'exact' ? { ...scoreJacobianTrace(score, xx, t), variance: null } : scoreJacobianTraceHutchinson(score, xx, t, probes, rng);
    const f = sched.drift(t), g2 = sched.g2(t);
    const v = noGrad(() => add(mul(xx, f), mul(r.value, -0.5 * g2)));
    const div = r.trace.map((tr) => f * d - 0.5 * g2 * tr);
    const dv = r.variance ? r.variance.map((q) => 0.25 * g2 * g2 * q) : null;
    return { v, div, dv };
  };
  // Forward in time: tMin → tMax (uniform in t, the reverse of the samplers' grid).
  let xx = x;
  for (let i = 0; i < steps; i++) {
    const t0 = sched.tMin + ((sched.tMax - sched.tMin) * i) / steps;
    const t1 = sched.tMin + ((sched.tMax - sched.tMin) * (i + 1)) / steps;
    const h = t1 - t0;
    const a = velocityAndDiv(xx, t0);
    const xe = noGrad(() => add(xx, mul(a.v, h)));
    const b = velocityAndDiv(xe, t1);
    xx = noGrad(() => add(xx, mul(add(a.v, b.v), h / 2)));
    for (let r = 0; r < n; r++) {
      integral[r] += (h / 2) * (a.div[r]! + b.div[r]!);
      if (a.dv && b.dv) varSum[r] += (h / 2) ** 2 * (a.dv[r]! + b.dv[r]!);
    }
    opts.onStep?.(i + 1, steps);
  }
  const terminal = opts.terminalLogDensity ?? isotropicTerminal(sched, opts.sigmaData ?? 1);
  const lt = terminal(xx);
  const logp = lt.map((v, r) => v + integral[r]!);
  return { logp, stderr: varSum.map(Math.sqrt), xT: xx };
}

function isotropicTerminal(sched: Schedule, sigmaData: number): (xT: Tensor) => Float64Array {
  const sd = marginalStd(sched, sched.tMax, sigmaData);
  return (xT) => {
    const v = xT.values(), d = xT.shape[1]!, n = xT.shape[0]!;
    const out = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      let q = 0;
      for (let i = 0; i < d; i++) q += v[r * d + i]! ** 2;
      out[r] = -0.5 * (q / (sd * sd) + d * Math.log(2 * Math.PI * sd * sd));
    }
    return out;
  };
}

export interface EventLogProbResult {
  /** Mean over samples of log p(x) − log p(x | E): the estimate of log P(E). */
  logP: number;
  /** Standard error of that mean over samples. */
  stderr: number;
  perSample: Float64Array;
  /** Samples that do not satisfy the event are dropped (P(E | x) = 1 holds only inside E). */
  used: number;
}

/**
 * log P(E) = log p(x) − log p(x | E) for samples x ∈ E of the event sampler (spec §2.3), averaged with its standard
 * error. `logPrior` may give log p(x) exactly; otherwise it comes from the PF-ODE of `score`.
 */
export function eventLogProb(score: ScoreFn, condScore: ScoreFn, C: EventFn, xs: Tensor, opts: LogDensityOptions & { logPrior?: (x: Tensor) => Float64Array }): EventLogProbResult {
  const c = C(xs).values();
  const keep: number[] = [];
  for (let i = 0; i < c.length; i++) if (c[i]! > 0) keep.push(i);
  if (keep.length < 2) throw new ArgumentError(`eventLogProb: need at least 2 samples inside the event, got ${keep.length} of ${c.length}`);
  const d = xs.shape[1]!, xv = xs.values();
  const inE = new Tensor(Float64Array.from(keep.flatMap((i) => Array.from(xv.subarray(i * d, (i + 1) * d)))), [keep.length, d]);
  const lp = opts.logPrior ? opts.logPrior(inE) : logDensity(score, inE, opts).logp;
  const lc = logDensity(condScore, inE, opts).logp;
  const per = lp.map((v, i) => v - lc[i]!);
  let m = 0;
  for (const v of per) m += v;
  m /= per.length;
  let s2 = 0;
  for (const v of per) s2 += (v - m) ** 2;
  const stderr = Math.sqrt(s2 / (per.length - 1) / per.length);
  return { logP: m, stderr, perSample: per, used: keep.length };
}
