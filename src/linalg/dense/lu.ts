/**
 * Dense LU with partial pivoting, P·A = L·U (column-major, L unit lower and U upper packed in one array).
 * Right-looking kji order so the inner loop runs down contiguous columns. Golub & Van Loan Alg. 3.4.1.
 */
import { SingularError } from '../errors.ts';
import { solveTriangularInPlace } from './triangular.ts';

export interface LUFactors {
  n: number;
  /** L (strict lower, unit diagonal implied) and U (upper) packed, column-major. */
  lu: Float64Array;
  /** Row i of P·A is row piv[i] of A. */
  piv: Int32Array;
  /** Number of row swaps (parity gives the sign of det P). */
  swaps: number;
  /** First exactly-zero pivot, or −1. A singular matrix is factored fully; solves then throw. */
  zeroPivot: number;
}

export function luFactor(a: Float64Array, n: number): LUFactors {
  const lu = a.slice();
  const piv = Int32Array.from({ length: n }, (_, i) => i);
  let swaps = 0, zeroPivot = -1;
  for (let k = 0; k < n; k++) {
    const kk = k * n;
    let p = k, best = Math.abs(lu[kk + k]!);
    for (let i = k + 1; i < n; i++) { const v = Math.abs(lu[kk + i]!); if (v > best) { best = v; p = i; } }
    if (p !== k) {
      for (let j = 0; j < n; j++) { const o = j * n; const t = lu[o + k]!; lu[o + k] = lu[o + p]!; lu[o + p] = t; }
      const t = piv[k]!; piv[k] = piv[p]!; piv[p] = t;
      swaps++;
    }
    const d = lu[kk + k]!;
    if (d === 0) { if (zeroPivot < 0) zeroPivot = k; continue; }
    const inv = 1 / d;
    for (let i = k + 1; i < n; i++) lu[kk + i] = lu[kk + i]! * inv;
    for (let j = k + 1; j < n; j++) {
      const jj = j * n, f = lu[jj + k]!;
      if (f === 0) continue;
      for (let i = k + 1; i < n; i++) lu[jj + i] = lu[jj + i]! - f * lu[kk + i]!;
    }
  }
  return { n, lu, piv, swaps, zeroPivot };
}

/** X = A⁻¹·B (or A⁻ᵀ·B) for B n×k column-major. */
export function luSolve(f: LUFactors, b: Float64Array, k: number, trans = false): Float64Array {
  const { n, lu, piv } = f;
  if (f.zeroPivot >= 0) throw new SingularError(`LU solve: the matrix is singular (zero pivot at column ${f.zeroPivot})`);
  const x = new Float64Array(n * k);
  if (!trans) {
    for (let c = 0; c < k; c++) for (let i = 0; i < n; i++) x[c * n + i] = b[c * n + piv[i]!]!;
    solveTriangularInPlace(lu, n, x, k, true, false, true);
    solveTriangularInPlace(lu, n, x, k, false, false, false);
    return x;
  }
  // Aᵀ = Uᵀ·Lᵀ·P: solve Uᵀ, then Lᵀ, then undo the permutation.
  const y = b.slice(0, n * k);
  solveTriangularInPlace(lu, n, y, k, false, true, false);
  solveTriangularInPlace(lu, n, y, k, true, true, true);
  for (let c = 0; c < k; c++) for (let i = 0; i < n; i++) x[c * n + piv[i]!] = y[c * n + i]!;
  return x;
}

/** (sign, log|det|) from the LU factors; a zero pivot gives (0, −∞). */
export function luSlogdet(f: LUFactors): { sign: number; logabs: number } {
  if (f.zeroPivot >= 0) return { sign: 0, logabs: -Infinity };
  let sign = f.swaps % 2 === 0 ? 1 : -1, logabs = 0;
  for (let i = 0; i < f.n; i++) { const d = f.lu[i * f.n + i]!; if (d < 0) sign = -sign; logabs += Math.log(Math.abs(d)); }
  return { sign, logabs };
}
