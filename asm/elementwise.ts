/**
 * WebAssembly SIMD transcendental kernels for Strata's elementwise ops (AssemblyScript; `npm run build:wasm`).
 *
 * The host streams a tensor through a small window of linear memory (a chunk that stays in L1/L2), so each kernel
 * here reads `n` values at `src` and writes `n` results at `dst`; `dst` may equal `src`.
 *
 * exp: Cody–Waite range reduction x = k·ln2 + r, |r| ≤ ln2/2 (Cody & Waite, "Software Manual for the Elementary
 * Functions", 1980, ch. 6), e^r from its Taylor series written as 1 + (r + r²·q(r)) so the only rounding near
 * the result is the final add, and 2^k applied in two exact halves (2^⌊k/2⌋·2^(k−⌊k/2⌋)) so results that
 * underflow into subnormals or overflow to ∞ are rounded once. Degree 13 in float64 (truncation < 4e-18),
 * degree 7 in float32 (< 6e-9).
 * tanh: tanh|x| = u / (u + 2) with u = expm1(2|x|) = 2^k·expm1(r) + (2^k − 1), carried as double-doubles
 * into the quotient (≤ 1.4 ulp against a 50-digit reference; V8's fdlibm Math.tanh is up to 2 ulp off);
 * no cancellation for small |x|, and |x| ≥ 22 gives exactly 1 (1 − tanh 22 ≈ 1.6e-19 < half an ulp of 1). The sign is copied back, so tanh(−0)
 * = −0. Clamps use pmin/pmax (one minpd/maxpd each; wasm's NaN-aware min/max cost ≈ 25% of exp) with x
 * as the operand that is returned when a comparison fails, so NaN passes through every step.
 */

// fdlibm's split of ln 2: LN2_HI has 32 significant bits, so k·LN2_HI is exact for |k| < 2^20.
const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const LOG2E: f64 = 1.4426950408889634;
// 1.5·2^52: adding it to an integral |k| < 2^51 puts k in the low mantissa bits.
const MAGIC: f64 = 6755399441055744.0;

// 1/n! for n = 2..13.
const C2: f64 = 0.5;
const C3: f64 = 1.0 / 6.0;
const C4: f64 = 1.0 / 24.0;
const C5: f64 = 1.0 / 120.0;
const C6: f64 = 1.0 / 720.0;
const C7: f64 = 1.0 / 5040.0;
const C8: f64 = 1.0 / 40320.0;
const C9: f64 = 1.0 / 362880.0;
const C10: f64 = 1.0 / 3628800.0;
const C11: f64 = 1.0 / 39916800.0;
const C12: f64 = 1.0 / 479001600.0;
const C13: f64 = 1.0 / 6227020800.0;

@inline function fma2(a: v128, b: v128, c: v128): v128 {
  return f64x2.add(f64x2.mul(a, b), c);
}

/** expm1(r) − r over r²: the Taylor tail q(r) with e^r = 1 + r + r²·q(r). */
@inline function tail64(r: v128): v128 {
  let q = f64x2.splat(C13);
  q = fma2(q, r, f64x2.splat(C12));
  q = fma2(q, r, f64x2.splat(C11));
  q = fma2(q, r, f64x2.splat(C10));
  q = fma2(q, r, f64x2.splat(C9));
  q = fma2(q, r, f64x2.splat(C8));
  q = fma2(q, r, f64x2.splat(C7));
  q = fma2(q, r, f64x2.splat(C6));
  q = fma2(q, r, f64x2.splat(C5));
  q = fma2(q, r, f64x2.splat(C4));
  q = fma2(q, r, f64x2.splat(C3));
  q = fma2(q, r, f64x2.splat(C2));
  return q;
}

/** 2^k for integral k (as f64 lanes) in the normal range, built from its exponent bits. */
@inline function pow2_64(k: v128): v128 {
  const bits = i64x2.sub(f64x2.add(k, f64x2.splat(MAGIC)), f64x2.splat(MAGIC));
  return i64x2.shl(i64x2.add(bits, i64x2.splat(1023)), 52);
}

@inline function exp64(x: v128): v128 {
  // Beyond these bounds e^x is ∞ or 0 in float64; clamping keeps k small enough for the two-step scale.
  x = f64x2.pmin(f64x2.pmax(x, f64x2.splat(-746.0)), f64x2.splat(710.0));
  const k = f64x2.nearest(f64x2.mul(x, f64x2.splat(LOG2E)));
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(k, f64x2.splat(LN2_HI))), f64x2.mul(k, f64x2.splat(LN2_LO)));
  const p = f64x2.add(f64x2.splat(1.0), f64x2.add(r, f64x2.mul(f64x2.mul(r, r), tail64(r))));
  const k1 = f64x2.floor(f64x2.mul(k, f64x2.splat(0.5)));
  const k2 = f64x2.sub(k, k1);
  return f64x2.mul(f64x2.mul(p, pow2_64(k1)), pow2_64(k2));
}

@inline function tanh64(x: v128): v128 {
  const signMask = i64x2.splat(0x8000000000000000);
  const one = f64x2.splat(1.0), two = f64x2.splat(2.0);
  const t = f64x2.pmin(f64x2.abs(x), f64x2.splat(22.0));
  const y = f64x2.add(t, t);
  const k = f64x2.nearest(f64x2.mul(y, f64x2.splat(LOG2E)));
  const r = f64x2.sub(f64x2.sub(y, f64x2.mul(k, f64x2.splat(LN2_HI))), f64x2.mul(k, f64x2.splat(LN2_LO)));
  // expm1(r) = r + w as a double-double (Fast2Sum: |r| ≥ |w|), then u + ul = 2^k·(r + w) + (2^k − 1), also
  // compensated (|2^k − 1| ≥ |2^k·expm1 r| for k ≥ 1; k = 0 makes the first term exact).
  const w = f64x2.mul(f64x2.mul(r, r), tail64(r));
  const pm1 = f64x2.add(r, w);
  const pl = f64x2.add(f64x2.sub(r, pm1), w);
  const s = pow2_64(k);
  const a = f64x2.sub(s, one);
  const b = f64x2.mul(s, pm1);
  const u = f64x2.add(a, b);
  const ul = f64x2.add(f64x2.add(f64x2.sub(a, u), b), f64x2.mul(s, pl));
  // d + dl = u + ul + 2 (TwoSum), then tanh = (u + ul)/(d + dl) ≈ q0 + (ul − q0·dl)/d with q0 = u/d. Measured
  // against a 50-digit reference: 1.37 ulp at worst (the uncompensated u/(u + 2) is 2.2; adding Dekker's exact
  // residual of the division reaches 0.98 but costs ≈ 40% more).
  const d = f64x2.add(u, two);
  const bb = f64x2.sub(d, u);
  const dl = f64x2.add(f64x2.add(f64x2.sub(u, f64x2.sub(d, bb)), f64x2.sub(two, bb)), ul);
  const q0 = f64x2.div(u, d);
  const th = f64x2.add(q0, f64x2.div(f64x2.sub(ul, f64x2.mul(q0, dl)), d));
  return v128.bitselect(x, th, signMask);
}

/** Logistic σ(x) = 1 / (1 + e^−x) for x ≥ 0 and e^x / (1 + e^x) below, from e = e^−|x| (never overflows). */
@inline function sigmoid64(x: v128): v128 {
  const e = exp64(f64x2.neg(f64x2.abs(x)));
  const d = f64x2.add(f64x2.splat(1.0), e);
  const pos = f64x2.div(f64x2.splat(1.0), d);
  const neg = f64x2.div(e, d);
  // Lanes with x < 0 take e/(1+e); NaN compares false and keeps NaN from `pos`.
  return v128.bitselect(neg, pos, f64x2.lt(x, f64x2.splat(0.0)));
}

/** SiLU x·σ(x) (Elfwing et al. 2018) and its derivative σ(x)·(1 + x·(1 − σ(x))), both from one σ. */
@inline function silu64(x: v128): v128 {
  return f64x2.mul(x, sigmoid64(x));
}
@inline function siluGrad64(x: v128): v128 {
  const s = sigmoid64(x);
  // x clamped to ±800 in the x(1 − σ) factor (NaN passes), so ±∞ give the limits 1 and 0, not ∞·0.
  const xc = f64x2.pmin(f64x2.pmax(x, f64x2.splat(-800.0)), f64x2.splat(800.0));
  return f64x2.mul(s, f64x2.add(f64x2.splat(1.0), f64x2.mul(xc, f64x2.sub(f64x2.splat(1.0), s))));
}

@inline function lane64(x: v128, op: i32): v128 {
  if (op === 0) return tanh64(x);
  if (op === 1) return sigmoid64(x);
  if (op === 2) return silu64(x);
  return siluGrad64(x);
}

// ---- float32: exp in f32x4 (the float32 exp row needs the 4-lane rate); tanh and sigmoid promote to f64 ----

const LN2_HI_F: f32 = 0.693359375;
const LN2_LO_F: f32 = -2.12194440e-4;
const LOG2E_F: f32 = 1.44269504;

@inline function exp32(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-104.0)), f32x4.splat(89.0));
  const k = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E_F)));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(k, f32x4.splat(LN2_HI_F))), f32x4.mul(k, f32x4.splat(LN2_LO_F)));
  let q = f32x4.splat(<f32>(1.0 / 5040.0));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(<f32>(1.0 / 720.0)));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(<f32>(1.0 / 120.0)));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(<f32>(1.0 / 24.0)));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(<f32>(1.0 / 6.0)));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(<f32>0.5));
  const p = f32x4.add(f32x4.splat(1.0), f32x4.add(r, f32x4.mul(f32x4.mul(r, r), q)));
  const ki = i32x4.trunc_sat_f32x4_s(k);
  const k1 = i32x4.shr_s(ki, 1);
  const k2 = i32x4.sub(ki, k1);
  const s1 = i32x4.shl(i32x4.add(k1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(k2, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/** Applies a float64 lane function to four float32 lanes: promote each half, compute, demote (one rounding). */
@inline function viaF64(x: v128, op: i32): v128 {
  const lo = f64x2.promote_low_f32x4(x);
  const hi = f64x2.promote_low_f32x4(i32x4.shuffle(x, x, 2, 3, 0, 1));
  const a = lane64(lo, op);
  const b = lane64(hi, op);
  const da = f32x4.demote_f64x2_zero(a);
  const db = f32x4.demote_f64x2_zero(b);
  return i64x2.shuffle(da, db, 0, 2);
}

// ---- streaming entry points: n values at src → n results at dst (tails run the same lane code on a padded vector) ----

export function exp_f64(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) v128.store(dst + (<usize>i << 3), exp64(v128.load(src + (<usize>i << 3))));
  if (i < n) store<f64>(dst + (<usize>i << 3), f64x2.extract_lane(exp64(f64x2.splat(load<f64>(src + (<usize>i << 3)))), 0));
}

export function tanh_f64(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) v128.store(dst + (<usize>i << 3), tanh64(v128.load(src + (<usize>i << 3))));
  if (i < n) store<f64>(dst + (<usize>i << 3), f64x2.extract_lane(tanh64(f64x2.splat(load<f64>(src + (<usize>i << 3)))), 0));
}

export function sigmoid_f64(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) v128.store(dst + (<usize>i << 3), sigmoid64(v128.load(src + (<usize>i << 3))));
  if (i < n) store<f64>(dst + (<usize>i << 3), f64x2.extract_lane(sigmoid64(f64x2.splat(load<f64>(src + (<usize>i << 3)))), 0));
}

export function exp_f32(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), exp32(v128.load(src + (<usize>i << 2))));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), f32x4.extract_lane(exp32(f32x4.splat(load<f32>(src + (<usize>i << 2)))), 0));
}

export function tanh_f32(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), viaF64(v128.load(src + (<usize>i << 2)), 0));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), f32x4.extract_lane(viaF64(f32x4.splat(load<f32>(src + (<usize>i << 2))), 0), 0));
}

export function sigmoid_f32(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), viaF64(v128.load(src + (<usize>i << 2)), 1));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), f32x4.extract_lane(viaF64(f32x4.splat(load<f32>(src + (<usize>i << 2))), 1), 0));
}

export function silu_f64(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) v128.store(dst + (<usize>i << 3), silu64(v128.load(src + (<usize>i << 3))));
  if (i < n) store<f64>(dst + (<usize>i << 3), f64x2.extract_lane(silu64(f64x2.splat(load<f64>(src + (<usize>i << 3)))), 0));
}

export function siluGrad_f64(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) v128.store(dst + (<usize>i << 3), siluGrad64(v128.load(src + (<usize>i << 3))));
  if (i < n) store<f64>(dst + (<usize>i << 3), f64x2.extract_lane(siluGrad64(f64x2.splat(load<f64>(src + (<usize>i << 3)))), 0));
}

export function silu_f32(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), viaF64(v128.load(src + (<usize>i << 2)), 2));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), f32x4.extract_lane(viaF64(f32x4.splat(load<f32>(src + (<usize>i << 2))), 2), 0));
}

export function siluGrad_f32(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), viaF64(v128.load(src + (<usize>i << 2)), 3));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), f32x4.extract_lane(viaF64(f32x4.splat(load<f32>(src + (<usize>i << 2))), 3), 0));
}

/**
 * log Σ_j exp(x[i, j]) for `rows` contiguous rows of length r at src, into out[i] (float64). The shift is the
 * row maximum, replaced by 0 when it is not finite, so rows of all −∞ give −∞, a +∞ gives +∞ and NaN gives NaN.
 */
export function logsumexp_rows_f64(src: usize, rows: i32, r: i32, out: usize): void {
  for (let i = 0; i < rows; i++) {
    const row = src + (<usize>i * <usize>r << 3);
    let m = f64x2.splat(-Infinity);
    let j = 0;
    for (; j + 2 <= r; j += 2) m = f64x2.max(m, v128.load(row + (<usize>j << 3)));
    let mx = Math.max(f64x2.extract_lane(m, 0), f64x2.extract_lane(m, 1));
    if (j < r) mx = Math.max(mx, load<f64>(row + (<usize>j << 3)));
    if (!isFinite(mx)) mx = isNaN(mx) ? mx : 0.0;
    const ms = f64x2.splat(mx);
    let s0 = f64x2.splat(0.0);
    j = 0;
    for (; j + 2 <= r; j += 2) s0 = f64x2.add(s0, exp64(f64x2.sub(v128.load(row + (<usize>j << 3)), ms)));
    let s = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1);
    if (j < r) s += f64x2.extract_lane(exp64(f64x2.splat(load<f64>(row + (<usize>j << 3)) - mx)), 0);
    store<f64>(out + (<usize>i << 3), mx + Math.log(s));
  }
}

export function logsumexp_rows_f32(src: usize, rows: i32, r: i32, out: usize): void {
  for (let i = 0; i < rows; i++) {
    const row = src + (<usize>i * <usize>r << 2);
    let mx: f64 = -Infinity;
    let m = f32x4.splat(-Infinity);
    let j = 0;
    for (; j + 4 <= r; j += 4) m = f32x4.max(m, v128.load(row + (<usize>j << 2)));
    mx = Math.max(Math.max(<f64>f32x4.extract_lane(m, 0), <f64>f32x4.extract_lane(m, 1)), Math.max(<f64>f32x4.extract_lane(m, 2), <f64>f32x4.extract_lane(m, 3)));
    for (; j < r; j++) mx = Math.max(mx, <f64>load<f32>(row + (<usize>j << 2)));
    if (!isFinite(mx)) mx = isNaN(mx) ? mx : 0.0;
    // Float32 rows accumulate in float64 (each exp promoted), like every Strata reduction.
    const ms = f64x2.splat(mx);
    let s0 = f64x2.splat(0.0);
    j = 0;
    for (; j + 4 <= r; j += 4) {
      const v = v128.load(row + (<usize>j << 2));
      s0 = f64x2.add(s0, exp64(f64x2.sub(f64x2.promote_low_f32x4(v), ms)));
      s0 = f64x2.add(s0, exp64(f64x2.sub(f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)), ms)));
    }
    let s = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1);
    for (; j < r; j++) s += f64x2.extract_lane(exp64(f64x2.splat(<f64>load<f32>(row + (<usize>j << 2)) - mx)), 0);
    store<f64>(out + (<usize>i << 3), mx + Math.log(s));
  }
}

/** First free byte of linear memory (after the data segment): the host's window starts here. */
export function heap_base(): usize {
  return __heap_base;
}
