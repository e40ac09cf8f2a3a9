/**
 * Time integrators for y' = g(t, y) over Float64Array states (spec §2.3): classical RK4 with a fixed step, and the
 * adaptive Bogacki–Shampine 3(2) pair (Bogacki & Shampine 1989, Appl. Math. Lett. 2(4); FSAL) with the usual
 * mixed error norm. Neural IVP's dynamics are stochastic (fresh points per stage), so rejected steps are counted.
 */
import { ArgumentError } from '../core/index.ts';

export type Dynamics = (t: number, y: Float64Array) => Float64Array;

export type IntegratorOptions =
  | { method: 'rk4'; dt: number }
  | { method: 'rk23'; rtol?: number; atol?: number; dt0?: number; dtMin?: number; dtMax?: number };

function axpy(y: Float64Array, terms: [number, Float64Array][]): Float64Array {
  const out = Float64Array.from(y);
  for (const [a, k] of terms) for (let i = 0; i < out.length; i++) out[i] = out[i]! + a * k[i]!;
  return out;
}

/** One RK4 step; returns the new state. */
export function rk4Step(g: Dynamics, t: number, y: Float64Array, dt: number): Float64Array {
  const k1 = g(t, y);
  const k2 = g(t + dt / 2, axpy(y, [[dt / 2, k1]]));
  const k3 = g(t + dt / 2, axpy(y, [[dt / 2, k2]]));
  const k4 = g(t + dt, axpy(y, [[dt, k3]]));
  return axpy(y, [[dt / 6, k1], [dt / 3, k2], [dt / 3, k3], [dt / 6, k4]]);
}

export interface Rk23Step { y: Float64Array; dt: number; dtNext: number; error: number; rejected: number; kLast: Float64Array }

/**
 * One accepted Bogacki–Shampine step from (t, y) trying `dt` first; `k1` is g(t, y) (FSAL: the last stage of the
 * previous step). Shrinks dt until the error norm ≤ 1; throws with the reason when dt falls below dtMin.
 */
export function rk23Step(g: Dynamics, t: number, y: Float64Array, dt: number, k1: Float64Array, o: { rtol: number; atol: number; dtMin: number; dtMax: number }): Rk23Step {
  let rejected = 0;
  for (;;) {
    if (dt < o.dtMin) throw new StepSizeCollapse(t, dt, o.dtMin);
    const k2 = g(t + dt / 2, axpy(y, [[dt / 2, k1]]));
    const k3 = g(t + 0.75 * dt, axpy(y, [[0.75 * dt, k2]]));
    const yNew = axpy(y, [[(2 / 9) * dt, k1], [(1 / 3) * dt, k2], [(4 / 9) * dt, k3]]);
    const k4 = g(t + dt, yNew);
    let s = 0;
    for (let i = 0; i < y.length; i++) {
      const e = dt * ((-5 / 72) * k1[i]! + (1 / 12) * k2[i]! + (1 / 9) * k3[i]! - (1 / 8) * k4[i]!);
      const sc = o.atol + o.rtol * Math.max(Math.abs(y[i]!), Math.abs(yNew[i]!));
      s += (e / sc) ** 2;
    }
    const err = Math.sqrt(s / y.length);
    const factor = Math.min(5, Math.max(0.2, 0.9 * (err > 0 ? err ** (-1 / 3) : 5)));
    if (err <= 1) return { y: yNew, dt, dtNext: Math.min(dt * factor, o.dtMax), error: err, rejected, kLast: k4 };
    rejected++;
    dt *= factor;
  }
}

export class StepSizeCollapse extends Error {
  constructor(readonly t: number, readonly dt: number, readonly dtMin: number) {
    super(`step size collapsed at t = ${t.toPrecision(4)}: dt = ${dt.toExponential(2)} < dtMin = ${dtMin.toExponential(2)}`);
    this.name = 'StepSizeCollapse';
  }
}

export function validateIntegrator(o: IntegratorOptions): Required<Extract<IntegratorOptions, { method: 'rk23' }>> | { method: 'rk4'; dt: number } {
  if (o.method === 'rk4') {
    if (!(o.dt > 0 && Number.isFinite(o.dt))) throw new ArgumentError(`integrator: rk4 needs a positive dt, got ${o.dt}`);
    return o;
  }
  if (o.method !== 'rk23') throw new ArgumentError(`integrator: method must be 'rk4' or 'rk23', got '${(o as { method: string }).method}'`);
  const r = { method: 'rk23' as const, rtol: o.rtol ?? 1e-3, atol: o.atol ?? 1e-6, dt0: o.dt0 ?? 1e-2, dtMin: o.dtMin ?? 1e-6, dtMax: o.dtMax ?? 0.1 };
  for (const k of ['rtol', 'atol', 'dt0', 'dtMin', 'dtMax'] as const) if (!(r[k] > 0 && Number.isFinite(r[k]))) throw new ArgumentError(`integrator: ${k} must be a positive finite number, got ${r[k]}`);
  return r;
}
