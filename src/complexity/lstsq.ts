import { ArgumentError } from '../core/index.ts';
import { qr } from '../linalg/index.ts';

/**
 * Minimum-norm least squares min ‖A·x − b‖ (A m×n row-major), by a complete orthogonal decomposition: Householder
 * QR with column pivoting A·Π = Q·[R₁₁ R₁₂; 0 0] (Golub & Van Loan Alg. 5.4.1), rank r where |R_jj| drops below
 * eps·max(m, n)·|R₀₀|, then [R₁₁ R₁₂]ᵀ = Z·T (QR) so x = Π·Z·T⁻ᵀ·(Qᵀb)[0:r] (G&VL §5.5.2). Handles the
 * rank-deficient, under- and over-determined systems of the polynomial experiment.
 */
export function lstsqMinNorm(A: ArrayLike<number>, m: number, n: number, b: ArrayLike<number>): Float64Array {
  if (A.length !== m * n || b.length !== m) throw new ArgumentError(`lstsqMinNorm: A must hold m·n = ${m * n} values and b m = ${m}, got ${A.length} and ${b.length}`);
  const R = new Float64Array(m * n); // column-major working copy
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) R[j * m + i] = A[i * n + j]!;
  const c = Float64Array.from(b);
  const perm = Array.from({ length: n }, (_, j) => j);
  const colNorm2 = (col: number, from: number) => { let s = 0; for (let i = from; i < m; i++) s += R[col * m + i]! ** 2; return s; };
  let rank = 0, first = 0;
  const steps = Math.min(m, n);
  for (let j = 0; j < steps; j++) {
    let p = j, best = -1;
    for (let col = j; col < n; col++) { const s = colNorm2(col, j); if (s > best) { best = s; p = col; } }
    const norm = Math.sqrt(best);
    if (j === 0) first = norm;
    if (!(norm > 2.220446049250313e-16 * Math.max(m, n) * first) || norm === 0) break;
    if (p !== j) {
      for (let i = 0; i < m; i++) { const t = R[j * m + i]!; R[j * m + i] = R[p * m + i]!; R[p * m + i] = t; }
      [perm[j], perm[p]] = [perm[p]!, perm[j]!];
    }
    // Householder reflector zeroing R[j+1:, j].
    const x0 = R[j * m + j]!;
    const alpha = x0 >= 0 ? -norm : norm;
    const v = new Float64Array(m - j);
    v[0] = x0 - alpha;
    for (let i = j + 1; i < m; i++) v[i - j] = R[j * m + i]!;
    let vn = 0; for (let i = 0; i < v.length; i++) vn += v[i]! ** 2;
    if (vn > 0) {
      const apply = (get: (i: number) => number, set: (i: number, x: number) => void) => {
        let s = 0; for (let i = j; i < m; i++) s += v[i - j]! * get(i);
        const f = (2 * s) / vn;
        for (let i = j; i < m; i++) set(i, get(i) - f * v[i - j]!);
      };
      for (let col = j; col < n; col++) apply((i) => R[col * m + i]!, (i, x) => { R[col * m + i] = x; });
      apply((i) => c[i]!, (i, x) => { c[i] = x; });
    }
    rank = j + 1;
  }
  const x = new Float64Array(n);
  if (rank === 0) return x;
  // M = [R₁₁ R₁₂]ᵀ (n×r, column-major) = Z·T.
  const M = new Float64Array(n * rank);
  for (let row = 0; row < rank; row++) for (let col = 0; col < n; col++) M[row * n + col] = R[col * m + row]!;
  const { Q: Z, R: T } = qr(M, n, rank);
  // Solve Tᵀ·u = c[0:r] (Tᵀ lower triangular), then y = Z·u.
  const u = new Float64Array(rank);
  for (let i = 0; i < rank; i++) {
    let s = c[i]!;
    for (let k = 0; k < i; k++) s -= T[i * rank + k]! * u[k]!; // Tᵀ[i][k] = T[k][i], column-major T[i·r + k]
    u[i] = s / T[i * rank + i]!;
  }
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let i = 0; i < rank; i++) s += Z[i * n + k]! * u[i]!;
    x[perm[k]!] = s;
  }
  return x;
}
