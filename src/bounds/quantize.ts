import { ArgumentError, NonFiniteError } from '../core/index.ts';
import { symbolCounts } from './coding/index.ts';
import { roundFloat16 } from './float16.ts';

export interface Quantized {
  levels: number;
  /** Bin index of each coordinate. */
  symbols: Int32Array;
  /** One float16-representable codeword per level. */
  codebook: Float64Array;
  /** ŵᵢ = codebook[symbols[i]]: the weights of the model whose risk is bounded. */
  decoded: Float64Array;
  /** Occurrences of each symbol. */
  counts: number[];
}

export interface QuantizeOptions {
  /** Number of levels L (reference: 11). */
  levels?: number;
  /**
   * A given codebook (e.g. trained by quantisation-aware training): each coordinate takes its nearest codeword.
   * Without it, the spec's uniform-bins codebook is built from w.
   */
  codebook?: ArrayLike<number>;
}

function checkWeights(op: string, w: ArrayLike<number>): void {
  if (w.length < 1) throw new ArgumentError(`${op}: w must hold at least one coordinate`);
  for (let i = 0; i < w.length; i++) if (!Number.isFinite(w[i]!)) throw new NonFiniteError(`${op}: w[${i}] is ${w[i]}`);
}

/**
 * Quantisation of w to L levels (spec §2.4 step 1, the reference's uniform bins): L + 1 equally spaced edges on
 * [−max|w| − 1e-6, max|w| + 1e-6]; each coordinate's symbol is its bin; a bin's codeword is the mean of its
 * members (an empty bin takes its left edge), stored as float16.
 */
export function quantize(w: ArrayLike<number>, options: QuantizeOptions = {}): Quantized {
  checkWeights('quantize', w);
  const n = w.length;
  if (options.codebook !== undefined) {
    const cb = Float64Array.from(options.codebook, (c, i) => roundFloat16(c, `codebook[${i}]`));
    if (cb.length < 1) throw new ArgumentError('quantize: codebook must hold at least one codeword');
    if (options.levels !== undefined && options.levels !== cb.length) throw new ArgumentError(`quantize: levels = ${options.levels} but the codebook has ${cb.length} codewords`);
    const symbols = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0, bd = Infinity;
      for (let b = 0; b < cb.length; b++) { const dd = Math.abs(w[i]! - cb[b]!); if (dd < bd) { bd = dd; best = b; } }
      symbols[i] = best;
    }
    return finish(symbols, cb);
  }
  const L = options.levels ?? 11;
  if (!Number.isInteger(L) || L < 2) throw new ArgumentError(`quantize: levels must be an integer ≥ 2, got ${L}`);
  let amax = 0;
  for (let i = 0; i < n; i++) amax = Math.max(amax, Math.abs(w[i]!));
  const lo = -amax - 1e-6, width = (2 * amax + 2e-6) / L;
  const symbols = new Int32Array(n);
  const sums = new Float64Array(L), cnt = new Float64Array(L);
  for (let i = 0; i < n; i++) {
    const b = Math.min(L - 1, Math.max(0, Math.floor((w[i]! - lo) / width)));
    symbols[i] = b;
    sums[b]! += w[i]!;
    cnt[b]!++;
  }
  const codebook = new Float64Array(L);
  for (let b = 0; b < L; b++) codebook[b] = roundFloat16(cnt[b]! > 0 ? sums[b]! / cnt[b]! : lo + b * width, `codeword ${b}`);
  return finish(symbols, codebook);

  function finish(symbols: Int32Array, codebook: Float64Array): Quantized {
    const decoded = new Float64Array(n);
    for (let i = 0; i < n; i++) decoded[i] = codebook[symbols[i]!]!;
    return { levels: codebook.length, symbols, codebook, decoded, counts: symbolCounts(symbols, codebook.length) };
  }
}
