/**
 * LOBPCG (Knyazev 2001, SIAM J. Sci. Comput. 23(2), Alg. 4.1) for k extreme eigenpairs of a SelfAdjoint operator,
 * in float64 whatever the operator's storage (CoLA wraps SciPy's and silently casts to float32). Each iteration does
 * one block product A·W with the preconditioned residuals of the unconverged columns (soft locking); the images A·X
 * and A·P are carried along as the same linear combinations as X and P. The trial basis [X, W, P] is kept
 * block-orthonormal (W and P orthogonalized against what precedes them, Hetmaniuk & Lehoucq 2006), each block by
 * Cholesky-QR with an SVQB fallback (Stathopoulos & Wu 2002) that drops directions lost to rounding. Rayleigh–Ritz
 * on the basis gives the new X, and P = the W/P part of the Ritz combination (Knyazev's implicit P).
 */
import { operation } from '../kernels/staging.ts';
import { Rng } from '../../core/index.ts';
import { ConvergenceError } from '../errors.ts';
import type { LinearOperator } from '../operator.ts';
import { matmulMat, type Mat } from '../mat.ts';
import { eigh } from '../dense/eigh.ts';
import { qr } from '../dense/qr.ts';
import { choleskyInPlace } from '../dense/cholesky.ts';
import { solveTriangularInPlace } from '../dense/triangular.ts';
import type { IterInfo, LOBPCGAlg } from './config.ts';

const EPS = 2.220446049250313e-16;

export interface LobpcgResult { values: Float64Array; vectors: Float64Array; info: IterInfo }

const M = (rows: number, cols: number, data: Float64Array): Mat => ({ rows, cols, data });
const f64 = (m: Mat): Float64Array => (m.data instanceof Float64Array ? m.data : Float64Array.from(m.data));
/** A·B for column-major blocks through the core gemm. */
const mm = (a: Mat, b: Mat, ta = false): Mat => matmulMat(a, b, ta, false);

/** Y ← Y − Q(QᵀY) and AY ← AY − AQ(QᵀY): one projection, applied to a block and its image together. */
function project(Q: Mat, AQ: Mat | null, Y: Mat, AY: Mat | null): void {
  if (Q.cols === 0 || Y.cols === 0) return;
  const C = mm(Q, Y, true);
  const QC = mm(Q, C).data;
  for (let i = 0; i < Y.data.length; i++) Y.data[i] = Y.data[i]! - QC[i]!;
  if (AQ && AY) { const AQC = mm(AQ, C).data; for (let i = 0; i < AY.data.length; i++) AY.data[i] = AY.data[i]! - AQC[i]!; }
}

/**
 * Orthonormalizes the columns of Y (and applies the same transform to AY): Cholesky-QR when the Gram matrix is well
 * conditioned, else SVQB, which also drops directions whose Gram eigenvalue is below ε·max. Returns the new blocks.
 */
function orthonormalize(Y: Mat, AY: Mat | null): { Y: Mat; AY: Mat | null } {
  const n = Y.rows, p = Y.cols;
  if (p === 0) return { Y, AY };
  const G = f64(mm(Y, Y, true)).slice();
  let dmax = 0, dmin = Infinity;
  for (let i = 0; i < p; i++) { dmax = Math.max(dmax, G[i * p + i]!); dmin = Math.min(dmin, G[i * p + i]!); }
  if (dmax === 0) return { Y: M(n, 0, new Float64Array(0)), AY: AY ? M(n, 0, new Float64Array(0)) : null };
  try {
    if (dmin < 1e-10 * dmax) throw new Error('ill-conditioned');
    const L = G.slice();
    choleskyInPlace(L, p);
    let ldmin = Infinity, ldmax = 0;
    for (let i = 0; i < p; i++) { const v = L[i * p + i]! ** 2; ldmin = Math.min(ldmin, v); ldmax = Math.max(ldmax, v); }
    if (ldmin < 1e-10 * ldmax) throw new Error('ill-conditioned');
    // Y·L⁻ᵀ: solve L·Zᵀ = Yᵀ, i.e. transform columns by the inverse of Lᵀ.
    const Tinv = new Float64Array(p * p); for (let i = 0; i < p; i++) Tinv[i * p + i] = 1;
    solveTriangularInPlace(L, p, Tinv, p, true, true); // Tinv = L⁻ᵀ
    const T = M(p, p, Tinv);
    return { Y: mm(Y, T), AY: AY ? mm(AY, T) : null };
  } catch {
    // SVQB: D = diag(G)^{-1/2}, eigh(D·G·D) = Z·Θ·Zᵀ, T = D·Z·Θ^{-1/2} over the kept directions.
    const d = new Float64Array(p); for (let i = 0; i < p; i++) d[i] = 1 / Math.sqrt(Math.max(G[i * p + i]!, 1e-300));
    for (let j = 0; j < p; j++) for (let i = 0; i < p; i++) G[j * p + i] = G[j * p + i]! * d[i]! * d[j]!;
    const e = eigh(G, p, true);
    const top = e.values[p - 1]!, keep: number[] = [];
    for (let j = 0; j < p; j++) if (e.values[j]! > 1e-13 * top) keep.push(j);
    const T = new Float64Array(p * keep.length);
    keep.forEach((j, c) => { const s = 1 / Math.sqrt(e.values[j]!); for (let i = 0; i < p; i++) T[c * p + i] = d[i]! * e.vectors![j * p + i]! * s; });
    const Tm = M(p, keep.length, T);
    return { Y: mm(Y, Tm), AY: AY ? mm(AY, Tm) : null };
  }
}

function hcat(blocks: Mat[]): Mat {
  const n = blocks[0]!.rows, cols = blocks.reduce((s, b) => s + b.cols, 0), out = new Float64Array(n * cols);
  let off = 0; for (const b of blocks) { out.set(b.data, off); off += b.data.length; }
  return M(n, cols, out);
}
/** Columns idx of Y. */
function pickCols(Y: Mat, idx: number[]): Mat {
  const n = Y.rows, out = new Float64Array(n * idx.length);
  idx.forEach((j, c) => out.set(Y.data.subarray(j * n, (j + 1) * n), c * n));
  return M(n, idx.length, out);
}
function rowsRange(C: Mat, r0: number, r1: number): Mat {
  const out = new Float64Array((r1 - r0) * C.cols);
  for (let c = 0; c < C.cols; c++) out.set(C.data.subarray(c * C.rows + r0, c * C.rows + r1), c * (r1 - r0));
  return M(r1 - r0, C.cols, out);
}

export function lobpcg(A: LinearOperator, k: number, which: 'SA' | 'LA', alg: LOBPCGAlg): LobpcgResult {
  return operation(() => {
    const n = A.rows;
    const apply = (Y: Mat): Mat => { const r = A.matmat(Y); return M(n, Y.cols, f64(r)); };
    const rng = new Rng(alg.seed);
    const X0 = new Float64Array(n * k); for (let i = 0; i < X0.length; i++) X0[i] = rng.gauss();
    let X = M(n, k, qr(X0, n, k).Q), AX = apply(X);
    let P: Mat | null = null, AP: Mat | null = null;
    let lam = new Float64Array(k);
    let iterations = 0, matvecs = k, converged = false, hnorm = 0;
    const resid = new Float64Array(k);
    /** Rayleigh–Ritz on an orthonormal basis S with image AS; keeps the k wanted pairs. */
    const rayleighRitz = (S: Mat, AS: Mat): Mat => {
      const p = S.cols, H = f64(mm(S, AS, true)).slice();
      for (let j = 0; j < p; j++) for (let i = j + 1; i < p; i++) { const v = (H[j * p + i]! + H[i * p + j]!) / 2; H[j * p + i] = v; H[i * p + j] = v; }
      const e = eigh(H, p, true);
      hnorm = Math.max(hnorm, Math.abs(e.values[0]!), Math.abs(e.values[p - 1]!));
      const cols = which === 'SA' ? Array.from({ length: k }, (_, i) => i) : Array.from({ length: k }, (_, i) => p - k + i);
      lam = Float64Array.from(cols, (j) => e.values[j]!);
      return pickCols(M(p, p, e.vectors!), cols);
    };
    { const C = rayleighRitz(X, AX); X = mm(X, C); AX = mm(AX, C); }
    for (;;) {
      // Residuals R = AX − XΛ and the convergence test per column.
      const R = new Float64Array(n * k);
      const active: number[] = [];
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let i = 0; i < n; i++) { const v = AX.data[c * n + i]! - lam[c]! * X.data[c * n + i]!; R[c * n + i] = v; s += v * v; }
        resid[c] = Math.sqrt(s) / Math.max(Math.abs(lam[c]!), EPS * hnorm, 1e-300);
        if (!(resid[c]! <= alg.tol)) active.push(c);
      }
      if (active.length === 0) { converged = true; break; }
      if (iterations >= alg.maxIters) break;
      iterations++;
      let W = pickCols(M(n, k, R), active);
      if (alg.P) W = M(n, W.cols, f64(alg.P.matmat(W)).slice());
      // Block-orthonormal basis [X, W, P]: W ⟂ X, then P ⟂ [X, W].
      project(X, null, W, null); project(X, null, W, null);
      ({ Y: W } = orthonormalize(W, null));
      if (W.cols === 0) break; // the residuals lie in span(X) to working precision
      const AW = apply(W); matvecs += W.cols;
      let Pb: Mat | null = null, APb: Mat | null = null;
      if (P && AP && P.cols > 0) {
        Pb = M(n, P.cols, f64(P).slice()); APb = M(n, P.cols, f64(AP).slice());
        for (let pass = 0; pass < 2; pass++) { project(X, AX, Pb, APb); project(W, AW, Pb, APb); }
        const o = orthonormalize(Pb, APb); Pb = o.Y; APb = o.AY;
      }
      const blocks = Pb && Pb.cols > 0 ? [X, W, Pb] : [X, W], images = Pb && Pb.cols > 0 ? [AX, AW, APb!] : [AX, AW];
      const S = hcat(blocks), AS = hcat(images);
      const C = rayleighRitz(S, AS);
      X = mm(S, C); AX = mm(AS, C);
      // Implicit P: the part of the Ritz combination outside the old X block.
      const Cp = rowsRange(C, k, S.cols), Srest = M(n, S.cols - k, f64(S).subarray(n * k)), ASrest = M(n, S.cols - k, f64(AS).subarray(n * k));
      P = mm(Srest, Cp); AP = mm(ASrest, Cp);
    }
    const info: IterInfo = { iterations: matvecs, residuals: resid.slice(), converged, breakdown: false };
    if (alg.strict && !converged) throw new ConvergenceError(`LOBPCG: not converged after ${iterations} iterations (max relative residual ${Math.max(...resid).toExponential(2)}, tol ${alg.tol})`);
    // Ascending order of values.
    const order = Array.from({ length: k }, (_, i) => i).sort((a, b) => lam[a]! - lam[b]!);
    const vecs = new Float64Array(n * k);
    order.forEach((src, dst) => vecs.set(X.data.subarray(src * n, (src + 1) * n), dst * n));
    return { values: Float64Array.from(order, (i) => lam[i]!), vectors: vecs, info };
  });
}
