import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as C from '../../src/core/index.ts';
import { checkGrad } from '../../src/autodiff/index.ts';
import { structured as S } from '../../src/nn/index.ts';

test('bttMoE gates: exactly k non-zeros per token summing to 1 + k·1e-6; ties go to the lowest index', () => {
  const rng = new C.Rng(1);
  const layer = S.bttMoE(16, 36, { experts: 6, topK: 2 });
  const p = layer.init(rng, { dtype: 'float64' });
  const x = rng.normal([5, 16]);
  // Zero-initialised gate: all logits tie, so experts 0 and 1 are chosen with weight ½ each.
  const g0 = layer.gates(p, x);
  for (let i = 0; i < 5; i++) {
    assert.deepEqual(Array.from({ length: 6 }, (_, j) => g0.get(i, j) > 0), [true, true, false, false, false, false]);
    assert.ok(Math.abs(g0.get(i, 0) - (0.5 + 1e-6)) < 1e-15);
  }
  p.Wg = rng.normal([16, 6]);
  const g = layer.gates(p, x);
  const logits = C.matmul(x, p.Wg);
  for (let i = 0; i < 5; i++) {
    const row = Array.from({ length: 6 }, (_, j) => g.get(i, j));
    assert.equal(row.filter((v) => v !== 0).length, 2);
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - (1 + 2e-6)) < 1e-12);
    const lg = Array.from({ length: 6 }, (_, j) => logits.get(i, j));
    const top = [...lg.keys()].sort((a, b) => lg[b]! - lg[a]!).slice(0, 2).sort();
    assert.deepEqual(row.map((v, j) => (v > 0 ? j : -1)).filter((j) => j >= 0), top);
  }
});

test('bttMoE output is x·(Σ_r g_r(x)·BTT_r) + b token by token, and the rank-E BTT when all gates are 1', () => {
  const rng = new C.Rng(2);
  const layer = S.bttMoE(16, 36, { experts: 4, topK: 2 });
  const p = layer.init(rng, { dtype: 'float64' });
  p.Wg = rng.normal([16, 4]);
  p.b = rng.normal([36]);
  const x = rng.normal([6, 16]);
  const aux = S.createAuxCollector();
  const y = layer.apply(p, x, aux);
  const g = layer.gates(p, x);
  for (let i = 0; i < 6; i++) {
    const gi = Array.from({ length: 4 }, (_, j) => g.get(i, j));
    const yi = C.add(C.matmul(x.slice(i).reshape(1, 16), layer.denseForGates(p, gi)), p.b);
    assert.ok(C.max(C.abs(C.sub(yi.reshape(36), y.slice(i)))).item() < 1e-12, `token ${i}`);
  }
  const plain = S.btt(16, 36, { rank: 4 });
  assert.ok(C.max(C.abs(C.sub(layer.toDense(p), plain.toDense({ A: p.A!, B: p.B! })))).item() < 1e-12);
  assert.equal(aux.losses.length, 1);
});

test('bttMoE auxiliary loss equals E·Σ p̄·f̄ + 0.1·mean(logsumexp(ℓ)²) and the balanced value at init', () => {
  const rng = new C.Rng(3);
  const E = 4, k = 2;
  const layer = S.bttMoE(16, 16, { experts: E, topK: k });
  const p = layer.init(rng, { dtype: 'float64' });
  const x = rng.normal([8, 16]);
  // At init ℓ = 0: p̄ = 1/E, f̄ = (½, ½, 0, 0) → E·Σ p̄ f̄ = 1; logsumexp = log E.
  const aux0 = S.createAuxCollector();
  layer.apply(p, x, aux0);
  assert.ok(Math.abs(aux0.mean()!.item() - (1 + 0.1 * Math.log(E) ** 2)) < 1e-12);
  p.Wg = rng.normal([16, E]);
  const aux = S.createAuxCollector();
  layer.apply(p, x, aux);
  const l = C.matmul(x, p.Wg);
  let pBar = new Array<number>(E).fill(0), fBar = new Array<number>(E).fill(0), lse2 = 0;
  for (let i = 0; i < 8; i++) {
    const row = Array.from({ length: E }, (_, j) => l.get(i, j));
    const m = Math.max(...row);
    const z = row.reduce((a, v) => a + Math.exp(v - m), 0);
    row.forEach((v, j) => { pBar[j]! += Math.exp(v - m) / z / 8; });
    lse2 += (m + Math.log(z)) ** 2 / 8;
    [...row.keys()].sort((a, b) => row[b]! - row[a]!).slice(0, k).forEach((j) => { fBar[j]! += 1 / (8 * k); });
  }
  const want = E * pBar.reduce((a, v, j) => a + v * fBar[j]!, 0) + 0.1 * lse2;
  assert.ok(Math.abs(aux.losses[0]!.item() - want) < 1e-12, `${aux.losses[0]!.item()} vs ${want}`);
});

test('bttMoE gradients (factors, gate, bias) match finite differences including the auxiliary loss', () => {
  const rng = new C.Rng(4);
  const layer = S.bttMoE(16, 16, { experts: 4, topK: 2 });
  const p = layer.init(rng, { dtype: 'float64' });
  p.Wg = rng.normal([16, 4], { std: 0.5 });
  p.B = rng.normal(p.B!.shape, { std: 0.3 });
  const x = rng.normal([5, 16]);
  const w = rng.normal([5, 16]);
  const loss = (q: S.StructuredParams) => {
    const aux = S.createAuxCollector();
    const y = layer.apply(q, x, aux);
    return C.add(C.sum(C.mul(y, w)), C.mul(aux.mean()!, 0.5));
  };
  // Small step: the top-k selection must not flip inside the finite difference.
  const r = checkGrad(loss, p, { seed: 9, eps: 1e-7 });
  assert.ok(r.maxRelError < 1e-6, `rel error ${r.maxRelError}`);
});

test('bttMoE: active MACs = BTT·k/E + gate, experts initialised as rank-1 BTTs, and bad input', () => {
  const layer = S.bttMoE(256, 256, { experts: 8, topK: 2 });
  const bttMacs = 8 * 16 * 16 * (16 + 16);
  assert.equal(layer.macs, bttMacs + 256 * 8);
  assert.equal(layer.activeMacs, (bttMacs * 2) / 8 + 256 * 8);
  const p = layer.init(new C.Rng(5));
  const counted = S.countMatmulMacs(() => layer.apply(p, C.ones([1, 256], 'float32'), S.createAuxCollector()));
  // Sparse routing: the matmuls performed are exactly the routed cost (one token, k experts).
  assert.equal(counted, layer.activeMacs);
  // Rank-1 fan-ins: A (α, φ) = (16, 16), B (γ, ε) = (16, 16).
  assert.deepEqual(layer.factors.map((f) => [f.fanIn, f.fanOut]), [[16, 16], [16, 16]]);
  assert.equal(C.max(C.abs(p.Wg!)).item(), 0, 'gate starts at zero');
  assert.throws(() => S.bttMoE(16, 16, { experts: 4, topK: 5 }), /topK 5 is larger than the number of experts 4/);
  assert.throws(() => S.bttMoE(16, 16, { experts: 1 }), /experts must be at least 2/);
  assert.throws(() => S.bttMoE(16, 16, { experts: 17 }), /rank 17 is out of range/);
  assert.throws(() => layer.apply(p, C.ones([1, 256], 'float32')), /pass an auxiliary-loss collector/);
});
