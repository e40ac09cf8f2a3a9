/**
 * Matrix functions and estimators: exp and sqrt across the market (case 27) against an independent Taylor expm,
 * float32 paths, the stochastic logdet gradient, Woodbury's solve count, Hutch++ at the spec's size and seeds, and
 * the WebAssembly product kernels against naive loops.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/random.ts';
import { Tensor } from '../../src/core/tensor.ts';
import { grad } from '../../src/autodiff/index.ts';
import * as L from '../../src/linalg/index.ts';
import { LinearOperator } from '../../src/linalg/operator.ts';
import { registerRule, unregisterRule } from '../../src/linalg/dispatch/table.ts';
import { market, naiveMatmul, randMat, rel, spdFromSpectrum } from './helpers.ts';

/** expm by scaling and squaring of a 30-term Taylor series, naive loops (independent of the library's Padé-13). */
function taylorExpm(A: L.Mat): L.Mat {
  const n = A.rows;
  let norm = 0; for (let j = 0; j < n; j++) { let s = 0; for (let i = 0; i < n; i++) s += Math.abs(A.data[j * n + i]!); norm = Math.max(norm, s); }
  const sq = Math.max(0, Math.ceil(Math.log2(norm / 0.25)));
  const B: L.Mat = { ...A, data: A.data.map((v) => v / 2 ** sq) };
  let term: L.Mat = { rows: n, cols: n, data: new Float64Array(n * n) };
  for (let i = 0; i < n; i++) term.data[i * n + i] = 1;
  const out: L.Mat = { rows: n, cols: n, data: Float64Array.from(term.data) };
  for (let k = 1; k <= 30; k++) {
    term = naiveMatmul(term, B); term = { ...term, data: term.data.map((v) => v / k) };
    for (let i = 0; i < n * n; i++) out.data[i] = out.data[i]! + term.data[i]!;
  }
  let R = out;
  for (let s = 0; s < sq; s++) R = naiveMatmul(R, R);
  return R;
}

test('exp across the market (case 27): dispatch, dense path and Lanczos/Arnoldi f(A)v agree with a Taylor expm; sqrt² = A on PSD entries', () => {
  const rng = new Rng(7);
  for (const [name, A] of Object.entries(market())) {
    const want = taylorExpm(A.toDense());
    assert.ok(rel(L.exp(A).toDense(), want) < 3e-4, `${name}: dispatch ${rel(L.exp(A).toDense(), want)}`);
    assert.ok(rel(L.exp(L.noDispatch(A)).toDense(), want) < 3e-4, `${name}: dense path`);
    const n = A.rows, x = randMat(rng, n, 2), wx = naiveMatmul(want, x);
    const krylov = A.isa('SelfAdjoint') ? L.exp(L.SelfAdjoint(L.noDispatch(A)), L.Lanczos({ maxIters: n })) : L.exp(L.noDispatch(A), L.Arnoldi({ maxIters: n }));
    assert.ok(rel(krylov.matmat(x), wx) < 1e-3, `${name}: ${A.isa('SelfAdjoint') ? 'Lanczos' : 'Arnoldi'} f(A)v ${rel(krylov.matmat(x), wx)}`);
    if (A.isa('PSD')) {
      const S = L.sqrt(A).toDense();
      assert.ok(rel(naiveMatmul(S, S), A.toDense()) < 3e-4, `${name}: sqrt(A)² = A`);
    }
  }
});

test('float32 operators: solve, logdet, eig, CG and Kronecker rules run in float32 storage to 1e-4', () => {
  const S = spdFromSpectrum(30, 0.5, 2, 5), a32 = Float32Array.from(S.A.data);
  const A = L.PSD(new L.Dense({ rows: 30, cols: 30, data: a32 })), A64 = L.PSD(L.lazify(S.A));
  assert.equal(A.dtype, 'float32');
  const b32 = Float32Array.from({ length: 30 }, (_, i) => Math.cos(i));
  const x = L.solve(A, b32);
  assert.ok(x.data instanceof Float32Array, 'a float32 solve returns float32');
  assert.ok(rel(x, L.solve(A64, Float64Array.from(b32))) < 1e-4);
  const cgx = L.solveWithInfo(A, b32, L.CG({ tol: 1e-6 }));
  assert.ok(cgx.info!.converged && rel(cgx.X, x) < 1e-4);
  assert.ok(Math.abs(L.logdet(A) - L.logdet(A64)) < 1e-4 * Math.abs(L.logdet(A64)));
  assert.ok(rel(L.eig(A, 3, 'SA').values, L.eig(A64, 3, 'SA').values) < 1e-4);
  const K = L.kron(A, L.PSD(L.diagonal([1, 2, 3], 'float32')));
  assert.equal(K.dtype, 'float32');
  assert.equal(L.explain('logdet', K), 'slogdet.kronecker[slogdet.base.cholesky, slogdet.diagonal]');
  assert.ok(Math.abs(L.logdet(K) - (3 * L.logdet(A64) + 30 * Math.log(6))) < 1e-4 * Math.abs(L.logdet(K)));
  // Mixed float32 ⊗ float64 promotes to float64.
  assert.equal(L.kron(A, L.diagonal([1, 2])).dtype, 'float64');
});

test('stochastic logdet gradient (probes): unbiased, within 4 standard errors of the exact gradient', () => {
  const n = 12, S = spdFromSpectrum(n, 0.5, 3, 8).A;
  for (let i = 0; i < n; i++) S.data[i * n + i] = S.data[i * n + i]! + 0.5;
  const p = new Tensor(Float64Array.from(S.data), [n * n]);
  const build = (ps: L.FloatArray[]) => L.PSD(new L.Dense({ rows: n, cols: n, data: ps[0]! }));
  const exact = grad((q: Tensor) => L.logdetAD(build, [q]))(p).values() as Float64Array;
  const runs = 24, probes = 16, samples: Float64Array[] = [];
  for (let s = 0; s < runs; s++) samples.push(grad((q: Tensor) => L.logdetAD(build, [q], { probes, seed: 100 + s }))(p).values() as Float64Array);
  let worst = 0, spread = 0;
  for (let j = 0; j < n * n; j++) {
    const vals = samples.map((g) => g[j]!), mean = vals.reduce((a, b) => a + b, 0) / runs;
    const sd = Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / (runs - 1)), se = sd / Math.sqrt(runs);
    spread = Math.max(spread, sd);
    worst = Math.max(worst, Math.abs(mean - exact[j]!) / Math.max(se, 1e-12));
  }
  assert.ok(spread > 1e-6, 'the estimator is genuinely stochastic');
  assert.ok(worst < 4, `max |mean − exact| / stderr = ${worst.toFixed(2)}`);
});

/** A diagonal operator type registered with its own inverse rule, counting the columns its inverse is applied to. */
class CountingDiag extends LinearOperator {
  static applied = 0;
  constructor(readonly d: Float64Array) { super([d.length, d.length], 'float64', ['PSD']); }
  protected _matmat(X: L.Mat): L.Mat { return { ...X, data: X.data.map((v, i) => v * this.d[i % this.rows]!) }; }
  protected _rmatmat(X: L.Mat): L.Mat { return this._matmat(X); }
  toString(): string { return `CountingDiag(${this.rows})`; }
}
class CountingDiagInverse extends LinearOperator {
  constructor(readonly D: CountingDiag) { super(D.shape, 'float64', ['PSD']); }
  protected _matmat(X: L.Mat): L.Mat { CountingDiag.applied += X.cols; return { ...X, data: X.data.map((v, i) => v / this.D.d[i % this.rows]!) }; }
  protected _rmatmat(X: L.Mat): L.Mat { return this._matmat(X); }
  toString(): string { return `${this.D.toString()}⁻¹`; }
}

test('Woodbury performs only r solves with D to form the capacitance, then one per right-hand side', () => {
  registerRule('inv', { id: 'inv.counting_diag', stage: 'structure', match: (A) => A instanceof CountingDiag, apply: (A) => new CountingDiagInverse(A as CountingDiag) }, { before: 'inv.identity' });
  try {
    const rng = new Rng(4), n = 40, r = 3;
    const D = new CountingDiag(Float64Array.from({ length: n }, (_, i) => 1 + i / n)), U = randMat(rng, n, r);
    const A = D.add(L.lowRank(U));
    assert.equal(L.explain('inv', A), 'inv.woodbury[inv.counting_diag]');
    CountingDiag.applied = 0;
    const Ainv = L.inv(A);
    assert.equal(CountingDiag.applied, r, 'forming the capacitance');
    const B = randMat(rng, n, 5);
    const X = Ainv.matmat(B);
    assert.equal(CountingDiag.applied, r + 5, 'one solve with D per right-hand side');
    assert.ok(rel(A.matmat(X), B) < 1e-12);
  } finally {
    unregisterRule('inv', 'inv.counting_diag');
  }
});

test('Hutch++ at the spec size (500×500, λᵢ = i⁻², 60 matvecs, 50 seeds): < 1e-2 for ≥ 95 % of seeds and below Hutchinson', () => {
  const n = 500, rng = new Rng(21);
  const Q = L.qr(randMat(rng, n, n).data, n, n).Q, lam = Float64Array.from({ length: n }, (_, i) => 1 / (i + 1) ** 2);
  const QL = { rows: n, cols: n, data: Q.map((v, i) => v * lam[Math.floor(i / n)]!) };
  const A = L.PSD(L.lazify(L.matmulMat(QL, { rows: n, cols: n, data: Q }, false, true)));
  const tr = lam.reduce((a, b) => a + b, 0);
  let good = 0, errPP = 0, errH = 0;
  for (let s = 0; s < 50; s++) {
    const pp = L.hutchPlusPlus(A, 60, s).value, h = L.hutchinsonTrace(A, L.Hutch({ maxProbes: 60, batch: 60, tol: 0, seed: s })).value;
    if (Math.abs(pp - tr) / tr < 1e-2) good++;
    errPP += Math.abs(pp - tr) / tr; errH += Math.abs(h - tr) / tr;
  }
  assert.ok(good >= 48, `${good}/50 seeds within 1e-2`);
  assert.ok(errPP < errH, `mean error Hutch++ ${(errPP / 50).toExponential(2)} vs Hutchinson ${(errH / 50).toExponential(2)}`);
});

test('large Dense matrix–vector products (WebAssembly SIMD, staged storage) equal the naive product, also after the storage is edited in place', () => {
  const rng = new Rng(30), m = 301, n = 257; // odd sizes exercise the JS tails (last row, n mod 4 columns)
  const A = randMat(rng, m, n), D = L.lazify(A), x = randMat(rng, n, 2);
  for (let r = 0; r < 3; r++) assert.ok(rel(D.matmat(x), naiveMatmul(A, x)) < 1e-14, `product ${r}`);
  for (let i = 0; i < A.data.length; i++) A.data[i] = A.data[i]! * 0.5 + 1;
  assert.ok(rel(D.matmat(x), naiveMatmul(A, x)) < 1e-14, 'restaged after an in-place edit');
  const S = L.SelfAdjoint(L.lazify(spdFromSpectrum(300, 1, 1, 2).A)), y = randMat(rng, 300, 1);
  for (let r = 0; r < 2; r++) assert.ok(rel(S.rmatmat(y), naiveMatmul(L.transposeMat(S.toDense()), y)) < 1e-14, 'SelfAdjoint transpose side');
});

test('Krylov workspace kernels (WebAssembly SIMD dot/axpy over a block of vectors) match naive loops; Lanczos on n ≥ 4096 uses them', async () => {
  const { KrylovBlock } = await import('../../src/linalg/kernels/staged.ts');
  for (const [n, count] of [[4099, 7], [5000, 8], [6, 3]] as const) {
    const kb = KrylovBlock.create(n, 9);
    assert.ok(kb, 'the wasm kernels load (Node ≥ 20 has WebAssembly SIMD; see kernels.test.ts)');
    for (let i = 0; i < kb.V.length; i++) kb.V[i] = Math.sin(0.3 * i);
    for (let i = 0; i < n; i++) kb.w[i] = Math.cos(0.7 * i);
    const want = Array.from({ length: count }, (_, k) => { let s = 0; for (let i = 0; i < n; i++) s += kb.V[k * n + i]! * kb.w[i]!; return s; });
    const got = new Float64Array(count); kb.dot(count, got);
    assert.ok(rel(got, want) < 1e-13, `dot n=${n}`);
    const h = Float64Array.from({ length: count }, (_, k) => 0.1 * (k + 1)), w2 = Array.from(kb.w, (v, i) => v - h.reduce((s, hk, k) => s + hk * kb.V[k * n + i]!, 0));
    kb.axpy(count, h);
    assert.ok(rel(kb.w, w2) < 1e-14, `axpy n=${n}`);
  }
  const n = 5000, d = Float64Array.from({ length: n }, (_, i) => 1 + i / n + (i >= n - 3 ? 1 + i / n : 0));
  const e = L.eig(L.SelfAdjoint(L.noDispatch(new L.Diagonal(d))), 3, 'LA', L.Lanczos({ tol: 1e-12 }));
  assert.ok(rel(e.values, [...d].sort((a, b) => a - b).slice(-3)) < 1e-12 && e.info!.converged);
});
