/**
 * LLMTime's scalers (Gruver et al. 2023, §3 "Rescaling"; reference `models/llmtime.py`, `get_scaler`): a history is
 * shifted and divided so that its α-quantile maps to 1 and the digit strings stay short.
 */
import { ArgumentError } from '../core/index.ts';

export interface ScalerOptions {
  /** Quantile of the (shifted) history that maps to 1. Default 0.95. */
  alpha?: number;
  /** Offset below the minimum, as a fraction of the range (advanced scaler only). Default 0.3. */
  beta?: number;
  /** Basic scaler: no shift, divide by the α-quantile of |x| (for series symmetric around 0). Default false. */
  basic?: boolean;
}

export interface Scaler {
  /** y = (x − offset)/q; NaN stays NaN. */
  transform(x: ArrayLike<number>): Float64Array;
  /** x = y·q + offset. */
  inverse(y: ArrayLike<number>): Float64Array;
  q: number;
  offset: number;
  /** log|dx/dy| = ln q per value: added to a scaled-space NLL to get the NLL of the raw values. */
  logJacobian: number;
  options: Required<ScalerOptions>;
}

/** Type-7 quantile (numpy's default): linear interpolation between order statistics of sorted `x`. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) throw new ArgumentError('quantile: no values');
  if (!(p >= 0 && p <= 1)) throw new ArgumentError(`quantile: level must be in [0, 1], got ${p}`);
  const pos = (n - 1) * p;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  const a = sorted[lo]!, b = sorted[hi]!;
  // numpy's lerp form: a + (b − a)·t, switched to b − (b − a)(1 − t) for t ≥ ½ so that t = 1 returns b exactly.
  const t = pos - lo;
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

export function quantile(values: ArrayLike<number>, p: number): number {
  return quantileSorted(Float64Array.from(values).sort(), p);
}

export const DEFAULT_SCALER: Required<ScalerOptions> = { alpha: 0.95, beta: 0.3, basic: false };

/** Fit a scaler on the finite values of `history` (NaN is ignored; an all-NaN history is an error). */
export function fitScaler(history: ArrayLike<number>, options: ScalerOptions = {}): Scaler {
  const unknown = Object.keys(options).filter((k) => !(k in DEFAULT_SCALER));
  if (unknown.length > 0) throw new ArgumentError(`fitScaler: unknown option(s) ${unknown.join(', ')}; expected alpha, beta, basic`);
  const o = { ...DEFAULT_SCALER, ...options };
  if (!(o.alpha > 0 && o.alpha <= 1)) throw new ArgumentError(`fitScaler: alpha must be in (0, 1], got ${o.alpha}`);
  if (!(o.beta >= 0) || !Number.isFinite(o.beta)) throw new ArgumentError(`fitScaler: beta must be a finite number ≥ 0, got ${o.beta}`);
  const h: number[] = [];
  for (let i = 0; i < history.length; i++) {
    const v = history[i]!;
    if (typeof v !== 'number') throw new ArgumentError(`fitScaler: history[${i}] must be a number, got ${typeof v}`);
    if (Number.isFinite(v)) h.push(v);
    else if (!Number.isNaN(v)) throw new ArgumentError(`fitScaler: history[${i}] is ${v}; only finite values or NaN (missing) are allowed`);
  }
  if (h.length === 0) throw new ArgumentError(`fitScaler: the history has no finite values (length ${history.length}); nothing to fit`);
  let q: number, offset: number;
  if (o.basic) {
    // A floor of 0.01 keeps an all-zero history from dividing by zero.
    q = Math.max(quantile(h.map(Math.abs), o.alpha), 0.01);
    offset = 0;
  } else {
    let min = Infinity, max = -Infinity;
    for (const v of h) { if (v < min) min = v; if (v > max) max = v; }
    offset = min - o.beta * (max - min);
    q = quantile(h.map((v) => v - offset), o.alpha);
    if (q === 0) q = 1;
  }
  return {
    q, offset, logJacobian: Math.log(q), options: o,
    transform: (x) => Float64Array.from(x, (v) => (v - offset) / q),
    inverse: (y) => Float64Array.from(y, (v) => v * q + offset),
  };
}
