import { ArgumentError } from '../core/index.ts';

/** A learning-rate schedule: step (0-based) → learning rate. */
export type Schedule = (step: number) => number;

export const constant = (lr: number): Schedule => () => lr;

/** Linear warm-up from 0 to `peak` over `warmup` steps, then cosine decay to `final` at `total` steps (held after). */
export function cosineSchedule(o: { peak: number; total: number; warmup?: number; final?: number }): Schedule {
  const { peak, total, warmup = 0, final = 0 } = o;
  if (!(total > 0) || warmup < 0 || warmup > total) throw new ArgumentError(`cosineSchedule: need 0 ≤ warmup (${warmup}) ≤ total (${total}) and total > 0`);
  return (step) => {
    if (step < warmup) return (peak * (step + 1)) / warmup;
    const t = Math.min(1, (step - warmup) / Math.max(1, total - warmup));
    return final + 0.5 * (peak - final) * (1 + Math.cos(Math.PI * t));
  };
}

/** Linear warm-up to `peak` over `warmup` steps, then constant. */
export function linearWarmup(o: { peak: number; warmup: number }): Schedule {
  return (step) => (step < o.warmup ? (o.peak * (step + 1)) / o.warmup : o.peak);
}
