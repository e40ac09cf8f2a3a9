import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, Tensor, ArgumentError, matmul } from '../../src/core/index.ts';
import { mlpInit, mlp, mse, transformerInit, languageModelLoss, type TransformerConfig } from '../../src/nn/index.ts';
import { leaves } from '../../src/autodiff/index.ts';
import { projectors, subspace, fullParameters, lora, trainCoordinates, quantize } from '../../src/bounds/index.ts';

const rng = new Rng(11);
const base = mlpInit(rng, [3, 5, 2], { dtype: 'float64' });
const x = rng.normal([7, 3]), y = rng.normal([7, 2]);
const loss = (p: typeof base) => mse(mlp(p, x, 'tanh'), y);

test('subspace.valueAndGrad equals Pᵀ·∇θ and matches central finite differences in w', () => {
  const D = fullParameters(base).size;
  const par = subspace(base, { projector: projectors.kronQR(D, 6, { seed: 3 }) });
  const w = Float64Array.from({ length: 6 }, (_, i) => 0.1 * Math.sin(i + 1));
  const { value, grad } = par.valueAndGrad(loss, w);
  assert.ok(Math.abs(value - loss(par.paramsFor(w)).item()) < 1e-12);
  const h = 1e-6;
  for (let i = 0; i < 6; i++) {
    const wp = Float64Array.from(w), wm = Float64Array.from(w);
    wp[i]! += h; wm[i]! -= h;
    const fd = (loss(par.paramsFor(wp)).item() - loss(par.paramsFor(wm)).item()) / (2 * h);
    assert.ok(Math.abs(fd - grad[i]!) < 1e-6, `coordinate ${i}: ${fd} vs ${grad[i]}`);
  }
  // At w = 0 the model is θ₀ exactly.
  assert.deepEqual(par.paramsFor(new Float64Array(6)).layers[0]!.w.values(), base.layers[0]!.w.values());
});

test('subspace rejects a projector whose D differs from the selected parameters, naming both', () => {
  assert.throws(() => subspace(base, { projector: projectors.kronQR(10, 3, { seed: 0 }) }), (e: unknown) => e instanceof ArgumentError && /D = 10 but the selected parameters number 32/.test((e as Error).message));
});

test('trainCoordinates lowers the loss of a subspace model with strata/optim', () => {
  const D = fullParameters(base).size;
  const par = subspace(base, { projector: projectors.gaussian(D, 12, { seed: 5 }) });
  const r = trainCoordinates(par, loss, { steps: 60, optimizer: { kind: 'adam', lr: 0.05 } });
  assert.ok(r.losses[59]! < 0.8 * r.losses[0]!, `${r.losses[0]} → ${r.losses[59]}`);
});

test('quantisation-aware training returns a codebook whose quantised model fits better than post-hoc quantisation', () => {
  const D = fullParameters(base).size;
  const mk = () => subspace(base, { projector: projectors.kronQR(D, 25, { seed: 7 }) });
  const a = mk(), b = mk();
  trainCoordinates(a, loss, { steps: 80, optimizer: { kind: 'adam', lr: 0.05 } });
  const r = trainCoordinates(b, loss, { steps: 80, optimizer: { kind: 'adam', lr: 0.05 }, qat: { steps: 60, levels: 3, optimizer: { kind: 'adam', lr: 0.01 } } });
  assert.equal(r.codebook!.length, 3);
  const post = loss(a.paramsFor(quantize(a.coords.data as Float64Array, { levels: 3 }).decoded)).item();
  const qat = loss(b.paramsFor(quantize(b.coords.data as Float64Array, { codebook: r.codebook! }).decoded)).item();
  assert.ok(qat < post, `QAT ${qat} vs post-hoc ${post}`);
});

test('lora.merge starts at the base model (B = 0) and its factors receive gradients; SubLoRA trains them in a subspace', () => {
  const cfg: TransformerConfig = { vocab: 11, dim: 8, layers: 1, heads: 2, hidden: 16, context: 6, dtype: 'float64' };
  const tp = transformerInit(new Rng(2), cfg);
  const targets = (path: string) => /\.(wq|wv)$/.test(path) || /\.(wq|wv)\.w$/.test(path);
  const ad = lora(tp, { targets: (p, v) => v.ndim === 2 && targets(p), rank: 2, alpha: 4, dropout: 0, seed: 1 });
  assert.ok(ad.targets.length >= 2, `targets ${ad.targets.join(', ')}`);
  const batch = new Tensor(Int32Array.from({ length: 14 }, (_, i) => (i * 7) % 11), [2, 7]);
  const l0 = languageModelLoss(tp, cfg, batch).item();
  assert.ok(Math.abs(languageModelLoss(ad.merge(ad.factors), cfg, batch).item() - l0) < 1e-12);
  const full = fullParameters(ad.factors);
  const { grad } = full.valueAndGrad((f) => languageModelLoss(ad.merge(f), cfg, batch));
  assert.ok(grad.some((g) => g !== 0));
  const sub = subspace(ad.factors, { projector: projectors.kronQR(full.size, 20, { seed: 137 }) });
  const r = trainCoordinates(sub, (f) => languageModelLoss(ad.merge(f), cfg, batch), { steps: 30, optimizer: { kind: 'adam', lr: 0.05 } });
  assert.ok(r.losses[29]! < r.losses[0]!, `SubLoRA ${r.losses[0]} → ${r.losses[29]}`);
  // The merged weight is W + (α/r)·A·B.
  const f = sub.paramsFor(sub.coords.data as Float64Array);
  const byPath = (tree: unknown) => new Map(leaves(tree).map((l) => [l.path, l.value]));
  const mergedW = byPath(ad.merge(f)).get(ad.targets[0]!)!.values();
  const baseW = byPath(tp).get(ad.targets[0]!)!.values();
  const AB = matmul(f[0]!.A, f[0]!.B).values();
  assert.equal(ad.scale, 2);
  for (let i = 0; i < baseW.length; i++) assert.ok(Math.abs(mergedW[i]! - (baseW[i]! + 2 * AB[i]!)) < 1e-12);
  assert.throws(() => lora(tp, { targets: ['$.nope'], seed: 0 }), /target '\$\.nope' is not a parameter path/);
});
