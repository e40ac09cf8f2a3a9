import { ArgumentError } from '../../core/index.ts';
import { BitReader, BitWriter } from './bits.ts';

/**
 * A static-model binary arithmetic coder in the integer form of Witten, Neal & Cleary (CACM 30(6), 1987), with
 * E3 "pending bit" handling. The model is a table of symbol counts known to both sides (the frequency table is
 * charged separately in the code length), so the coded length is −Σ log2(cᵢ/N) plus at most two bits of
 * termination and a rounding loss below N·T/2^30 bits.
 *
 * State is 32 bits wide; products range·cumulative stay below 2^53 because totals are capped at 2^20.
 */
const STATE_BITS = 32;
const TOP = 2 ** STATE_BITS - 1;
const HALF = 2 ** (STATE_BITS - 1);
const QUARTER = 2 ** (STATE_BITS - 2);
/** Largest total count the coder accepts (keeps range × cumulative exact in a double). */
export const MAX_TOTAL_COUNT = 2 ** 20;

export interface ArithmeticCode {
  /** The code, most significant bit first, zero-padded to whole bytes. */
  bytes: Uint8Array;
  /** Exact code length in bits (the padding is not part of it). */
  bits: number;
  /** Number of symbols encoded (needed to stop decoding; equals the sum of the counts). */
  count: number;
}

function cumulative(counts: ArrayLike<number>, op: string): { cum: Float64Array; total: number } {
  if (counts.length < 1) throw new ArgumentError(`${op}: counts must list at least one symbol`);
  const cum = new Float64Array(counts.length + 1);
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (!Number.isInteger(c) || c < 0) throw new ArgumentError(`${op}: counts[${i}] = ${c} must be a non-negative integer`);
    cum[i + 1] = cum[i]! + c;
  }
  const total = cum[counts.length]!;
  if (total < 1) throw new ArgumentError(`${op}: counts must not all be zero`);
  if (total > MAX_TOTAL_COUNT) throw new ArgumentError(`${op}: counts sum to ${total}; at most ${MAX_TOTAL_COUNT} symbols per stream are supported (split the stream)`);
  return { cum, total };
}

/** The model the coder sees at one position: cumulative counts (cum[s] ≤ … < cum[s + 1]) and their total. */
interface PositionModel { cum: Float64Array; total: number; symbols: number }

/** The one encoder loop (Witten, Neal & Cleary 1987, with E3 pending bits); `modelAt` supplies each position's model. */
function encodeWith(op: string, symbols: ArrayLike<number>, modelAt: (i: number, previous: Int32Array) => PositionModel): ArithmeticCode {
  const out = new BitWriter();
  const prev = new Int32Array(symbols.length);
  let low = 0, high = TOP, pending = 0;
  const emit = (bit: 0 | 1) => {
    out.write(bit);
    const other = (1 - bit) as 0 | 1;
    for (; pending > 0; pending--) out.write(other);
  };
  for (let i = 0; i < symbols.length; i++) {
    const { cum, total, symbols: k } = modelAt(i, prev.subarray(0, i));
    const s = symbols[i]!;
    if (!Number.isInteger(s) || s < 0 || s >= k) throw new ArgumentError(`${op}: symbols[${i}] = ${s} is not a symbol of the ${k}-symbol model`);
    if (cum[s + 1] === cum[s]) throw new ArgumentError(`${op}: symbols[${i}] = ${s} has count 0 in the model and cannot be coded`);
    const range = high - low + 1;
    high = low + Math.floor((range * cum[s + 1]!) / total) - 1;
    low = low + Math.floor((range * cum[s]!) / total);
    for (;;) {
      if (high < HALF) emit(0);
      else if (low >= HALF) { emit(1); low -= HALF; high -= HALF; }
      else if (low >= QUARTER && high < HALF + QUARTER) { pending++; low -= QUARTER; high -= QUARTER; }
      else break;
      low = 2 * low; high = 2 * high + 1;
    }
    prev[i] = s;
  }
  // Two more bits (plus pending) pick a point inside [low, high] whatever bits follow.
  pending++;
  emit(low < QUARTER ? 0 : 1);
  return { bytes: out.finish(), bits: out.length, count: symbols.length };
}

/** The one decoder loop, the exact inverse of `encodeWith` given the same `modelAt`. */
function decodeWith(op: string, code: ArithmeticCode, modelAt: (i: number, previous: Int32Array) => PositionModel): Int32Array {
  if (!Number.isInteger(code.count) || code.count < 0) throw new ArgumentError(`${op}: code.count must be a non-negative integer, got ${code.count}`);
  if (!(code.bits >= 0 && code.bits <= code.bytes.length * 8)) throw new ArgumentError(`${op}: code.bits = ${code.bits} does not fit in ${code.bytes.length} bytes`);
  const input = new BitReader(code.bytes, code.bits);
  const out = new Int32Array(code.count);
  let low = 0, high = TOP, value = 0;
  for (let b = 0; b < STATE_BITS; b++) value = 2 * value + input.read();
  for (let i = 0; i < code.count; i++) {
    const { cum, total, symbols: k } = modelAt(i, out.subarray(0, i));
    const range = high - low + 1;
    const target = Math.floor(((value - low + 1) * total - 1) / range);
    // Binary search for the symbol s with cum[s] ≤ target < cum[s + 1].
    let lo = 0, hi = k - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (cum[mid]! <= target) lo = mid; else hi = mid - 1;
    }
    out[i] = lo;
    high = low + Math.floor((range * cum[lo + 1]!) / total) - 1;
    low = low + Math.floor((range * cum[lo]!) / total);
    for (;;) {
      if (high < HALF) { /* nothing to subtract */ }
      else if (low >= HALF) { low -= HALF; high -= HALF; value -= HALF; }
      else if (low >= QUARTER && high < HALF + QUARTER) { low -= QUARTER; high -= QUARTER; value -= QUARTER; }
      else break;
      low = 2 * low; high = 2 * high + 1; value = 2 * value + input.read();
    }
  }
  return out;
}

function staticModel(counts: ArrayLike<number>, op: string): PositionModel {
  return { ...cumulative(counts, op), symbols: counts.length };
}

/** Arithmetic-codes `symbols` under the static model `counts` (counts[s] > 0 for every symbol that occurs). */
export function arithmeticEncode(symbols: ArrayLike<number>, counts: ArrayLike<number>): ArithmeticCode {
  const model = staticModel(counts, 'arithmeticEncode');
  return encodeWith('arithmeticEncode', symbols, () => model);
}

/** Inverse of `arithmeticEncode`: the `code.count` symbols, given the same `counts`. */
export function arithmeticDecode(code: ArithmeticCode, counts: ArrayLike<number>): Int32Array {
  const model = staticModel(counts, 'arithmeticDecode');
  return decodeWith('arithmeticDecode', code, () => model);
}

/** Supplies the model for position i: integer counts over the alphabet (any total ≤ MAX_TOTAL_COUNT). */
export type CountsAt = (position: number, previous: Int32Array) => ArrayLike<number>;

/**
 * Arithmetic coding with a model that changes per position (e.g. a classifier's predictive distribution for each
 * label, quantised to integer counts): the same coder, asking `countsAt(i, previous)` for each symbol. The decoder
 * must be given the same function.
 */
export function arithmeticEncodeAdaptive(symbols: ArrayLike<number>, countsAt: CountsAt): ArithmeticCode {
  const op = 'arithmeticEncodeAdaptive';
  return encodeWith(op, symbols, (i, prev) => staticModel(countsAt(i, prev), op));
}

/** Inverse of `arithmeticEncodeAdaptive` given the same `countsAt`. */
export function arithmeticDecodeAdaptive(code: ArithmeticCode, countsAt: CountsAt): Int32Array {
  const op = 'arithmeticDecodeAdaptive';
  return decodeWith(op, code, (i, prev) => staticModel(countsAt(i, prev), op));
}

/**
 * Integer counts (total 2^16) from a probability vector, every symbol ≥ 1 so any outcome stays codable; the
 * quantisation costs at most a few thousandths of a bit per symbol for probabilities ≫ 2^−16.
 */
export function countsFromProbabilities(p: ArrayLike<number>, total = 2 ** 16): Int32Array {
  const k = p.length;
  if (k < 1 || total < 2 * k) throw new ArgumentError(`countsFromProbabilities: need 1 ≤ ${k} symbols and total ≥ 2·symbols, got total ${total}`);
  let sum = 0;
  for (let i = 0; i < k; i++) {
    const x = p[i]!;
    if (!(x >= 0) || !Number.isFinite(x)) throw new ArgumentError(`countsFromProbabilities: p[${i}] = ${x} must be a finite number ≥ 0`);
    sum += x;
  }
  if (!(sum > 0)) throw new ArgumentError('countsFromProbabilities: probabilities sum to 0');
  const spare = total - k;
  const c = new Int32Array(k);
  let used = 0, argmax = 0;
  for (let i = 0; i < k; i++) {
    c[i] = 1 + Math.floor((p[i]! / sum) * spare);
    used += c[i]!;
    if (p[i]! > p[argmax]!) argmax = i;
  }
  c[argmax]! += total - used;
  return c;
}
