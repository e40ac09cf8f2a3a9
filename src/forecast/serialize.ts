/**
 * LLMTime serialization (Gruver et al. 2023, §3; reference `data/serialize.py`): a scaled series becomes a digit
 * string, e.g. [0.259, 0.271] → "259,271," with the `llama` preset, and a model's continuation is parsed back.
 */
import { ArgumentError, NonFiniteError } from '../core/index.ts';
import { checkSettings, integerSlots, type SerializerSettings } from './settings.ts';

/** 10^k as the correctly rounded double (parsing a decimal literal is exact-rounding; `**` may not be for k < 0). */
function pow10(k: number): number {
  return Number(`1e${k}`);
}

/**
 * Digits of |y| the way the reference does it: for every slot, divide by the slot's power of ten, truncate, and
 * subtract in float64. Representable round numbers lose a unit in the last place (0.123 → 1 2 2) — kept on purpose,
 * it is what the authors' prompts contain.
 */
function referenceDigits(v: number, slots: number, prec: number): number[] {
  const digits: number[] = [];
  for (let i = slots - 1; i >= -prec; i--) {
    const p = pow10(i);
    const d = Math.trunc(v / p);
    digits.push(d);
    v -= d * p;
  }
  return digits;
}

/** Digits of round(|y|·10^prec), computed from the exact decimal expansion of the double (`toFixed` is exact). */
function roundedDigits(v: number, slots: number, prec: number): number[] {
  const text = v.toFixed(prec).replace('.', '');
  const digits = Array.from(text, Number);
  while (digits.length < slots + prec) digits.unshift(0);
  return digits;
}

/** The text of one finite scaled value (no separators). */
export function serializeValue(y: number, s: SerializerSettings): string {
  const slots = integerSlots(s);
  const negative = y < 0;
  let digits = s.digitMode === 'reference' ? referenceDigits(Math.abs(y), slots, s.prec) : roundedDigits(Math.abs(y), slots, s.prec);
  if (digits.length > slots + s.prec || digits.some((d) => d > 9)) {
    throw new ArgumentError(`serialize: ${y} needs more than ${slots} integer digits (maxVal ${s.maxVal}); rescale with a larger α or smaller β`);
  }
  if (!s.fixedLength) {
    const first = digits.findIndex((d) => d !== 0);
    digits = first < 0 ? [0] : digits.slice(first);
  }
  // Reference mode keeps "negative zero" (a value in (−10^−prec, 0)) as its own bin; round mode writes 0 unsigned.
  const showMinus = negative && (s.digitMode === 'reference' || digits.some((d) => d !== 0));
  return (showMinus ? s.minusSign : s.plusSign) + digits.map((d) => s.bitSep + d).join('');
}

/**
 * Serialize a scaled series: values joined by `timeSep`, plus one trailing `timeSep` (it tells the model where the last
 * number ends). NaN steps are written as `missingStr` (the reference behaviour for missing values); ±Infinity and
 * magnitudes above `maxVal` are errors.
 */
export function serialize(values: ArrayLike<number>, s: SerializerSettings): string {
  checkSettings('serialize', s);
  const parts: string[] = [];
  for (let i = 0; i < values.length; i++) {
    const y = values[i]!;
    if (typeof y !== 'number') throw new ArgumentError(`serialize: values[${i}] must be a number, got ${typeof y}`);
    if (Number.isNaN(y)) { parts.push(s.missingStr); continue; }
    if (!Number.isFinite(y)) throw new NonFiniteError(`serialize: values[${i}] is ${y}; only finite numbers or NaN (missing) can be written`);
    if (Math.abs(y) > s.maxVal) {
      throw new ArgumentError(`serialize: |values[${i}]| = ${Math.abs(y)} exceeds maxVal ${s.maxVal}; fit the scaler with a larger α (or smaller β) so scaled values stay small`);
    }
    if (y < 0 && !s.signed) throw new ArgumentError(`serialize: values[${i}] = ${y} is negative but settings.signed is false`);
    parts.push(serializeValue(y, s));
  }
  return parts.length === 0 ? '' : parts.join(s.timeSep) + s.timeSep;
}

/**
 * numpy's sum of a short contiguous float64 row (pairwise summation with 8 accumulators from 8 elements on), so
 * decoded values equal the reference's to the last bit.
 */
function numpyRowSum(a: readonly number[]): number {
  const n = a.length;
  if (n < 8) {
    let s = 0;
    for (const v of a) s += v;
    return s;
  }
  if (n > 128) {
    const half = Math.floor(n / 2 / 8) * 8;
    return numpyRowSum(a.slice(0, half)) + numpyRowSum(a.slice(half));
  }
  const r = a.slice(0, 8);
  let i = 8;
  for (; i + 8 <= n; i += 8) for (let j = 0; j < 8; j++) r[j]! += a[i + j]!;
  let s = ((r[0]! + r[1]!) + (r[2]! + r[3]!)) + ((r[4]! + r[5]!) + (r[6]! + r[7]!));
  for (; i < n; i++) s += a[i]!;
  return s;
}

export interface DeserializeOptions {
  /** Keep at most this many steps. */
  steps?: number;
  /**
   * Strict parsing: a step containing anything but digits, signs and separators makes the whole completion fail
   * (null) instead of becoming ≈ 0 the way the reference parser lets it; `missingStr` steps decode to NaN.
   */
  strict?: boolean;
}

function isDigit(c: string): boolean {
  return c.length === 1 && c >= '0' && c <= '9';
}

/**
 * Parse a continuation back into scaled values (reference `deserialize_str`): split on `timeSep`, read an optional
 * sign, then digits up to the first non-digit; every step's digits are left-padded to the longest in this text and
 * read as k·10^−prec (+ ½·10^−prec with the half-bin correction). Returns null when no step could be read.
 */
export function deserialize(text: string, s: SerializerSettings, options: DeserializeOptions = {}): Float64Array | null {
  checkSettings('deserialize', s);
  if (typeof text !== 'string') throw new ArgumentError(`deserialize: text must be a string, got ${typeof text}`);
  const { steps, strict = false } = options;
  if (steps !== undefined && (!Number.isInteger(steps) || steps < 0)) {
    throw new ArgumentError(`deserialize: steps must be an integer ≥ 0, got ${steps}`);
  }
  let chunks = text.split(s.timeSep).filter((c) => c.length > 0);
  if (steps !== undefined) chunks = chunks.slice(0, steps);
  const signs: number[] = [];
  const digitLists: number[][] = [];
  const missing: boolean[] = [];
  for (const chunk of chunks) {
    if (strict && chunk === s.missingStr) {
      signs.push(1); digitLists.push([]); missing.push(true);
      continue;
    }
    // The empty plus sign always "matches", so an unsigned chunk reads as positive.
    const negative = s.minusSign.length > 0 && chunk.startsWith(s.minusSign);
    let body = negative ? chunk.slice(s.minusSign.length) : chunk.startsWith(s.plusSign) ? chunk.slice(s.plusSign.length) : chunk;
    body = body.replace(/^\s+/, '');
    const pieces = s.bitSep === '' ? Array.from(body) : body.split(s.bitSep).map((p) => p.slice(0, 1));
    if (strict) {
      const rest = s.bitSep === '' ? body : body.split(s.bitSep).join('');
      const allowed = rest.split('').every((c) => isDigit(c) || s.decimalPoint.includes(c));
      if (!allowed || rest.length === 0) return null;
    }
    const digits: number[] = [];
    for (const p of pieces) {
      if (p === s.decimalPoint) continue;
      if (!isDigit(p)) break;
      digits.push(Number(p));
    }
    signs.push(negative ? -1 : 1);
    digitLists.push(digits);
    missing.push(false);
  }
  if (digitLists.length === 0) return null;
  const width = Math.max(...digitLists.map((d) => d.length));
  const out = new Float64Array(digitLists.length);
  const half = s.halfBinCorrection ? 0.5 / pow10(s.prec) : 0;
  digitLists.forEach((digits, i) => {
    if (missing[i]) { out[i] = NaN; return; }
    const padded = [...new Array<number>(width - digits.length).fill(0), ...digits];
    // Reference: sum over flipped digits of d / base^power, power = prec, prec−1, …
    const terms = padded.reverse().map((d, j) => d / pow10(s.prec - j));
    out[i] = signs[i]! * (numpyRowSum(terms) + half);
  });
  return out;
}
