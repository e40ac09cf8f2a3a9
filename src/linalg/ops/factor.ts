/** svd, cholesky, plu and pinv with their structure rules (spec §3.3) and dense base cases. */
import { ArgumentError, ShapeError } from '../../core/index.ts';
import { NotPositiveDefiniteError } from '../errors.ts';
import { LinearOperator } from '../operator.ts';
import { Auto, type Algorithm, CG, type LanczosAlg } from '../algorithms/config.ts';
import { gklSvd } from '../algorithms/gkl-svd.ts';
import { defineRules, newCtx, resolve, type Rule } from '../dispatch/table.ts';
import { Diagonal, Identity, ScalarMul } from '../operators/diagonal.ts';
import { Dense, Triangular } from '../operators/dense.ts';
import { Kronecker } from '../operators/kronecker.ts';
import { BlockDiag } from '../operators/blocks.ts';
import { Permutation, Tridiagonal } from '../operators/special.ts';
import { Sparse } from '../operators/sparse.ts';
import { FunctionOperator } from '../operators/function.ts';
import { choleskyOf, denseOf, luOf, isSmall } from './common.ts';
import { svdJacobi } from '../dense/svd.ts';
import { cg } from '../algorithms/cg.ts';
import type { Mat } from '../mat.ts';

export interface SvdResult { U: LinearOperator; S: Diagonal; V: LinearOperator }
export interface PLU { P: LinearOperator; L: LinearOperator; U: LinearOperator }

/** Algorithms the dense one-sided Jacobi SVD stands for; Lanczos has its own rule; anything else is an error. */
const DENSE_SVD_ALGS = new Set(['auto', 'exact', 'eig', 'eigh']);
const SVD_RULES: Rule<{ k: number }, SvdResult>[] = [
  {
    // S = |d| sorted descending; signs folded into U, the permutation into U and V (CoLA returns d itself).
    id: 'svd.diagonal', stage: 'structure', match: (A) => A instanceof Diagonal,
    apply: (A, _a, { k }) => {
      const d = (A as Diagonal).d, n = A.rows, order = Array.from({ length: n }, (_, i) => i).sort((a, b) => Math.abs(d[b]!) - Math.abs(d[a]!)).slice(0, k);
      const U = new Float64Array(n * k), V = new Float64Array(n * k);
      order.forEach((i, c) => { U[c * n + i] = d[i]! < 0 ? -1 : 1; V[c * n + i] = 1; });
      return { U: new Dense({ rows: n, cols: k, data: U }), S: new Diagonal(Float64Array.from(order, (i) => Math.abs(d[i]!))), V: new Dense({ rows: n, cols: k, data: V }) };
    },
  },
  {
    id: 'svd.identity', stage: 'structure', match: (A) => A instanceof Identity,
    apply: (A, _a, { k }) => ({ U: new Dense(eyeCols(A.rows, k)), S: new Diagonal(new Float64Array(k).fill(1)), V: new Dense(eyeCols(A.rows, k)) }),
  },
  {
    // |c| with the sign folded into U.
    id: 'svd.scalarmul', stage: 'structure', match: (A) => A instanceof ScalarMul,
    apply: (A, _a, { k }) => { const c = (A as ScalarMul).c, U = eyeCols(A.rows, k); if (c < 0) for (let i = 0; i < U.data.length; i++) U.data[i] = -U.data[i]!; return { U: new Dense(U), S: new Diagonal(new Float64Array(k).fill(Math.abs(c))), V: new Dense(eyeCols(A.rows, k)) }; },
  },
  {
    // Singular values are the products σᵢσ'ⱼ…, singular vectors the Kronecker products of the factors' (CoLA: none).
    // Only for k up to the number of factor triplets (beyond it the zero singular values need a completed basis).
    id: 'svd.kronecker', stage: 'structure', match: (A, _a, { k }) => A instanceof Kronecker && k <= A.factors.reduce((p, f) => p * Math.min(f.rows, f.cols), 1),
    children: (A, alg) => (A as Kronecker).factors.map((f) => ({ op: 'svd' as const, A: f, alg, opts: { k: Math.min(f.rows, f.cols) } })),
    apply: (A, alg, { k }, ctx) => {
      const fs = (A as Kronecker).factors.map((f) => denseSvd(resolve<SvdResult>('svd', f, alg, { k: Math.min(f.rows, f.cols) }, ctx)));
      let tuples: { s: number; t: number[] }[] = [{ s: 1, t: [] }];
      fs.forEach((f) => { const next: { s: number; t: number[] }[] = []; for (const a of tuples) for (let i = 0; i < f.S.length; i++) next.push({ s: a.s * f.S[i]!, t: [...a.t, i] }); tuples = next; });
      const top = tuples.sort((a, b) => b.s - a.s).slice(0, k);
      return {
        U: new Dense(kronCols(fs.map((f) => f.U), top.map((x) => x.t))), S: new Diagonal(Float64Array.from(top, (x) => x.s)),
        V: new Dense(kronCols(fs.map((f) => f.V), top.map((x) => x.t))),
      };
    },
  },
  {
    // Union of the blocks' singular triplets (with multiplicities), vectors embedded at the block's rows/columns.
    id: 'svd.blockdiag', stage: 'structure', match: (A, _a, { k }) => A instanceof BlockDiag && k <= A.blocks.reduce((s, f, i) => s + A.multiplicities[i]! * Math.min(f.rows, f.cols), 0),
    children: (A, alg) => (A as BlockDiag).blocks.map((f) => ({ op: 'svd' as const, A: f, alg, opts: { k: Math.min(f.rows, f.cols) } })),
    apply: (A, alg, { k }, ctx) => {
      const B = A as BlockDiag, m = A.rows, n = A.cols;
      const fs = B.blocks.map((f) => denseSvd(resolve<SvdResult>('svd', f, alg, { k: Math.min(f.rows, f.cols) }, ctx)));
      const all: { s: number; b: number; copy: number; i: number; r0: number; c0: number }[] = [];
      let r0 = 0, c0 = 0;
      B.blocks.forEach((blk, b) => { for (let copy = 0; copy < B.multiplicities[b]!; copy++) { fs[b]!.S.forEach((s, i) => all.push({ s, b, copy, i, r0, c0 })); r0 += blk.rows; c0 += blk.cols; } });
      const top = all.sort((x, y) => y.s - x.s).slice(0, k);
      const U = new Float64Array(m * k), V = new Float64Array(n * k);
      top.forEach((t, c) => {
        const f = fs[t.b]!, bm = B.blocks[t.b]!.rows, bn = B.blocks[t.b]!.cols;
        U.set(f.U.data.subarray(t.i * bm, (t.i + 1) * bm), c * m + t.r0);
        V.set(f.V.data.subarray(t.i * bn, (t.i + 1) * bn), c * n + t.c0);
      });
      return { U: new Dense({ rows: m, cols: k, data: U }), S: new Diagonal(Float64Array.from(top, (t) => t.s)), V: new Dense({ rows: n, cols: k, data: V }) };
    },
  },
  {
    // Orthogonal A = A·I·Iᵀ: every singular value is 1.
    id: 'svd.unitary', stage: 'annotation', match: (A) => A.isa('Unitary'),
    apply: (A, _a, { k }) => ({ U: new Dense(A.matmat(eyeCols(A.rows, k))), S: new Diagonal(new Float64Array(k).fill(1)), V: new Dense(eyeCols(A.rows, k)) }),
  },
  {
    id: 'svd.base.lanczos', stage: 'base', match: (_A, alg) => alg.kind === 'lanczos',
    apply: (A, alg, { k }) => {
      const r = gklSvd(A, k, alg as LanczosAlg), m = A.rows, n = A.cols;
      return { U: new Dense({ rows: m, cols: k, data: r.U }), S: new Diagonal(r.S), V: new Dense({ rows: n, cols: k, data: r.V }) };
    },
  },
  {
    id: 'svd.base.dense', stage: 'base', match: (_A, alg) => DENSE_SVD_ALGS.has(alg.kind),
    apply: (A, _a, { k }) => {
      const r = svdJacobi(denseOf(A), A.rows, A.cols), m = A.rows, n = A.cols;
      return { U: new Dense({ rows: m, cols: k, data: r.U.slice(0, m * k) }), S: new Diagonal(r.S.slice(0, k)), V: new Dense({ rows: n, cols: k, data: r.V.slice(0, n * k) }) };
    },
  },
];
defineRules('svd', SVD_RULES);

const CHOL_RULES: Rule<object, LinearOperator>[] = [
  { id: 'cholesky.identity', stage: 'structure', match: (A) => A instanceof Identity, apply: (A) => A },
  {
    id: 'cholesky.diagonal', stage: 'structure', match: (A) => A instanceof Diagonal || A instanceof ScalarMul,
    apply: (A) => {
      const d = A instanceof Diagonal ? A.d : new Float64Array(A.rows).fill((A as ScalarMul).c);
      return new Diagonal(d.map((v, i) => { if (!(v > 0)) throw new NotPositiveDefiniteError(`cholesky(${A.toString()}): entry ${i} is ${v}, not positive`, i); return Math.sqrt(v); }));
    },
  },
  { id: 'cholesky.kronecker', stage: 'structure', match: (A) => A instanceof Kronecker, apply: (A, alg, o, ctx) => new Kronecker((A as Kronecker).factors.map((f) => resolve<LinearOperator>('cholesky', f, alg, o, ctx))) },
  { id: 'cholesky.blockdiag', stage: 'structure', match: (A) => A instanceof BlockDiag, apply: (A, alg, o, ctx) => new BlockDiag((A as BlockDiag).blocks.map((f) => resolve<LinearOperator>('cholesky', f, alg, o, ctx)), (A as BlockDiag).multiplicities) },
  { id: 'cholesky.base.dense', stage: 'base', match: () => true, apply: (A) => new Triangular({ rows: A.rows, cols: A.rows, data: choleskyOf(A).slice() }, true) },
];
defineRules('cholesky', CHOL_RULES);

const PLU_RULES: Rule<object, PLU>[] = [
  { id: 'plu.identity', stage: 'structure', match: (A) => A instanceof Identity, apply: (A) => ({ P: A, L: A, U: A }) },
  { id: 'plu.diagonal', stage: 'structure', match: (A) => A instanceof Diagonal || A instanceof ScalarMul, apply: (A) => ({ P: new Identity(A.rows, A.dtype), L: new Identity(A.rows, A.dtype), U: A }) },
  { id: 'plu.permutation', stage: 'structure', match: (A) => A instanceof Permutation, apply: (A) => ({ P: A, L: new Identity(A.rows, A.dtype), U: new Identity(A.rows, A.dtype) }) },
  {
    id: 'plu.kronecker', stage: 'structure', match: (A) => A instanceof Kronecker && A.factors.every((f) => f.isSquare),
    apply: (A, alg, o, ctx) => { const fs = (A as Kronecker).factors.map((f) => resolve<PLU>('plu', f, alg, o, ctx)); return { P: new Kronecker(fs.map((f) => f.P)), L: new Kronecker(fs.map((f) => f.L)), U: new Kronecker(fs.map((f) => f.U)) }; },
  },
  {
    id: 'plu.blockdiag', stage: 'structure', match: (A) => A instanceof BlockDiag && A.blocks.every((f) => f.isSquare),
    apply: (A, alg, o, ctx) => { const B = A as BlockDiag, fs = B.blocks.map((f) => resolve<PLU>('plu', f, alg, o, ctx)); return { P: new BlockDiag(fs.map((f) => f.P), B.multiplicities), L: new BlockDiag(fs.map((f) => f.L), B.multiplicities), U: new BlockDiag(fs.map((f) => f.U), B.multiplicities) }; },
  },
  { id: 'plu.tridiagonal', stage: 'structure', match: (A) => A instanceof Tridiagonal, apply: (A) => tridiagonalPLU(A as Tridiagonal) },
  {
    id: 'plu.base.dense', stage: 'base', match: () => true,
    apply: (A) => {
      const f = luOf(A), n = A.rows, L = new Float64Array(n * n), U = new Float64Array(n * n);
      for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) { const v = f.lu[j * n + i]!; if (i > j) L[j * n + i] = v; else U[j * n + i] = v; if (i === j) L[j * n + i] = 1; }
      // P·A = L·U with (P·A)ᵢ = A_{piv[i]} ⇒ A = Pᵀ·L·U; Pᵀ as a Permutation is the inverse of piv.
      const inverse = new Int32Array(n); for (let i = 0; i < n; i++) inverse[f.piv[i]!] = i;
      return { P: new Permutation(inverse, A.dtype), L: new Triangular({ rows: n, cols: n, data: L }, true), U: new Triangular({ rows: n, cols: n, data: U }, false) };
    },
  },
];
defineRules('plu', PLU_RULES);

const PINV_RULES: Rule<object, LinearOperator>[] = [
  { id: 'pinv.identity', stage: 'structure', match: (A) => A instanceof Identity, apply: (A) => A },
  { id: 'pinv.scalarmul', stage: 'structure', match: (A) => A instanceof ScalarMul, apply: (A) => new ScalarMul((A as ScalarMul).c === 0 ? 0 : 1 / (A as ScalarMul).c, A.rows, A.dtype) },
  {
    // 1/dᵢ where |dᵢ| > cutoff, else 0 (CoLA divides by zero).
    id: 'pinv.diagonal', stage: 'structure', match: (A) => A instanceof Diagonal,
    apply: (A) => { const d = (A as Diagonal).d; let mx = 0; for (let i = 0; i < d.length; i++) mx = Math.max(mx, Math.abs(d[i]!)); const cut = d.length * 2.2e-16 * mx; return new Diagonal(d.map((v) => (Math.abs(v) > cut ? 1 / v : 0))); },
  },
  { id: 'pinv.permutation', stage: 'structure', match: (A) => A instanceof Permutation, apply: (A) => new Permutation((A as Permutation).inverse, A.dtype) },
  {
    id: 'pinv.blockdiag', stage: 'structure', match: (A) => A instanceof BlockDiag,
    children: (A, alg) => (A as BlockDiag).blocks.map((f) => ({ op: 'pinv' as const, A: f, alg })),
    apply: (A, alg, o, ctx) => new BlockDiag((A as BlockDiag).blocks.map((f) => resolve<LinearOperator>('pinv', f, alg, o, ctx)), (A as BlockDiag).multiplicities),
  },
  {
    // (A ⊗ B)⁺ = A⁺ ⊗ B⁺ (Penrose's four conditions hold factorwise).
    id: 'pinv.kronecker', stage: 'structure', match: (A) => A instanceof Kronecker,
    children: (A, alg) => (A as Kronecker).factors.map((f) => ({ op: 'pinv' as const, A: f, alg })),
    apply: (A, alg, o, ctx) => new Kronecker((A as Kronecker).factors.map((f) => resolve<LinearOperator>('pinv', f, alg, o, ctx))),
  },
  { id: 'pinv.unitary', stage: 'annotation', match: (A) => A.isa('Unitary'), apply: (A) => A.T },
  {
    id: 'pinv.base.lstsq', stage: 'base', match: (A, alg) => alg.kind === 'lstsq' || (alg.kind === 'auto' && isSmall(A, alg)),
    apply: (A) => {
      const r = svdJacobi(denseOf(A), A.rows, A.cols), m = A.rows, n = A.cols, k = r.k;
      const cut = Math.max(m, n) * 2.2e-16 * (r.S[0] ?? 0);
      // pinv = V·S⁺·Uᵀ
      const out = new Float64Array(n * m);
      for (let c = 0; c < k; c++) { const s = r.S[c]!; if (!(s > cut)) continue; for (let j = 0; j < m; j++) { const u = r.U[c * m + j]! / s; if (u !== 0) for (let i = 0; i < n; i++) out[j * n + i] = out[j * n + i]! + r.V[c * n + i]! * u; } }
      return new Dense({ rows: n, cols: m, data: out });
    },
  },
  {
    // CG on the shifted normal operator (AᵀA + εI) applied to Aᵀb (the shift goes on AᵀA, not on its inverse).
    id: 'pinv.base.cg', stage: 'base', match: (A, alg) => alg.kind === 'cg' || alg.kind === 'auto',
    apply: (A, alg) => {
      const tol = alg.kind === 'cg' ? alg.tol : 1e-8;
      const n = A.cols, eps = 1e-10;
      const N = new FunctionOperator([n, n], (X) => { const Y = A.rmatmat(A.matmat(X)); for (let i = 0; i < Y.data.length; i++) Y.data[i] = Y.data[i]! + eps * X.data[i]!; return Y; }, null, ['PSD']);
      const solveN = (B: Mat) => cg(N, A.rmatmat(B), CG({ tol, maxIters: alg.kind === 'cg' ? alg.maxIters : 1000 })).X;
      return new FunctionOperator([A.cols, A.rows], solveN, null, [], 'float64', 'Pinv');
    },
  },
];
defineRules('pinv', PINV_RULES);

function eyeCols(n: number, k: number): Mat {
  const d = new Float64Array(n * k); for (let c = 0; c < k; c++) d[c * n + c] = 1;
  return { rows: n, cols: k, data: d };
}
function denseSvd(r: SvdResult): { U: Mat; S: Float64Array; V: Mat } {
  const U = r.U.toDense(), V = r.V.toDense(), S = Float64Array.from(r.S.d);
  return { U: { ...U, data: Float64Array.from(U.data) }, S, V: { ...V, data: Float64Array.from(V.data) } };
}
/** Columns ⊗ᵢ (factor i's column tᵢ) for each index tuple t. */
function kronCols(facs: Mat[], tuples: number[][]): Mat {
  const N = facs.reduce((p, f) => p * f.rows, 1), out = new Float64Array(N * tuples.length);
  tuples.forEach((t, c) => {
    let v = new Float64Array([1]);
    t.forEach((i, f) => {
      const F = facs[f]!, w = F.data.subarray(i * F.rows, (i + 1) * F.rows), next = new Float64Array(v.length * F.rows);
      for (let a = 0; a < v.length; a++) for (let b = 0; b < F.rows; b++) next[a * F.rows + b] = v[a]! * w[b]!;
      v = next;
    });
    out.set(v, c * N);
  });
  return { rows: N, cols: tuples.length, data: out };
}

/**
 * Banded Gaussian elimination with partial pivoting on a tridiagonal T (the elimination of LAPACK dgttrf, written as
 * P·T = L·U with explicit row swaps): only rows k and k+1 hold column k, U gains at most a second superdiagonal and
 * L at most a second subdiagonal, so all three factors are O(n) sparse operators. Returns A = P·L·U.
 */
function tridiagonalPLU(T: Tridiagonal): PLU {
  const n = T.rows;
  const R: Map<number, number>[] = [], Lr: Map<number, number>[] = [], perm = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    const m = new Map<number, number>();
    if (i > 0) m.set(i - 1, T.subdiag[i - 1]!);
    m.set(i, T.diag[i]!);
    if (i + 1 < n) m.set(i + 1, T.superdiag[i]!);
    R.push(m); Lr.push(new Map());
  }
  for (let k = 0; k + 1 < n; k++) {
    if (Math.abs(R[k + 1]!.get(k) ?? 0) > Math.abs(R[k]!.get(k) ?? 0)) {
      [R[k], R[k + 1]] = [R[k + 1]!, R[k]!]; [Lr[k], Lr[k + 1]] = [Lr[k + 1]!, Lr[k]!];
      const t = perm[k]!; perm[k] = perm[k + 1]!; perm[k + 1] = t;
    }
    const piv = R[k]!.get(k) ?? 0, below = R[k + 1]!.get(k) ?? 0;
    if (piv === 0 || below === 0) continue;
    const f = below / piv;
    for (const [c, v] of R[k]!) if (c > k) R[k + 1]!.set(c, (R[k + 1]!.get(c) ?? 0) - f * v);
    R[k + 1]!.delete(k);
    Lr[k + 1]!.set(k, f);
  }
  const coo = (rowsOf: Map<number, number>[], unitDiag: boolean) => {
    const v: number[] = [], r: number[] = [], c: number[] = [];
    rowsOf.forEach((m, i) => { if (unitDiag) { v.push(1); r.push(i); c.push(i); } for (const [j, x] of m) if (x !== 0 || j === i) { v.push(x); r.push(i); c.push(j); } });
    return Sparse.fromCOO(v, r, c, [n, n], T.dtype);
  };
  // P·T = L·U with (P·T)ᵢ = T_{perm[i]} ⇒ T = Pᵀ·L·U; Pᵀ as a Permutation is the inverse of perm.
  const inverse = new Int32Array(n); for (let i = 0; i < n; i++) inverse[perm[i]!] = i;
  return { P: new Permutation(inverse, T.dtype), L: coo(Lr, true), U: coo(R, false) };
}

export function svd(A: LinearOperator, k?: number, alg: Algorithm = Auto()): SvdResult {
  if (!(A instanceof LinearOperator)) throw new ArgumentError('svd: A must be a LinearOperator');
  const kk = k ?? Math.min(A.rows, A.cols);
  if (!Number.isInteger(kk) || kk < 1 || kk > Math.min(A.rows, A.cols)) throw new ArgumentError(`svd: k must be an integer in 1..${Math.min(A.rows, A.cols)}, got ${k}`);
  if (!alg || (alg.kind !== 'lanczos' && !DENSE_SVD_ALGS.has(alg.kind))) {
    throw new ArgumentError(`svd: algorithm ${alg?.kind} is not supported; use Auto() or Exact() (dense one-sided Jacobi) or Lanczos() (Golub–Kahan–Lanczos)`);
  }
  return resolve<SvdResult>('svd', A, alg, { k: kk }, newCtx());
}
export function cholesky(A: LinearOperator): LinearOperator {
  if (!A.isSquare) throw new ShapeError(`cholesky: needs a square operator, got ${A.shape[0]}×${A.shape[1]}`);
  return resolve<LinearOperator>('cholesky', A, Auto(), {}, newCtx());
}
export function plu(A: LinearOperator): PLU {
  if (!A.isSquare) throw new ShapeError(`plu: needs a square operator, got ${A.shape[0]}×${A.shape[1]}`);
  return resolve<PLU>('plu', A, Auto(), {}, newCtx());
}
export function pinv(A: LinearOperator, alg: Algorithm = Auto()): LinearOperator {
  if (!(A instanceof LinearOperator)) throw new ArgumentError('pinv: A must be a LinearOperator');
  return resolve<LinearOperator>('pinv', A, alg, {}, newCtx());
}
