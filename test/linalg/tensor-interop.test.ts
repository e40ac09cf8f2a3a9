import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as C from '../../src/core/index.ts';
import * as L from '../../src/linalg/index.ts';

test('core Tensors enter linalg (lazify, solve, matmat) and come back with toTensor', () => {
  const rng = new C.Rng(3);
  const M = rng.normal([5, 5]);
  const A = C.add(C.matmul(M, M.T), C.mul(C.eye(5), 5));
  const b = rng.normal([5]);
  const op = L.PSD(L.lazify(A));
  const x = L.toTensor(L.solve(op, b), { vector: true });
  const r = C.sub(C.matmul(A, x), b).values();
  assert.ok(Math.max(...Array.from(r, Math.abs)) < 1e-12);
  assert.deepEqual(L.toTensor(op.matmat(C.eye(5))).toArray(), A.toArray());
  const B = rng.normal([5, 3]);
  const AB = L.toTensor(op.matmat(B.T.T));
  const want = C.matmul(A, B).values();
  AB.values().forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-12));
  assert.throws(() => L.lazify(C.ones([2, 2, 2])), /must be 2-d, got shape \[2, 2, 2\]/);
  assert.throws(() => op.matmat(C.ones([5], 'int32')), /float32 or float64 tensor, got int32/);
});
