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
