/**
 * Adaptive Dormand–Prince 5(4) integration of a batch of ODE states sharing one step size (the largest step every
 * trajectory accepts), with outputs at fixed times. Batching keeps thousands of trajectories in one typed array.
 */
import { ArgumentError, NonFiniteError } from '../../core/index.ts';

/** dy/dt = f(t, y) for a batch: y and dy are [n·m] row-major (n states of dimension m). */
export type BatchRhs = (t: number, y: Float64Array, dy: Float64Array) => void;

export interface IntegrateOptions { rtol?: number; atol?: number; maxSteps?: number; h0?: number }

const A = [
  [],
  [1 / 5],
  [3 / 40, 9 / 40],
  [44 / 45, -56 / 15, 32 / 9],
  [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
  [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
  [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
];
const Cn = [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1];
const B5 = [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0];
const B4 = [5179 / 57600, 0, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40];

/**
 * Integrates from times[0] to each later time, returning the states at every time in `times` (including the first):
 * an array of Float64Array copies, one per time.
 */
export function integrate(f: BatchRhs, y0: Float64Array, times: ArrayLike<number>, opts: IntegrateOptions = {}): Float64Array[] {
  const rtol = opts.rtol ?? 1e-6, atol = opts.atol ?? 1e-9, maxSteps = opts.maxSteps ?? 1_000_000;
  if (!(rtol > 0) || !(atol > 0)) throw new ArgumentError(`integrate: rtol and atol must be > 0, got ${rtol}, ${atol}`);
  for (let i = 1; i < times.length; i++) if (!(times[i]! > times[i - 1]!)) throw new ArgumentError('integrate: times must be strictly increasing');
  const N = y0.length;
  const k = Array.from({ length: 7 }, () => new Float64Array(N));
  const ytmp = new Float64Array(N), y5 = new Float64Array(N);
  let y = Float64Array.from(y0);
  const out: Float64Array[] = [Float64Array.from(y)];
  let t = times[0]!;
  let h = opts.h0 ?? (times.length > 1 ? (times[1]! - times[0]!) / 10 : 0.01);
  let steps = 0;
  f(t, y, k[0]!);
  for (let oi = 1; oi < times.length; oi++) {
    const tEnd = times[oi]!;
    while (t < tEnd) {
      if (++steps > maxSteps) throw new ArgumentError(`integrate: more than ${maxSteps} steps (stiff system or tolerance too tight)`);
      const hh = Math.min(h, tEnd - t);
      for (let s = 1; s < 7; s++) {
        const a = A[s]!;
        for (let i = 0; i < N; i++) {
          let acc = y[i]!;
          for (let j = 0; j < s; j++) acc += hh * a[j]! * k[j]![i]!;
          ytmp[i] = acc;
        }
        f(t + Cn[s]! * hh, ytmp, k[s]!);
      }
      let err = 0;
      for (let i = 0; i < N; i++) {
        let a5 = y[i]!, e = 0;
        for (let j = 0; j < 7; j++) { a5 += hh * B5[j]! * k[j]![i]!; e += hh * (B5[j]! - B4[j]!) * k[j]![i]!; }
        y5[i] = a5;
        const sc = atol + rtol * Math.max(Math.abs(y[i]!), Math.abs(a5));
        const r = e / sc;
        if (r * r > err) err = r * r;
      }
      err = Math.sqrt(err);
      if (!Number.isFinite(err)) throw new NonFiniteError(`integrate: the state became non-finite at t = ${t}`);
      if (err <= 1) {
        t += hh;
        const sw = y; y = Float64Array.from(y5); void sw;
        // FSAL: the last stage is f at the new point.
        k[0]!.set(k[6]!);
      }
      const fac = err === 0 ? 5 : Math.min(5, Math.max(0.2, 0.9 * err ** -0.2));
      h = hh * fac;
    }
    out.push(Float64Array.from(y));
  }
  return out;
}
