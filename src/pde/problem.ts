/**
 * The PDE-agnostic problem description: ∂_t u = f(u, derivatives, x, t) on Ω = [−1, 1]^dim with zero Dirichlet
 * data, u(·, 0) = u0. `rhs` is pointwise; the solvers (Neural IVP and the grid) supply the derivatives it declares in
 * `uses` — from autodiff for the network, from finite-difference stencils on the grid.
 */
import { ArgumentError, NonFiniteError, ShapeError } from '../core/index.ts';
import { DERIVATIVE_TERMS, type DerivativeTerm } from './derivatives.ts';

/** Derivatives of u at one point. Reading a term the PDE did not declare in `uses` throws. */
export interface PointDerivatives {
  /** ∂u_k/∂x_i at k·dim + i. */
  readonly grad: Float64Array;
  /** ∂²u_k/∂x_i² at k·dim + i. */
  readonly d2: Float64Array;
  /** Δu_k at k. */
  readonly laplacian: Float64Array;
}

export type PointRhs = (u: Float64Array, d: PointDerivatives, x: Float64Array, t: number) => ArrayLike<number>;

export interface PDE {
  name: string;
  dim: number;
  /** Number of solution components (the wave equation as a first-order system has 2: u and v = u_t). */
  components: number;
  /** Derivatives the rhs reads: 'grad', 'd2' (Hessian diagonal), 'laplacian'. */
  uses: readonly DerivativeTerm[];
  rhs: PointRhs;
  u0: (x: Float64Array) => ArrayLike<number>;
  exact?: (x: Float64Array, t: number) => ArrayLike<number>;
  /** A sensible end time for demos and the CLI. */
  tEnd?: number;
}

/** Checks a PDE description at setup (before any fitting), naming the offending field. */
export function validatePde(pde: PDE, op = 'pde'): PDE {
  if (!pde || typeof pde !== 'object') throw new ArgumentError(`${op}: expected a PDE object {name, dim, components, uses, rhs, u0}`);
  if (!Number.isInteger(pde.dim) || pde.dim < 1) throw new ArgumentError(`${op}: dim must be a positive integer, got ${pde.dim}`);
  if (!Number.isInteger(pde.components) || pde.components < 1) throw new ArgumentError(`${op}: components must be a positive integer, got ${pde.components}`);
  if (!Array.isArray(pde.uses)) throw new ArgumentError(`${op}: uses must be an array of derivative terms (${DERIVATIVE_TERMS.join(', ')})`);
  for (const t of pde.uses) {
    if (!DERIVATIVE_TERMS.includes(t)) throw new ArgumentError(`${op} '${pde.name}': the rhs needs the derivative term '${t}', which the solvers cannot supply; available: ${DERIVATIVE_TERMS.join(', ')}`);
  }
  if (typeof pde.rhs !== 'function') throw new ArgumentError(`${op}: rhs must be a function (u, derivatives, x, t) => number[]`);
  if (typeof pde.u0 !== 'function') throw new ArgumentError(`${op}: u0 must be a function (x) => number[]`);
  if (pde.exact !== undefined && typeof pde.exact !== 'function') throw new ArgumentError(`${op}: exact must be a function (x, t) => number[] when given`);
  return pde;
}

/** A user-supplied PDE, validated: `definePde({ name, dim, components, uses, rhs, u0, exact? })`. */
export function definePde(pde: PDE): PDE {
  return validatePde({ ...pde, uses: [...pde.uses] }, 'definePde');
}

/** Values of a pointwise function (u0 or exact) at N points X [N·dim], checked for shape and finiteness. */
export function pointValues(pde: PDE, fn: (x: Float64Array) => ArrayLike<number>, X: Float64Array, what: string): Float64Array {
  const d = pde.dim, K = pde.components, N = X.length / d;
  const out = new Float64Array(N * K);
  for (let n = 0; n < N; n++) {
    const x = X.subarray(n * d, (n + 1) * d);
    const v = fn(x);
    if (!v || v.length !== K) throw new ShapeError(`${pde.name}: ${what} must return ${K} value${K > 1 ? 's' : ''} per point (one per component), got ${v ? `length ${v.length}` : String(v)} at x = [${fmt(x)}]`);
    for (let k = 0; k < K; k++) {
      const y = v[k]!;
      if (!Number.isFinite(y)) throw new NonFiniteError(`${pde.name}: ${what} is ${y} at x = [${fmt(x)}] (component ${k}); it must be finite on [−1, 1]^${d}`);
      out[n * K + k] = y;
    }
  }
  return out;
}

function fmt(x: ArrayLike<number>): string {
  return Array.from(x, (v) => Number(v.toPrecision(4))).join(', ');
}

class Derivs implements PointDerivatives {
  readonly g: Float64Array; readonly h: Float64Array; readonly l: Float64Array;
  constructor(private readonly pde: PDE, private readonly has: Set<DerivativeTerm>) {
    this.g = new Float64Array(pde.components * pde.dim);
    this.h = new Float64Array(pde.components * pde.dim);
    this.l = new Float64Array(pde.components);
  }
  private need(t: DerivativeTerm): void {
    if (!this.has.has(t)) throw new ArgumentError(`${this.pde.name}: the rhs reads derivatives.${t} but the PDE declares uses: [${[...this.pde.uses].join(', ')}]; add '${t}' to uses`);
  }
  get grad(): Float64Array { this.need('grad'); return this.g; }
  get d2(): Float64Array { this.need('d2'); return this.h; }
  get laplacian(): Float64Array { this.need('laplacian'); return this.l; }
}

/**
 * f at N points, given values u [N·K] and derivatives in the layouts of `SpatialEval`. Shape and finiteness of what
 * the user's rhs returns are checked point by point, so a wrong return names the point and time.
 */
export function evalRhs(pde: PDE, X: Float64Array, t: number, u: Float64Array, grad: Float64Array | null, d2: Float64Array | null): Float64Array {
  const d = pde.dim, K = pde.components, N = X.length / d;
  const has = new Set<DerivativeTerm>(pde.uses);
  const der = new Derivs(pde, has);
  const out = new Float64Array(N * K);
  const ub = new Float64Array(K);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) ub[k] = u[n * K + k]!;
    if (grad) der.g.set(grad.subarray(n * K * d, (n + 1) * K * d));
    if (d2) {
      der.h.set(d2.subarray(n * K * d, (n + 1) * K * d));
      for (let k = 0; k < K; k++) { let s = 0; for (let i = 0; i < d; i++) s += d2[(n * K + k) * d + i]!; der.l[k] = s; }
    }
    const x = X.subarray(n * d, (n + 1) * d);
    const v = pde.rhs(ub, der, x, t);
    if (!v || typeof v.length !== 'number' || v.length !== K) {
      throw new ShapeError(`${pde.name}: rhs must return ${K} value${K > 1 ? 's' : ''} per point (one per component), got ${v && typeof v.length === 'number' ? `length ${v.length}` : String(v)} at x = [${fmt(x)}], t = ${t}`);
    }
    for (let k = 0; k < K; k++) {
      const y = v[k]!;
      if (!Number.isFinite(y)) throw new NonFiniteError(`${pde.name}: rhs is ${y} at x = [${fmt(x)}], t = ${t} (component ${k})`);
      out[n * K + k] = y;
    }
  }
  return out;
}

/** N points uniform on [−1, 1]^dim, row-major [N·dim]. */
export function samplePoints(rng: { random(): number }, N: number, dim: number): Float64Array {
  const X = new Float64Array(N * dim);
  for (let i = 0; i < X.length; i++) X[i] = 2 * rng.random() - 1;
  return X;
}
