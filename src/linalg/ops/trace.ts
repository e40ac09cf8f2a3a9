/** trace and diag: closed forms through the structure, else Exact (identity probes) or Hutch++ / Hutchinson. */
import { ArgumentError, ShapeError } from '../../core/index.ts';
import { LinearOperator, shiftedEye } from '../operator.ts';
import { Auto, Hutch, HutchPP, type Algorithm } from '../algorithms/config.ts';
import { defineRules, newCtx, resolve, type Ctx, type Rule } from '../dispatch/table.ts';
import { Diagonal, Identity, ScalarMul } from '../operators/diagonal.ts';
import { Dense } from '../operators/dense.ts';
import { Product, Sum, Transpose } from '../operators/composite.ts';
import { Kronecker, KronSum } from '../operators/kronecker.ts';
import { Block, BlockDiag, LowRank } from '../operators/blocks.ts';
import { Householder, Tridiagonal } from '../operators/special.ts';
import { Sparse } from '../operators/sparse.ts';
import { Circulant, Toeplitz } from '../operators/fft.ts';
import { autoOf } from './common.ts';
import { hutchinsonDiag, hutchPP, hutchinsonTrace } from '../algorithms/stochastic.ts';

interface DO { k: number }
const dsub = (A: LinearOperator, alg: Algorithm, k: number, ctx: Ctx) => resolve<Float64Array>('diag', A, alg, { k }, ctx);
const len = (A: LinearOperator, k: number) => Math.max(0, Math.min(A.rows, A.cols) - Math.abs(k));

/** Exact k-th diagonal by identity column blocks of 128. */
function exactDiag(A: LinearOperator, k: number): Float64Array {
  const n = A.cols, out = new Float64Array(len(A, k));
  const j0 = Math.max(0, k), j1 = Math.min(n, A.rows + k);
  for (let s = j0; s < j1; s += 128) {
    const b = Math.min(128, j1 - s), Y = A.matmat(shiftedEye(n, b, s, A.dtype));
    for (let c = 0; c < b; c++) { const j = s + c, i = j - k; out[j - j0] = Y.data[c * A.rows + i]!; }
  }
  return out;
}

/** CoLA's rule: Exact when tol < 1/√(10·rows·cols), else stochastic. */
function exactOK(A: LinearOperator, alg: Algorithm): boolean {
  return alg.kind === 'exact' || (alg.kind === 'auto' && autoOf(alg).tol < 1 / Math.sqrt(10 * A.rows * A.cols));
}

const DIAG_RULES: Rule<DO, Float64Array>[] = [
  {
    id: 'diag.dense', stage: 'structure', match: (A) => A instanceof Dense,
    apply: (A, _a, { k }) => { const D = (A as Dense).A, out = new Float64Array(len(A, k)), j0 = Math.max(0, k); for (let t = 0; t < out.length; t++) out[t] = D.data[(j0 + t) * A.rows + j0 + t - k]!; return out; },
  },
  {
    id: 'diag.sparse', stage: 'structure', match: (A) => A instanceof Sparse,
    apply: (A, _a, { k }) => {
      const S = A as Sparse, out = new Float64Array(len(A, k)), i0 = Math.max(0, -k);
      for (let t = 0; t < out.length; t++) { const i = i0 + t, j = i + k; for (let p = S.indptr[i]!; p < S.indptr[i + 1]!; p++) if (S.indices[p] === j) out[t] = S.values[p]!; }
      return out;
    },
  },
  { id: 'diag.diagonal', stage: 'structure', match: (A) => A instanceof Diagonal, apply: (A, _a, { k }) => (k === 0 ? Float64Array.from((A as Diagonal).d) : new Float64Array(len(A, k))) },
  { id: 'diag.identity', stage: 'structure', match: (A) => A instanceof Identity, apply: (A, _a, { k }) => new Float64Array(len(A, k)).fill(k === 0 ? 1 : 0) },
  { id: 'diag.scalarmul', stage: 'structure', match: (A) => A instanceof ScalarMul, apply: (A, _a, { k }) => new Float64Array(len(A, k)).fill(k === 0 ? (A as ScalarMul).c : 0) },
  {
    id: 'diag.tridiagonal', stage: 'structure', match: (A, _a, { k }) => A instanceof Tridiagonal && Math.abs(k) <= 1,
    apply: (A, _a, { k }) => { const T = A as Tridiagonal; return Float64Array.from(k === 0 ? T.diag : k === 1 ? T.superdiag : T.subdiag); },
  },
  { id: 'diag.circulant', stage: 'structure', match: (A) => A instanceof Circulant, apply: (A, _a, { k }) => new Float64Array(len(A, k)).fill((A as Circulant).c[(((-k) % A.rows) + A.rows) % A.rows]!) },
  { id: 'diag.toeplitz', stage: 'structure', match: (A) => A instanceof Toeplitz, apply: (A, _a, { k }) => new Float64Array(len(A, k)).fill(k >= 0 ? (A as Toeplitz).row[k]! : (A as Toeplitz).col[-k]!) },
  {
    id: 'diag.sum', stage: 'structure', match: (A) => A instanceof Sum,
    apply: (A, alg, { k }, ctx) => { const out = new Float64Array(len(A, k)); for (const t of (A as Sum).terms) { const d = dsub(t, alg, k, ctx); for (let i = 0; i < out.length; i++) out[i] = out[i]! + d[i]!; } return out; },
  },
  {
    id: 'diag.scaled', stage: 'structure', match: (A) => A instanceof Product && A.factors.length === 2 && A.factors[0] instanceof ScalarMul,
    apply: (A, alg, { k }, ctx) => dsub((A as Product).factors[1]!, alg, k, ctx).map((v) => v * ((A as Product).factors[0] as ScalarMul).c),
  },
  { id: 'diag.transpose', stage: 'structure', match: (A) => A instanceof Transpose, apply: (A, alg, { k }, ctx) => dsub((A as Transpose).base, alg, -k, ctx) },
  {
    id: 'diag.blockdiag', stage: 'structure', match: (A, _a, { k }) => A instanceof BlockDiag && k === 0 && A.blocks.every((b) => b.isSquare),
    apply: (A, alg, _o, ctx) => { const B = A as BlockDiag, parts: number[] = []; B.blocks.forEach((b, i) => { const d = dsub(b, alg, 0, ctx); for (let r = 0; r < B.multiplicities[i]!; r++) parts.push(...d); }); return Float64Array.from(parts); },
  },
  {
    id: 'diag.kronecker', stage: 'structure', match: (A, _a, { k }) => A instanceof Kronecker && k === 0 && A.factors.every((f) => f.isSquare),
    apply: (A, alg, _o, ctx) => { let d = new Float64Array([1]); for (const f of (A as Kronecker).factors) { const e = dsub(f, alg, 0, ctx), nx = new Float64Array(d.length * e.length); for (let a = 0; a < d.length; a++) for (let b = 0; b < e.length; b++) nx[a * e.length + b] = d[a]! * e[b]!; d = nx; } return d; },
  },
  {
    id: 'diag.kronsum', stage: 'structure', match: (A, _a, { k }) => A instanceof KronSum && k === 0,
    apply: (A, alg, _o, ctx) => { let d = new Float64Array([0]); for (const f of (A as KronSum).factors) { const e = dsub(f, alg, 0, ctx), nx = new Float64Array(d.length * e.length); for (let a = 0; a < d.length; a++) for (let b = 0; b < e.length; b++) nx[a * e.length + b] = d[a]! + e[b]!; d = nx; } return d; },
  },
  {
    id: 'diag.block', stage: 'structure', match: (A, _a, { k }) => A instanceof Block && k === 0,
    apply: (A, alg, _o, ctx) => Float64Array.from([...dsub((A as Block).A, alg, 0, ctx), ...dsub((A as Block).D, alg, 0, ctx)]),
  },
  {
    id: 'diag.lowrank', stage: 'structure', match: (A, _a, { k }) => A instanceof LowRank && k === 0,
    apply: (A) => {
      // Row i: Σ_ab U_ia C_ab V_ib = rowwise sum of U∘(V·Cᵀ).
      const L = A as LowRank, U = L.U.toDense(), V = L.V.toDense(), n = A.rows, r = L.rank;
      const VC = L.C ? L.C.matmat({ rows: r, cols: n, data: transposeData(V.data, n, r) }) : { rows: r, cols: n, data: transposeData(V.data, n, r) };
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) { let s = 0; for (let a = 0; a < r; a++) s += U.data[a * n + i]! * VC.data[i * r + a]!; out[i] = s; }
      return out;
    },
  },
  {
    id: 'diag.householder', stage: 'structure', match: (A, _a, { k }) => A instanceof Householder && k === 0,
    apply: (A) => { const H = A as Householder; return Float64Array.from(H.v, (v) => 1 - H.beta * v * v); },
  },
  { id: 'diag.base.exact', stage: 'base', match: (A, alg) => exactOK(A, alg), apply: (A, _a, { k }) => exactDiag(A, k) },
  {
    id: 'diag.base.hutchinson', stage: 'base', match: (A, alg, { k }) => k === 0 && (alg.kind === 'auto' || alg.kind === 'hutch'),
    apply: (A, alg) => hutchinsonDiag(A, alg.kind === 'hutch' ? alg : Hutch({ seed: autoOf(alg).seed })).value,
  },
];
defineRules('diag', DIAG_RULES);

function transposeData(d: ArrayLike<number>, m: number, n: number): Float64Array {
  const out = new Float64Array(m * n); for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) out[i * n + j] = d[j * m + i]!; return out;
}

const tsub = (A: LinearOperator, alg: Algorithm, ctx: Ctx) => resolve<number>('trace', A, alg, {}, ctx);
/**
 * Σᵢ A[i, i] read in place: no diagonal array and no callback reduce. The 4000 strided reads of a 4000² matrix touch
 * 4000 pages, so the loop itself is bound by TLB misses (≈ 22 µs here, numpy's np.trace ≈ 23 µs); what this rule
 * removes is the allocation and the per-element closure of the generic trace-by-diagonal path.
 */
function denseTrace(D: Dense): number {
  const a = D.A.data, step = D.rows + 1, n = D.rows;
  let s0 = 0, s1 = 0, i = 0;
  for (; i + 1 < n; i += 2) { s0 += a[i * step]!; s1 += a[(i + 1) * step]!; }
  if (i < n) s0 += a[i * step]!;
  return s0 + s1;
}

const TRACE_RULES: Rule<object, number>[] = [
  { id: 'trace.dense', stage: 'structure', match: (A) => A instanceof Dense && A.isSquare, apply: (A) => denseTrace(A as Dense) },
  { id: 'trace.identity', stage: 'structure', match: (A) => A instanceof Identity, apply: (A) => A.rows },
  { id: 'trace.scalarmul', stage: 'structure', match: (A) => A instanceof ScalarMul, apply: (A) => A.rows * (A as ScalarMul).c },
  { id: 'trace.kronecker', stage: 'structure', match: (A) => A instanceof Kronecker && A.factors.every((f) => f.isSquare), apply: (A, alg, _o, ctx) => (A as Kronecker).factors.reduce((p, f) => p * tsub(f, alg, ctx), 1) },
  { id: 'trace.kronsum', stage: 'structure', match: (A) => A instanceof KronSum, apply: (A, alg, _o, ctx) => (A as KronSum).factors.reduce((s, f) => s + (tsub(f, alg, ctx) * A.rows) / f.rows, 0) },
  { id: 'trace.sum', stage: 'structure', match: (A) => A instanceof Sum, apply: (A, alg, _o, ctx) => (A as Sum).terms.reduce((s, t) => s + tsub(t, alg, ctx), 0) },
  {
    id: 'trace.blockdiag', stage: 'structure', match: (A) => A instanceof BlockDiag && A.blocks.every((b) => b.isSquare),
    apply: (A, alg, _o, ctx) => (A as BlockDiag).blocks.reduce((s, b, i) => s + (A as BlockDiag).multiplicities[i]! * tsub(b, alg, ctx), 0),
  },
  {
    id: 'trace.lowrank', stage: 'structure', match: (A) => A instanceof LowRank,
    apply: (A) => { const L = A as LowRank, VtU = L.V.rmatmat(L.U.toDense()), M = L.C ? L.C.matmat(VtU) : VtU; let s = 0; for (let i = 0; i < L.rank; i++) s += M.data[i * L.rank + i]!; return s; },
  },
  {
    id: 'trace.by_diag', stage: 'base', match: (A, alg) => A.isSquare && (alg.kind === 'exact' || exactOK(A, alg) || hasStructuredDiag(A, alg)),
    apply: (A, alg, _o, ctx) => dsub(A, alg, 0, ctx).reduce((a, b) => a + b, 0),
  },
  {
    id: 'trace.base.hutchpp', stage: 'base', match: (A, alg) => A.isSquare && (alg.kind === 'auto' || alg.kind === 'hutchpp'),
    apply: (A, alg) => hutchPP(A, alg.kind === 'hutchpp' ? alg : HutchPP({ tol: autoOf(alg).tol, seed: autoOf(alg).seed })).value,
  },
  { id: 'trace.base.hutchinson', stage: 'base', match: (A, alg) => A.isSquare && alg.kind === 'hutch', apply: (A, alg) => { const r = hutchPPorHutch(A, alg); return r; } },
];
function hutchPPorHutch(A: LinearOperator, alg: Algorithm): number { return hutchinsonTrace(A, alg.kind === 'hutch' ? alg : Hutch()).value; }
function hasStructuredDiag(A: LinearOperator, alg: Algorithm): boolean {
  return A instanceof Dense || A instanceof Sparse || A instanceof Diagonal || A instanceof Tridiagonal || A instanceof Householder || (A instanceof Product && A.factors[0] instanceof ScalarMul && A.factors.length === 2 && hasStructuredDiag(A.factors[1]!, alg)) || (A instanceof Transpose && hasStructuredDiag(A.base, alg));
}
defineRules('trace', TRACE_RULES);

export function trace(A: LinearOperator, alg: Algorithm = Auto()): number {
  if (!(A instanceof LinearOperator)) throw new ArgumentError('trace: A must be a LinearOperator');
  if (!A.isSquare) throw new ShapeError(`trace: needs a square operator, got ${A.shape[0]}×${A.shape[1]}`);
  return resolve<number>('trace', A, alg, {}, newCtx());
}

export function diag(A: LinearOperator, k = 0, alg: Algorithm = Auto()): Float64Array {
  if (!(A instanceof LinearOperator)) throw new ArgumentError('diag: A must be a LinearOperator');
  if (!Number.isInteger(k) || Math.abs(k) >= Math.max(A.rows, A.cols)) throw new ArgumentError(`diag: k must be an integer with |k| < ${Math.max(A.rows, A.cols)}, got ${k}`);
  return resolve<Float64Array>('diag', A, alg, { k }, newCtx());
}
