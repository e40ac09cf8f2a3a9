import { Tensor, ArgumentError, NonFiniteError, ShapeError } from '../core/index.ts';
import { leaves, type Tree } from '../autodiff/index.ts';
import { constant, type Schedule } from './schedules.ts';

/**
 * The one optimizer implementation. SGD (with momentum / Nesterov), Adam and AdamW are settings of it, each
 * parameter can carry its own learning-rate multiplier (structure-aware rates, µP), and gradients can be clipped
 * by their global norm. Updates are written into the parameters' storage in place, the one place where Strata
 * mutates a tensor: the parameter tree keeps its identity across steps.
 *   Adam: Kingma & Ba 2015, Algorithm 1. AdamW: Loshchilov & Hutter 2019, Algorithm 2 (decoupled decay).
 */
export interface OptimizerOptions {
  kind?: 'sgd' | 'adam' | 'adamw';
  /** Base learning rate or schedule (step → rate). */
  lr: number | Schedule;
  momentum?: number;
  nesterov?: boolean;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** L2 penalty for sgd/adam, decoupled decay for adamw. */
  weightDecay?: number;
  /** Per-parameter learning-rate multipliers: a function of the leaf's path (e.g. "$.layers[0].w") or a map. */
  lrMultipliers?: ((path: string, param: Tensor) => number) | Record<string, number>;
  /** Clip gradients to this global L2 norm before the update. */
  clipNorm?: number;
  /** Leaves whose path matches are not decayed (default: 1-d tensors — biases, norm scales). */
  noDecay?: (path: string, param: Tensor) => boolean;
}

export interface StepInfo {
  step: number;
  lr: number;
  gradNorm: number;
  clipped: boolean;
}

export class Optimizer<P extends Tree> {
  readonly params: P;
  private readonly slots: { path: string; p: Tensor; mult: number; decay: boolean; m: Float64Array; v: Float64Array | null }[];
  private readonly o: Required<Omit<OptimizerOptions, 'lrMultipliers' | 'clipNorm' | 'lr' | 'noDecay'>> & { clipNorm: number | null; schedule: Schedule };
  stepCount = 0;

  constructor(params: P, options: OptimizerOptions) {
    const kind = options.kind ?? 'adamw';
    if (!['sgd', 'adam', 'adamw'].includes(kind)) throw new ArgumentError(`Optimizer: kind must be 'sgd', 'adam' or 'adamw', got '${kind}'`);
    const lr = options.lr;
    if (typeof lr === 'number' && !(lr >= 0 && Number.isFinite(lr))) throw new ArgumentError(`Optimizer: lr must be a finite non-negative number, got ${lr}`);
    this.o = {
      kind,
      momentum: options.momentum ?? 0,
      nesterov: options.nesterov ?? false,
      beta1: options.beta1 ?? 0.9,
      beta2: options.beta2 ?? 0.999,
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? (kind === 'adamw' ? 0.01 : 0),
      clipNorm: options.clipNorm ?? null,
      schedule: typeof lr === 'number' ? constant(lr) : lr,
    };
    for (const k of ['beta1', 'beta2', 'momentum'] as const) {
      if (!(this.o[k] >= 0 && this.o[k] < 1)) throw new ArgumentError(`Optimizer: ${k} must be in [0, 1), got ${this.o[k]}`);
    }
    this.params = params;
    const noDecay = options.noDecay ?? ((_: string, p: Tensor) => p.ndim <= 1);
    const multOf = (path: string, p: Tensor): number => {
      const m = options.lrMultipliers;
      if (m === undefined) return 1;
      const v = typeof m === 'function' ? m(path, p) : (m[path] ?? 1);
      if (!(v >= 0 && Number.isFinite(v))) throw new ArgumentError(`Optimizer: learning-rate multiplier for ${path} must be finite and ≥ 0, got ${v}`);
      return v;
    };
    this.slots = leaves(params).map(({ path, value: p }) => {
      if (!p.isContiguous() || p.offset !== 0 || p.data.length !== p.size) {
        throw new ArgumentError(`Optimizer: parameter ${path} is a view; parameters must own compact storage (use .contiguous() when building them)`);
      }
      if (p.dtype === 'int32') throw new ArgumentError(`Optimizer: parameter ${path} is int32; only float parameters can be optimized`);
      const needV = kind !== 'sgd';
      const needM = kind !== 'sgd' || this.o.momentum > 0;
      return { path, p, mult: multOf(path, p), decay: !noDecay(path, p), m: new Float64Array(needM ? p.size : 0), v: needV ? new Float64Array(p.size) : null };
    });
  }

  /** Current base learning rate (before multipliers). */
  get lr(): number {
    return this.o.schedule(this.stepCount);
  }

  /** Applies one update given gradients shaped like the parameters. */
  step(grads: P): StepInfo {
    const gs = leaves(grads);
    if (gs.length !== this.slots.length) throw new ShapeError(`Optimizer.step: got ${gs.length} gradient leaves for ${this.slots.length} parameters`);
    let sq = 0;
    const gvals = gs.map(({ value }, i) => {
      const s = this.slots[i]!;
      if (value.shape.join() !== s.p.shape.join()) throw new ShapeError(`Optimizer.step: gradient for ${s.path} has shape [${value.shape.join(', ')}], parameter has [${s.p.shape.join(', ')}]`);
      const g = value.values();
      for (let j = 0; j < g.length; j++) {
        const x = g[j]!;
        if (x - x !== 0) throw new NonFiniteError(`Optimizer.step: gradient of ${s.path} is ${x} at index ${j}; the loss diverged or a parameter is non-finite (lower the learning rate or clip gradients)`);
        sq += x * x;
      }
      return g;
    });
    const gradNorm = Math.sqrt(sq);
    const clipped = this.o.clipNorm !== null && gradNorm > this.o.clipNorm;
    const gscale = clipped ? this.o.clipNorm! / gradNorm : 1;
    const lr = this.o.schedule(this.stepCount);
    const t = ++this.stepCount;
    const { kind, beta1, beta2, eps, weightDecay: wd, momentum, nesterov } = this.o;
    const bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
    for (let i = 0; i < this.slots.length; i++) {
      const s = this.slots[i]!;
      const g = gvals[i]!;
      const p = s.p.data;
      const a = lr * s.mult;
      const l2 = s.decay && kind !== 'adamw' ? wd : 0;
      const decoupled = s.decay && kind === 'adamw' ? a * wd : 0;
      if (kind === 'sgd') {
        for (let j = 0; j < p.length; j++) {
          let gj = g[j]! * gscale + l2 * p[j]!;
          if (momentum > 0) {
            const m = (s.m[j] = momentum * s.m[j]! + gj);
            gj = nesterov ? gj + momentum * m : m;
          }
          p[j] = p[j]! - a * gj;
        }
      } else {
        const v = s.v!;
        for (let j = 0; j < p.length; j++) {
          const gj = g[j]! * gscale + l2 * p[j]!;
          const m = (s.m[j] = beta1 * s.m[j]! + (1 - beta1) * gj);
          const vv = (v[j] = beta2 * v[j]! + (1 - beta2) * gj * gj);
          p[j] = p[j]! - decoupled * p[j]! - (a * (m / bc1)) / (Math.sqrt(vv / bc2) + eps);
        }
      }
    }
    return { step: t, lr, gradNorm, clipped };
  }
}

export const sgd = <P extends Tree>(params: P, o: Omit<OptimizerOptions, 'kind'>) => new Optimizer(params, { ...o, kind: 'sgd' });
export const adam = <P extends Tree>(params: P, o: Omit<OptimizerOptions, 'kind'>) => new Optimizer(params, { ...o, kind: 'adam' });
export const adamw = <P extends Tree>(params: P, o: Omit<OptimizerOptions, 'kind'>) => new Optimizer(params, { ...o, kind: 'adamw' });
