/**
 * SVD by one-sided Jacobi rotations (Hestenes; Demmel & Veselić 1992): orthogonalize the columns of A by plane
 * rotations accumulated into V; σᵢ are the final column norms. Accurate to high relative precision and simple;
 * O(n³) per sweep, a handful of sweeps. Returns thin U (m×k), S descending, V (n×k), k = min(m, n).
 */
import { RuntimeFailure } from '../../core/index.ts';

export interface SvdResult { U: Float64Array; S: Float64Array; V: Float64Array; m: number; n: number; k: number }

export function svdJacobi(a: ArrayLike<number>, m: number, n: number): SvdResult {
  if (m < n) {
    // SVD of Aᵀ and swap the factors.
    const t = new Float64Array(m * n);
    for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) t[i * n + j] = a[j * m + i]!;
    const r = svdJacobi(t, n, m);
    return { U: r.V, S: r.S, V: r.U, m, n, k: r.k };
  }
  const U = Float64Array.from(a as ArrayLike<number>);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  const eps = 2 ** -52;
  let fro2 = 0; for (let i = 0; i < U.length; i++) fro2 += U[i]! * U[i]!;
  // A column whose norm fell below ε·‖A‖_F is numerically zero (rank deficiency): rotating it against others only
  // shuffles rounding noise, and the relative test below would never be met, so such pairs are skipped.
  const negligible = eps * eps * fro2;
  let rotated = true, sweeps = 0;
  while (rotated) {
    rotated = false;
    if (++sweeps > 60) throw new RuntimeFailure('svd: one-sided Jacobi did not converge in 60 sweeps');
    for (let p = 0; p < n - 1; p++) for (let q = p + 1; q < n; q++) {
      const op = p * m, oq = q * m;
      let al = 0, be = 0, ga = 0;
      for (let i = 0; i < m; i++) { const x = U[op + i]!, y = U[oq + i]!; al += x * x; be += y * y; ga += x * y; }
      if (Math.abs(ga) <= eps * Math.sqrt(al * be) || ga === 0 || al <= negligible || be <= negligible) continue;
      rotated = true;
      const zeta = (be - al) / (2 * ga);
      const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
      const c = 1 / Math.sqrt(1 + t * t), s = c * t;
      for (let i = 0; i < m; i++) { const x = U[op + i]!, y = U[oq + i]!; U[op + i] = c * x - s * y; U[oq + i] = s * x + c * y; }
      const vp = p * n, vq = q * n;
      for (let i = 0; i < n; i++) { const x = V[vp + i]!, y = V[vq + i]!; V[vp + i] = c * x - s * y; V[vq + i] = s * x + c * y; }
    }
  }
  const S = new Float64Array(n);
  for (let j = 0; j < n; j++) { let s = 0; for (let i = 0; i < m; i++) s += U[j * m + i]! ** 2; S[j] = Math.sqrt(s); }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => S[y]! - S[x]!);
  const Uo = new Float64Array(m * n), Vo = new Float64Array(n * n), So = new Float64Array(n);
  const smax = S[order[0]!] ?? 0;
  order.forEach((src, dst) => {
    So[dst] = S[src]!;
    Vo.set(V.subarray(src * n, src * n + n), dst * n);
    const s = S[src]!;
    if (s > smax * 1e-300 && s > 0) for (let i = 0; i < m; i++) Uo[dst * m + i] = U[src * m + i]! / s;
  });
  completeColumns(Uo, m, n, So);
  return { U: Uo, S: So, V: Vo, m, n, k: n };
}

/** Zero singular values leave U's column undefined; fill those with unit vectors orthogonal to the others. */
function completeColumns(U: Float64Array, m: number, n: number, S: Float64Array): void {
  for (let j = 0; j < n; j++) {
    if (S[j]! > 0) continue;
    for (let e = 0; e < m; e++) {
      const v = new Float64Array(m); v[e] = 1;
      for (let c = 0; c < n; c++) {
        if (c === j || (S[c] === 0 && c > j)) continue;
        let d = 0; for (let i = 0; i < m; i++) d += U[c * m + i]! * v[i]!;
        for (let i = 0; i < m; i++) v[i] = v[i]! - d * U[c * m + i]!;
      }
      let nv = 0; for (let i = 0; i < m; i++) nv += v[i]! ** 2;
      if (nv > 1e-8) { nv = Math.sqrt(nv); for (let i = 0; i < m; i++) U[j * m + i] = v[i]! / nv; break; }
    }
  }
}
