import { Tensor, ArgumentError, type FloatDType } from '../core/index.ts';
import { valueAndGrad, leaves, unflatten, type Tree } from '../autodiff/index.ts';
import type { Projector } from './projectors.ts';

/**
 * How a vector of trained coordinates becomes a model's parameter tree. The coordinates are what gets quantised
 * and coded, so the bound pays for exactly them: `d` numbers for a subspace, every selected parameter otherwise.
 */
export interface Parameterisation<P extends Tree> {
  readonly kind: 'subspace' | 'full';
  /** Number of trained coordinates. */
  readonly size: number;
  /** The trained coordinates (float64, compact: the optimizer updates it in place). */
  readonly coords: Tensor;
  /** The parameter tree at the given coordinates. */
  paramsFor(coords: ArrayLike<number>): P;
  /** Loss and its gradient with respect to the coordinates, at `at` (default: the current coordinates). */
  valueAndGrad(loss: (params: P) => Tensor, at?: ArrayLike<number>): { value: number; grad: Float64Array };
  describe(): string;
}

interface Selection {
  all: { path: string; value: Tensor }[];
  picked: number[];
  offsets: number[];
  D: number;
}

function selectLeaves(base: Tree, select: ((path: string) => boolean) | undefined, op: string): Selection {
  const all = leaves(base);
  const picked: number[] = [], offsets: number[] = [];
  let D = 0;
  all.forEach((l, i) => {
    if (select && !select(l.path)) return;
    if (l.value.dtype === 'int32') throw new ArgumentError(`${op}: parameter ${l.path} is int32; only float parameters can be trained (exclude it with select)`);
    picked.push(i); offsets.push(D); D += l.value.size;
  });
  if (D === 0) throw new ArgumentError(`${op}: select matched no parameter (paths: ${all.slice(0, 6).map((l) => l.path).join(', ')}${all.length > 6 ? ', …' : ''})`);
  return { all, picked, offsets, D };
}

function build<P extends Tree>(base: P, s: Selection, theta: ArrayLike<number>): { params: P; picked: Tensor[] } {
  const values: Tensor[] = s.all.map((l) => l.value);
  const picked = s.picked.map((li, q) => {
    const leaf = s.all[li]!.value;
    const data = leaf.dtype === 'float32' ? new Float32Array(leaf.size) : new Float64Array(leaf.size);
    const off = s.offsets[q]!;
    for (let i = 0; i < leaf.size; i++) data[i] = theta[off + i]!;
    const t = new Tensor(data, [...leaf.shape]);
    values[li] = t;
    return t;
  });
  return { params: unflatten(base, values), picked };
}

function flatGrad(s: Selection, grads: Tensor[]): Float64Array {
  const g = new Float64Array(s.D);
  grads.forEach((t, q) => g.set(t.values() as ArrayLike<number>, s.offsets[q]!));
  return g;
}

function gradThroughTree<P extends Tree>(base: P, s: Selection, theta: ArrayLike<number>, loss: (params: P) => Tensor): { value: number; grad: Float64Array } {
  const { picked } = build(base, s, theta);
  const values: Tensor[] = s.all.map((l) => l.value);
  const f = (sel: Tensor[]) => {
    s.picked.forEach((li, q) => { values[li] = sel[q]!; });
    return loss(unflatten(base, values));
  };
  const { value, grad } = valueAndGrad(f)(picked);
  return { value: value.item(), grad: flatGrad(s, grad) };
}

function flatten(s: Selection): Float64Array {
  const theta = new Float64Array(s.D);
  s.picked.forEach((li, q) => theta.set(s.all[li]!.value.values() as ArrayLike<number>, s.offsets[q]!));
  return theta;
}

/**
 * Random-subspace parameterisation θ = θ₀ + P·w (Li et al. 2018, "Measuring the intrinsic dimension"; Lotfi et
 * al. 2024 eq. 1): θ₀ is `base` (the seeded initialisation), w ∈ R^d starts at 0 and is the only thing trained.
 * `select` restricts θ to some leaves (by path, e.g. the LoRA factors); the rest stay at their base values.
 * The gradient is Pᵀ·∇θ L: reverse mode through the model (strata/autodiff), then the projector's rmatvec.
 */
export function subspace<P extends Tree>(base: P, options: { projector: Projector; select?: (path: string) => boolean }): Parameterisation<P> & { projector: Projector; D: number } {
  const s = selectLeaves(base, options.select, 'subspace');
  const P = options.projector;
  if (P === null || typeof P !== 'object' || typeof P.matvec !== 'function') throw new ArgumentError('subspace: projector must be a Projector (projectors.kronQR or projectors.gaussian)');
  if (P.D !== s.D) throw new ArgumentError(`subspace: projector has D = ${P.D} but the selected parameters number ${s.D}; build it with kronQR(${s.D}, d, …)`);
  const theta0 = flatten(s);
  const coords = new Tensor(new Float64Array(P.d), [P.d]);
  const thetaAt = (w: ArrayLike<number>) => {
    if (w.length !== P.d) throw new ArgumentError(`subspace: coordinates have length ${w.length}, expected d = ${P.d}`);
    const pw = P.matvec(w);
    for (let i = 0; i < pw.length; i++) pw[i]! += theta0[i]!;
    return pw;
  };
  return {
    kind: 'subspace', size: P.d, coords, projector: P, D: s.D,
    paramsFor: (w) => build(base, s, thetaAt(w)).params,
    valueAndGrad(loss, at) {
      const { value, grad } = gradThroughTree(base, s, thetaAt(at ?? (coords.data as Float64Array)), loss);
      return { value, grad: P.rmatvec(grad) };
    },
    describe: () => `θ₀ + P·w, d = ${P.d} of D = ${s.D} (${P.describe()})`,
  };
}

/** Every selected parameter is a trained coordinate (the uncompressed baseline, or LoRA-only training). */
export function fullParameters<P extends Tree>(base: P, options: { select?: (path: string) => boolean } = {}): Parameterisation<P> & { D: number } {
  const s = selectLeaves(base, options.select, 'fullParameters');
  const coords = new Tensor(flatten(s), [s.D]);
  const check = (t: ArrayLike<number>) => {
    if (t.length !== s.D) throw new ArgumentError(`fullParameters: coordinates have length ${t.length}, expected D = ${s.D}`);
    return t;
  };
  return {
    kind: 'full', size: s.D, coords, D: s.D,
    paramsFor: (t) => build(base, s, check(t)).params,
    valueAndGrad: (loss, at) => gradThroughTree(base, s, check(at ?? (coords.data as Float64Array)), loss),
    describe: () => `all ${s.D} selected parameters`,
  };
}

export type { FloatDType };
