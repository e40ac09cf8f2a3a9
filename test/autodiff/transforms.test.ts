import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import * as C from '../../src/core/index.ts';
import { grad, valueAndGrad, vjp, jvp, customVjp, stopGradient } from '../../src/autodiff/index.ts';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

test('grad over a nested parameter tree returns the same structure', () => {
  const params = { w: C.tensor([[1, 2], [3, 4]]), layers: [{ b: C.tensor([0.5, -1]) }] };
  const x = C.tensor([1, -2]);
  const f = (p: typeof params) => C.matmul(p.w, x).add(p.layers[0]!.b).square().sum();
  const { value, grad: g } = valueAndGrad(f)(params);
  // y = Wx + b = [-3+0.5, -5-1] = [-2.5, -6]; dL/dy = 2y; dL/dW = 2y xᵀ; dL/db = 2y.
  close(value.item(), 2.5 ** 2 + 36);
  assert.deepEqual(g.w.toArray(), [[-5, 10], [-12, 24]]);
  assert.deepEqual(g.layers[0]!.b.toArray(), [-5, -12]);
});

test('grad of a function that ignores a parameter gives zeros for it', () => {
  const g = grad((p: { a: C.Tensor; b: C.Tensor }) => p.a.sum())({ a: C.ones([2]), b: C.ones([3]) });
  assert.deepEqual(g.b.toArray(), [0, 0, 0]);
});

test('vjp handles non-scalar outputs and repeated pullbacks', () => {
  const x = C.tensor([1, 2, 3]);
  const { out, pullback } = vjp((v: C.Tensor) => C.mul(v, v), x);
  assert.deepEqual(out.toArray(), [1, 4, 9]);
  assert.deepEqual(pullback(C.tensor([1, 0, 0])).toArray(), [2, 0, 0]);
  assert.deepEqual(pullback(C.tensor([0, 1, 1])).toArray(), [0, 4, 6]);
});

test('jvp (double-vjp) equals the finite-difference directional derivative', () => {
  const rng = new C.Rng(3);
  const W = rng.normal([4, 3]);
  const f = (x: C.Tensor) => C.tanh(C.matmul(W, x)).mul(C.sin(x.sum()));
  const x = rng.normal([3]);
  const v = rng.normal([3]);
  const { out, tangent } = jvp(f, x, v);
  const eps = 1e-6;
  const fd = C.sub(f(x.add(v.mul(eps))), f(x.sub(v.mul(eps)))).div(2 * eps);
  assert.deepEqual(out.toArray(), f(x).toArray());
  const t = tangent.toArray() as number[], n = fd.toArray() as number[];
  t.forEach((ti, i) => close(ti, n[i]!, 1e-7));
});

test('second derivatives: grad of grad', () => {
  // f(x) = x³ sin(x): f'' = 6x sin x + 6x² cos x − x³ sin x.
  const x0 = 0.7;
  const df = (x: C.Tensor) => grad((y: C.Tensor) => y.pow(3).mul(C.sin(y)).sum())(x).sum();
  const d2 = grad(df)(C.tensor([x0])).item();
  close(d2, 6 * x0 * Math.sin(x0) + 6 * x0 * x0 * Math.cos(x0) - x0 ** 3 * Math.sin(x0), 1e-12);
});

test('customVjp uses the supplied backward rule', () => {
  // A deliberately "wrong" rule (3·g) shows the custom rule is what runs.
  const f = customVjp((x: C.Tensor) => ({ out: x.mul(2), residuals: null }), (_r, g) => [g.mul(3)]);
  assert.deepEqual(grad((x: C.Tensor) => f(x).sum())(C.ones([2])).toArray(), [3, 3]);
});

test('stopGradient blocks the gradient', () => {
  const g = grad((x: C.Tensor) => x.mul(stopGradient(x)).sum())(C.tensor([2, 3]));
  assert.deepEqual(g.toArray(), [2, 3]);
});

test('grad rejects non-scalar outputs and int parameters with clear errors', () => {
  assert.throws(() => grad((x: C.Tensor) => x.mul(2))(C.ones([3])), /must return a scalar.*\[3\]/);
  assert.throws(() => grad((x: C.Tensor) => x.sum())(C.ones([3], 'int32')), /only float tensors/);
});

test('thousands of gradient steps do not grow the heap (tapes are released)', () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const rng = new C.Rng(1);
  let w = rng.normal([32, 32]);
  const x = rng.normal([16, 32]);
  const step = () => {
    const g = grad((p: C.Tensor) => C.tanh(C.matmul(x, p)).square().mean())(w);
    w = C.noGrad(() => w.sub(g.mul(0.01)));
  };
  for (let i = 0; i < 300; i++) step();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 3000; i++) step();
  gc();
  const after = process.memoryUsage().heapUsed;
  // Each step allocates ~60 KB of tensors; a leak of one tape per step would add > 100 MB here.
  assert.ok(after - before < 8e6, `heap grew by ${((after - before) / 1e6).toFixed(1)} MB over 3000 steps`);
});
