import { ArgumentError, RuntimeFailure } from '../core/index.ts';
import { arithmeticDecode, arithmeticEncode, idealCodeLength } from './coding/index.ts';
import type { Quantized } from './quantize.ts';

export interface CodeLength {
  /** Bits of the arithmetic-coded symbols. */
  coded: number;
  /** 16·L: the float16 codebook. */
  codebook: number;
  /** L·⌈log2 N⌉: the frequency table. */
  table: number;
  /** coded + codebook + table. */
  message: number;
  /** K = message + 2·log2(message): a prefix-free code for messages of any length. */
  prefixFree: number;
  coder: 'arithmetic' | 'entropy' | 'raw';
}

/**
 * Code length of a quantised weight vector (spec §2.4 steps 3–5). `coder: 'arithmetic'` (default) runs the real
 * coder and checks it decodes back; `'entropy'` charges the ideal ⌈N·H(p̂)⌉ + 1.
 */
export function codeLength(q: Quantized, options: { coder?: 'arithmetic' | 'entropy' } = {}): CodeLength {
  const coder = options.coder ?? 'arithmetic';
  if (coder !== 'arithmetic' && coder !== 'entropy') throw new ArgumentError(`codeLength: coder must be 'arithmetic' or 'entropy', got '${coder}'`);
  const N = q.symbols.length, L = q.levels;
  let coded: number;
  if (coder === 'arithmetic') {
    const code = arithmeticEncode(q.symbols, q.counts);
    const back = arithmeticDecode(code, q.counts);
    for (let i = 0; i < N; i++) if (back[i] !== q.symbols[i]) throw new RuntimeFailure(`codeLength: arithmetic code failed to decode symbol ${i}`);
    coded = code.bits;
  } else {
    coded = idealCodeLength(q.counts);
  }
  const codebook = 16 * L;
  const table = L * Math.ceil(Math.log2(N));
  const message = coded + codebook + table;
  return { coded, codebook, table, message, prefixFree: message + 2 * Math.log2(message), coder };
}

/** K for weights stored raw at `bitsPerWeight` (e.g. 32 for float32): the uncompressed model of the comparison. */
export function rawCodeLength(count: number, bitsPerWeight = 32): CodeLength {
  if (!Number.isInteger(count) || count < 1) throw new ArgumentError(`rawCodeLength: count must be a positive integer, got ${count}`);
  const message = count * bitsPerWeight;
  return { coded: message, codebook: 0, table: 0, message, prefixFree: message + 2 * Math.log2(message), coder: 'raw' };
}
