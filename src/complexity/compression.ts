import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { Rng, ArgumentError } from '../core/index.ts';

export type Codec = 'gzip' | 'brotli';

/**
 * Compressed size of `bytes` with a standard compressor (Node's zlib): gzip at level 9, brotli at quality 11 with
 * a 2^24-byte window. Bits per symbol = 8·compressedBytes/n (Goldblum et al. 2024 §3's proxy for Kolmogorov
 * complexity: an upper bound on it, up to the decompressor's constant).
 */
export function compressedBits(bytes: Uint8Array, options: { codec: Codec }): { bytes: number; bits: number; bitsPerSymbol: number } {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new ArgumentError('compressedBits: bytes must be a non-empty Uint8Array');
  let out: Uint8Array;
  if (options.codec === 'gzip') out = gzipSync(bytes, { level: 9 });
  else if (options.codec === 'brotli') {
    out = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } });
  } else throw new ArgumentError(`compressedBits: codec must be 'gzip' or 'brotli', got '${String(options.codec)}'`);
  return { bytes: out.length, bits: 8 * out.length, bitsPerSymbol: (8 * out.length) / bytes.length };
}

/** The same symbols in a seeded random order (Fisher–Yates): keeps unigram statistics, destroys structure. */
export function shuffleSymbols(bytes: Uint8Array, rng: Rng): Uint8Array {
  const out = Uint8Array.from(bytes);
  for (let i = out.length - 1; i > 0; i--) { const j = rng.int(0, i + 1); const t = out[i]!; out[i] = out[j]!; out[j] = t; }
  return out;
}

/** The distinct byte values of `bytes`, ascending. */
export function alphabetOf(bytes: Uint8Array): number[] {
  const seen = new Uint8Array(256);
  for (let i = 0; i < bytes.length; i++) seen[bytes[i]!] = 1;
  return Array.from({ length: 256 }, (_, v) => v).filter((v) => seen[v]);
}

/** `n` symbols drawn uniformly from `alphabet`. */
export function uniformSymbols(alphabet: readonly number[], n: number, rng: Rng): Uint8Array {
  if (alphabet.length === 0) throw new ArgumentError('uniformSymbols: alphabet must not be empty');
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = alphabet[rng.int(0, alphabet.length)]!;
  return out;
}

/** Unigram (order-0) entropy in bits per symbol. */
export function unigramEntropy(bytes: Uint8Array): number {
  const c = new Float64Array(256);
  for (let i = 0; i < bytes.length; i++) c[bytes[i]!]!++;
  let h = 0;
  for (const x of c) if (x > 0) h -= (x / bytes.length) * Math.log2(x / bytes.length);
  return h;
}

/**
 * Counting bound (Goldblum et al. 2024 §3): fewer than 2^{n−k+1} binary descriptions are shorter than n − k + 1
 * bits, so at most (2^{n−k+1} − 1)/2^n < 2^{−k+1} of the 2^n strings of length n compress by k bits.
 */
export function compressibleFraction(n: number, k: number): number {
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError(`compressibleFraction: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(k) || k < 1 || k > n + 1) throw new ArgumentError(`compressibleFraction: k must be an integer in [1, n + 1], got ${k}`);
  return (2 ** (n - k + 1) - 1) / 2 ** n;
}
