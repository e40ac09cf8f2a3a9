import { allocate, type DType, type FloatDType } from './dtype.ts';
import { ArgumentError } from './errors.ts';
import { checkShape, sizeOf } from './shape.ts';
import { Tensor } from './tensor.ts';
import { compact } from './elementwise.ts';

/**
 * The one random-number generator of Strata: xoshiro128** (Blackman & Vigna) seeded through splitmix32.
 * `split()` derives independent child generators, so a seeded experiment can hand each component its own stream
 * and stay reproducible when components are added or reordered.
 */
export class Rng {
  private s0: number; private s1: number; private s2: number; private s3: number;
  private spare: number | null = null;

  constructor(seed: number | readonly number[] = 0) {
    const words = typeof seed === 'number' ? [seed] : [...seed];
    for (const w of words) if (!Number.isFinite(w)) throw new ArgumentError(`Rng: seed must be finite, got ${w}`);
    let h = 0x9e3779b9;
    for (const w of words) h = mix32(h ^ mix32((w >>> 0) ^ Math.floor(w / 2 ** 32)));
    let x = h;
    const next = () => { x = (x + 0x9e3779b9) | 0; return mix32(x); };
    this.s0 = next(); this.s1 = next(); this.s2 = next(); this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A uniform unsigned 32-bit integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0; this.s3 ^= this.s1; this.s1 ^= this.s2; this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextU32() >>> 5, lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A standard normal draw (Marsaglia polar method). */
  gauss(): number {
    if (this.spare !== null) { const s = this.spare; this.spare = null; return s; }
    let u: number, v: number, s: number;
    do { u = 2 * this.random() - 1; v = 2 * this.random() - 1; s = u * u + v * v; } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    return u * f;
  }

  /** An integer uniform in [lo, hi). */
  int(lo: number, hi: number): number {
    if (!(hi > lo)) throw new ArgumentError(`Rng.int: need hi > lo, got [${lo}, ${hi})`);
    return lo + Math.floor(this.random() * (hi - lo));
  }

  /** `n` independent child generators (deterministic functions of this generator's state). */
  split(n = 2): Rng[] {
    return Array.from({ length: n }, () => new Rng([this.nextU32(), this.nextU32(), this.nextU32()]));
  }

  uniform(shape: readonly number[], opts: { low?: number; high?: number; dtype?: FloatDType } = {}): Tensor {
    const { low = 0, high = 1, dtype = 'float64' } = opts;
    const data = allocate(dtype, sizeOf(checkShape('uniform', shape)));
    for (let i = 0; i < data.length; i++) data[i] = low + (high - low) * this.random();
    return new Tensor(data, [...shape]);
  }

  normal(shape: readonly number[], opts: { mean?: number; std?: number; dtype?: FloatDType } = {}): Tensor {
    const { mean = 0, std = 1, dtype = 'float64' } = opts;
    const data = allocate(dtype, sizeOf(checkShape('normal', shape)));
    for (let i = 0; i < data.length; i++) data[i] = mean + std * this.gauss();
    return new Tensor(data, [...shape]);
  }

  randint(lo: number, hi: number, shape: readonly number[], dtype: DType = 'int32'): Tensor {
    const data = allocate(dtype, sizeOf(checkShape('randint', shape)));
    for (let i = 0; i < data.length; i++) data[i] = this.int(lo, hi);
    return new Tensor(data, [...shape]);
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const t = p[i]!; p[i] = p[j]!; p[j] = t;
    }
    return p;
  }

  /**
   * Draws one category per row of `probs` (shape [..., K], rows need not be normalised; non-negative, finite,
   * positive sum), or of `softmax(logits)` when `{logits: true}`. Returns an int32 tensor of shape [...].
   */
  categorical(weights: Tensor, opts: { logits?: boolean } = {}): Tensor {
    const K = weights.shape[weights.ndim - 1];
    if (K === undefined || K === 0) throw new ArgumentError('categorical: weights need a non-empty last axis');
    const { data, offset } = compact(weights);
    const rows = weights.size / K;
    const out = new Int32Array(rows);
    const w = new Float64Array(K);
    for (let r = 0; r < rows; r++) {
      let total = 0;
      let m = -Infinity;
      if (opts.logits) for (let k = 0; k < K; k++) m = Math.max(m, data[offset + r * K + k]!);
      for (let k = 0; k < K; k++) {
        const v = data[offset + r * K + k]!;
        const p = opts.logits ? Math.exp(v - m) : v;
        if (!(p >= 0) || !Number.isFinite(p)) throw new ArgumentError(`categorical: row ${r} has an invalid ${opts.logits ? 'logit' : 'probability'} ${v} at ${k}`);
        w[k] = p;
        total += p;
      }
      if (!(total > 0)) throw new ArgumentError(`categorical: row ${r} has zero total probability`);
      let u = this.random() * total;
      let k = 0;
      for (; k < K - 1; k++) { u -= w[k]!; if (u < 0) break; }
      out[r] = k;
    }
    return new Tensor(out, weights.shape.slice(0, -1));
  }
}

/**
 * A 32-bit seed for one named component, derived from a parent seed and keys (strings or integers) — the fold-in of
 * JAX's `random.fold_in`, for handing a component its own stream by *name* rather than by position or by adding a
 * magic offset: `deriveSeed(seed, 'eval')`, `deriveSeed(seed, 'series', k)`. Equal inputs give equal seeds; the
 * result feeds `new Rng(...)`. Use `split()` when the children are anonymous and drawn in a fixed order.
 */
export function deriveSeed(seed: number, ...keys: readonly (string | number)[]): number {
  if (!Number.isFinite(seed)) throw new ArgumentError(`deriveSeed: seed must be finite, got ${seed}`);
  let h = mix32(0x2545f491 ^ mix32((seed >>> 0) ^ Math.floor(seed / 2 ** 32)));
  for (const [i, key] of keys.entries()) {
    if (typeof key === 'number') {
      if (!Number.isFinite(key)) throw new ArgumentError(`deriveSeed: keys[${i}] must be finite, got ${key}`);
      // Tagged so that the integer 97 and the string 'a' fold in differently.
      h = mix32(h ^ 0x1b873593 ^ mix32((key >>> 0) ^ Math.floor(key / 2 ** 32)));
    } else if (typeof key === 'string') {
      h = mix32(h ^ 0xcc9e2d51 ^ key.length);
      for (let c = 0; c < key.length; c++) h = mix32(h ^ key.charCodeAt(c));
    } else {
      throw new ArgumentError(`deriveSeed: keys[${i}] must be a string or a number, got ${typeof key}`);
    }
  }
  return h;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A 32-bit finaliser (murmur3 fmix32) used to turn seeds into well-mixed state words. */
function mix32(h: number): number {
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
