import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as C from '../../src/core/index.ts';
import { checkGrad, customVjp, VJP, grad, type Tree } from '../../src/autodiff/index.ts';

const rng = new C.Rng(7);
const randn = (...shape: number[]) => rng.normal(shape);
const positive = (...shape: number[]) => rng.uniform(shape, { low: 0.5, high: 2 });

// One case per primitive (keyed by the rule-table name), each a scalar function of float64 parameters; several
// cases exercise broadcasting, views and non-contiguous inputs.
type Case = { params: Tree; f: (p: any) => C.Tensor; eps?: number; tol?: number };
const cases: Record<string, Case[]> = {
  copy: [{ params: randn(3, 4), f: (x) => x.T.contiguous().mul(randnFixed(4, 3)).sum() }],
  reshape: [{ params: randn(2, 6), f: (x) => x.reshape(3, 4).mul(randnFixed(3, 4)).sum() }],
  permute: [{ params: randn(2, 3, 4), f: (x) => x.permute(2, 0, 1).mul(randnFixed(4, 2, 3)).sum() }],
  expand: [{ params: randn(3, 1), f: (x) => x.expand(2, 3, 4).mul(randnFixed(2, 3, 4)).sum() }],
  slice: [
    { params: randn(5, 6), f: (x) => x.slice([1, 4], [null, null, 2]).mul(randnFixed(3, 3)).sum() },
    { params: randn(4, 5), f: (x) => x.slice(2, [-1, 0, -2]).mul(randnFixed(2)).sum() },
  ],
  concat: [{ params: [randn(2, 3), randn(2, 2)], f: ([a, b]) => C.concat([a, b], 1).mul(randnFixed(2, 5)).sum() }],
  take: [{ params: randn(5, 3), f: (x) => C.take(x, [4, 0, 4, 2], 0).mul(randnFixed(4, 3)).sum() }],
  indexAdd: [{ params: randn(2, 4), f: (v) => C.indexAdd([3, 4], v, [2, 2], 0).mul(randnFixed(3, 4)).sum() }],
  // Through a float32 intermediate the finite difference itself is only float32-accurate: dtype-scaled step and
  // tolerance (the function is linear, so the step size adds no truncation error).
  astype: [{ params: randn(3), f: (x) => x.astype('float32').astype('float64').mul(randnFixed(3)).sum(), eps: 1e-2, tol: 1e-5 }],
  neg: [{ params: randn(4), f: (x) => C.neg(x).mul(randnFixed(4)).sum() }],
  exp: [{ params: randn(4), f: (x) => C.exp(x).sum() }],
  log: [{ params: positive(4), f: (x) => C.log(x).mul(randnFixed(4)).sum() }],
  log1p: [{ params: positive(4), f: (x) => C.log1p(x).mul(randnFixed(4)).sum() }],
  expm1: [{ params: randn(4), f: (x) => C.expm1(x).sum() }],
  sin: [{ params: randn(4), f: (x) => C.sin(x).sum() }],
  cos: [{ params: randn(4), f: (x) => C.cos(x).sum() }],
  tanh: [{ params: randn(4), f: (x) => C.tanh(x).mul(randnFixed(4)).sum() }],
  sqrt: [{ params: positive(4), f: (x) => C.sqrt(x).sum() }],
  abs: [{ params: randn(4), f: (x) => C.abs(x).mul(randnFixed(4)).sum() }],
  sigmoid: [{ params: randn(4), f: (x) => C.sigmoid(x).mul(randnFixed(4)).sum() }],
  reciprocal: [{ params: positive(4), f: (x) => C.reciprocal(x).sum() }],
  gelu: [{ params: randn(6).mul(2), f: (x) => C.gelu(x).mul(randnFixed(6)).sum() }],
  geluGrad: [{ params: randn(6).mul(2), f: (x) => C.geluGrad(x).mul(randnFixed(6)).sum() }],
  // 6 elements run the JavaScript loop, 80 the wasm kernel.
  silu: [
    { params: randn(6).mul(2), f: (x) => C.silu(x).mul(randnFixed(6)).sum() },
    { params: randn(80).mul(3), f: (x) => C.silu(x).mul(randnFixed(80)).sum() },
  ],
  siluGrad: [
    { params: randn(6).mul(2), f: (x) => C.siluGrad(x).mul(randnFixed(6)).sum() },
    { params: randn(80).mul(3), f: (x) => C.siluGrad(x).mul(randnFixed(80)).sum() },
  ],
  add: [{ params: [randn(3, 4), randn(4)], f: ([a, b]) => C.add(a, b).mul(randnFixed(3, 4)).sum() }],
  sub: [{ params: [randn(3, 1), randn(1, 4)], f: ([a, b]) => C.sub(a, b).mul(randnFixed(3, 4)).sum() }],
  mul: [{ params: [randn(2, 3), randn(3)], f: ([a, b]) => C.mul(a, b).mul(randnFixed(2, 3)).sum() }],
  div: [{ params: [randn(2, 3), positive(2, 1)], f: ([a, b]) => C.div(a, b).sum() }],
  pow: [{ params: [positive(3), randn(3)], f: ([a, b]) => C.pow(a, b).sum() }],
  maximum: [{ params: [randn(5), randn(5)], f: ([a, b]) => C.maximum(a, b).mul(randnFixed(5)).sum() }],
  minimum: [{ params: [randn(5), randn(5)], f: ([a, b]) => C.minimum(a, b).mul(randnFixed(5)).sum() }],
  where: [{ params: [randn(4), randn(4)], f: ([a, b]) => C.where(C.gt(fixedMask, 0), a, b).mul(randnFixed(4)).sum() }],
  sum: [{ params: randn(2, 3, 4), f: (x) => x.sum([0, 2]).mul(randnFixed(3)).sum() }],
  max: [{ params: randn(3, 5), f: (x) => x.max(1).mul(randnFixed(3)).sum() }],
  cumsum: [{ params: randn(3, 4), f: (x) => C.cumsum(x, 0).mul(randnFixed(3, 4)).sum() }],
  logsumexp: [
    { params: randn(3, 5), f: (x) => C.logsumexp(x, -1).mul(randnFixed(3)).sum() },
    { params: randn(4, 3, 2), f: (x) => C.logsumexp(x.T, 0, true).mul(randnFixed(1, 2, 3)).sum() },
  ],
  logSoftmax: [
    { params: randn(3, 5), f: (x) => C.logSoftmax(x, -1).mul(randnFixed(3, 5)).sum() },
    { params: randn(4, 3, 2), f: (x) => C.logSoftmax(x.T, 1).mul(randnFixed(4, 2, 3)).sum() },
  ],
  matmul: [
    { params: [randn(3, 4), randn(4, 2)], f: ([a, b]) => C.matmul(a, b).mul(randnFixed(3, 2)).sum() },
    { params: [randn(2, 3, 4), randn(4, 5)], f: ([a, b]) => C.matmul(a, b).mul(randnFixed(2, 3, 5)).sum() },
    { params: [randn(4), randn(2, 4, 3)], f: ([a, b]) => C.matmul(a, b).mul(randnFixed(2, 3)).sum() },
    { params: [randn(4, 3), randn(3, 4)], f: ([a, b]) => C.matmul(a.T, b.T).mul(randnFixed(3, 3)).sum() },
  ],
  custom: [{
    params: randn(3),
    f: (x) => customVjp((v: C.Tensor) => ({ out: C.mul(v, v), residuals: v }), (v, g) => [C.mul(g, C.mul(v, 2))])(x).mul(randnFixed(3)).sum(),
  }],
  // No gradient (piecewise constant or boolean): checked to produce zero cotangents.
  sign: [], floor: [], eq: [], ne: [], lt: [], le: [], gt: [], ge: [],
};

// Derived ops get gradients for free; check the important ones too.
const derived: Record<string, Case> = {
  einsum_btt: { params: [randn(2, 3, 4), randn(3, 4, 5)], f: ([a, b]) => C.einsum('bij,ijk->bk', a, b).mul(randnFixed(2, 5)).sum() },
  einsum_diag: { params: randn(3, 3), f: (x) => C.einsum('ii->i', x).mul(randnFixed(3)).sum() },
  einsum_three: { params: [randn(2, 3), randn(3, 4), randn(4, 2)], f: ([a, b, c]) => C.einsum('ij,jk,kl->il', a, b, c).mul(randnFixed(2, 2)).sum() },
  logsumexp: { params: randn(3, 5), f: (x) => C.logsumexp(x, -1).mul(randnFixed(3)).sum() },
  softmax_ce: { params: randn(4, 6), f: (x) => C.sub(x, C.logsumexp(x, -1, true)).mul(C.oneHot([1, 0, 5, 2], 6, 'float64')).sum().neg() },
  norm: { params: randn(4, 3), f: (x) => C.norm(x, 0).sum() },
  variance: { params: randn(4, 3), f: (x) => C.variance(x, 1).mul(randnFixed(4)).sum() },
  mean: { params: randn(4, 3), f: (x) => C.mean(x).mul(3) },
  takeAlongAxis: { params: randn(3, 4), f: (x) => C.takeAlongAxis(x, C.tensor(new Int32Array([3, 0, 1]), [3, 1]), 1).mul(randnFixed(3, 1)).sum() },
  sort: { params: randn(2, 5), f: (x) => C.sort(x, -1).mul(randnFixed(2, 5)).sum() },
  min: { params: randn(3, 4), f: (x) => C.min(x, 0).mul(randnFixed(4)).sum() },
  stack: { params: [randn(2), randn(2)], f: ([a, b]) => C.stack([a, b], 1).mul(randnFixed(2, 2)).sum() },
};

// A fixed weighting tensor per shape: the same values every time `f` is evaluated.
function randnFixed(...shape: number[]): C.Tensor {
  return new C.Rng([99, ...shape]).normal(shape);
}
const fixedMask = C.tensor([1, -1, 1, -1]);

test('every primitive in the rule table has a gradient-check case', () => {
  const missing = Object.keys(VJP).filter((k) => !(k in cases));
  assert.deepEqual(missing, [], `rules without a gradient check: ${missing.join(', ')}`);
});

for (const [name, list] of Object.entries(cases)) {
  list.forEach((c, i) => {
    test(`vjp of ${name} (case ${i}) matches central finite differences`, () => {
      const r = checkGrad(c.f, c.params, { seed: 11 + i, eps: c.eps });
      assert.ok(r.maxRelError < (c.tol ?? 1e-6), `${name}: analytic ${r.analytic} vs numeric ${r.numeric} (rel ${r.maxRelError})`);
    });
  });
}

for (const [name, c] of Object.entries(derived)) {
  test(`derived op ${name} differentiates correctly`, () => {
    const r = checkGrad(c.f, c.params, { seed: 5 });
    assert.ok(r.maxRelError < 1e-6, `${name}: analytic ${r.analytic} vs numeric ${r.numeric} (rel ${r.maxRelError})`);
  });
}

test('non-differentiable primitives give zero gradients', () => {
  const x = randn(5);
  for (const f of [C.sign, C.floor, (t: C.Tensor) => C.gt(t, 0), (t: C.Tensor) => C.eq(t, t)]) {
    const g = grad((p: C.Tensor) => f(p).sum())(x);
    assert.ok(Array.from(g.values()).every((v) => v === 0));
  }
});
