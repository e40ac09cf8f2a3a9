/**
 * Matrix exponential by Padé(13) scaling and squaring (Higham, "The scaling and squaring method for the matrix
 * exponential revisited", SIAM J. Matrix Anal. Appl. 26(4), 2005, Alg. 2.3 with θ₁₃ = 5.37).
 */
import { luFactor, luSolve } from './lu.ts';
import { matmulMat } from '../mat.ts';

const B = [64764752532480000, 32382376266240000, 7771770303897600, 1187353796428800, 129060195264000,
  10559470521600, 670442572800, 33522128640, 1323241920, 40840800, 960960, 16380, 182, 1];
const THETA13 = 5.371920351148152;

function mm(a: Float64Array, b: Float64Array, n: number): Float64Array {
  return matmulMat({ rows: n, cols: n, data: a }, { rows: n, cols: n, data: b }).data as Float64Array;
}

export function expm(a: ArrayLike<number>, n: number): Float64Array {
  const A = Float64Array.from(a as ArrayLike<number>);
  let norm1 = 0;
  for (let j = 0; j < n; j++) { let s = 0; for (let i = 0; i < n; i++) s += Math.abs(A[j * n + i]!); norm1 = Math.max(norm1, s); }
  const s = norm1 > THETA13 ? Math.max(0, Math.ceil(Math.log2(norm1 / THETA13))) : 0;
  if (s > 0) { const f = 2 ** -s; for (let i = 0; i < A.length; i++) A[i] = A[i]! * f; }
  const I = new Float64Array(n * n); for (let i = 0; i < n; i++) I[i * n + i] = 1;
  const A2 = mm(A, A, n), A4 = mm(A2, A2, n), A6 = mm(A4, A2, n);
  const lin = (cs: number[], Ms: Float64Array[]) => {
    const out = new Float64Array(n * n);
    Ms.forEach((M, t) => { const c = cs[t]!; for (let i = 0; i < out.length; i++) out[i] = out[i]! + c * M[i]!; });
    return out;
  };
  const U1 = lin([B[13]!, B[11]!, B[9]!], [A6, A4, A2]);
  const U = mm(A, lin([1, B[7]!, B[5]!, B[3]!, B[1]!], [mm(A6, U1, n), A6, A4, A2, I]), n);
  const V1 = lin([B[12]!, B[10]!, B[8]!], [A6, A4, A2]);
  const V = lin([1, B[6]!, B[4]!, B[2]!, B[0]!], [mm(A6, V1, n), A6, A4, A2, I]);
  const P = lin([1, 1], [V, U]), Q = lin([1, -1], [V, U]);
  let R = luSolve(luFactor(Q, n), P, n);
  for (let t = 0; t < s; t++) R = mm(R, R, n);
  return R;
}
