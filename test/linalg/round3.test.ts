import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/random.ts';
import * as L from '../../src/linalg/index.ts';
import { randMat } from './helpers.ts';

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
  }
});

test('symmetric indefinite Toeplitz keeps the LU path; asserted-PSD but indefinite fails with the pivot', () => {
  const t = [1, 2, 0.5, 0.1]; // the leading 2×2 minor 1 − 4 < 0
  const T = new L.Toeplitz(t), B = randMat(new Rng(33), 4, 2);
  assert.doesNotMatch(L.explain('solve', T), /levinson/);
  assert.ok(L.relError(L.lazify(denseToeplitz(t)).matmat(L.solve(T, B)), B) < 1e-12);
  assert.throws(() => L.solve(L.PSD(T), B), (e: Error) => e instanceof L.NotPositiveDefiniteError && (e as L.NotPositiveDefiniteError).pivot === 1);
  assert.throws(() => L.levinsonSolve([0, 1], [1, 1], 1), /T\[0,0\] = 0 must be > 0/);
});
