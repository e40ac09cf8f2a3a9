/** Dispatch rules for special structure: trace of a Dense in place, SPD Toeplitz by Levinson, eig of a Transpose. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/random.ts';
import * as L from '../../src/linalg/index.ts';
import { naiveLogdet, randMat } from './helpers.ts';

test('trace(Dense) reads the diagonal in place (trace.dense) for odd and even n, float64 and float32', () => {
  const rng = new Rng(31);
  for (const n of [1, 2, 7, 64]) {
    const M = randMat(rng, n, n);
    let want = 0; for (let i = 0; i < n; i++) want += M.data[i * n + i]!;
    assert.ok(Math.abs(L.trace(L.lazify(M)) - want) <= 1e-12 * (1 + Math.abs(want)), `n=${n}`);
    const M32 = { rows: n, cols: n, data: Float32Array.from(M.data) };
    let want32 = 0; for (let i = 0; i < n; i++) want32 += M32.data[i * n + i]!;
    assert.ok(Math.abs(L.trace(L.lazify(M32)) - want32) <= 1e-12 * (1 + Math.abs(want32)), `float32 n=${n}`);
  }
  assert.match(L.explain('trace', L.lazify(randMat(rng, 5, 5))), /trace\.dense/);
});

/** Dense symmetric Toeplitz toeplitz(t) as a column-major Mat (independent of the operator's FFT product). */
function denseToeplitz(t: number[]): L.Mat {
  const n = t.length, d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) d[j * n + i] = t[Math.abs(i - j)]!;
  return { rows: n, cols: n, data: d };
}

test('SPD Toeplitz solve takes Levinson (inv.toeplitz.levinson) and matches the dense solve', () => {
  const rng = new Rng(32);
  // Autocovariance of an AR(1) process plus a random positive-definite kernel: t_k = ρ^k + a decaying term.
  for (const n of [1, 2, 3, 17, 120]) {
    const t = Array.from({ length: n }, (_, k) => 0.8 ** k + (k === 0 ? 0.5 : 0.1 * Math.exp(-k / 5) * Math.cos(k)));
    const T = new L.Toeplitz(t), B = randMat(rng, n, 3);
    assert.match(L.explain('solve', T), /inv\.toeplitz\.levinson/, `n=${n}`);
    const X = L.solve(T, B), Xd = L.solve(L.lazify(denseToeplitz(t)), B);
    assert.ok(L.relError(X, Xd) < 1e-10, `n=${n}: rel ${L.relError(X, Xd)}`);
    assert.ok(L.relError(L.lazify(denseToeplitz(t)).matmat(X), B) < 1e-12, `n=${n}: residual`);
    assert.ok(L.inv(T).isa('PSD'), 'inverse of an SPD Toeplitz is PSD');
    assert.match(L.explain('logdet', T), /slogdet\.toeplitz\.durbin/);
    const ld = L.slogdet(T), want = naiveLogdet(denseToeplitz(t));
    assert.equal(ld.sign, 1);
    assert.ok(Math.abs(ld.logabs - want.logabs) <= 1e-10 * Math.max(1, Math.abs(want.logabs)), `n=${n}: logdet ${ld.logabs} vs ${want.logabs}`);
  }
});

test('symmetric indefinite Toeplitz keeps the LU path; asserted-PSD but indefinite fails with the pivot', () => {
  const t = [1, 2, 0.5, 0.1]; // the leading 2×2 minor 1 − 4 < 0
  const T = new L.Toeplitz(t), B = randMat(new Rng(33), 4, 2);
  assert.doesNotMatch(L.explain('solve', T), /levinson/);
  assert.ok(L.relError(L.lazify(denseToeplitz(t)).matmat(L.solve(T, B)), B) < 1e-12);
  assert.doesNotMatch(L.explain('logdet', T), /durbin/);
  assert.ok(Math.abs(L.logdet(T) - naiveLogdet(denseToeplitz(t)).logabs) < 1e-12);
  assert.throws(() => L.logdet(L.PSD(T)), (e: Error) => e instanceof L.NotPositiveDefiniteError);
  assert.throws(() => L.solve(L.PSD(T), B), (e: Error) => e instanceof L.NotPositiveDefiniteError && (e as L.NotPositiveDefiniteError).pivot === 1);
  assert.throws(() => L.levinsonSolve([0, 1], [1, 1], 1), /T\[0,0\] = 0 must be > 0/);
});

/** max over columns of ‖Aᵀ·v − λ·v‖ / ‖v‖ for real λ, and of ‖Aᵀ(x + iy) − λ(x + iy)‖ / ‖x + iy‖ for pairs. */
function transposeResidual(At: L.Mat, r: L.EigResult): number {
  const n = At.rows, V = r.vectors.toDense(), k = r.values.length, im = r.valuesIm ?? new Float64Array(k);
  const col = (c: number) => V.data.subarray(c * n, (c + 1) * n);
  const mv = (x: ArrayLike<number>) => { const y = new Float64Array(n); for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) y[i] = y[i]! + At.data[j * n + i]! * x[j]!; return y; };
  let worst = 0;
  for (let c = 0; c < k; c++) {
    const a = r.values[c]!, b = im[c]!;
    if (b === 0) {
      const v = col(c), Av = mv(v); let num = 0, den = 0;
      for (let i = 0; i < n; i++) { num += (Av[i]! - a * v[i]!) ** 2; den += v[i]! ** 2; }
      worst = Math.max(worst, Math.sqrt(num / den));
    } else if (b > 0) {
      let q = -1; for (let p = 0; p < k; p++) if (im[p]! < 0 && (q < 0 || Math.hypot(r.values[p]! - a, im[p]! + b) < Math.hypot(r.values[q]! - a, im[q]! + b))) q = p;
      const x = col(c), y = col(q), Ax = mv(x), Ay = mv(y); let num = 0, den = 0;
      for (let i = 0; i < n; i++) { num += (Ax[i]! - a * x[i]! + b * y[i]!) ** 2 + (Ay[i]! - b * x[i]! - a * y[i]!) ** 2; den += x[i]! ** 2 + y[i]! ** 2; }
      worst = Math.max(worst, Math.sqrt(num / den));
    }
  }
  return worst;
}

test('eig of a Transpose with a non-symmetric structured base: base values, Aᵀ vectors by inverse iteration', () => {
  const rng = new Rng(34), n = 8;
  // Upper triangular with distinct diagonal: values are the diagonal, Aᵀ's vectors differ from A's.
  const U = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i <= j; i++) U[j * n + i] = i === j ? j + 1 : rng.gauss();
  const T = new L.Transpose(new L.Triangular({ rows: n, cols: n, data: U }, false));
  assert.match(L.explain('eig', T), /eig\.transpose\.general/);
  const r = L.eig(T, n, 'LA');
  assert.deepEqual([...r.values], [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.ok(transposeResidual(T.toDense(), r) < 1e-9, `triangular residual ${transposeResidual(T.toDense(), r)}`);
  const r2 = L.eig(T, 2, 'SM');
  assert.deepEqual([...r2.values], [1, 2]);
  assert.ok(transposeResidual(T.toDense(), r2) < 1e-9);
  // A non-symmetric circulant has complex conjugate pairs: real-pair columns must satisfy Aᵀ(x + iy) = λ(x + iy).
  const C = new L.Transpose(new L.Circulant([4, 1, -2, 0.5, 3, -1]));
  assert.match(L.explain('eig', C), /eig\.transpose\.general/);
  const rc = L.eig(C, 6, 'LM');
  assert.ok(rc.valuesIm && rc.valuesIm.some((v) => v !== 0), 'complex pairs present');
  const dense = L.eigGeneral(C.toDense().data, 6, false);
  const key = (a: number, b: number) => `${a.toFixed(8)},${(Math.abs(b) < 1e-12 ? 0 : b).toFixed(8)}`;
  assert.deepEqual([...rc.values].map((v, i) => key(v, rc.valuesIm![i]!)).sort(), [...dense.re].map((v, i) => key(v, dense.im[i]!)).sort());
  assert.ok(transposeResidual(C.toDense(), rc) < 1e-9, `circulant residual ${transposeResidual(C.toDense(), rc)}`);
  // A plain non-symmetric Dense has no structured rule: the dense base case still takes Aᵀ.
  const D = new L.Transpose(L.lazify(randMat(rng, 5, 5)));
  assert.doesNotMatch(L.explain('eig', D), /transpose/);
});
