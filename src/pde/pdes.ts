/**
 * The catalogue of built-in problems, each with an analytic solution on [−1, 1]^d with zero Dirichlet data:
 * - advection u_t = −c·∇u of a Gaussian bump (exact: the bump translated, spec §5; the bump stays ≥ 5σ inside Ω
 *   for t ≤ tEnd, so the zero boundary factor is consistent to ~e^{−12.5});
 * - heat u_t = ν·Δu from a sum of two Dirichlet eigenmodes (exact: each mode decays with its eigenvalue);
 * - wave (u, v)_t = (v, c²·Δu) from two eigenmodes at rest (exact: each mode oscillates with ω = c·|k|·π/2).
 * Eigenmodes: φ_k(x) = Π_i sin(k_i·π·(x_i + 1)/2), −Δφ_k = (π/2)²·|k|²·φ_k.
 */
import { ArgumentError } from '../core/index.ts';
import { definePde, type PDE } from './problem.ts';

function checkDim(op: string, dim: number): void {
  if (!Number.isInteger(dim) || dim < 1 || dim > 8) throw new ArgumentError(`${op}: dim must be an integer in 1…8, got ${dim}`);
}
function checkPos(op: string, name: string, v: number): void {
  if (!(Number.isFinite(v) && v > 0)) throw new ArgumentError(`${op}: ${name} must be a positive finite number, got ${v}`);
}

/** φ_k(x) for a mode k (one integer per coordinate). */
export function eigenmode(k: readonly number[], x: ArrayLike<number>): number {
  let p = 1;
  for (let i = 0; i < k.length; i++) p *= Math.sin(k[i]! * Math.PI * (x[i]! + 1) / 2);
  return p;
}

/** u_t = −speed·Σ_i ∂u/∂x_i; u0 = exp(−|x − x0|²/(2σ²)), x0 = (−0.5, …); exact u0(x − speed·t·1). */
export function advection(dim: number, o: { speed?: number; sigma?: number; tEnd?: number } = {}): PDE {
  checkDim('advection', dim);
  const speed = o.speed ?? 1, sigma = o.sigma ?? 0.1;
  checkPos('advection', 'sigma', sigma);
  if (!Number.isFinite(speed)) throw new ArgumentError(`advection: speed must be finite, got ${speed}`);
  const bump = (x: ArrayLike<number>, shift: number) => {
    let r2 = 0;
    for (let i = 0; i < dim; i++) { const z = x[i]! + 0.5 - shift; r2 += z * z; }
    return Math.exp(-r2 / (2 * sigma * sigma));
  };
  return definePde({
    name: `advection${dim}d`, dim, components: 1, uses: ['grad'], tEnd: o.tEnd ?? 1,
    rhs: (_u, d) => { let s = 0; for (let i = 0; i < dim; i++) s += d.grad[i]!; return [-speed * s]; },
    u0: (x) => [bump(x, 0)],
    exact: (x, t) => [bump(x, speed * t)],
  });
}

/** u_t = ν·Δu; u0 = φ_(1,…,1) + ½·φ_(2,…,2) (or φ_(1,…,1) alone with modes: 1); exact: modes decay as exp(−ν(π/2)²|k|²t). */
export function heat(dim: number, o: { nu?: number; tEnd?: number; modes?: 1 | 2 } = {}): PDE {
  checkDim('heat', dim);
  const nu = o.nu ?? 0.05;
  checkPos('heat', 'nu', nu);
  const k1 = Array.from({ length: dim }, () => 1), k2 = Array.from({ length: dim }, () => 2);
  const r1 = nu * (Math.PI / 2) ** 2 * dim, r2 = nu * (Math.PI / 2) ** 2 * 4 * dim;
  const m = o.modes ?? 2;
  if (m !== 1 && m !== 2) throw new ArgumentError(`heat: modes must be 1 or 2, got ${m}`);
  const c2 = m === 2 ? 0.5 : 0;
  return definePde({
    name: m === 2 ? `heat${dim}d` : `heat${dim}d-mode1`, dim, components: 1, uses: ['laplacian'], tEnd: o.tEnd ?? 1,
    rhs: (_u, d) => [nu * d.laplacian[0]!],
    u0: (x) => [eigenmode(k1, x) + c2 * eigenmode(k2, x)],
    exact: (x, t) => [Math.exp(-r1 * t) * eigenmode(k1, x) + c2 * Math.exp(-r2 * t) * eigenmode(k2, x)],
  });
}

/** (u, v)_t = (v, c²·Δu) in 2-D; u0 = φ_(1,1) + ½·φ_(2,1), v0 = 0; exact u = Σ a_k cos(ω_k t) φ_k, v = u_t. */
export function wave2d(o: { c2?: number; tEnd?: number } = {}): PDE {
  const c2 = o.c2 ?? 1;
  checkPos('wave2d', 'c2', c2);
  const modes = [{ k: [1, 1], a: 1 }, { k: [2, 1], a: 0.5 }].map((m) => ({ ...m, w: Math.sqrt(c2) * (Math.PI / 2) * Math.hypot(m.k[0]!, m.k[1]!) }));
  return definePde({
    name: 'wave2d', dim: 2, components: 2, uses: ['laplacian'], tEnd: o.tEnd ?? 1,
    rhs: (u, d) => [u[1]!, c2 * d.laplacian[0]!],
    u0: (x) => [modes.reduce((s, m) => s + m.a * eigenmode(m.k, x), 0), 0],
    exact: (x, t) => [
      modes.reduce((s, m) => s + m.a * Math.cos(m.w * t) * eigenmode(m.k, x), 0),
      modes.reduce((s, m) => s - m.a * m.w * Math.sin(m.w * t) * eigenmode(m.k, x), 0),
    ],
  });
}

/** The named problems of the CLI and the demo. */
export const PROBLEMS: Record<string, () => PDE> = {
  advection1d: () => advection(1), advection2d: () => advection(2), advection3d: () => advection(3),
  heat1d: () => heat(1), heat2d: () => heat(2), heat3d: () => heat(3),
  heat4d: () => heat(4, { modes: 1 }), heat5d: () => heat(5, { modes: 1 }), heat6d: () => heat(6, { modes: 1 }),
  wave2d: () => wave2d(),
};

export function problem(name: string): PDE {
  const make = PROBLEMS[name];
  if (!make) throw new ArgumentError(`problem: unknown problem '${name}'; available: ${Object.keys(PROBLEMS).join(', ')}`);
  return make();
}
