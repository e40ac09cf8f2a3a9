/**
 * Dynamical systems of spec §2.4 with batched simulators: SHO, Hamiltonian double pendulum, Lorenz-63 (scaled),
 * two coupled FitzHugh–Nagumo neurons. `simulate` returns trajectories [n, frames, m] as one Float64Array.
 */
import { Rng, ArgumentError } from '../../core/index.ts';
import { integrate, type BatchRhs } from './integrate.ts';

export { integrate, type BatchRhs, type IntegrateOptions } from './integrate.ts';

export interface SimulateOptions { n: number; rng?: Rng; seed?: number; rtol?: number; frames?: number }

export interface Trajectories {
  /** [n, frames, m] row-major. */
  data: Float64Array;
  n: number;
  frames: number;
  m: number;
  dt: number;
  names: string[];
}

export interface DynamicalSystem {
  name: string;
  m: number;
  names: string[];
  dt: number;
  /** Frames kept after the burn-in (reference horizon / dt). */
  frames: number;
  burnIn: number;
  rhs: BatchRhs;
  initial(n: number, rng: Rng): Float64Array;
  energy?: (state: Float64Array) => number;
  simulate(opts: SimulateOptions): Trajectories;
}

function makeSystem(def: Omit<DynamicalSystem, 'simulate'>): DynamicalSystem {
  return {
    ...def,
    simulate(opts) {
      if (!Number.isInteger(opts.n) || opts.n < 1) throw new ArgumentError(`${def.name}.simulate: n must be a positive integer, got ${opts.n}`);
      const frames = opts.frames ?? def.frames;
      if (!Number.isInteger(frames) || frames < 1) throw new ArgumentError(`${def.name}.simulate: frames must be a positive integer, got ${frames}`);
      const rng = opts.rng ?? new Rng(opts.seed ?? 0);
      const y0 = def.initial(opts.n, rng);
      const times = [0];
      if (def.burnIn > 0) times.push(def.burnIn);
      for (let f = 1; f < frames; f++) times.push(def.burnIn + f * def.dt);
      const states = integrate(def.rhs, y0, times, { rtol: opts.rtol ?? 1e-6, atol: 1e-8, h0: def.dt / 4 });
      const kept = def.burnIn > 0 ? states.slice(1) : states;
      const { m } = def, n = opts.n;
      const data = new Float64Array(n * frames * m);
      kept.forEach((s, fi) => {
        for (let r = 0; r < n; r++) for (let j = 0; j < m; j++) data[(r * frames + fi) * m + j] = s[r * m + j]!;
      });
      return { data, n, frames, m, dt: def.dt, names: def.names };
    },
  };
}

function gaussInit(m: number, std: number): (n: number, rng: Rng) => Float64Array {
  return (n, rng) => Float64Array.from({ length: n * m }, () => std * rng.gauss());
}

/** Simple harmonic oscillator H = (p² + q²)/2 (test system). */
export function sho(opts: { dt?: number; frames?: number } = {}): DynamicalSystem {
  return makeSystem({
    name: 'sho', m: 2, names: ['q', 'p'], dt: opts.dt ?? 0.1, frames: opts.frames ?? 60, burnIn: 0,
    rhs: (_t, y, dy) => { for (let i = 0; i < y.length; i += 2) { dy[i] = y[i + 1]!; dy[i + 1] = -y[i]!; } },
    initial: gaussInit(2, 1),
    energy: (s) => 0.5 * (s[0]! ** 2 + s[1]! ** 2),
  });
}

/**
 * Double pendulum of point masses, unit lengths and masses, gravity g (default 1), in canonical coordinates
 * (θ1, θ2, p1, p2): H = (p1² + 2p2² − 2p1p2 cosΔ)/(2(1 + sin²Δ)) − 2g cosθ1 − g cosθ2, Δ = θ1 − θ2.
 */
export function pendulum(opts: { g?: number; dt?: number; frames?: number } = {}): DynamicalSystem {
  const g = opts.g ?? 1;
  const H = (s: Float64Array, o = 0) => {
    const [t1, t2, p1, p2] = [s[o]!, s[o + 1]!, s[o + 2]!, s[o + 3]!];
    const dl = t1 - t2, D = 1 + Math.sin(dl) ** 2;
    return (p1 * p1 + 2 * p2 * p2 - 2 * p1 * p2 * Math.cos(dl)) / (2 * D) - 2 * g * Math.cos(t1) - g * Math.cos(t2);
  };
  return makeSystem({
    name: 'pendulum', m: 4, names: ['θ1', 'θ2', 'p1', 'p2'], dt: opts.dt ?? 0.5, frames: opts.frames ?? 60, burnIn: 0,
    rhs: (_t, y, dy) => {
      for (let o = 0; o < y.length; o += 4) {
        const t1 = y[o]!, t2 = y[o + 1]!, p1 = y[o + 2]!, p2 = y[o + 3]!;
        const dl = t1 - t2, sn = Math.sin(dl), cs = Math.cos(dl), D = 1 + sn * sn;
        const N = p1 * p1 + 2 * p2 * p2 - 2 * p1 * p2 * cs;
        const dTdDelta = (p1 * p2 * sn) / D - (N * sn * cs) / (D * D);
        dy[o] = (p1 - p2 * cs) / D;
        dy[o + 1] = (2 * p2 - p1 * cs) / D;
        dy[o + 2] = -dTdDelta - 2 * g * Math.sin(t1);
        dy[o + 3] = dTdDelta - g * Math.sin(t2);
      }
    },
    initial: gaussInit(4, 0.5),
    energy: (s) => H(s),
  });
}

/** Lorenz-63 in scaled units z' = L(20z)/20 with σ = 10, ρ = 28, β = 8/3 (spec §2.4): dt 0.1, 10 time units, burn-in 3. */
export function lorenz(opts: { dt?: number; frames?: number } = {}): DynamicalSystem {
  const dt = opts.dt ?? 0.1;
  return makeSystem({
    name: 'lorenz', m: 3, names: ['x', 'y', 'z'], dt, frames: opts.frames ?? Math.round(7 / dt), burnIn: 3,
    rhs: (_t, y, dy) => {
      for (let o = 0; o < y.length; o += 3) {
        const x1 = 20 * y[o]!, x2 = 20 * y[o + 1]!, x3 = 20 * y[o + 2]!;
        dy[o] = (10 * (x2 - x1)) / 20;
        dy[o + 1] = (x1 * (28 - x3) - x2) / 20;
        dy[o + 2] = (x1 * x2 - (8 / 3) * x3) / 20;
      }
    },
    initial: gaussInit(3, 1),
  });
}

/**
 * Two diffusively coupled FitzHugh–Nagumo neurons (spec §2.4): with (x, y) = z/5,
 * x_i' = x_i(a − x_i)(x_i − 1) − y_i + k(x_j − x_i), y_i' = b_i x_i − c y_i, derivative ×5; state (x1, x2, y1, y2)·5.
 * Reference sampling: N(0, 0.2²) initial state, dt 6, horizon 4000, burn-in 1500.
 */
export function fitzhughNagumo(opts: { dt?: number; frames?: number; burnIn?: number } = {}): DynamicalSystem {
  const a = -0.025794, b1 = 0.0065, b2 = 0.0135, c = 0.02, k = 0.128;
  const dt = opts.dt ?? 6;
  const burnIn = opts.burnIn ?? 1500;
  return makeSystem({
    name: 'fitzhugh-nagumo', m: 4, names: ['x1', 'x2', 'y1', 'y2'], dt, frames: opts.frames ?? Math.floor((4000 - burnIn) / dt), burnIn,
    rhs: (_t, s, dy) => {
      for (let o = 0; o < s.length; o += 4) {
        const x1 = s[o]! / 5, x2 = s[o + 1]! / 5, y1 = s[o + 2]! / 5, y2 = s[o + 3]! / 5;
        dy[o] = 5 * (x1 * (a - x1) * (x1 - 1) - y1 + k * (x2 - x1));
        dy[o + 1] = 5 * (x2 * (a - x2) * (x2 - 1) - y2 + k * (x1 - x2));
        dy[o + 2] = 5 * (b1 * x1 - c * y1);
        dy[o + 3] = 5 * (b2 * x2 - c * y2);
      }
    },
    initial: gaussInit(4, 0.2),
  });
}

export const systems = { sho, pendulum, lorenz, fitzhughNagumo };
