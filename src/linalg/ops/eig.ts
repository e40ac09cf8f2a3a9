/**
 * eig(A, k, which): structure rules (Identity, ScalarMul, Diagonal, BlockDiag, Kronecker, KronSum, c·A, Tridiagonal)
 * — CoLA's paper lists the BlockDiag/Kronecker/KronSum rules but its code has none — then dense eigh / eig when
 * small and the restarted Krylov solvers when large. Values are returned ascending.
 */
import { ArgumentError, ShapeError, Rng } from '../../core/index.ts';
import { PreconditionError } from '../errors.ts';
import { LinearOperator } from '../operator.ts';
import { Auto, type Algorithm, type IterInfo, type LOBPCGAlg } from '../algorithms/config.ts';
import { lobpcg } from '../algorithms/lobpcg.ts';
import { defineRules, findRule, newCtx, resolve, type Ctx, type Rule } from '../dispatch/table.ts';
import { Diagonal, Identity, ScalarMul } from '../operators/diagonal.ts';
import { Dense, Triangular } from '../operators/dense.ts';
import { Product, Transpose } from '../operators/composite.ts';
import { Kronecker, KronSum } from '../operators/kronecker.ts';
import { Block, BlockDiag } from '../operators/blocks.ts';
import { Tridiagonal } from '../operators/special.ts';
import { Circulant } from '../operators/fft.ts';
import { FunctionOperator } from '../operators/function.ts';
import { denseOf, eighOf, isSmall, autoOf } from './common.ts';
import { factorEigh, inv } from './inv.ts';
import { eighTridiagonal } from '../dense/eigh.ts';
import { eigGeneral } from '../dense/eig.ts';
import { defaultWindow, krylovEig, selectWhich, type Which } from '../algorithms/krylov-eig.ts';
import { powerIteration } from '../algorithms/stochastic.ts';
import type { Mat } from '../mat.ts';

export type { Which };
const EPS = 2.220446049250313e-16;
export interface EigResult { values: Float64Array; valuesIm?: Float64Array; vectors: LinearOperator; info?: IterInfo }
interface O { k: number; which: Which }
type R = Rule<O, EigResult>;

/** Chooses k of (values, vector-columns) by `which` and returns them ascending (by real part). */
function pick(values: Float64Array, vecs: Float64Array, n: number, k: number, which: Which, im?: Float64Array): EigResult {
  const imv = im ?? new Float64Array(values.length);
  const idx = selectWhich(values, imv, k, which).sort((a, b) => values[a]! - values[b]! || imv[b]! - imv[a]!);
  const V = new Float64Array(n * idx.length);
  idx.forEach((i, c) => V.set(vecs.subarray(i * n, (i + 1) * n), c * n));
  const out: EigResult = { values: Float64Array.from(idx, (i) => values[i]!), vectors: new Dense({ rows: n, cols: idx.length, data: V }) };
  if (im && idx.some((i) => imv[i] !== 0)) out.valuesIm = Float64Array.from(idx, (i) => imv[i]!);
  return out;
}

/** Full spectrum of a SelfAdjoint factor with vectors (cached dense eigh, or the O(n²) tridiagonal QL). */
function spectrum(F: LinearOperator): { values: Float64Array; vectors: Float64Array } {
  const e = factorEigh(F);
  return { values: e.values, vectors: e.vectors! };
}

/**
 * Eigenvectors of a Kronecker product / sum: column c is v_{i₁}⊗…⊗v_{i_k}, formed only when the operator is applied
 * (toDense materializes the k columns, O(N·k)).
 */
interface FactorSpectrum { values: Float64Array; vector(i: number): Float64Array }

/**
 * Eigenvalues of a SelfAdjoint factor and its eigenvectors for the indices `need` only. A Tridiagonal factor costs
 * O(n²) for the values (QL without vectors) plus O(n) per wanted vector by inverse iteration on T − λI (with
 * Gram–Schmidt inside clusters closer than 10⁻³‖T‖, the rule of LAPACK dstein); others use the cached dense eigh.
 */
function factorSpectrum(F: LinearOperator, need: number[]): FactorSpectrum {
  if (F instanceof Tridiagonal && need.length * 4 < F.rows) {
    const n = F.rows, values = eighTridiagonal(F.diag, F.subdiag, false).values;
    let tnorm = 0; for (let i = 0; i < n; i++) tnorm = Math.max(tnorm, Math.abs(F.diag[i]!) + Math.abs(F.subdiag[i - 1] ?? 0) + Math.abs(F.superdiag[i] ?? 0));
    const vecs = new Map<number, Float64Array>(), rng = new Rng(12345);
    for (const i of [...need].sort((a, b) => a - b)) {
      // The shift sits a rounding error off λ, so T − σI is nonsingular but nearly so: two solves give the vector.
      const sigma = values[i]! + 4 * EPS * tnorm * (1 + i / n);
      const shifted = new Tridiagonal(F.subdiag, F.diag.map((d) => d - sigma), F.superdiag);
      const Sinv = inv(shifted);
      let x = new Float64Array(n); for (let t = 0; t < n; t++) x[t] = rng.gauss();
      for (let it = 0; it < 3; it++) {
        x = Float64Array.from(Sinv.matmat(x).data);
        for (const [j, v] of vecs) if (Math.abs(values[j]! - values[i]!) < 1e-3 * tnorm) { let d = 0; for (let t = 0; t < n; t++) d += v[t]! * x[t]!; for (let t = 0; t < n; t++) x[t] = x[t]! - d * v[t]!; }
        let nx = 0; for (let t = 0; t < n; t++) nx += x[t]! * x[t]!; nx = Math.sqrt(nx);
        for (let t = 0; t < n; t++) x[t] = x[t]! / nx;
      }
      vecs.set(i, x);
    }
    return { values, vector: (i) => { const v = vecs.get(i); if (!v) throw new Error(`eig: eigenvector ${i} of ${F.toString()} was not computed`); return v; } };
  }
  const e = spectrum(F), n = F.rows;
  return { values: e.values, vector: (i) => e.vectors.subarray(i * n, (i + 1) * n) };
}

function kronColumns(facs: FactorSpectrum[], sizes: number[], tuples: number[][]): LinearOperator {
  const N = sizes.reduce((a, b) => a * b, 1), k = tuples.length;
  const column = (t: number[]): Float64Array => {
    let v = new Float64Array([1]);
    t.forEach((i, f) => {
      const n = sizes[f]!, w = facs[f]!.vector(i), next = new Float64Array(v.length * n);
      for (let a = 0; a < v.length; a++) for (let b = 0; b < n; b++) next[a * n + b] = v[a]! * w[b]!;
      v = next;
    });
    return v;
  };
  const matmat = (X: Mat): Mat => {
    const out = new Float64Array(N * X.cols);
    tuples.forEach((t, c) => { const v = column(t); for (let j = 0; j < X.cols; j++) { const x = X.data[j * k + c]!; if (x !== 0) for (let r = 0; r < N; r++) out[j * N + r] = out[j * N + r]! + x * v[r]!; } });
    return { rows: N, cols: X.cols, data: out };
  };
  const rmatmat = (X: Mat): Mat => {
    const out = new Float64Array(k * X.cols);
    tuples.forEach((t, c) => { const v = column(t); for (let j = 0; j < X.cols; j++) { let s = 0; for (let r = 0; r < N; r++) s += v[r]! * X.data[j * N + r]!; out[j * k + c] = s; } });
    return { rows: k, cols: X.cols, data: out };
  };
  return new FunctionOperator([N, k], matmat, rmatmat, [], 'float64', 'KronEigenvectors');
}

/** All index tuples with their combined value (product or sum), restricted per factor to `cand` indices. */
function combine(facs: { values: Float64Array }[], cand: number[][], op: 'mul' | 'add'): { val: number; t: number[] }[] {
  let acc: { val: number; t: number[] }[] = [{ val: op === 'mul' ? 1 : 0, t: [] }];
  facs.forEach((f, fi) => {
    const next: { val: number; t: number[] }[] = [];
    for (const a of acc) for (const i of cand[fi]!) next.push({ val: op === 'mul' ? a.val * f.values[i]! : a.val + f.values[i]!, t: [...a.t, i] });
    acc = next;
  });
  return acc;
}

function chooseTuples(list: { val: number; t: number[] }[], k: number, which: Which): { val: number; t: number[] }[] {
  const key = (v: number) => (which === 'LA' ? -v : which === 'SA' ? v : which === 'LM' ? -Math.abs(v) : Math.abs(v));
  return list.sort((a, b) => key(a.val) - key(b.val)).slice(0, k).sort((a, b) => a.val - b.val);
}

function kronRule(A: LinearOperator, o: O, op: 'mul' | 'add'): EigResult {
  const factors = (A as Kronecker | KronSum).factors;
  const sizes = factors.map((f) => f.rows);
  // A sum is monotone in each factor, so LA/SA need only the k extreme values of each factor (and only their
  // vectors); products with sign-indefinite factors need both ends, so they (and LM/SM) scan every combination.
  const extremes = op === 'add' && (o.which === 'LA' || o.which === 'SA');
  const candFor = (n: number) => { const all = Array.from({ length: n }, (_, i) => i); return !extremes ? all : o.which === 'LA' ? all.slice(-o.k) : all.slice(0, o.k); };
  const cand = sizes.map(candFor);
  const facs = factors.map((f, i) => factorSpectrum(f, cand[i]!));
  const chosen = chooseTuples(combine(facs, cand, op), o.k, o.which);
  return { values: Float64Array.from(chosen, (c) => c.val), vectors: kronColumns(facs, sizes, chosen.map((c) => c.t)) };
}

const allSA = (ops: readonly LinearOperator[]) => ops.every((f) => f.isa('SelfAdjoint'));

export const EIG_RULES: R[] = [
  {
    id: 'eig.identity', stage: 'structure', match: (A) => A instanceof Identity,
    apply: (A, _a, o) => { const n = A.rows, V = new Float64Array(n * o.k); for (let c = 0; c < o.k; c++) V[c * n + c] = 1; return { values: new Float64Array(o.k).fill(1), vectors: new Dense({ rows: n, cols: o.k, data: V }) }; },
  },
  {
    id: 'eig.scalarmul', stage: 'structure', match: (A) => A instanceof ScalarMul,
    apply: (A, _a, o) => { const n = A.rows, V = new Float64Array(n * o.k); for (let c = 0; c < o.k; c++) V[c * n + c] = 1; return { values: new Float64Array(o.k).fill((A as ScalarMul).c), vectors: new Dense({ rows: n, cols: o.k, data: V }) }; },
  },
  {
    id: 'eig.diagonal', stage: 'structure', match: (A) => A instanceof Diagonal,
    apply: (A, _a, o) => { const n = A.rows, e = factorEigh(A); return pick(e.values, e.vectors!, n, o.k, o.which); },
  },
  {
    id: 'eig.tridiagonal', stage: 'structure', match: (A) => A instanceof Tridiagonal && A.isa('SelfAdjoint'),
    apply: (A, _a, o) => { const e = factorEigh(A); return pick(e.values, e.vectors!, A.rows, o.k, o.which); },
  },
  {
    // Values on the diagonal; vectors by back-substitution on T − λᵢI. Repeated values (a defective or
    // degenerate eigenspace) are left to the dense base case.
    id: 'eig.triangular', stage: 'structure', match: (A) => A instanceof Triangular && distinctDiagonal(A as Triangular),
    apply: (A, _a, o) => triangularEig(A as Triangular, o),
  },
  {
    // Aᵀ has A's eigenvalues; for SelfAdjoint A it is A, so A's vectors serve.
    id: 'eig.transpose', stage: 'structure', match: (A) => A instanceof Transpose && A.base.isa('SelfAdjoint'),
    children: (A, alg, o) => [{ op: 'eig', A: (A as Transpose).base, alg, opts: o }],
    apply: (A, alg, o, ctx) => resolve<EigResult>('eig', (A as Transpose).base, alg, o, ctx),
  },
  {
    // Aᵀ of a non-symmetric A whose own eig is a structure rule (triangular, circulant, c·A, …): the same eigenvalues
    // through A's rule; A's right eigenvectors are Aᵀ's left ones, so Aᵀ's vectors come from inverse iteration with
    // solves by the shifted base, (Aᵀ − σI)⁻¹ = ((A − σI)⁻¹)ᵀ. Without a structured base rule the base cases (dense
    // eig of Aᵀ, or Arnoldi through rmatmat) are as good and stay in charge.
    id: 'eig.transpose.general', stage: 'structure',
    match: (A, alg, o) => A instanceof Transpose && !A.base.isa('SelfAdjoint') && A.base.isSquare && findRule('eig', A.base, alg, o).stage === 'structure',
    children: (A, alg, o) => [{ op: 'eig', A: (A as Transpose).base, alg, opts: o }],
    apply: (A, alg, o, ctx) => transposeEig(A as Transpose, alg, o, ctx),
  },
  { id: 'eig.circulant', stage: 'structure', match: (A) => A instanceof Circulant, apply: (A, _a, o) => circulantEig(A as Circulant, o) },
  {
    // c·A → c·eig(A), with LA/SA (largest/smallest) swapped for c < 0.
    id: 'eig.scaled', stage: 'structure', match: (A) => A instanceof Product && A.factors.length === 2 && A.factors[0] instanceof ScalarMul,
    children: (A, alg, o) => [{ op: 'eig', A: (A as Product).factors[1]!, alg, opts: flipFor((A as Product).factors[0] as ScalarMul, o) }],
    apply: (A, alg, o, ctx) => {
      const c = ((A as Product).factors[0] as ScalarMul).c;
      const r = resolve<EigResult>('eig', (A as Product).factors[1]!, alg, flipFor((A as Product).factors[0] as ScalarMul, o), ctx);
      const vals = r.values.map((v) => c * v);
      const order = Array.from(vals.keys()).sort((a, b) => vals[a]! - vals[b]!);
      const n = A.rows, Vd = r.vectors.toDense().data, V = new Float64Array(n * order.length);
      order.forEach((i, col) => V.set(Vd.subarray(i * n, (i + 1) * n), col * n));
      return { values: Float64Array.from(order, (i) => vals[i]!), vectors: new Dense({ rows: n, cols: order.length, data: V }), info: r.info };
    },
  },
  {
    id: 'eig.blockdiag', stage: 'structure', match: (A) => A instanceof BlockDiag && allSA((A as BlockDiag).blocks),
    apply: (A, _a, o) => {
      const B = A as BlockDiag, N = A.rows;
      const vals: number[] = [], cols: { block: number; copy: number; idx: number }[] = [];
      const specs = B.blocks.map(spectrum);
      B.blocks.forEach((b, i) => { for (let r = 0; r < B.multiplicities[i]!; r++) specs[i]!.values.forEach((v, j) => { vals.push(v); cols.push({ block: i, copy: r, idx: j }); }); });
      const chosen = selectWhich(vals, new Float64Array(vals.length), o.k, o.which).sort((a, b) => vals[a]! - vals[b]!);
      const offsets: number[] = []; let off = 0;
      B.blocks.forEach((b, i) => { offsets.push(off); off += b.rows * B.multiplicities[i]!; });
      const V = new Float64Array(N * chosen.length);
      chosen.forEach((ci, c) => { const { block, copy, idx } = cols[ci]!, nb = B.blocks[block]!.rows; V.set(specs[block]!.vectors.subarray(idx * nb, (idx + 1) * nb), c * N + offsets[block]! + copy * nb); });
      return { values: Float64Array.from(chosen, (i) => vals[i]!), vectors: new Dense({ rows: N, cols: chosen.length, data: V }) };
    },
  },
  { id: 'eig.kronecker', stage: 'structure', match: (A) => A instanceof Kronecker && allSA(A.factors), apply: (A, _a, o) => kronRule(A, o, 'mul') },
  { id: 'eig.kronsum', stage: 'structure', match: (A) => A instanceof KronSum && allSA(A.factors), apply: (A, _a, o) => kronRule(A, o, 'add') },
  {
    id: 'eig.base.eigh', stage: 'base', match: (A, alg) => A.isa('SelfAdjoint') && (alg.kind === 'eigh' || (alg.kind === 'auto' && isSmall(A, alg))),
    apply: (A, _a, o) => { const e = eighOf(A); return pick(e.values, e.vectors!, A.rows, o.k, o.which); },
  },
  {
    id: 'eig.base.eig', stage: 'base', match: (A, alg) => alg.kind === 'eig' || (alg.kind === 'auto' && isSmall(A, alg)),
    apply: (A, _a, o) => { const e = eigGeneral(denseOf(A), A.rows, true); return pick(e.re, e.vectors!, A.rows, o.k, o.which, e.im); },
  },
  {
    id: 'eig.base.lanczos', stage: 'base', match: (A, alg) => A.isa('SelfAdjoint') && (alg.kind === 'lanczos' || alg.kind === 'auto'),
    apply: (A, alg, o) => krylov(A, alg, o, true),
  },
  { id: 'eig.base.arnoldi', stage: 'base', match: (A, alg) => alg.kind === 'arnoldi' || alg.kind === 'auto', apply: (A, alg, o) => krylov(A, alg, o, false) },
  {
    id: 'eig.base.power', stage: 'base', match: (A, alg) => alg.kind === 'power',
    apply: (A, alg, o) => {
      if (o.k !== 1 || o.which !== 'LM') throw new ArgumentError(`eig: PowerIteration finds one eigenvalue of largest magnitude (k = 1, which = 'LM'), got k = ${o.k}, which = '${o.which}'`);
      const a = alg as { tol: number; maxIters: number; seed: number };
      const r = powerIteration(A, a.tol, a.maxIters, a.seed);
      return { values: new Float64Array([r.value]), vectors: new Dense({ rows: A.rows, cols: 1, data: r.vector }), info: r.info };
    },
  },
  {
    id: 'eig.base.lobpcg', stage: 'base', match: (A, alg) => alg.kind === 'lobpcg' && A.isa('SelfAdjoint'),
    apply: (A, alg, o) => {
      if (o.which !== 'SA' && o.which !== 'LA') throw new ArgumentError(`eig: LOBPCG finds the smallest ('SA') or largest ('LA') eigenvalues, got which = '${o.which}'`);
      if (3 * o.k > A.rows) throw new ArgumentError(`eig: LOBPCG needs 3k ≤ n (its trial basis has 3k columns), got k = ${o.k}, n = ${A.rows}; use Eigh or Lanczos`);
      const r = lobpcg(A, o.k, o.which, alg as LOBPCGAlg);
      return { values: r.values, vectors: new Dense({ rows: A.rows, cols: o.k, data: r.vectors }), info: r.info };
    },
  },
  {
    id: 'eig.base.precondition', stage: 'base', match: (A, alg) => alg.kind === 'lanczos' || alg.kind === 'lobpcg',
    apply: (A, alg) => { throw new PreconditionError(`eig: ${alg.kind === 'lanczos' ? 'Lanczos' : 'LOBPCG'} needs a SelfAdjoint operator, but ${A.toString()} is not annotated SelfAdjoint; wrap it as SelfAdjoint(A) if it is symmetric, or use Arnoldi`); },
  },
];
defineRules('eig', EIG_RULES);

/**
 * Circulant eigenpairs from the DFT: C·f_k = ĉ_k·f_k with (f_k)_j = e^{2πijk/n}. Real vectors: f₀ and f_{n/2} are
 * real; for each pair (k, n−k) the columns Re f_k and Im f_k — two real eigenvectors when ĉ_k is real (symmetric
 * c), and the LAPACK real-pair convention (real part with the value of positive imaginary part) when it is not.
 */
function circulantEig(C: Circulant, o: O): EigResult {
  const n = C.rows, V = new Float64Array(n * n), vals = C.specRe.slice(), im = C.specIm.slice();
  for (let k = 0; 2 * k <= n; k++) {
    const partner = (n - k) % n;
    if (partner === k) { const s = 1 / Math.sqrt(n); for (let j = 0; j < n; j++) V[k * n + j] = s * Math.cos((2 * Math.PI * j * k) / n); continue; }
    const real = im[k] === 0 && im[partner] === 0;
    const s = real ? Math.sqrt(2 / n) : 1 / Math.sqrt(n);
    // Column for the value with Im ≥ 0 holds Re f, its partner's column ±Im f (f_{n−k} = conj f_k).
    const [pos, neg] = im[k]! >= 0 ? [k, partner] : [partner, k];
    const sgn = pos === k ? 1 : -1;
    for (let j = 0; j < n; j++) {
      const a = (2 * Math.PI * ((j * k) % n)) / n;
      V[pos * n + j] = s * Math.cos(a); V[neg * n + j] = sgn * s * Math.sin(a);
    }
  }
  const anyComplex = im.some((v) => v !== 0);
  return pick(vals, V, n, o.k, o.which, anyComplex ? im : undefined);
}

function distinctDiagonal(T: Triangular): boolean {
  const n = T.rows, d = Array.from({ length: n }, (_, i) => T.A.data[i * n + i]!).sort((a, b) => a - b);
  let scale = 0; for (const v of d) scale = Math.max(scale, Math.abs(v));
  for (let i = 1; i < n; i++) if (d[i]! - d[i - 1]! <= 1e-10 * scale) return false;
  return true;
}

/** Eigenvector i of a triangular T: xᵢ = 1, zero on the far side, substitution on the near side. */
function triangularEig(T: Triangular, o: O): EigResult {
  const n = T.rows, a = T.A.data, vals = new Float64Array(n), V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) vals[i] = a[i * n + i]!;
  for (let i = 0; i < n; i++) {
    const lam = vals[i]!, x = V.subarray(i * n, (i + 1) * n);
    x[i] = 1;
    if (T.lower) {
      for (let j = i + 1; j < n; j++) { let s = 0; for (let l = i; l < j; l++) s += a[l * n + j]! * x[l]!; x[j] = -s / (a[j * n + j]! - lam); }
    } else {
      for (let j = i - 1; j >= 0; j--) { let s = 0; for (let l = j + 1; l <= i; l++) s += a[l * n + j]! * x[l]!; x[j] = -s / (a[j * n + j]! - lam); }
    }
    let nx = 0; for (let j = 0; j < n; j++) nx += x[j]! * x[j]!; nx = Math.sqrt(nx);
    for (let j = 0; j < n; j++) x[j] = x[j]! / nx;
  }
  return pick(vals, V, n, o.k, o.which);
}

function flipFor(s: ScalarMul, o: O): O {
  if (s.c >= 0) return o;
  const w: Which = o.which === 'LA' ? 'SA' : o.which === 'SA' ? 'LA' : o.which;
  return { k: o.k, which: w };
}

function krylov(A: LinearOperator, alg: Algorithm, o: O, symmetric: boolean): EigResult {
  const a = alg.kind === 'lanczos' || alg.kind === 'arnoldi' ? alg : null;
  const auto = autoOf(alg);
  const tol = a ? a.tol : Math.min(auto.tol, 1e-8);
  const window = a && a.maxIters < defaultWindow(o.k) ? Math.max(a.maxIters, o.k + 1) : undefined;
  const r = krylovEig(A, o.k, o.which, { symmetric, tol, window, maxRestarts: a ? a.maxRestarts : 300, seed: a ? a.seed : auto.seed, start: a?.start ? a.start.data : null });
  const res = pick(r.values, r.vectors, A.rows, o.k, o.which, r.valuesIm.some((v) => v !== 0) ? r.valuesIm : undefined);
  res.info = r.info;
  return res;
}

export function eig(A: LinearOperator, k?: number, which: Which = 'LA', alg: Algorithm = Auto()): EigResult {
  if (!(A instanceof LinearOperator)) throw new ArgumentError('eig: A must be a LinearOperator');
  if (!A.isSquare) throw new ShapeError(`eig: needs a square operator, got ${A.shape[0]}×${A.shape[1]} ${A.toString()}`);
  const kk = k ?? A.rows;
  if (!Number.isInteger(kk) || kk < 1 || kk > A.rows) throw new ArgumentError(`eig: k must be an integer in 1..${A.rows}, got ${k}`);
  if (!['LA', 'SA', 'LM', 'SM'].includes(which)) throw new ArgumentError(`eig: which must be 'LA', 'SA', 'LM' or 'SM', got '${which}'`);
  return resolve<EigResult>('eig', A, alg, { k: kk, which }, newCtx());
}
export const eigmax = (A: LinearOperator, alg: Algorithm = Auto()): number => eig(A, 1, 'LA', alg).values[0]!;
export const eigmin = (A: LinearOperator, alg: Algorithm = Auto()): number => eig(A, 1, 'SA', alg).values[0]!;

/**
 * Eigenvectors of Aᵀ for the eigenvalues of A (from A's dispatch) by inverse iteration, three solves per value with
 * the shift a relative 1e-10 off λ (so the shifted matrix is nonsingular but nearly so, and one solve already lines
 * up with the eigenvector). A complex λ = α + iβ (β > 0) uses the real 2n×2n form of (Aᵀ − λI)(x + iy) = b, i.e.
 * the transpose of Block([[A − αI, −βI], [βI, A − αI]]); its columns follow the real-pair convention (Re x at the
 * value with β > 0, Im x at its conjugate). Equal real values are kept apart by Gram–Schmidt, as in LAPACK's dstein.
 */
function transposeEig(A: Transpose, alg: Algorithm, o: O, ctx: Ctx): EigResult {
  const base = A.base, n = A.rows;
  const r = resolve<EigResult>('eig', base, alg, o, ctx);
  const k = r.values.length;
  let scale = 1; for (let c = 0; c < k; c++) scale = Math.max(scale, Math.hypot(r.values[c]!, r.valuesIm?.[c] ?? 0));
  // An imaginary part at rounding level (the DFT of a real circulant gives ~1e-16) is a real eigenvalue.
  const im = Float64Array.from({ length: k }, (_, c) => { const b = r.valuesIm?.[c] ?? 0; return Math.abs(b) <= 1e-12 * scale ? 0 : b; });
  const solveAlg = alg.kind === 'auto' ? alg : Auto();
  const rng = new Rng(7), V = new Float64Array(n * k), pairs: { a: number; b: number; x: Float64Array; y: Float64Array }[] = [];
  const unit = (x: Float64Array) => { let s = 0; for (const v of x) s += v * v; s = Math.sqrt(s); return x.map((v) => v / s); };
  for (let c = 0; c < k; c++) {
    const lam = r.values[c]!, b = im[c]!, shift = lam + 1e-10 * scale;
    if (b === 0) {
      const S = inv(base.sub(new ScalarMul(shift, n, base.dtype)), solveAlg).T;
      let x = unit(Float64Array.from({ length: n }, () => rng.gauss()));
      for (let it = 0; it < 3; it++) {
        x = Float64Array.from(S.matmat({ rows: n, cols: 1, data: x }).data);
        for (let p = 0; p < c; p++) {
          if (im[p] !== 0 || Math.abs(r.values[p]! - lam) > 1e-8 * scale) continue;
          let d = 0; for (let t = 0; t < n; t++) d += V[p * n + t]! * x[t]!;
          for (let t = 0; t < n; t++) x[t] = x[t]! - d * V[p * n + t]!;
        }
        x = unit(x);
      }
      V.set(x, c * n);
      continue;
    }
    // The two members of a conjugate pair may differ in the last bits, so the partner is found by tolerance.
    const beta = Math.abs(b);
    let pair = pairs.find((q) => Math.abs(q.a - lam) <= 1e-8 * scale && Math.abs(q.b - beta) <= 1e-8 * scale);
    if (!pair) {
      const M = base.sub(new ScalarMul(shift, n, base.dtype));
      const S = inv(new Block([[M, new ScalarMul(-beta, n, base.dtype)], [new ScalarMul(beta, n, base.dtype), M]]), solveAlg).T;
      let z = unit(Float64Array.from({ length: 2 * n }, () => rng.gauss()));
      for (let it = 0; it < 3; it++) z = unit(Float64Array.from(S.matmat({ rows: 2 * n, cols: 1, data: z }).data));
      pair = { a: lam, b: beta, x: z.slice(0, n), y: z.slice(n) };
      pairs.push(pair);
    }
    V.set(b > 0 ? pair.x : pair.y, c * n);
  }
  const out: EigResult = { values: r.values, vectors: new Dense({ rows: n, cols: k, data: V }) };
  if (im.some((v) => v !== 0)) out.valuesIm = im;
  if (r.info) out.info = r.info;
  return out;
}
