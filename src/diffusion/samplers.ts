/**
 * Reverse-time samplers (spec §2.1): Euler–Maruyama on the reverse SDE dx = [f x − g² ∇log p_t] dt + g dW̄, and the
 * probability-flow ODE dx/dt = f x − ½ g² ∇log p_t with Heun's method or adaptive Bogacki–Shampine RK23.
 */
import { Tensor, Rng, add, mul, sub, ArgumentError, NonFiniteError } from '../core/index.ts';
import { noGrad } from '../autodiff/index.ts';
import { marginalStd, timeGrid, type Schedule } from './schedules.ts';
import { checkBatch, type ScoreFn } from './score.ts';

export interface SamplerOptions {
  sched: Schedule;
  /** Number of samples. */
  n: number;
  /** Dimension of one sample (flattened). */
  dim: number;
  steps?: number;
  rng?: Rng;
  seed?: number;
  /** Per-coordinate data scale used for the prior at tMax: N(0, s²σ_data² + σ²). Default 1. */
  sigmaData?: number;
  /** Start from this x_T instead of a prior draw. */
  xT?: Tensor;
  /** Called after every step with (done, total). */
  onStep?: (done: number, total: number) => void;
}

function checkOpts(op: string, o: SamplerOptions): { steps: number; rng: Rng } {
  if (!Number.isInteger(o.n) || o.n < 1) throw new ArgumentError(`${op}: n must be a positive integer, got ${o.n}`);
  if (!Number.isInteger(o.dim) || o.dim < 1) throw new ArgumentError(`${op}: dim must be a positive integer, got ${o.dim}`);
  const steps = o.steps ?? 500;
  if (!Number.isInteger(steps) || steps < 1) throw new ArgumentError(`${op}: steps must be a positive integer, got ${steps}`);
  return { steps, rng: o.rng ?? new Rng(o.seed ?? 0) };
}

/** A draw from the terminal marginal N(0, s_T²σ_data² + σ_T²) (zero-mean data assumed). */
export function priorSample(sched: Schedule, n: number, dim: number, rng: Rng, sigmaData = 1): Tensor {
  return rng.normal([n, dim], { dtype: 'float64', std: marginalStd(sched, sched.tMax, sigmaData) });
}

function evalScore(op: string, score: ScoreFn, x: Tensor, t: number, dim: number): Tensor {
  const s = score(x, t);
  checkBatch(`${op}: the score`, s, dim);
  if (s.shape[0] !== x.shape[0]) throw new ArgumentError(`${op}: the score returned ${s.shape[0]} rows for ${x.shape[0]}`);
  return s;
}

function assertFiniteBatch(op: string, x: Tensor, t: number): void {
  const v = x.values();
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i]!)) throw new NonFiniteError(`${op}: the sample became non-finite at t = ${t.toPrecision(4)} (row ${Math.floor(i / x.shape[1]!)}); the score returned a non-finite value or the step is too large`);
  }
}

/** Euler–Maruyama on the reverse SDE from tMax to tMin. Returns x at tMin, shape [n, dim]. */
export function sampleSDE(score: ScoreFn, opts: SamplerOptions): Tensor {
  const { steps, rng } = checkOpts('sampleSDE', opts);
  const { sched, dim } = opts;
  const ts = timeGrid(sched, steps);
  let x = opts.xT ?? priorSample(sched, opts.n, dim, rng, opts.sigmaData);
  checkBatch('sampleSDE: xT', x, dim);
  for (let i = 0; i < steps; i++) {
    const t = ts[i]!, h = t - ts[i + 1]!;
    const s = evalScore('sampleSDE', score, x, t, dim);
    x = noGrad(() => {
      const drift = sub(mul(x, sched.drift(t)), mul(s, sched.g2(t)));
      const z = rng.normal(x.shape, { dtype: 'float64', std: Math.sqrt(sched.g2(t) * h) });
      return add(sub(x, mul(drift, h)), z);
    });
    if (i === steps - 1 || i % 50 === 0) assertFiniteBatch('sampleSDE', x, t);
    opts.onStep?.(i + 1, steps);
  }
  return x;
}

/** The probability-flow velocity v(x, t) = f(t)·x − ½g²(t)·s(x, t). */
export function pfVelocity(score: ScoreFn, sched: Schedule, x: Tensor, t: number): Tensor {
  return sub(mul(x, sched.drift(t)), mul(score(x, t), 0.5 * sched.g2(t)));
}

/** Heun's method (second order) on the probability-flow ODE from tMax to tMin. */
export function samplePFODE(score: ScoreFn, opts: SamplerOptions & { method?: 'heun' | 'euler' }): Tensor {
  const { steps, rng } = checkOpts('samplePFODE', opts);
  const { sched, dim } = opts;
  const ts = timeGrid(sched, steps);
  let x = opts.xT ?? priorSample(sched, opts.n, dim, rng, opts.sigmaData);
  checkBatch('samplePFODE: xT', x, dim);
  for (let i = 0; i < steps; i++) {
    const t0 = ts[i]!, t1 = ts[i + 1]!, h = t1 - t0;
    const v0 = noGrad(() => pfVelocity(score, sched, x, t0));
    const xe = noGrad(() => add(x, mul(v0, h)));
    if (opts.method === 'euler') x = xe;
    else {
      const v1 = noGrad(() => pfVelocity(score, sched, xe, t1));
      x = noGrad(() => add(x, mul(add(v0, v1), h / 2)));
    }
    if (i === steps - 1 || i % 50 === 0) assertFiniteBatch('samplePFODE', x, t1);
    opts.onStep?.(i + 1, steps);
  }
  return x;
}
