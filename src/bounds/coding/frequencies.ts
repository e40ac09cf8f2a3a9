import { ArgumentError } from '../../core/index.ts';

/** Counts of each symbol 0..alphabetSize−1 in `symbols`; a symbol outside that range is an error naming its index. */
export function symbolCounts(symbols: ArrayLike<number>, alphabetSize: number): number[] {
  if (!Number.isInteger(alphabetSize) || alphabetSize < 1) throw new ArgumentError(`symbolCounts: alphabetSize must be a positive integer, got ${alphabetSize}`);
  const counts = new Array<number>(alphabetSize).fill(0);
  for (let i = 0; i < symbols.length; i++) {
    const s = symbols[i]!;
    if (!Number.isInteger(s) || s < 0 || s >= alphabetSize) throw new ArgumentError(`symbolCounts: symbols[${i}] = ${s} is not an integer in [0, ${alphabetSize})`);
    counts[s]!++;
  }
  return counts;
}

/** N·H(p̂) in bits: the information content of a stream under its own empirical frequencies (Shannon 1948). */
export function empiricalEntropyBits(counts: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < counts.length; i++) n += counts[i]!;
  let bits = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c > 0) bits -= c * Math.log2(c / n);
  }
  return bits;
}

/**
 * The length an ideal arithmetic code of the stream achieves: ⌈N·H(p̂)⌉ + 1 bits (Cover & Thomas, Thm 13.3.1's
 * Shannon–Fano–Elias bound with the empirical distribution as the model).
 */
export function idealCodeLength(counts: ArrayLike<number>): number {
  return Math.ceil(empiricalEntropyBits(counts) - 1e-9) + 1;
}
