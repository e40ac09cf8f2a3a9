/**
 * The randomized Nyström preconditioner (Frangella, Tropp & Udell 2023, SIAM J. Matrix Anal. Appl. 44(2): Alg. 2.1
 * for the sketch, eq. 5.3 for the preconditioner). For a PSD A, a rank-r sketch Â = U·Λ·Uᵀ ≈ A gives
 *   P = I + U·((λ_r + μ)·(Λ + μI)⁻¹ − I)·Uᵀ ≈ (λ_r + μ)·(A + μI)⁻¹,
 * a PSD operator for CG on (A + μI)x = b (CG({ P })); P^{1/2} and P⁻¹ are the same formula with the diagonal factor
 * raised to ½ and −1. Sketch (stable form): Ω Gaussian n×r orthonormalized, Y = A·Ω, shift ν = eps·‖Y‖_F,
 * Y_ν = Y + νΩ, C = chol(ΩᵀY_ν), B = Y_ν·C⁻ᵀ, B = U·Σ·Vᵀ, Λ = max(Σ² − ν, 0).
 */
import { ArgumentError, Rng } from '../../core/index.ts';
import { LinearOperator } from '../operator.ts';
import { matmulMat, type Mat } from '../mat.ts';
import { qr } from '../dense/qr.ts';
import { choleskyInPlace } from '../dense/cholesky.ts';
import { solveTriangularInPlace } from '../dense/triangular.ts';
import { eigh } from '../dense/eigh.ts';

export interface NystromOpts {
  rank: number; mu: number; eps: number;
  /** Grow the rank ×1.5 until a power-iteration estimate of ‖A − Â‖ is ≤ tol·μ (or the rank reaches n). */
  adaptive: boolean; tol: number; seed: number;
}
const DEFAULTS: NystromOpts = { rank: 100, mu: 1e-7, eps: 1e-8, adaptive: false, tol: 10, seed: 0 };

function sketch(A: LinearOperator, r: number, eps: number, rng: Rng): { U: Float64Array; lam: Float64Array } {
  const n = A.rows;
  const G = new Float64Array(n * r); for (let i = 0; i < G.length; i++) G[i] = rng.gauss();
  const Om = qr(G, n, r).Q;
  const Ym = A.matmat({ rows: n, cols: r, data: Om });
  const Y = new Float64Array(n * r); Y.set(Ym.data);
  let fn = 0; for (let i = 0; i < Y.length; i++) fn += Y[i]! * Y[i]!;
  const nu = eps * Math.sqrt(fn);
  for (let i = 0; i < Y.length; i++) Y[i] = Y[i]! + nu * Om[i]!;
  const Cm = matmulMat({ rows: n, cols: r, data: Om }, { rows: n, cols: r, data: Y }, true);
  const C = new Float64Array(r * r);
  // Symmetrize ΩᵀY_ν before the factorization (it is symmetric in exact arithmetic).
  for (let j = 0; j < r; j++) for (let i = 0; i < r; i++) C[j * r + i] = (Cm.data[j * r + i]! + Cm.data[i * r + j]!) / 2;
  choleskyInPlace(C, r, 'Nystrom (ΩᵀAΩ + νI)');
  // B = Y_ν·C⁻ᵀ: Bᵀ = C⁻¹·Y_νᵀ, computed as the transpose of a lower-triangular solve on Y_νᵀ.
  const Yt = new Float64Array(r * n);
  for (let j = 0; j < r; j++) for (let i = 0; i < n; i++) Yt[i * r + j] = Y[j * n + i]!;
  solveTriangularInPlace(C, r, Yt, n, true, false);
  const Bt: Mat = { rows: r, cols: n, data: Yt };
  // Left singular vectors of B from the r×r eigenproblem of BᵀB: U = B·V·Σ⁻¹.
  const BtB = matmulMat(Bt, Bt, false, true);
  const e = eigh(BtB.data, r, true);
  const keep: number[] = [];
  for (let j = r - 1; j >= 0; j--) if (e.values[j]! > 1e-13 * e.values[r - 1]!) keep.push(j);
  const k = keep.length, U = new Float64Array(n * k), lam = new Float64Array(k);
  const BV = matmulMat(Bt, { rows: r, cols: r, data: e.vectors! }, true);
  keep.forEach((j, c) => {
    const s2 = e.values[j]!, s = Math.sqrt(s2);
    lam[c] = Math.max(s2 - nu, 0);
    for (let i = 0; i < n; i++) U[c * n + i] = BV.data[j * n + i]! / s;
  });
  return { U, lam };
}

/** The Nyström preconditioner P (PSD); `approx()` is Â = U·Λ·Uᵀ, `sqrt()` P^{1/2}, `inverse()` P⁻¹. */
export class Nystrom extends LinearOperator {
  readonly U: Float64Array; readonly lam: Float64Array; readonly mu: number; readonly rank: number;
  private readonly power: number;
  constructor(A: LinearOperator, opts: Partial<NystromOpts> = {}, internal?: { U: Float64Array; lam: Float64Array; mu: number; power: number }) {
    super(A.shape, A.dtype, ['PSD']);
    if (internal) { this.U = internal.U; this.lam = internal.lam; this.mu = internal.mu; this.power = internal.power; this.rank = internal.lam.length; return; }
    for (const k of Object.keys(opts)) if (!(k in DEFAULTS)) throw new ArgumentError(`Nystrom: unknown option '${k}'; accepted: ${Object.keys(DEFAULTS).join(', ')}`);
    const o = { ...DEFAULTS, ...opts };
    if (!A.isSquare || !A.isa('PSD')) throw new ArgumentError(`Nystrom: needs a square PSD operator, got ${A.toString()}${A.isSquare ? ' (not annotated PSD; wrap it as PSD(A))' : ''}`);
    if (!Number.isInteger(o.rank) || o.rank < 1) throw new ArgumentError(`Nystrom: rank must be a positive integer, got ${o.rank}`);
    if (!(o.mu >= 0) || !(o.eps > 0)) throw new ArgumentError(`Nystrom: mu must be ≥ 0 and eps > 0, got mu = ${o.mu}, eps = ${o.eps}`);
    const n = A.rows, rng = new Rng(o.seed);
    let r = Math.min(o.rank, n), s = sketch(A, r, o.eps, rng);
    while (o.adaptive && r < n && errorEstimate(A, s, rng) > o.tol * o.mu) { r = Math.min(n, Math.ceil(r * 1.5)); s = sketch(A, r, o.eps, rng); }
    this.U = s.U; this.lam = s.lam; this.mu = o.mu; this.power = 1; this.rank = s.lam.length;
  }
  /** The diagonal factor ((λ_r + μ)/(λᵢ + μ))^power − 1 applied in U's coordinates. */
  private factors(): Float64Array {
    const lr = this.lam[this.lam.length - 1] ?? 0;
    return this.lam.map((l) => ((lr + this.mu) / (l + this.mu)) ** this.power - 1);
  }
  protected _matmat(X: Mat): Mat {
    const n = this.rows, k = this.lam.length, Um: Mat = { rows: n, cols: k, data: this.U };
    const UtX = matmulMat(Um, X, true);
    const f = this.factors();
    for (let c = 0; c < X.cols; c++) for (let i = 0; i < k; i++) UtX.data[c * k + i] = UtX.data[c * k + i]! * f[i]!;
    const corr = matmulMat(Um, UtX);
    const out = new Float64Array(n * X.cols);
    for (let i = 0; i < out.length; i++) out[i] = X.data[i]! + corr.data[i]!;
    return { rows: n, cols: X.cols, data: out };
  }
  protected _rmatmat(X: Mat): Mat { return this._matmat(X); }
  /** P^{1/2}, closed form. */
  sqrt(): Nystrom { return new Nystrom(this, {}, { U: this.U, lam: this.lam, mu: this.mu, power: this.power / 2 }); }
  /** P⁻¹, closed form. */
  inverse(): Nystrom { return new Nystrom(this, {}, { U: this.U, lam: this.lam, mu: this.mu, power: -this.power }); }
  /** The low-rank approximation Â = U·Λ·Uᵀ as a lazy operator. */
  approx(): LinearOperator {
    const n = this.rows, k = this.lam.length, U = this.U, lam = this.lam;
    const f = (X: Mat): Mat => {
      const Um: Mat = { rows: n, cols: k, data: U }, T = matmulMat(Um, X, true);
      for (let c = 0; c < X.cols; c++) for (let i = 0; i < k; i++) T.data[c * k + i] = T.data[c * k + i]! * lam[i]!;
      return matmulMat(Um, T);
    };
    return new NystromApprox([n, n], f);
  }
  toString(): string { return `Nystrom(${this.rows}, rank ${this.rank}${this.power === 1 ? '' : `, power ${this.power}`})`; }
}

class NystromApprox extends LinearOperator {
  constructor(shape: [number, number], private readonly f: (X: Mat) => Mat) { super(shape, 'float64', ['PSD']); }
  protected _matmat(X: Mat): Mat { return this.f(X); }
  protected _rmatmat(X: Mat): Mat { return this.f(X); }
  toString(): string { return `NystromApprox(${this.rows})`; }
}

/** ‖A − Â‖₂ by 20 steps of power iteration on the PSD residual A − Â. */
function errorEstimate(A: LinearOperator, s: { U: Float64Array; lam: Float64Array }, rng: Rng): number {
  const n = A.rows, k = s.lam.length;
  let v = new Float64Array(n); for (let i = 0; i < n; i++) v[i] = rng.gauss();
  let est = 0;
  for (let it = 0; it < 20; it++) {
    let nv = 0; for (let i = 0; i < n; i++) nv += v[i]! * v[i]!; nv = Math.sqrt(nv);
    if (nv === 0) return 0;
    for (let i = 0; i < n; i++) v[i] = v[i]! / nv;
    const Av = A.matmat({ rows: n, cols: 1, data: v }).data;
    const w = new Float64Array(n); w.set(Av);
    for (let c = 0; c < k; c++) { let t = 0; for (let i = 0; i < n; i++) t += s.U[c * n + i]! * v[i]!; t *= s.lam[c]!; for (let i = 0; i < n; i++) w[i] = w[i]! - t * s.U[c * n + i]!; }
    let rq = 0; for (let i = 0; i < n; i++) rq += v[i]! * w[i]!;
    est = rq; v = w;
  }
  return Math.abs(est);
}
