import { NonFiniteError } from '../core/index.ts';

/**
 * Rounds to the nearest IEEE-754 binary16 value (ties to even), the precision the codebook is stored in and
 * charged for (16 bits per level). Node 20 has no Math.f16round.
 */
export function roundFloat16(x: number, what = 'value'): number {
  if (!Number.isFinite(x)) throw new NonFiniteError(`roundFloat16: ${what} is ${x}`);
  if (x === 0) return 0;
  const a = Math.abs(x);
  if (a > 65504) throw new NonFiniteError(`roundFloat16: ${what} = ${x} overflows float16 (max 65504)`);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  if (e < -14) e = -14; // subnormals share the spacing 2^−24
  const ulp = 2 ** (e - 10);
  const q = a / ulp, f = Math.floor(q);
  const r = q - f > 0.5 || (q - f === 0.5 && f % 2 === 1) ? f + 1 : f;
  return Math.sign(x) * r * ulp;
}
