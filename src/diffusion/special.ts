/**
 * Special functions the event score needs: erfc, the normal CDF Φ and a numerically stable log Φ (log-ndtr), the
 * latter also as a differentiable tensor op whose backward pass is itself differentiable (for `stdGradient: 'full'`).
 */
import { Tensor, exp, mul, neg, square, sub, add, abs, log1p, maximum, allocate, type FloatDType } from '../core/index.ts';
import { customVjp } from '../autodiff/index.ts';

const SQRT2 = Math.SQRT2;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Complementary error function to ≈ 1e-14 relative accuracy: the Maclaurin series of erf below 2 (where 1 − erf
 * loses at most two digits of the ≥ 4.7e-3 result), a Lentz-evaluated continued fraction above.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) {
    // erf(x) = 2/√π Σ (−1)^n x^{2n+1} / (n! (2n+1))
    let term = x, sum = x;
    const x2 = x * x;
    for (let n = 1; n < 100; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (x > 27) return 0;
  return Math.exp(-x * x) * erfcxContinuedFraction(x);
}

/** exp(x²)·erfc(x) for x ≥ 2 by the continued fraction 1/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))). */
function erfcxContinuedFraction(x: number): number {
  const tiny = 1e-300;
  let f = x, c = x, d = 0;
  for (let k = 1; k < 300; k++) {
    const a = k / 2;
    d = x + a * d; if (d === 0) d = tiny; d = 1 / d;
    c = x + a / c; if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return 1 / (Math.sqrt(Math.PI) * f);
}

/** The standard normal CDF Φ(z). */
export function ndtr(z: number): number {
  return 0.5 * erfc(-z / SQRT2);
}

/**
 * log Φ(z), stable for all z: direct for z > −20 (erfc keeps relative accuracy far into the tail), the asymptotic
 * series −z²/2 − log(−z) − ½log 2π + log(1 − 1/z² + 3/z⁴ − 15/z⁶ + 105/z⁸) below.
 */
export function logNdtr(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z > 6) return -ndtr(-z); // log(1 − q) ≈ −q for the tiny upper tail q
  if (z > -20) return Math.log(ndtr(z));
  const iz2 = 1 / (z * z);
  const series = 1 - iz2 * (1 - iz2 * (3 - iz2 * (15 - 105 * iz2)));
  return -0.5 * z * z - Math.log(-z) - LOG_SQRT_2PI + Math.log(series);
}

function mapData(x: Tensor, f: (v: number) => number): Tensor {
  const src = x.values();
  const out = allocate(x.dtype as FloatDType, src.length);
  for (let i = 0; i < src.length; i++) out[i] = f(src[i]!);
  return new Tensor(out, x.shape);
}

/**
 * log Φ(z) elementwise as a differentiable op. d/dz log Φ(z) = φ(z)/Φ(z) = exp(−z²/2 − log Φ(z))/√(2π); the backward
 * pass is written with differentiable ops (and log Φ itself), so gradients of gradients exist.
 */
export const logNdtrT: (z: Tensor) => Tensor = customVjp(
  (z: Tensor) => ({ out: mapData(z, logNdtr), residuals: z }),
  (z: Tensor, g: Tensor) => {
    const ratio = exp(sub(sub(mul(square(z), -0.5), logNdtrT(z)), LOG_SQRT_2PI));
    return [mul(g, ratio)];
  },
);

/** log sigmoid(x) = −softplus(−x), stable for large |x|, differentiable (built from core ops). */
export function logSigmoid(x: Tensor): Tensor {
  // −log(1 + e^{−x}) = min(x, 0) − log1p(e^{−|x|})
  return neg(softplusNeg(x));
}

function softplusNeg(x: Tensor): Tensor {
  // softplus(−x) = max(−x, 0) + log1p(exp(−|x|))
  return add(maximum(neg(x), 0), log1p(exp(neg(abs(x)))));
}
