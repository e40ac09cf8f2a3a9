/**
 * The classical baseline a user would otherwise pick: method of lines on a uniform tensor grid over [−1, 1]^d with
 * n nodes per axis (boundary nodes held at the zero Dirichlet value), central finite differences — 4th order in
 * the interior, 2nd order on the nodes next to the boundary — and classical RK4 in time. It takes the same
 * pointwise `rhs` as Neural IVP, with derivatives from the stencils instead of autodiff. The stable step comes from
 * a power-iteration estimate of the spectral radius ρ of the discrete operator (dt = cfl·2.5/ρ; RK4's stability
 * region reaches ≈ 2.8 on both axes), so nothing PDE-specific is hard-coded.
 * Memory is n^d·components doubles per stored field; RK4 keeps 6 fields. `gridCost` reports it before allocating.
 */
import { ArgumentError, RuntimeFailure } from '../core/index.ts';
import { evalRhs, pointValues, type PDE } from './problem.ts';

export interface GridOptions {
  /** Nodes per axis, boundary included (≥ 5). */
  n: number;
  /** Fraction of the RK4 stability limit (default 0.5). */
  cfl?: number;
  /** Refuse grids needing more than this many bytes (default 1 GiB). */
  maxBytes?: number;
  /** Called after each time step (for progress). */
  onStep?: (step: number, steps: number) => void;
}

export interface GridCost { nodes: number; bytes: number; feasible: boolean }

/** Fields held by the RK4 method of lines: state, 4 stages, one work array. */
const FIELDS = 6;

export function gridCost(dim: number, n: number, components: number, maxBytes = 2 ** 30): GridCost {
  const nodes = n ** dim;
  const bytes = nodes * components * 8 * FIELDS;
  return { nodes, bytes, feasible: bytes <= maxBytes };
}

export interface GridResult {
  n: number; h: number; dt: number; steps: number; nodes: number; bytes: number; seconds: number;
  /** Node coordinates are −1 + i·h; values point-major [nodes·components]. */
  values: Float64Array;
  /** Relative L2 error against pde.exact over the nodes at tEnd (null without exact). */
  error: number | null;
}

export class GridTooLarge extends RuntimeFailure {
  constructor(readonly cost: GridCost, readonly maxBytes: number) {
    super(`grid solver: ${cost.nodes.toExponential(2)} nodes need ${(cost.bytes / 2 ** 30).toFixed(2)} GiB, above the limit of ${(maxBytes / 2 ** 30).toFixed(2)} GiB`);
    this.name = 'GridTooLarge';
  }
}

/** Solves pde from 0 to tEnd on the grid; throws GridTooLarge before allocating when the grid does not fit. */
export function solveGrid(pde: PDE, tEnd: number, o: GridOptions): GridResult {
  const started = performance.now();
  const d = pde.dim, K = pde.components, n = o.n;
  if (!Number.isInteger(n) || n < 5) throw new ArgumentError(`solveGrid: n must be an integer ≥ 5, got ${n}`);
  if (!(tEnd > 0 && Number.isFinite(tEnd))) throw new ArgumentError(`solveGrid: tEnd must be positive, got ${tEnd}`);
  const cfl = o.cfl ?? 0.5, maxBytes = o.maxBytes ?? 2 ** 30;
  if (!(cfl > 0 && cfl <= 1)) throw new ArgumentError(`solveGrid: cfl must be in (0, 1], got ${cfl}`);
  const cost = gridCost(d, n, K, maxBytes);
  if (!cost.feasible) throw new GridTooLarge(cost, maxBytes);
  const h = 2 / (n - 1), nodes = cost.nodes;
  const X = new Float64Array(nodes * d);
  const strides = Array.from({ length: d }, (_, a) => n ** (d - 1 - a));
  const interior = new Uint8Array(nodes);
  const idx = new Int32Array(nodes * d);
  for (let p = 0; p < nodes; p++) {
    let rem = p, inside = 1;
    for (let a = 0; a < d; a++) {
      const i = Math.floor(rem / strides[a]!); rem -= i * strides[a]!;
      idx[p * d + a] = i; X[p * d + a] = -1 + i * h;
      if (i === 0 || i === n - 1) inside = 0;
    }
    interior[p] = inside;
  }
  const needGrad = pde.uses.length > 0;
  const needSecond = pde.uses.includes('d2') || pde.uses.includes('laplacian');
  const grad = needGrad ? new Float64Array(nodes * K * d) : null;
  const d2 = needSecond ? new Float64Array(nodes * K * d) : null;
  const rhs = (t: number, u: Float64Array): Float64Array => {
    for (let p = 0; p < nodes; p++) {
      if (!interior[p]) continue;
      for (let a = 0; a < d; a++) {
        const s = strides[a]!, i = idx[p * d + a]!, near = i === 1 || i === n - 2;
        for (let k = 0; k < K; k++) {
          const c = u[p * K + k]!, m1 = u[(p - s) * K + k]!, p1 = u[(p + s) * K + k]!;
          let g: number, dd: number;
          if (near) { g = (p1 - m1) / (2 * h); dd = (p1 - 2 * c + m1) / (h * h); }
          else {
            const m2 = u[(p - 2 * s) * K + k]!, p2 = u[(p + 2 * s) * K + k]!;
            g = (-p2 + 8 * p1 - 8 * m1 + m2) / (12 * h);
            dd = (-p2 + 16 * p1 - 30 * c + 16 * m1 - m2) / (12 * h * h);
          }
          if (grad) grad[(p * K + k) * d + a] = g;
          if (d2) d2[(p * K + k) * d + a] = dd;
        }
      }
    }
    const f = evalRhs(pde, X, t, u, grad, d2);
    for (let p = 0; p < nodes; p++) if (!interior[p]) for (let k = 0; k < K; k++) f[p * K + k] = 0;
    return f;
  };
  let u = pointValues(pde, pde.u0, X, 'u0');
  for (let p = 0; p < nodes; p++) if (!interior[p]) for (let k = 0; k < K; k++) u[p * K + k] = 0;
  const rho = spectralRadius(rhs, u, nodes * K);
  const dtMax = rho > 0 ? (cfl * 2.5) / rho : tEnd / 10;
  const steps = Math.max(1, Math.ceil(tEnd / dtMax)), dt = tEnd / steps;
  const tmp = new Float64Array(u.length);
  for (let s = 0; s < steps; s++) {
    const t = s * dt;
    const k1 = rhs(t, u);
    for (let i = 0; i < u.length; i++) tmp[i] = u[i]! + (dt / 2) * k1[i]!;
    const k2 = rhs(t + dt / 2, tmp);
    for (let i = 0; i < u.length; i++) tmp[i] = u[i]! + (dt / 2) * k2[i]!;
    const k3 = rhs(t + dt / 2, tmp);
    for (let i = 0; i < u.length; i++) tmp[i] = u[i]! + dt * k3[i]!;
    const k4 = rhs(t + dt, tmp);
    const next = new Float64Array(u.length);
    for (let i = 0; i < u.length; i++) next[i] = u[i]! + (dt / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!);
    u = next;
    o.onStep?.(s + 1, steps);
  }
  let error: number | null = null;
  if (pde.exact) {
    const e = pointValues(pde, (x) => pde.exact!(x, tEnd), X, 'exact');
    let num = 0, den = 0;
    for (let i = 0; i < u.length; i++) { num += (u[i]! - e[i]!) ** 2; den += e[i]! ** 2; }
    error = den > 0 ? Math.sqrt(num / den) : Math.sqrt(num / u.length);
  }
  return { n, h, dt, steps, nodes, bytes: cost.bytes, seconds: (performance.now() - started) / 1000, values: u, error };
}

/**
 * ρ of the (linearised) discrete operator by 30 power iterations on finite differences of rhs around u:
 * A·v ≈ (rhs(u + εv) − rhs(u))/ε. The largest ratio seen is kept (complex pairs make single ratios oscillate).
 */
function spectralRadius(rhs: (t: number, u: Float64Array) => Float64Array, u: Float64Array, len: number): number {
  const f0 = rhs(0, u);
  let v = new Float64Array(len);
  // A deterministic, rough start vector: every grid mode has a component.
  for (let i = 0; i < len; i++) v[i] = Math.sin(1.7 * i + 0.3) + Math.cos(0.37 * i * i);
  let best = 0;
  for (let it = 0; it < 30; it++) {
    let nv = 0; for (let i = 0; i < len; i++) nv += v[i]! * v[i]!; nv = Math.sqrt(nv);
    if (nv === 0) break;
    const eps = 1e-7 * Math.max(1, Math.sqrt(u.reduce((s, x) => s + x * x, 0) / len)) / (nv / Math.sqrt(len));
    const up = new Float64Array(len);
    for (let i = 0; i < len; i++) up[i] = u[i]! + eps * v[i]!;
    const f1 = rhs(0, up);
    const w = new Float64Array(len);
    let nw = 0;
    for (let i = 0; i < len; i++) { w[i] = (f1[i]! - f0[i]!) / eps; nw += w[i]! * w[i]!; }
    nw = Math.sqrt(nw);
    best = Math.max(best, nw / nv);
    if (nw === 0) break;
    for (let i = 0; i < len; i++) w[i] = w[i]! / nw;
    v = w;
  }
  return best;
}
