/**
 * Conditioning a score on a user event C(x) > 0 at inference time (spec §2.2):
 * ∇log p_t(x_t | E) = ∇log p_t(x_t) + ∇_{x_t} log P(E | x_t), with P(E | x_t) ≈ Φ(C(x̂)/std) from Tweedie's mean
 * x̂ = (x_t + σ²·s(x_t))/s and the linearised variance std² = (σ²/s²)(|s·∇C(x̂)ᵀ∇_{x_t}C(x̂(x_t))| + reg).
 * Also: fixed-temperature guidance (no variance term) and inpainting / reconstruction guidance on observed entries.
 */
import { Tensor, add, mul, sub, div, sum, sqrt, abs, ArgumentError, ShapeError, NonFiniteError } from '../core/index.ts';
import { valueAndGrad, grad, vjp, stopGradient } from '../autodiff/index.ts';
import type { Schedule } from './schedules.ts';
import { checkBatch, type ScoreFn } from './score.ts';
import { logNdtrT, logSigmoid } from './special.ts';

/** A per-sample event statistic: maps a batch [n, d] to [n]; the event is C(x) > 0. Must be differentiable. */
export type EventFn = (x: Tensor) => Tensor;

export interface EventScoreOptions {
  sched: Schedule;
  /** `'probit'`: Φ with a stable log Φ (default); `'logistic-1.6'`: sigmoid(1.6·z), the reference's approximation. */
  link?: 'probit' | 'logistic-1.6';
  /** `'full'` differentiates std too (second derivatives of the score, reference); `'stop'` treats it as constant. */
  stdGradient?: 'full' | 'stop';
  /** Regulariser added inside the variance (reference 1e-3). */
  reg?: number;
}

function evalEvent(C: EventFn, x: Tensor): Tensor {
  const c = C(x);
  if (!(c instanceof Tensor)) throw new ArgumentError(`eventScore: the event function must return a Tensor of shape [n], got ${typeof c}`);
  const n = x.shape[0]!;
  if (!(c.ndim === 1 && c.shape[0] === n)) throw new ShapeError(`eventScore: the event function must return shape [${n}] (one value per sample), got [${c.shape.join(', ')}]`);
  return c;
}

function checkFiniteEvent(c: Tensor, t: number): void {
  const v = c.values();
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) throw new NonFiniteError(`eventScore: the event function returned ${v[i]} for sample ${i} at t = ${t.toPrecision(4)}`);
}

/** Tweedie's mean x̂(x_t) = (x_t + σ_t²·s(x_t, t))/s_t, differentiable in x_t. */
export function tweedieMean(score: ScoreFn, sched: Schedule, x: Tensor, t: number): Tensor {
  const sg = sched.sigma(t);
  return div(add(x, mul(score(x, t), sg * sg)), sched.scale(t));
}

/**
 * Per-sample log P(E | x_t) (spec §2.2) and, alongside, the base score at x_t — both differentiable in x_t, so the
 * caller can take ∇_{x_t} of their sum.
 */
export function eventLogLikelihood(score: ScoreFn, C: EventFn, x: Tensor, t: number, opts: EventScoreOptions): { logP: Tensor; base: Tensor; c: Tensor; std: Tensor } {
  const { sched } = opts;
  const reg = opts.reg ?? 1e-3;
  const s = sched.scale(t), sg = sched.sigma(t);
  let base: Tensor | null = null;
  const { out: xhat, pullback } = vjp((z: Tensor) => {
    base = score(z, t);
    return div(add(z, mul(base, sg * sg)), s);
  }, x);
  const c = evalEvent(C, xhat);
  checkFiniteEvent(c, t);
  // ∇C at x̂ (per sample, since C acts row-wise), then v = (∂x̂/∂x_t)ᵀ ∇C(x̂) = ∇_{x_t} C(x̂(x_t)).
  const gC = grad((z: Tensor) => sum(evalEvent(C, z)))(xhat);
  const v = pullback(gC);
  const quad = abs(sum(mul(gC, v), 1));
  let std = sqrt(mul(add(mul(quad, s), reg), (sg * sg) / (s * s)));
  if ((opts.stdGradient ?? 'full') === 'stop') std = stopGradient(std);
  const z = div(c, std);
  const logP = (opts.link ?? 'probit') === 'probit' ? logNdtrT(z) : logSigmoid(mul(z, 1.6));
  return { logP, base: base!, c, std };
}

function checkSchedule(op: string, opts: { sched?: Schedule }): void {
  if (!opts || !opts.sched) throw new ArgumentError(`${op}: options.sched (a noise schedule) is required`);
}

/** The event-conditioned score ∇log p_t(x_t) + ∇_{x_t} log P(E | x_t). */
export function eventScore(score: ScoreFn, C: EventFn, opts: EventScoreOptions): ScoreFn {
  checkSchedule('eventScore', opts);
  if (opts.reg !== undefined && !(opts.reg >= 0)) throw new ArgumentError(`eventScore: reg must be ≥ 0, got ${opts.reg}`);
  if (opts.link && opts.link !== 'probit' && opts.link !== 'logistic-1.6') throw new ArgumentError(`eventScore: link must be 'probit' or 'logistic-1.6', got '${opts.link}'`);
  if (opts.stdGradient && opts.stdGradient !== 'full' && opts.stdGradient !== 'stop') throw new ArgumentError(`eventScore: stdGradient must be 'full' or 'stop', got '${opts.stdGradient}'`);
  return (x, t) => {
    let base: Tensor | null = null;
    const { grad: g } = valueAndGrad((z: Tensor) => {
      const r = eventLogLikelihood(score, C, z, t, opts);
      base = r.base;
      return sum(r.logP);
    })(x);
    return add(base!, g);
  };
}

/**
 * Fixed-temperature guidance ∇log p_t + ∇_{x_t} log sigmoid(C(x̂)/τ): the baseline without the variance term
 * (spec §5.1 (iv)).
 */
export function guidanceScore(score: ScoreFn, C: EventFn, opts: { sched: Schedule; temperature: number }): ScoreFn {
  checkSchedule('guidanceScore', opts);
  if (!(opts.temperature > 0)) throw new ArgumentError(`guidanceScore: temperature must be > 0, got ${opts.temperature}`);
  const { sched, temperature } = opts;
  return (x, t) => {
    let base: Tensor | null = null;
    const { grad: g } = valueAndGrad((z: Tensor) => {
      base = score(z, t);
      const sg = sched.sigma(t);
      const xhat = div(add(z, mul(base, sg * sg)), sched.scale(t));
      const c = evalEvent(C, xhat);
      return sum(logSigmoid(div(c, temperature)));
    })(x);
    return add(base!, g);
  };
}

/**
 * Inpainting / forecasting from observed entries (spec §2.2): on the observed entries the exact noised-data score
 * −(x_t − s·y)/σ²; elsewhere s_θ − α·(s²/σ²)·∇_{x_t}‖x̂[obs] − y‖² (reconstruction guidance, α = 10 reference).
 * `mask` is 1 on observed coordinates (shape [d]); `y` holds the observed values (shape [d], ignored off the mask).
 */
export function inpaintScore(score: ScoreFn, opts: { sched: Schedule; mask: ArrayLike<number>; y: ArrayLike<number> | Tensor; alpha?: number }): ScoreFn {
  checkSchedule('inpaintScore', opts);
  const d = opts.mask.length;
  for (let i = 0; i < d; i++) if (opts.mask[i] !== 0 && opts.mask[i] !== 1) throw new ArgumentError(`inpaintScore: mask must hold 0 or 1, got ${opts.mask[i]} at ${i}`);
  // y: one observation for the whole batch ([d]) or one per row ([n, d], e.g. other views' predictions).
  let Y: Tensor;
  if (opts.y instanceof Tensor) {
    if (!(opts.y.ndim === 2 && opts.y.shape[1] === d)) throw new ShapeError(`inpaintScore: y must be [${d}] or [n, ${d}], got [${opts.y.shape.join(', ')}]`);
    const yv = opts.y.values(), out = new Float64Array(yv.length);
    for (let i = 0; i < yv.length; i++) {
      const m = opts.mask[i % d]!;
      if (m === 1 && !Number.isFinite(yv[i]!)) throw new ArgumentError(`inpaintScore: observed value y[${Math.floor(i / d)}, ${i % d}] is ${yv[i]}`);
      out[i] = m ? yv[i]! : 0;
    }
    Y = new Tensor(out, opts.y.shape);
  } else {
    if (opts.y.length !== d) throw new ShapeError(`inpaintScore: mask has ${d} entries but y has ${opts.y.length}`);
    for (let i = 0; i < d; i++) if (opts.mask[i] === 1 && !Number.isFinite(opts.y[i]!)) throw new ArgumentError(`inpaintScore: observed value y[${i}] is ${opts.y[i]}`);
    const yy = opts.y;
    Y = new Tensor(Float64Array.from({ length: d }, (_, i) => (opts.mask[i] ? yy[i]! : 0)), [d]);
  }
  const alpha = opts.alpha ?? 10;
  const M = new Tensor(Float64Array.from(opts.mask), [d]);
  const notM = new Tensor(Float64Array.from(opts.mask, (m) => 1 - m), [d]);
  const { sched } = opts;
  return (x, t) => {
    checkBatch('inpaintScore', x, d);
    if (Y.ndim === 2 && Y.shape[0] !== x.shape[0]) throw new ShapeError(`inpaintScore: y has ${Y.shape[0]} rows, the batch ${x.shape[0]}`);
    const s = sched.scale(t), sg = sched.sigma(t);
    let base: Tensor | null = null;
    const { grad: g } = valueAndGrad((z: Tensor) => {
      base = score(z, t);
      const xhat = div(add(z, mul(base, sg * sg)), s);
      const r = mul(sub(xhat, Y), M);
      return sum(mul(r, r));
    })(x);
    const guided = sub(base!, mul(g, (alpha * s * s) / (sg * sg)));
    const exact = mul(sub(x, mul(Y, s)), -1 / (sg * sg));
    return add(mul(exact, M), mul(guided, notM));
  };
}
