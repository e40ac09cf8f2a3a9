import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as C from '../../src/core/index.ts';
import { relu, crossEntropy, mse, mlp, mlpInit } from '../../src/nn/index.ts';

// Issue 11, items 12–14 (core part): NaN propagates, indices and dtypes are validated, huge sizes are refused.

test('maximum / minimum / relu propagate NaN in either operand (numpy semantics)', () => {
  const x = C.tensor([NaN, -1, 2, NaN]);
  const y = C.tensor([0, NaN, 1, NaN]);
  assert.deepEqual(Array.from(C.maximum(x, y).values()), [NaN, NaN, 2, NaN]);
  assert.deepEqual(Array.from(C.minimum(x, y).values()), [NaN, NaN, 1, NaN]);
  assert.deepEqual(Array.from(C.maximum(x, 0).values()), [NaN, 0, 2, NaN]);
  assert.deepEqual(Array.from(relu(C.tensor([NaN, -3, 3], 'float32')).values()), [NaN, 0, 3]);
  // ±Inf are ordinary values.
  assert.deepEqual(Array.from(C.maximum(C.tensor([-Infinity, Infinity]), 0).values()), [0, Infinity]);
});

test('an MLP fed NaN gives a NaN output and loss, and crossEntropy refuses the NaN logits', () => {
  const p = mlpInit(new C.Rng(1), [3, 4, 2], { dtype: 'float64' });
  const x = C.full([5, 3], NaN);
  const out = mlp(p, x);
  assert.ok(Array.from(out.values()).every((v) => Number.isNaN(v)));
  assert.ok(Number.isNaN(mse(out, C.zeros([5, 2])).item()));
  assert.throws(() => crossEntropy(out, [0, 1, 0, 1, 0]), C.NonFiniteError);
});

test('take / oneHot reject NaN, fractional and out-of-int32 indices', () => {
  const t = C.arange(6).reshape(3, 2);
  for (const bad of [NaN, 1.5, 2 ** 32 + 1, -(2 ** 32), Infinity]) {
    assert.throws(() => C.take(t, [0, bad]), (e: unknown) => e instanceof C.ArgumentError && /at position 1/.test((e as Error).message), `take ${bad}`);
    assert.throws(() => C.oneHot([bad], 3), C.ArgumentError, `oneHot ${bad}`);
  }
  assert.throws(() => C.oneHot([0], 2.5), C.ArgumentError);
  assert.deepEqual(C.take(t, [2, -1]).toArray(), [[4, 5], [4, 5]]);
  assert.deepEqual(C.oneHot([1], 2, 'float64').toArray(), [[0, 1]]);
});

test('arange / linspace reject non-finite bounds', () => {
  assert.throws(() => C.arange(0, NaN), /arange: stop must be finite/);
  assert.throws(() => C.arange(NaN), /arange: stop must be finite/);
  assert.throws(() => C.arange(-Infinity, 3), /arange: start must be finite/);
  assert.throws(() => C.linspace(0, NaN, 3), C.ArgumentError);
});

test('split rejects negative and fractional sizes even when they add up', () => {
  const x = C.arange(3);
  assert.throws(() => C.split(x, [4, -1]), /split: size -1 at position 1/);
  assert.throws(() => C.split(x, [1.5, 1.5]), /split: size 1.5/);
  assert.deepEqual(C.split(x, [1, 2]).map((s) => s.shape), [[1], [2]]);
});

test("astype('int32') refuses NaN, ±Inf and out-of-range values; truncates the rest toward zero", () => {
  assert.throws(() => C.tensor([1, NaN]).astype('int32'), C.NonFiniteError);
  assert.throws(() => C.tensor([Infinity]).astype('int32'), C.NonFiniteError);
  assert.throws(() => C.tensor([-1e20]).astype('int32'), (e: unknown) => e instanceof C.ArgumentError && /-100000000000000000000/.test((e as Error).message));
  assert.throws(() => C.tensor([2147483648]).astype('int32'), C.ArgumentError);
  assert.deepEqual(Array.from(C.tensor([-2.7, 2.7, 2147483647.5, -2147483648.9]).astype('int32').values()), [-2, 2, 2147483647, -2147483648]);
  // A strided view is checked too.
  assert.throws(() => C.tensor([[1, 2], [NaN, 4]]).T.astype('int32'), C.NonFiniteError);
});

test('an unknown dtype is a DTypeError naming it', () => {
  const bad = 'float16' as unknown as C.DType;
  for (const f of [() => C.zeros([2], bad), () => C.tensor([1, 2], bad), () => C.tensor([1]).astype(bad), () => C.arange(3, undefined, 1, bad)]) {
    assert.throws(f, (e: unknown) => e instanceof C.DTypeError && /"float16"/.test((e as Error).message));
  }
});

test('crossEntropy rejects fractional and NaN labels', () => {
  const logits = C.zeros([2, 3]);
  assert.throws(() => crossEntropy(logits, [0, 1.5]), (e: unknown) => e instanceof C.ArgumentError && /crossEntropy: target 1.5/.test((e as Error).message));
  assert.throws(() => crossEntropy(logits, [NaN, 1]), C.ArgumentError);
  assert.ok(Math.abs(crossEntropy(logits, [0, 2]).item() - Math.log(3)) < 1e-12);
});

test('huge sizes are an ArgumentError about allocation, not a raw RangeError', () => {
  for (const f of [() => C.zeros([1e10]), () => C.ones([1e5, 1e5, 1e5], 'float32'), () => C.arange(0, 1e12), () => C.full([2 ** 53, 2], 1)]) {
    assert.throws(f, (e: unknown) => e instanceof C.ArgumentError && /cannot allocate/.test((e as Error).message));
  }
});
