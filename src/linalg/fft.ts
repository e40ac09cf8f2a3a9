/**
 * Complex FFT on split typed arrays (re, im), any length: iterative radix-2 Cooley–Tukey for powers of two, and
 * Bluestein's chirp-z transform (Bluestein 1970; Rabiner, Schafer & Rader 1969) for every other n, which rewrites
 * the length-n DFT as a circular convolution of length M ≥ 2n − 1, M a power of two. Forward transform
 * X_k = Σ_j x_j·e^{−2πijk/n}; the inverse carries the 1/n. Twiddles and chirps are cached per size.
 */
const twiddleCache = new Map<number, { cos: Float64Array; sin: Float64Array }>();

function twiddles(n: number): { cos: Float64Array; sin: Float64Array } {
  let t = twiddleCache.get(n);
  if (!t) {
    const cos = new Float64Array(n / 2), sin = new Float64Array(n / 2);
    for (let k = 0; k < n / 2; k++) { cos[k] = Math.cos((2 * Math.PI * k) / n); sin[k] = Math.sin((2 * Math.PI * k) / n); }
    t = { cos, sin };
    twiddleCache.set(n, t);
  }
  return t;
}

export const isPow2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;
export function nextPow2(n: number): number { let p = 1; while (p < n) p *= 2; return p; }

/** In-place radix-2 FFT of length n = 2^p (bit reversal, then log₂ n butterfly passes). */
function radix2(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) { let t = re[i]!; re[i] = re[j]!; re[j] = t; t = im[i]!; im[i] = im[j]!; im[j] = t; }
  }
  const { cos, sin } = twiddles(n), sgn = inverse ? 1 : -1;
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1, step = n / len;
    for (let s = 0; s < n; s += len) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step]!, wi = sgn * sin[k * step]!;
        const a = s + k, b = a + half;
        const xr = re[b]! * wr - im[b]! * wi, xi = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - xr; im[b] = im[a]! - xi;
        re[a] = re[a]! + xr; im[a] = im[a]! + xi;
      }
    }
  }
}

interface Chirp { m: number; wr: Float64Array; wi: Float64Array; bre: Float64Array; bim: Float64Array }
const chirpCache = new Map<number, Chirp>();

/** w_k = e^{−iπk²/n} and the FFT of the conjugate chirp b (length M), for Bluestein of size n. */
function chirp(n: number): Chirp {
  let c = chirpCache.get(n);
  if (!c) {
    const m = nextPow2(2 * n - 1), wr = new Float64Array(n), wi = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      // k² mod 2n keeps the angle small (exact for large k).
      const a = (Math.PI * ((k * k) % (2 * n))) / n;
      wr[k] = Math.cos(a); wi[k] = -Math.sin(a);
    }
    const bre = new Float64Array(m), bim = new Float64Array(m);
    for (let k = 0; k < n; k++) { bre[k] = wr[k]!; bim[k] = -wi[k]!; if (k > 0) { bre[m - k] = wr[k]!; bim[m - k] = -wi[k]!; } }
    radix2(bre, bim, false);
    c = { m, wr, wi, bre, bim };
    chirpCache.set(n, c);
  }
  return c;
}

function bluestein(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length, { m, wr, wi, bre, bim } = chirp(n);
  // The inverse DFT is the conjugate of the forward DFT of the conjugate.
  const s = inverse ? -1 : 1;
  const ar = new Float64Array(m), ai = new Float64Array(m);
  for (let k = 0; k < n; k++) {
    const xr = re[k]!, xi = s * im[k]!;
    ar[k] = xr * wr[k]! - xi * wi[k]!; ai[k] = xr * wi[k]! + xi * wr[k]!;
  }
  radix2(ar, ai, false);
  for (let k = 0; k < m; k++) { const r = ar[k]! * bre[k]! - ai[k]! * bim[k]!; ai[k] = ar[k]! * bim[k]! + ai[k]! * bre[k]!; ar[k] = r; }
  radix2(ar, ai, true);
  for (let k = 0; k < n; k++) {
    const cr = ar[k]! / m, ci = ai[k]! / m;
    re[k] = cr * wr[k]! - ci * wi[k]!; im[k] = s * (cr * wi[k]! + ci * wr[k]!);
  }
}

/** In-place DFT (inverse: with the 1/n factor) of the complex vector (re, im), any length. */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (n <= 1) return;
  if (isPow2(n)) radix2(re, im, inverse); else bluestein(re, im, inverse);
  if (inverse) for (let k = 0; k < n; k++) { re[k] = re[k]! / n; im[k] = im[k]! / n; }
}

/**
 * N-d DFT of a row-major complex array with the given dims, in place: 1-D transforms along each axis in turn
 * (gathered into a contiguous line, transformed, scattered back).
 */
export function fftN(re: Float64Array, im: Float64Array, dims: readonly number[], inverse = false): void {
  const total = re.length;
  let stride = 1;
  for (let ax = dims.length - 1; ax >= 0; ax--) {
    const n = dims[ax]!;
    if (n > 1) {
      const lr = new Float64Array(n), li = new Float64Array(n), block = n * stride;
      for (let base = 0; base < total; base += block) {
        for (let off = 0; off < stride; off++) {
          for (let k = 0; k < n; k++) { const p = base + off + k * stride; lr[k] = re[p]!; li[k] = im[p]!; }
          fft(lr, li, inverse);
          for (let k = 0; k < n; k++) { const p = base + off + k * stride; re[p] = lr[k]!; im[p] = li[k]!; }
        }
      }
    }
    stride *= n;
  }
}
