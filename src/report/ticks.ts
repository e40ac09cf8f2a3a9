/**
 * Axis domains and tick positions for the report's charts. Linear ticks use the 1–2–5 "nice number" steps; log ticks
 * sit on powers of ten, thinned when many decades are shown and filled in with 2× and 5× when few are.
 */
import { formatValue, powerOfTen } from './format.ts';

export interface Tick {
  value: number;
  label: string;
}

export interface AxisTicks {
  /** The (possibly widened) domain the axis spans, lo < hi. */
  domain: [number, number];
  /** Labelled ticks with grid lines. */
  major: Tick[];
  /** Unlabelled positions for faint grid lines (log axes only). */
  minor: number[];
}

/** The 1, 2 or 5 × 10^k step nearest above `rough`. */
export function niceStep(rough: number): number {
  if (!(rough > 0) || !Number.isFinite(rough)) {
    throw new RangeError(`niceStep: expected a positive finite rough step, got ${rough}`);
  }
  const power = Math.pow(10, Math.floor(Math.log10(rough)));
  const fraction = rough / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** Removes float noise such as 0.30000000000000004 from k·step. */
function clean(value: number): number {
  return Number.parseFloat(value.toPrecision(12));
}

/**
 * About `count` ticks on a linear axis covering [lo, hi]; the domain is widened outward to whole steps so the data
 * never touches the frame between ticks. A degenerate range (lo == hi) is widened around the value.
 */
export function linearTicks(lo: number, hi: number, count = 5): AxisTicks {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) {
    throw new RangeError(`linearTicks: expected finite lo <= hi, got [${lo}, ${hi}]`);
  }
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep((hi - lo) / Math.max(1, count));
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  const major: Tick[] = [];
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  for (let k = first; k <= last; k++) {
    const value = clean(k * step);
    major.push({ value, label: linearLabel(value, step, decimals) });
  }
  return { domain: [clean(first * step), clean(last * step)], major, minor: [] };
}

function linearLabel(value: number, step: number, decimals: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || step < 1e-4) return formatValue(value);
  const text = value.toFixed(Math.min(decimals, 10));
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/**
 * Ticks for a log10 axis covering [lo, hi] with 0 < lo <= hi. The domain is widened to whole decades. Labels are
 * plain numbers when the whole axis lies within 0.001–10000, and 10ⁿ throughout otherwise.
 */
export function logTicks(lo: number, hi: number): AxisTicks {
  if (!(lo > 0) || !Number.isFinite(hi) || lo > hi) {
    throw new RangeError(`logTicks: expected 0 < lo <= hi (finite), got [${lo}, ${hi}]`);
  }
  let e0 = Math.floor(Math.log10(lo) + 1e-9);
  let e1 = Math.ceil(Math.log10(hi) - 1e-9);
  if (e1 === e0) e1 = e0 + 1;
  const decades = e1 - e0;
  // Thin labelled decades so at most ~8 labels are printed; keep e0 on the stride so the domain ends on labels.
  const stride = Math.max(1, Math.ceil(decades / 8));
  e1 = e0 + Math.ceil(decades / stride) * stride;
  const major: Tick[] = [];
  const minor: number[] = [];
  for (let e = e0; e <= e1; e += 1) {
    const base = Math.pow(10, e);
    if ((e - e0) % stride === 0) major.push({ value: clean(base), label: '' });
    else minor.push(clean(base));
    if (e === e1) break;
    if (stride === 1 && decades <= 6) {
      for (let m = 2; m <= 9; m++) {
        // With two decades or fewer, 2× and 5× earn a label; otherwise they are faint grid lines.
        if (decades <= 2 && (m === 2 || m === 5)) major.push({ value: clean(m * base), label: '' });
        else minor.push(clean(m * base));
      }
    }
  }
  major.sort((a, b) => a.value - b.value);
  minor.sort((a, b) => a - b);
  // One notation per axis: plain numbers only when every label fits them, otherwise powers of ten throughout.
  const plain = e0 >= -3 && e1 <= 4;
  for (const t of major) t.label = logLabel(t.value, plain);
  return { domain: [clean(Math.pow(10, e0)), clean(Math.pow(10, e1))], major, minor };
}

function logLabel(value: number, plain: boolean): string {
  if (plain) return formatValue(value);
  const exponent = Math.floor(Math.log10(value) + 1e-9);
  const mantissa = Math.round(value / Math.pow(10, exponent));
  return mantissa === 1 ? powerOfTen(exponent) : `${mantissa}×${powerOfTen(exponent)}`;
}
