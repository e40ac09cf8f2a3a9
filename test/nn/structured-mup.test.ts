import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as C from '../../src/core/index.ts';
import { valueAndGrad } from '../../src/autodiff/index.ts';
import { adamw } from '../../src/optim/index.ts';
import * as nn from '../../src/nn/index.ts';
import { structured as S } from '../../src/nn/index.ts';

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));

test('lrMultipliers: structure-aware Adam rule m = (d_in_base/d_in)·(d_in/fan_in)/n_factors per factor', () => {
  const layers: S.LayerTable = { '$.l1': S.btt(256, 1024, { rank: 2 }), '$.l2': S.dense(1024, 256), '$.lr': S.lowRank(256, 256, { rank: 16 }) };
  const base: S.LayerTable = { '$.l1': S.btt(64, 256, { rank: 2 }), '$.l2': S.dense(256, 64), '$.lr': S.lowRank(64, 64, { rank: 8 }) };
  const m = S.lrMultipliers(layers, { base });
  // BTT 256→1024 ρ=2: A fan-in α = 16, B fan-in γρ = 32; m_width = 64/256.
  assert.ok(close(m['$.l1.A']!, (64 / 256) * (256 / 16) / 2));
  assert.ok(close(m['$.l1.B']!, (64 / 256) * (256 / 32) / 2));
  assert.equal(m['$.l1.b'], 1);
  // Dense: m_struct = 1, plain µP 1/d scaling.
  assert.ok(close(m['$.l2.w']!, 256 / 1024));
  assert.ok(close(m['$.lr.U']!, (64 / 256) * (256 / 256) / 2));
  assert.ok(close(m['$.lr.V']!, (64 / 256) * (256 / 16) / 2));
  // Each factor's rate ∝ 1/its fan-in: A/B ratio = fan-in B / fan-in A.
  assert.ok(close(m['$.l1.A']! / m['$.l1.B']!, 32 / 16));
});

test('lrMultipliers: naive mode gives every factor the dense µP multiplier; SGD rule; gains, gate and bias get 1', () => {
  const layers: S.LayerTable = { '$.a': S.btt(256, 256, { normalize: true }), '$.m': S.bttMoE(64, 64, { experts: 4 }) };
  const base: S.LayerTable = { '$.a': S.btt(64, 64, { normalize: true }), '$.m': S.bttMoE(16, 16, { experts: 4 }) };
  const naive = S.lrMultipliers(layers, { base, lrMode: 'naive' });
  assert.ok(close(naive['$.a.A']!, 64 / 256));
  assert.ok(close(naive['$.a.B']!, 64 / 256));
  assert.equal(naive['$.a.gainA'], 1);
  assert.equal(naive['$.m.Wg'], 1);
  const sgd = S.lrMultipliers({ '$.a': S.btt(64, 256) }, { optimizer: 'sgd' });
  // A: fan (α=8, φ=16); B: fan (γ=8, ε=16); d_out/d_in = 4 → ((16/8)/4)/2 for both.
  assert.ok(close(sgd['$.a.A']!, (16 / 8 / 4) / 2));
  assert.ok(close(sgd['$.a.B']!, (16 / 8 / 4) / 2));
  assert.throws(() => S.lrMultipliers(layers, { base: { '$.a': base['$.a']! } }), /the base model has no layer at '\$.m'/);
  assert.throws(() => S.lrMultipliers(layers, { lrMode: 'wrong' as never }), /lrMode must be 'structure-aware' or 'naive'/);
  assert.throws(() => S.lrMultipliers(layers, { layerScale: { '$.x': 0.1 } }), /layerScale names '\$.x', which is not a layer path/);
});

test('replaceLinears swaps selected linears, keeps the others dense, and the multipliers drive AdamW', () => {
  const rng = new C.Rng(7);
  const dense = nn.mlpInit(rng, [8, 64, 64, 1], { dtype: 'float64' });
  const { params, layers } = S.replaceLinears(dense, { kind: 'btt', rank: 1 }, {
    rng, select: (path) => path === '$.layers[1]',
  });
  assert.deepEqual(Object.keys(layers), ['$.layers[0]', '$.layers[1]', '$.layers[2]']);
  assert.equal(layers['$.layers[1]']!.kind, 'btt');
  assert.equal(layers['$.layers[0]']!.kind, 'dense');
  assert.equal(params.layers[0], dense.layers[0], 'unselected layers keep their parameters');
  const mid = params.layers[1] as unknown as S.StructuredParams;
  assert.deepEqual(Object.keys(mid).sort(), ['A', 'B', 'b']);
  const zeroed = S.replaceLinears(dense, { kind: 'btt' }, { rng, select: (path) => path === '$.layers[1]', zeroInit: () => true });
  const z = zeroed.params.layers[1] as unknown as S.StructuredParams;
  assert.equal(C.max(C.abs(z.B!)).item(), 0, 'zeroInit zeroes the last factor');
  assert.ok(C.max(C.abs(z.A!)).item() > 0);
  const forward = (p: typeof params, x: C.Tensor) => {
    let h = x;
    p.layers.forEach((lp, i) => {
      h = S.layerAt(layers, `$.layers[${i}]`).apply(lp as unknown as S.StructuredParams, h);
      if (i < 2) h = nn.relu(h);
    });
    return h;
  };
  const x = rng.normal([32, 8]);
  const target = C.sum(x, -1, true);
  const mults = S.lrMultipliers(layers, { base: layers });
  const opt = adamw(params, { lr: 3e-2, weightDecay: 0, lrMultipliers: mults });
  const lossGrad = valueAndGrad((p: typeof params) => nn.mse(forward(p, x), target));
  const before = lossGrad(params).value.item();
  const A0 = Float64Array.from(mid.A!.values());
  for (let i = 0; i < 80; i++) opt.step(lossGrad(params).grad);
  const after = lossGrad(params).value.item();
  assert.ok(after < 0.5 * before, `loss ${before} → ${after}`);
  // The first Adam step moves each entry by ≈ lr·multiplier; check A's largest move against its multiplier.
  const opt2Params = S.replaceLinears(dense, { kind: 'btt' }, { rng: new C.Rng(1), select: (p) => p === '$.layers[1]' });
  const m2 = S.lrMultipliers(opt2Params.layers, { layerScale: { '$.layers[1]': 0.5 } });
  const stepOnce = (mult: Record<string, number>) => {
    const p = opt2Params.params;
    const snapshot = (p.layers[1] as unknown as S.StructuredParams).A!.values().slice();
    const o = adamw(p, { lr: 1e-3, weightDecay: 0, lrMultipliers: mult });
    o.step(valueAndGrad((q: typeof p) => nn.mse(forward(q, x), target))(p).grad);
    const now = (p.layers[1] as unknown as S.StructuredParams).A!.values();
    let big = 0;
    for (let i = 0; i < now.length; i++) big = Math.max(big, Math.abs(now[i]! - snapshot[i]!));
    return big;
  };
  const moved = stepOnce(m2);
  assert.ok(Math.abs(moved - 1e-3 * m2['$.layers[1].A']!) < 1e-6 * m2['$.layers[1].A']!, `first-step move ${moved} vs lr·m ${1e-3 * m2['$.layers[1].A']!}`);
  assert.ok(A0.length > 0);
  assert.throws(() => S.replaceLinears({ a: C.ones([3]) }, { kind: 'btt' }, { rng }), /the tree has no linear layers/);
  assert.throws(() => S.layerAt(layers, '$.nope'), /no linear layer at '\$.nope'; known: \$.layers\[0\]/);
});

test('dense structured layer and nn.linear share parameters and results', () => {
  const rng = new C.Rng(8);
  const p = nn.linearInit(rng, 5, 3, { dtype: 'float64' });
  const x = rng.normal([4, 5]);
  const layer = S.dense(5, 3);
  assert.deepEqual(layer.apply(p as unknown as S.StructuredParams, x).toArray(), nn.linear(p, x).toArray());
});
