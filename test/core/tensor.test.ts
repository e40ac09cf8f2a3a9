import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as C from '../../src/core/index.ts';

const approx = (a: number[], b: number[], tol = 1e-12) => {
  assert.equal(a.length, b.length);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= tol * Math.max(1, Math.abs(b[i]!)), `index ${i}: ${v} vs ${b[i]}`));
};
const flat = (t: C.Tensor) => Array.from(t.values());

test('creation: tensor, zeros, arange, linspace, eye keep dtype and shape', () => {
  assert.deepEqual(C.tensor([[1, 2], [3, 4]]).shape, [2, 2]);
  assert.equal(C.zeros([2, 3], 'float32').dtype, 'float32');
  assert.deepEqual(flat(C.arange(5)), [0, 1, 2, 3, 4]);
  assert.deepEqual(flat(C.arange(1, 2, 0.25)), [1, 1.25, 1.5, 1.75]);
  assert.deepEqual(flat(C.linspace(0, 1, 5)), [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(C.eye(2, 3).toArray(), [[1, 0, 0], [0, 1, 0]]);
  assert.throws(() => C.tensor([[1, 2], [3]]), /ragged/);
});

test('views: reshape, permute, slice and expand share storage; contiguous copies', () => {
  const x = C.arange(24).reshape(2, 3, 4);
  const p = x.permute(2, 0, 1);
  assert.equal(p.data, x.data);
  assert.deepEqual(p.shape, [4, 2, 3]);
  assert.equal(p.get(3, 1, 2), x.get(1, 2, 3));
  const s = x.slice(null, [0, 3, 2], [-1, null, -2]);
  assert.deepEqual(s.toArray(), [[[3, 1], [11, 9]], [[15, 13], [23, 21]]]);
  assert.deepEqual(x.slice(1, 2).toArray(), [20, 21, 22, 23]);
  const e = C.tensor([1, 2]).reshape(2, 1).expand(2, 3);
  assert.deepEqual(e.toArray(), [[1, 1, 1], [2, 2, 2]]);
  assert.deepEqual(p.reshape(-1).shape, [24]);
  assert.deepEqual(flat(p.reshape(24)), flat(p.contiguous()));
  assert.throws(() => x.reshape(5, 5), /cannot reshape \[2, 3, 4\]/);
});

test('elementwise ops broadcast like NumPy, on strided inputs too', () => {
  const a = C.arange(6).reshape(2, 3);
  const b = C.tensor([10, 20, 30]);
  assert.deepEqual(C.add(a, b).toArray(), [[10, 21, 32], [13, 24, 35]]);
  assert.deepEqual(C.mul(a.T, C.tensor([[1], [2], [3]])).toArray(), [[0, 3], [2, 8], [6, 15]]);
  assert.deepEqual(C.sub(C.tensor([[1], [2]]), C.tensor([1, 2, 3])).toArray(), [[0, -1, -2], [1, 0, -1]]);
  approx(flat(C.sigmoid(C.tensor([-1000, 0, 1000]))), [0, 0.5, 1]);
  assert.deepEqual(flat(C.where(C.gt(a, 2), a, -1)), [-1, -1, -1, 3, 4, 5]);
  assert.deepEqual(flat(C.maximum(a, 2)), [2, 2, 2, 3, 4, 5]);
  assert.throws(() => C.add(C.ones([2], 'float32'), C.ones([2], 'float64')), /dtype mismatch, float32 vs float64/);
  assert.throws(() => C.add(C.ones([2, 3]), C.ones([3, 2])), /cannot be broadcast together/);
  assert.throws(() => C.exp(C.ones([2], 'int32')), /needs a float tensor, got int32/);
});

test('float32 results are stored in float32', () => {
  const x = C.tensor([1 / 3], 'float32');
  assert.equal(C.add(x, 0).data[0], Math.fround(1 / 3));
  assert.equal(C.add(x, 0).dtype, 'float32');
});

test('reductions along axes, keepdims, argmax, logsumexp, cumsum, norm', () => {
  const x = C.arange(24).reshape(2, 3, 4);
  assert.deepEqual(flat(x.sum([0, 2])), [60, 92, 124]);
  assert.deepEqual(x.sum(1, true).shape, [2, 1, 4]);
  assert.deepEqual(flat(C.max(x, 2)), [3, 7, 11, 15, 19, 23]);
  assert.deepEqual(flat(C.min(x.T, 0)), [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
  assert.deepEqual(flat(C.argmax(C.tensor([[1, 5, 2], [7, 0, 7]]), 1)), [1, 0]);
  approx(flat(C.logsumexp(C.tensor([[1000, 1000], [0, Math.log(3)]]), 1)), [1000 + Math.log(2), Math.log(4)]);
  assert.deepEqual(flat(C.cumsum(C.tensor([[1, 2], [3, 4]]), 0)), [1, 2, 4, 6]);
  approx([C.norm(C.tensor([3, 4])).item()], [5]);
  approx([C.variance(C.tensor([1, 2, 3, 4])).item()], [1.25]);
  assert.ok(Number.isNaN(C.max(C.tensor([1, NaN, 3])).item()));
  // Column reductions (leading axes of a contiguous tensor) take a row-accumulating path.
  assert.deepEqual(flat(C.sum(x, 0)), flat(C.add(x.slice(0), x.slice(1))));
  assert.deepEqual(flat(C.sum(x, [0, 1])), [60, 66, 72, 78]);
  assert.deepEqual(flat(C.max(C.tensor([[1, NaN], [3, 0], [2, 5]]), 0)).map(String), ['3', 'NaN']);
});

test('matmul matches a naive product for batched, broadcast, transposed and 1-d operands', () => {
  const rng = new C.Rng(1);
  const naive = (a: number[][], b: number[][]) => a.map((r) => b[0]!.map((_, j) => r.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
  const a = rng.normal([3, 5]), b = rng.normal([5, 4]);
  approx(flat(C.matmul(a, b)), naive(a.toArray() as number[][], b.toArray() as number[][]).flat(), 1e-12);
  approx(flat(C.matmul(b.T, a.T)), naive(b.T.toArray() as number[][], a.T.toArray() as number[][]).flat(), 1e-12);
  const batch = rng.normal([2, 3, 5]);
  const out = C.matmul(batch, b);
  assert.deepEqual(out.shape, [2, 3, 4]);
  approx(flat(out.slice(1)), flat(C.matmul(batch.slice(1), b)), 1e-12);
  const bb = rng.normal([4, 1, 5, 2]);
  const o2 = C.matmul(rng.normal([3, 3, 5]).reshape(1, 3, 3, 5), bb);
  assert.deepEqual(o2.shape, [4, 3, 3, 2]);
  assert.deepEqual(C.matmul(C.ones([5]), b).shape, [4]);
  assert.deepEqual(C.matmul(a, C.ones([5])).shape, [3]);
  assert.throws(() => C.matmul(a, a), /inner dimensions differ, \[3, 5\] @ \[3, 5\]/);
});

test('einsum agrees with explicit loops for contractions, traces, outer products and ellipses', () => {
  const rng = new C.Rng(2);
  const a = rng.normal([2, 3, 4]), b = rng.normal([3, 4, 5]);
  const e = C.einsum('bij,ijk->bk', a, b);
  const want: number[] = [];
  for (let p = 0; p < 2; p++) for (let k = 0; k < 5; k++) {
    let s = 0;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) s += a.get(p, i, j) * b.get(i, j, k);
    want.push(s);
  }
  approx(flat(e), want, 1e-12);
  const m = rng.normal([4, 4]);
  approx([C.einsum('ii', m).item()], [m.get(0, 0) + m.get(1, 1) + m.get(2, 2) + m.get(3, 3)]);
  assert.deepEqual(C.einsum('i,j->ij', C.tensor([1, 2]), C.tensor([3, 4, 5])).toArray(), [[3, 4, 5], [6, 8, 10]]);
  assert.deepEqual(C.einsum('...ij->...ji', rng.normal([2, 3, 4, 5])).shape, [2, 3, 5, 4]);
  approx(flat(C.einsum('ij,jk', m, m)), flat(C.matmul(m, m)), 1e-12);
  assert.throws(() => C.einsum('ij,jk->ik', m), /2 input subscript\(s\) but 1 operand/);
  assert.throws(() => C.einsum('ijk->i', m), /3 letters but operand 0 has 2 dimensions/);
  assert.throws(() => C.einsum('ij->iz', m), /output index 'z' does not appear/);
});

test('take, indexAdd, takeAlongAxis, concat, stack, split, sort, topk', () => {
  const x = C.arange(12).reshape(3, 4);
  assert.deepEqual(C.take(x, [2, -3], 0).toArray(), [[8, 9, 10, 11], [0, 1, 2, 3]]);
  assert.deepEqual(C.take(x, C.tensor(new Int32Array([1, 1]), [1, 2]), 1).shape, [3, 1, 2]);
  assert.deepEqual(C.indexAdd([3], C.tensor([1, 2, 3]), [0, 2, 0], 0).toArray(), [4, 0, 2]);
  assert.throws(() => C.take(x, [3], 0), /index 3 is out of range for axis 0 of size 3/);
  assert.deepEqual(C.concat([x.slice([0, 1]), x.slice([2, 3])], 0).toArray(), [[0, 1, 2, 3], [8, 9, 10, 11]]);
  assert.deepEqual(C.stack([C.tensor([1, 2]), C.tensor([3, 4])], 1).toArray(), [[1, 3], [2, 4]]);
  assert.deepEqual(C.split(C.arange(5), [2, 3]).map((t) => t.toArray()), [[0, 1], [2, 3, 4]]);
  assert.deepEqual(C.sort(C.tensor([[3, 1, 2], [0, -1, 5]]), 1).toArray(), [[1, 2, 3], [-1, 0, 5]]);
  assert.deepEqual(flat(C.argsort(C.tensor([2, NaN, 1]))), [2, 0, 1]);
  const t = C.topk(C.tensor([[1, 9, 3, 7]]), 2);
  assert.deepEqual(t.values.toArray(), [[9, 7]]);
  assert.deepEqual(t.indices.toArray(), [[1, 3]]);
  assert.deepEqual(C.oneHot([2, 0], 3).toArray(), [[0, 0, 1], [1, 0, 0]]);
});

test('Rng is seeded, splittable, and its distributions have the right moments', () => {
  assert.deepEqual(flat(new C.Rng(5).normal([4])), flat(new C.Rng(5).normal([4])));
  assert.notDeepEqual(flat(new C.Rng(5).normal([4])), flat(new C.Rng(6).normal([4])));
  const [r1, r2] = new C.Rng(3).split(2);
  assert.notDeepEqual(flat(r1!.uniform([4])), flat(r2!.uniform([4])));
  const z = Array.from(new C.Rng(9).normal([20000]).values());
  const mean = z.reduce((a, b) => a + b, 0) / z.length;
  const v = z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length;
  assert.ok(Math.abs(mean) < 0.03 && Math.abs(v - 1) < 0.05, `mean ${mean}, var ${v}`);
  const p = new C.Rng(4).permutation(10);
  assert.deepEqual([...p].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const counts = [0, 0, 0];
  const draws = new C.Rng(8).categorical(C.tensor([0.2, 0.3, 0.5]).reshape(1, 3).expand(6000, 3));
  for (const d of draws.values()) counts[d]!++;
  assert.ok(Math.abs(counts[2]! / 6000 - 0.5) < 0.03, `counts ${counts}`);
  assert.throws(() => new C.Rng(1).categorical(C.tensor([[0.5, -1]])), /invalid probability -1/);
});

test('assertFinite names the operation, argument and position', () => {
  assert.throws(() => C.assertFinite('solve', 'b', C.tensor([1, NaN])), /solve: b contains NaN at flat index 1/);
});

test('logSoftmax equals x − logsumexp(x) on any axis and handles masked rows', () => {
  const x = new C.Rng(3).normal([3, 4, 5]);
  for (const axis of [0, 1, 2]) {
    approx(flat(C.logSoftmax(x, axis)), flat(C.sub(x, C.logsumexp(x, axis, true))), 1e-12);
  }
  const masked = C.logSoftmax(C.tensor([[0, -Infinity, 0], [-Infinity, -Infinity, -Infinity]]));
  approx(flat(masked.slice(0)).filter(Number.isFinite), [-Math.log(2), -Math.log(2)]);
  assert.equal(masked.get(0, 1), -Infinity);
});

test('gelu and its derivative equal the tanh-approximation formulas', () => {
  const xs = [-6, -1.5, -0.3, 0, 0.2, 1, 4];
  const c = Math.sqrt(2 / Math.PI);
  const f = (x: number) => 0.5 * x * (1 + Math.tanh(c * (x + 0.044715 * x ** 3)));
  approx(flat(C.gelu(C.tensor(xs))), xs.map(f), 1e-14);
  approx(flat(C.geluGrad(C.tensor(xs))), xs.map((x) => (f(x + 1e-6) - f(x - 1e-6)) / 2e-6), 1e-8);
});
