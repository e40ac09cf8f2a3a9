/**
 * inv / solve: structure rules read like the algebra (spec §3.3), then the Unitary annotation rule, then Auto's
 * base cases (Cholesky / LU when small, CG / GMRES when large).
 */
import { ArgumentError, ShapeError, type Tensor } from '../../core/index.ts';
import { PreconditionError, SingularError } from '../errors.ts';
import { LinearOperator } from '../operator.ts';
import { asMat, assertFiniteMat, dtypeOfArray, type FloatArray, type Mat } from '../mat.ts';
import { Auto, type Algorithm, type IterInfo } from '../algorithms/config.ts';
import { defineRules, explainTree, newCtx, resolve, type Child, type Ctx, type Rule } from '../dispatch/table.ts';
import { Diagonal, Identity, ScalarMul } from '../operators/diagonal.ts';
import { Triangular, Dense } from '../operators/dense.ts';
import { Product, Sum, Transpose, paren, addInto } from '../operators/composite.ts';
import { Kronecker, KronSum } from '../operators/kronecker.ts';
import { Block, BlockDiag, LowRank, rowsOf, setRows } from '../operators/blocks.ts';
import { Householder, Permutation, Tridiagonal } from '../operators/special.ts';
import { Circulant, Toeplitz } from '../operators/fft.ts';
import { durbinPivots, levinsonSolve } from '../dense/levinson.ts';
import { CholeskyInverse, IterativeInverse, LUInverse, cgFromAuto, gmresFromAuto, minresFromAuto, isSmall, autoDirect, directChoice, outMat, toF64, denseOf, eighOf } from './common.ts';
import { solveTriangularInPlace } from '../dense/triangular.ts';
import { luFactor, luSolve } from '../dense/lu.ts';
import { choleskyInPlace } from '../dense/cholesky.ts';
import { eighTridiagonal, type EighResult } from '../dense/eigh.ts';
import { operation } from '../kernels/staging.ts';

type R = Rule<Record<string, never>, LinearOperator>;
/** For explain: why Auto took a dense or an iterative base case. */
const autoWhy = (A: LinearOperator, alg: Algorithm): string | null => (alg.kind === 'auto' ? directChoice(A, alg).why : null);
const sub = (A: LinearOperator, alg: Algorithm): Child => ({ op: 'inv', A, alg });
const rec = (A: LinearOperator, alg: Algorithm, ctx: Ctx): LinearOperator => resolve<LinearOperator>('inv', A, childAlg(A, alg, ctx), {}, ctx);

/** A child that cannot use the caller's algorithm (CG on a non-PSD factor) gets Auto; the trace records it. */
function childAlg(A: LinearOperator, alg: Algorithm, ctx: Ctx): Algorithm {
  const sub = childAlgPure(A, alg);
  if (sub !== alg) ctx.trace.push(`substitute auto for ${alg.kind} on ${A.toString()}`);
  return sub;
}
function childAlgPure(A: LinearOperator, alg: Algorithm): Algorithm {
  if ((alg.kind === 'cg' && !A.isa('PSD')) || (alg.kind === 'minres' && !A.isa('SelfAdjoint'))) return Auto({ tol: alg.tol, maxIters: alg.maxIters });
  return alg;
}

/** Triangular inverse by substitution. */
class TriangularInverse extends LinearOperator {
  constructor(readonly tri: Triangular) { super(tri.shape, tri.dtype); }
  private run(X: Mat, trans: boolean): Mat {
    const b = toF64(X).slice();
    solveTriangularInPlace(this.tri.A.data, this.rows, b, X.cols, this.tri.lower, trans);
    return outMat(this.rows, X.cols, b, dtypeOfArray(X.data));
  }
  protected _matmat(X: Mat): Mat { return this.run(X, false); }
  protected _rmatmat(X: Mat): Mat { return this.run(X, true); }
  toString(): string { return `${this.tri.toString()}⁻¹`; }
}

/** Tridiagonal inverse by banded LU with partial pivoting, O(n) per column (stored as a dense-band LU of width 3). */
class TridiagonalInverse extends LinearOperator {
  private readonly f: { dl: Float64Array; d: Float64Array; du: Float64Array; du2: Float64Array; ipiv: Int32Array };
  constructor(readonly Tr: Tridiagonal, transposed = false) {
    super(Tr.shape, Tr.dtype, [...Tr.annotations].filter((a) => a === 'SelfAdjoint'));
    const n = Tr.rows;
    const dl = Float64Array.from(transposed ? Tr.superdiag : Tr.subdiag), d = Float64Array.from(Tr.diag), du = Float64Array.from(transposed ? Tr.subdiag : Tr.superdiag);
    const du2 = new Float64Array(Math.max(n - 2, 0)), ipiv = new Int32Array(n);
    // LAPACK dgttrf's elimination: at step i compare |d_i| with |dl_i| and swap rows i, i+1 when needed.
    for (let i = 0; i < n - 1; i++) {
      if (Math.abs(d[i]!) >= Math.abs(dl[i]!)) {
        ipiv[i] = i;
        if (d[i] === 0) throw new SingularError(`inv(${Tr.toString()}): the tridiagonal matrix is singular (pivot ${i})`);
        const fct = dl[i]! / d[i]!; dl[i] = fct; d[i + 1] = d[i + 1]! - fct * du[i]!;
      } else {
        ipiv[i] = i + 1;
        const fct = d[i]! / dl[i]!;
        d[i] = dl[i]!; dl[i] = fct;
        const tmp = du[i]!; du[i] = d[i + 1]!; d[i + 1] = tmp - fct * d[i + 1]!;
        if (i < n - 2) { du2[i] = du[i + 1]!; du[i + 1] = -fct * du[i + 1]!; }
      }
    }
    for (let i = 0; i < n; i++) if (d[i] === 0) throw new SingularError(`inv(${Tr.toString()}): the tridiagonal matrix is singular (pivot ${i})`);
    this.f = { dl, d, du, du2, ipiv };
  }
  private solve(X: Mat): Mat {
    const n = this.rows, { dl, d, du, du2, ipiv } = this.f, b = toF64(X).slice();
    for (let c = 0; c < X.cols; c++) {
      const o = c * n;
      for (let i = 0; i < n - 1; i++) {
        if (ipiv[i] === i) b[o + i + 1] = b[o + i + 1]! - dl[i]! * b[o + i]!;
        else { const t = b[o + i]!; b[o + i] = b[o + i + 1]!; b[o + i + 1] = t - dl[i]! * b[o + i + 1]!; }
      }
      b[o + n - 1] = b[o + n - 1]! / d[n - 1]!;
      if (n > 1) b[o + n - 2] = (b[o + n - 2]! - du[n - 2]! * b[o + n - 1]!) / d[n - 2]!;
      for (let i = n - 3; i >= 0; i--) b[o + i] = (b[o + i]! - du[i]! * b[o + i + 1]! - du2[i]! * b[o + i + 2]!) / d[i]!;
    }
    return outMat(n, X.cols, b, dtypeOfArray(X.data));
  }
  private transposed: TridiagonalInverse | null = null;
  protected _matmat(X: Mat): Mat { return this.solve(X); }
  protected _rmatmat(X: Mat): Mat { this.transposed ??= new TridiagonalInverse(this.Tr, true); return this.transposed.matmat(X); }
  toString(): string { return `${this.Tr.toString()}⁻¹`; }
}

/** Full eigendecomposition of a SelfAdjoint factor (tridiagonal → O(n²) QL; otherwise dense eigh). */
export function factorEigh(F: LinearOperator): EighResult {
  if (F instanceof Tridiagonal) return eighTridiagonal(F.diag, F.subdiag, true);
  if (F instanceof Diagonal) {
    const n = F.rows, order = Array.from({ length: n }, (_, i) => i).sort((a, b) => F.d[a]! - F.d[b]!);
    const V = new Float64Array(n * n); order.forEach((src, c) => { V[c * n + src] = 1; });
    return { values: Float64Array.from(order, (i) => F.d[i]!), vectors: V };
  }
  return eighOf(F);
}

/**
 * Fast diagonalization of a Kronecker sum of SelfAdjoint factors (Lynch, Rice & Thomas 1964):
 * (⊕Mᵢ)⁻¹ = (⊗Qᵢ)·diag(1/(λ_{i₁}+…+λ_{i_k}))·(⊗Qᵢ)ᵀ, O(N·Σnᵢ) per application.
 */
class KronSumInverse extends LinearOperator {
  private readonly Q: Kronecker; private readonly lamInv: Float64Array;
  constructor(readonly K: KronSum) {
    super(K.shape, K.dtype, [...K.annotations]);
    const eigs = K.factors.map(factorEigh);
    this.Q = new Kronecker(eigs.map((e, i) => new Dense({ rows: K.factors[i]!.rows, cols: K.factors[i]!.rows, data: e.vectors! })));
    let sums = new Float64Array([0]);
    for (const e of eigs) {
      const next = new Float64Array(sums.length * e.values.length);
      for (let a = 0; a < sums.length; a++) for (let b = 0; b < e.values.length; b++) next[a * e.values.length + b] = sums[a]! + e.values[b]!;
      sums = next;
    }
    for (let i = 0; i < sums.length; i++) if (sums[i] === 0) throw new SingularError(`inv(${K.toString()}): an eigenvalue sum is exactly zero; the Kronecker sum is singular`);
    this.lamInv = sums.map((v) => 1 / v);
  }
  protected _matmat(X: Mat): Mat {
    const Y = this.Q.rmatmat(X);
    const N = this.rows;
    for (let c = 0; c < Y.cols; c++) for (let i = 0; i < N; i++) Y.data[c * N + i] = Y.data[c * N + i]! * this.lamInv[i]!;
    return this.Q.matmat(Y);
  }
  protected _rmatmat(X: Mat): Mat { return this._matmat(X); }
  toString(): string { return `(${this.K.toString()})⁻¹`; }
}

/** Woodbury: (D + U·C·Vᵀ)⁻¹ = D⁻¹ − D⁻¹U(C⁻¹ + VᵀD⁻¹U)⁻¹VᵀD⁻¹; the r×r capacitance is formed once (r solves with D). */
export class WoodburyInverse extends LinearOperator {
  readonly Dinv: LinearOperator; readonly DinvU: Mat; readonly capInv: LinearOperator; readonly VtDinvT: Mat;
  constructor(readonly D: LinearOperator, readonly L: LowRank, Dinv: LinearOperator) {
    super(D.shape, D.dtype, D.isa('PSD') && L.isa('PSD') ? ['PSD'] : D.isa('SelfAdjoint') && L.isa('SelfAdjoint') ? ['SelfAdjoint'] : []);
    this.Dinv = Dinv;
    const r = L.rank;
    const Ud = L.U.toDense(), Vd = L.V === L.U ? Ud : L.V.toDense();
    this.DinvU = Dinv.matmat(Ud); // the r solves with D
    this.VtDinvT = L.V === L.U && D.isa('SelfAdjoint') ? this.DinvU : Dinv.rmatmat(Vd);
    const cap = new Float64Array(r * r);
    // VᵀD⁻¹U
    for (let a = 0; a < r; a++) for (let b = 0; b < r; b++) {
      let s = 0; for (let i = 0; i < D.rows; i++) s += Vd.data[a * D.rows + i]! * this.DinvU.data[b * D.rows + i]!;
      cap[b * r + a] = s;
    }
    if (L.C) { const Cinv = denseOf(resolveInv(L.C)); for (let i = 0; i < r * r; i++) cap[i] = cap[i]! + Cinv[i]!; }
    else for (let i = 0; i < r; i++) cap[i * r + i] = cap[i * r + i]! + 1;
    const capOp = new Dense({ rows: r, cols: r, data: cap });
    this.capInv = this.isa('PSD') ? new CholeskyInverse(capOp) : new LUInverse(capOp);
    this.capacitance = cap;
  }
  readonly capacitance: Float64Array;
  protected _matmat(X: Mat): Mat {
    const y = this.Dinv.matmat(X);
    const t = this.capInv.matmat(this.L.V.rmatmat(y));
    const corr = new Dense(this.DinvU).matmat(t);
    const out = y.data.slice();
    for (let i = 0; i < out.length; i++) out[i] = out[i]! - corr.data[i]!;
    return { rows: this.rows, cols: X.cols, data: out };
  }
  protected _rmatmat(X: Mat): Mat {
    const y = this.Dinv.rmatmat(X);
    const t = this.capInv.rmatmat(this.L.U.rmatmat(y));
    const corr = new Dense(this.VtDinvT).matmat(t);
    const out = y.data.slice();
    for (let i = 0; i < out.length; i++) out[i] = out[i]! - corr.data[i]!;
    return { rows: this.rows, cols: X.cols, data: out };
  }
  toString(): string { return `(${this.D.toString()} + ${this.L.toString()})⁻¹`; }
}

function resolveInv(A: LinearOperator): LinearOperator { return resolve<LinearOperator>('inv', A, Auto(), {}, newCtx()); }

/** Split of a Sum into (cheaply invertible term, LowRank term), or null. */
export function woodburySplit(A: LinearOperator): { D: LinearOperator; L: LowRank } | null {
  if (!(A instanceof Sum) || A.terms.length !== 2) return null;
  const [a, b] = A.terms as [LinearOperator, LinearOperator];
  const asLow = (t: LinearOperator): LowRank | null => {
    if (t instanceof LowRank) return t.rank <= A.rows / 4 || t.rank < A.rows ? t : null;
    if (t instanceof Product && t.factors.length === 2 && t.factors[0]!.cols <= A.rows / 4) return new LowRank(t.factors[0]!, null, t.factors[1]!.T);
    return null;
  };
  for (const [d, l] of [[a, b], [b, a]] as const) {
    const L = asLow(l);
    if (L && hasStructuralInverse(d)) return { D: d, L };
  }
  return null;
}

/** True when inv(D) resolves by a structure rule (no dense or iterative base case at the top). */
export function hasStructuralInverse(D: LinearOperator): boolean {
  try { return !explainTree('inv', D, Auto(), {}).rule.startsWith('inv.base'); } catch { return false; }
}

/** Schur-complement inverse of Block([[A, B], [C, D]]): S = D − C·A⁻¹·B. */
class SchurInverse extends LinearOperator {
  readonly Ainv: LinearOperator; readonly Sinv: LinearOperator;
  constructor(readonly K: Block, ctx: Ctx, alg: Algorithm) {
    super(K.shape, K.dtype, [...K.annotations].filter((a) => a !== 'Stiefel'));
    const A = K.isa('PSD') ? withPSD(K.A) : K.A;
    this.Ainv = rec(A, alg, ctx);
    let S: LinearOperator = K.D;
    if (K.B && K.C) S = K.D.sub(new Product([K.C, this.Ainv, K.B]));
    // A small Schur complement is densified once, so its factorization is a plain dense one.
    if (S !== K.D && isSmall(S, alg)) S = new Dense(S.toDense());
    if (K.isa('PSD')) S = withPSD(S);
    this.Sinv = rec(S, alg, ctx);
  }
  private run(X: Mat): Mat {
    const n1 = this.K.n1, n2 = this.K.D.rows;
    const f = rowsOf(X, 0, n1), g = rowsOf(X, n1, n2);
    // y = S⁻¹(g − C·A⁻¹f), x = A⁻¹(f − B·y)
    let rhs = g;
    if (this.K.C) { const t = this.K.C.matmat(this.Ainv.matmat(f)); rhs = { ...g, data: g.data.map((v, i) => v - t.data[i]!) }; }
    const y = this.Sinv.matmat(rhs);
    let f2 = f;
    if (this.K.B) { const t = this.K.B.matmat(y); f2 = { ...f, data: f.data.map((v, i) => v - t.data[i]!) }; }
    const x = this.Ainv.matmat(f2);
    const out: Mat = { rows: n1 + n2, cols: X.cols, data: new Float64Array((n1 + n2) * X.cols) };
    setRows(out, 0, x); setRows(out, n1, y);
    return outMat(out.rows, out.cols, out.data as Float64Array, dtypeOfArray(X.data));
  }
  protected _matmat(X: Mat): Mat { return this.run(X); }
  protected _rmatmat(X: Mat): Mat {
    // Through the transposed block, [[Aᵀ, Cᵀ], [Bᵀ, Dᵀ]] — built lazily on first use.
    this.tInv ??= new SchurInverse(new Block([[this.K.A.T, this.K.C ? this.K.C.T : null], [this.K.B ? this.K.B.T : null, this.K.D.T]]), newCtx(), Auto());
    return this.tInv.matmat(X);
  }
  private tInv: SchurInverse | null = null;
  toString(): string { return `(${this.K.toString()})⁻¹`; }
}

/** Lazy inverse of a symmetric positive-definite Toeplitz matrix: each application is Levinson's O(n²) recursion. */
class ToeplitzInverse extends LinearOperator {
  constructor(readonly toep: Toeplitz) { super(toep.shape, toep.dtype, ['PSD', 'SelfAdjoint']); }
  private run(X: Mat): Mat { return outMat(this.rows, X.cols, levinsonSolve(this.toep.col, toF64(X), X.cols), dtypeOfArray(X.data)); }
  protected _matmat(X: Mat): Mat { return this.run(X); }
  protected _rmatmat(X: Mat): Mat { return this.run(X); }
  toString(): string { return `${this.toep.toString()}⁻¹`; }
}

/**
 * A symmetric Toeplitz is taken by Levinson when it is asserted PSD or when Durbin's recursion (O(n²), no storage
 * beyond two vectors) shows every pivot positive, i.e. it is positive definite; the verdict is cached per object.
 * Symmetric indefinite Toeplitz matrices keep the LU / GMRES path, where Levinson would be unstable.
 */
const toeplitzPD = new WeakMap<LinearOperator, boolean>();
export function isSPDToeplitz(A: LinearOperator): A is Toeplitz {
  if (!(A instanceof Toeplitz) || !A.isa('SelfAdjoint')) return false;
  if (A.isa('PSD')) return true;
  let pd = toeplitzPD.get(A);
  if (pd === undefined) { pd = durbinPivots(A.col).failedAt < 0; toeplitzPD.set(A, pd); }
  return pd;
}

function withPSD(A: LinearOperator): LinearOperator {
  const c = Object.create(Object.getPrototypeOf(A)) as LinearOperator;
  Object.assign(c, A);
  Object.defineProperty(c, 'annotations', { value: new Set([...A.annotations, 'PSD', 'SelfAdjoint']) });
  return c;
}

const square = (A: LinearOperator) => A.isSquare;

export const INV_RULES: R[] = [
  { id: 'inv.identity', stage: 'structure', match: (A) => A instanceof Identity, apply: (A) => A },
  {
    id: 'inv.scalarmul', stage: 'structure', match: (A) => A instanceof ScalarMul,
    apply: (A) => { const c = (A as ScalarMul).c; if (c === 0) throw new SingularError(`inv(${A.toString()}): c = 0, the operator is singular`); return new ScalarMul(1 / c, A.rows, A.dtype); },
  },
  {
    id: 'inv.diagonal', stage: 'structure', match: (A) => A instanceof Diagonal,
    apply: (A) => {
      const d = (A as Diagonal).d;
      const inv = d.map((v, i) => { if (v === 0) throw new SingularError(`inv(${A.toString()}): diagonal entry ${i} is zero, the operator is singular`); return 1 / v; });
      return new Diagonal(inv as FloatArray);
    },
  },
  { id: 'inv.permutation', stage: 'structure', match: (A) => A instanceof Permutation, apply: (A) => new Permutation((A as Permutation).inverse, A.dtype) },
  { id: 'inv.triangular', stage: 'structure', match: (A) => A instanceof Triangular, apply: (A) => new TriangularInverse(A as Triangular) },
  { id: 'inv.tridiagonal', stage: 'structure', match: (A) => A instanceof Tridiagonal, apply: (A) => new TridiagonalInverse(A as Tridiagonal) },
  {
    id: 'inv.householder', stage: 'structure', match: (A) => A instanceof Householder,
    apply: (A) => {
      const H = A as Householder;
      if (H.isa('Unitary')) return H;
      // Sherman–Morrison: (I − βvvᵀ)⁻¹ = I + β/(1 − β‖v‖²)·vvᵀ.
      const den = 1 - H.beta * H.vNorm2;
      if (Math.abs(den) < 1e-300) throw new SingularError(`inv(${A.toString()}): 1 − β‖v‖² = 0, the operator is singular`);
      return new Householder(H.v, -H.beta / den);
    },
  },
  {
    // C = F⁻¹·diag(ĉ)·F ⇒ C⁻¹ is the circulant with spectrum 1/ĉ (complex reciprocal), O(n log n).
    id: 'inv.circulant', stage: 'structure', match: (A) => A instanceof Circulant,
    apply: (A) => {
      const C = A as Circulant, n = C.rows, re = new Float64Array(n), im = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        const a = C.specRe[k]!, b = C.specIm[k]!, m = a * a + b * b;
        if (m === 0) throw new SingularError(`inv(${A.toString()}): eigenvalue ${k} (DFT of the first column) is zero, the circulant is singular`);
        re[k] = a / m; im[k] = -b / m;
      }
      return Circulant.fromSpectrum(re, im, C.dtype);
    },
  },
  { id: 'inv.toeplitz.levinson', stage: 'structure', match: (A) => isSPDToeplitz(A), apply: (A) => new ToeplitzInverse(A as Toeplitz) },
  {
    id: 'inv.transpose', stage: 'structure', match: (A) => A instanceof Transpose,
    children: (A, alg) => [sub((A as Transpose).base, alg)],
    apply: (A, alg, _o, ctx) => rec((A as Transpose).base, alg, ctx).T,
  },
  {
    id: 'inv.iterative_inverse', stage: 'structure', match: (A) => A instanceof IterativeInverse,
    apply: (A) => (A as IterativeInverse).base,
  },
  {
    id: 'inv.product', stage: 'structure', match: (A) => A instanceof Product && A.factors.every(square),
    children: (A, alg) => (A as Product).factors.map((f) => sub(f, childAlgPure(f, alg))),
    apply: (A, alg, _o, ctx) => new Product((A as Product).factors.map((f) => rec(f, alg, ctx)).reverse()),
  },
  {
    id: 'inv.kronecker', stage: 'structure', match: (A) => A instanceof Kronecker && A.factors.every(square),
    children: (A, alg) => (A as Kronecker).factors.map((f) => sub(f, childAlgPure(f, alg))),
    apply: (A, alg, _o, ctx) => new Kronecker((A as Kronecker).factors.map((f) => rec(f, alg, ctx))),
  },
  {
    id: 'inv.blockdiag', stage: 'structure', match: (A) => A instanceof BlockDiag && A.blocks.every(square),
    children: (A, alg) => (A as BlockDiag).blocks.map((f) => sub(f, childAlgPure(f, alg))),
    apply: (A, alg, _o, ctx) => new BlockDiag((A as BlockDiag).blocks.map((f) => rec(f, alg, ctx)), (A as BlockDiag).multiplicities),
  },
  {
    id: 'inv.kronsum', stage: 'structure', match: (A) => A instanceof KronSum && A.factors.every((f) => f.isa('SelfAdjoint') && f.rows * f.rows <= 4e6),
    apply: (A) => new KronSumInverse(A as KronSum),
  },
  {
    id: 'inv.woodbury', stage: 'structure', match: (A) => woodburySplit(A) !== null,
    children: (A, alg) => [sub(woodburySplit(A)!.D, childAlgPure(woodburySplit(A)!.D, alg))],
    apply: (A, alg, _o, ctx) => { const { D, L } = woodburySplit(A)!; return new WoodburyInverse(D, L, rec(D, alg, ctx)); },
  },
  {
    id: 'inv.block_schur', stage: 'structure', match: (A) => A instanceof Block,
    children: (A, alg) => [sub((A as Block).A, alg)],
    apply: (A, alg, _o, ctx) => new SchurInverse(A as Block, ctx, alg),
  },
  { id: 'inv.unitary', stage: 'annotation', match: (A) => A.isa('Unitary'), apply: (A) => A.T },
  {
    id: 'inv.base.cholesky', stage: 'base',
    match: (A, alg) => A.isSquare && A.isa('PSD') && (alg.kind === 'cholesky' || autoDirect(A, alg)),
    why: autoWhy,
    apply: (A) => new CholeskyInverse(A),
  },
  {
    id: 'inv.base.lu', stage: 'base',
    match: (A, alg) => A.isSquare && (alg.kind === 'lu' || autoDirect(A, alg)),
    why: autoWhy,
    apply: (A) => new LUInverse(A),
  },
  {
    id: 'inv.base.cg', stage: 'base',
    why: autoWhy,
    match: (A, alg) => A.isSquare && A.isa('PSD') && (alg.kind === 'cg' || alg.kind === 'auto'),
    apply: (A, alg) => new IterativeInverse(A, cgFromAuto(alg)),
  },
  {
    // SelfAdjoint indefinite and large: MINRES (short recurrences, monotone residual), not GMRES (spec §3.2).
    id: 'inv.base.minres', stage: 'base',
    why: autoWhy,
    match: (A, alg) => A.isSquare && A.isa('SelfAdjoint') && (alg.kind === 'minres' || alg.kind === 'auto'),
    apply: (A, alg) => new IterativeInverse(A, minresFromAuto(alg)),
  },
  {
    id: 'inv.base.gmres', stage: 'base',
    why: autoWhy,
    match: (A, alg) => A.isSquare && (alg.kind === 'gmres' || alg.kind === 'auto'),
    apply: (A, alg) => new IterativeInverse(A, gmresFromAuto(alg)),
  },
  {
    id: 'inv.base.precondition', stage: 'base', match: (A, alg) => A.isSquare && (alg.kind === 'cg' || alg.kind === 'minres'),
    apply: (A, alg, _o, ctx) => {
      if (ctx.depth <= 1) {
        if (alg.kind === 'minres') throw new PreconditionError(`inv: MINRES needs a SelfAdjoint operator, but ${A.toString()} is not annotated SelfAdjoint; wrap it as SelfAdjoint(A) if it is symmetric, or use GMRES / Auto`);
        throw new PreconditionError(`inv: CG needs a PSD operator, but ${A.toString()} is not annotated PSD; wrap it as PSD(A) if it is symmetric positive definite, or use GMRES / Auto`);
      }
      return rec(A, Auto({ tol: (alg as { tol: number }).tol }), ctx);
    },
  },
];
defineRules('inv', INV_RULES);

function checkSquare(op: string, A: LinearOperator): void {
  if (!(A instanceof LinearOperator)) throw new ArgumentError(`${op}: A must be a LinearOperator (use lazify for arrays)`);
  if (!A.isSquare) throw new ShapeError(`${op}: needs a square operator, got ${A.shape[0]}×${A.shape[1]} ${A.toString()}; use pinv for rectangular operators`);
}

/** Lazy A⁻¹ chosen by the rule table. */
export function inv(A: LinearOperator, alg: Algorithm = Auto()): LinearOperator {
  checkSquare('inv', A);
  return resolve<LinearOperator>('inv', A, alg, {}, newCtx());
}

/** X = A⁻¹·B (n×k block or length-n vector). */
export function solve(A: LinearOperator, B: Mat | FloatArray | Tensor, alg: Algorithm = Auto()): Mat {
  checkSquare('solve', A);
  const b = asMat(B, 'solve', 'B');
  if (b.rows !== A.rows) throw new ShapeError(`solve: A is ${A.rows}×${A.cols} but B has ${b.rows} rows`);
  assertFiniteMat(b, 'solve', 'B');
  return inv(A, alg).matmat(b);
}

/** solve, plus the iterative info when the top-level inverse is iterative (null for direct solves) and the rule trace. */
export function solveWithInfo(A: LinearOperator, B: Mat | FloatArray | Tensor, alg: Algorithm = Auto()): { X: Mat; info: IterInfo | null; trace: string[] } {
  checkSquare('solve', A);
  const b = asMat(B, 'solve', 'B');
  if (b.rows !== A.rows) throw new ShapeError(`solve: A is ${A.rows}×${A.cols} but B has ${b.rows} rows`);
  assertFiniteMat(b, 'solve', 'B');
  return operation(() => {
    const ctx = newCtx();
    const Ainv = resolve<LinearOperator>('inv', A, alg, {}, ctx);
    if (Ainv instanceof IterativeInverse) { const r = Ainv.solveWithInfo(b); return { X: r.X, info: r.info, trace: ctx.trace }; }
    return { X: Ainv.matmat(b), info: null, trace: ctx.trace };
  });
}

export { paren, addInto, luFactor, luSolve, choleskyInPlace };
