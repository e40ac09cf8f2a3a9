import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as C from '../../src/core/index.ts';
import { checkGrad } from '../../src/autodiff/index.ts';
import { structured as S } from '../../src/nn/index.ts';

/** A named catalogue of layers (small widths, every structure, several ranks/cores/paddings). */
function catalogue(): { name: string; layer: S.StructuredLayer }[] {
  return [
    { name: 'dense', layer: S.dense(6, 10) },
    { name: 'low-rank r=3', layer: S.lowRank(12, 10, { rank: 3 }) },
    { name: 'low-rank default rank', layer: S.lowRank(9, 16) },
    { name: 'kronecker square', layer: S.kronecker(16, 16) },
    { name: 'kronecker rectangular', layer: S.kronecker(12, 20) },
    { name: 'tt 3 cores r=2', layer: S.tt(24, 12, { cores: 3, rank: 2 }) },
    { name: 'tt 2 cores ranks', layer: S.tt(16, 36, { cores: 2, rank: 3 }) },
    { name: 'monarch b=2', layer: S.monarch(8, 12, { blocks: 2 }) },
    { name: 'monarch b=4 shrinking', layer: S.monarch(16, 8, { blocks: 4 }) },
    { name: 'btt ρ=1', layer: S.btt(16, 36) },
    { name: 'btt ρ=3', layer: S.btt(12, 18, { rank: 3 }) },
    { name: 'btt 3 cores', layer: S.btt(24, 30, { cores: 3, rank: [2, 3] }) },
    { name: 'btt normalised', layer: S.btt(16, 16, { rank: 2, normalize: true }) },
    { name: 'einsum generic', layer: S.einsum(16, 16, { theta: [0.5, 0.25, 0.25, 0.25, 0.5, 0.25, 0] }) },
    { name: 'einsum kronecker point', layer: S.einsum(16, 16, { theta: [0.5, 0.5, 0, 0.5, 0.5, 0, 0] }) },
    { name: 'einsum btt route', layer: S.einsum(16, 16, { theta: [0.5, 0, 0.5, 0, 0.5, 0.5, 0.5] }) },
    { name: 'einsum padded input', layer: S.einsum(23, 16, { theta: [0.5, 0, 0.5, 0, 0.5, 0.5, 0] }) },
    { name: 'einsum truncated input', layer: S.einsum(27, 16, { theta: [0.5, 0, 0.5, 0, 0.5, 0.5, 0] }) },
    { name: 'einsum truncated output', layer: S.einsum(16, 17, { theta: [0.5, 0.25, 0.25, 0.25, 0.5, 0.25, 0] }) },
    { name: 'einsum normalised', layer: S.einsum(16, 16, { theta: [0.5, 0.25, 0.25, 0.25, 0.5, 0.25, 0.25], normalize: true }) },
  ];
}

function maxAbsDiff(a: C.Tensor, b: C.Tensor): number {
  return C.max(C.abs(C.sub(a, b))).item();
}

test('factorize(d, c) splits most evenly and sorts ascending (spec examples)', () => {
  assert.deepEqual(S.factorize(256, 2), [16, 16]);
  assert.deepEqual(S.factorize(576, 2), [24, 24]);
  assert.deepEqual(S.factorize(96, 2), [8, 12]);
  assert.deepEqual(S.factorize(97, 2), [1, 97]);
  assert.deepEqual(S.factorize(1024, 3), [8, 8, 16]);
  assert.deepEqual(S.factorize(1, 3), [1, 1, 1]);
  assert.throws(() => S.factorize(0, 2), /d must be a positive integer, got 0/);
  assert.throws(() => S.factorize(12, 0), /number of factors c must be a positive integer/);
});

test('apply(params, x) equals x·toDense(params) + b for every structure (float64) and apply(I) = toDense', () => {
  const rng = new C.Rng(11);
  for (const { name, layer } of catalogue()) {
    const p = layer.init(rng, { dtype: 'float64' });
    // A non-zero bias so the check covers it.
    p.b = rng.normal([layer.dOut]);
    const x = rng.normal([3, 2, layer.dIn]);
    const A = layer.toDense(p);
    assert.deepEqual(A.shape, [layer.dIn, layer.dOut], name);
    const y = layer.apply(p, x);
    assert.deepEqual(y.shape, [3, 2, layer.dOut], name);
    const ref = C.add(C.matmul(x, A), p.b);
    assert.ok(maxAbsDiff(y, ref) < 1e-12, `${name}: |apply − x·A| = ${maxAbsDiff(y, ref)}`);
    const identity = C.sub(layer.apply(p, C.eye(layer.dIn)), p.b);
    assert.ok(maxAbsDiff(identity, A) < 1e-12, `${name}: apply(I) differs from toDense`);
    assert.ok(C.max(C.abs(A)).item() > 0, `${name}: reference matrix is all zero`);
  }
});

test('float32 layers match their float64 reference to 1e-5 relative', () => {
  const rng = new C.Rng(12);
  for (const { name, layer } of catalogue()) {
    const p = layer.init(rng, { dtype: 'float32' });
    const x = rng.normal([4, layer.dIn], { dtype: 'float32' });
    const y = C.astype(layer.apply(p, x), 'float64');
    const ref = C.matmul(C.astype(x, 'float64'), C.astype(layer.toDense(p), 'float64'));
    const scale = C.max(C.abs(ref)).item();
    assert.ok(maxAbsDiff(y, ref) <= 1e-5 * scale, `${name}: float32 error ${maxAbsDiff(y, ref)} vs scale ${scale}`);
  }
});

test('parameter and multiply-add counts match the spec formulas and a brute-force count of the forward matmuls', () => {
  const rng = new C.Rng(13);
  const prod = (xs: number[]) => xs.reduce((a, b) => a * b, 1);
  const expected: [S.StructuredLayer, number, number][] = [];
  // [layer, params formula, MACs formula] — written from spec nn §2.3/§2.4 independently of the layer code.
  expected.push([S.dense(6, 10), 60, 60]);
  expected.push([S.lowRank(12, 10, { rank: 3 }), 3 * 22, 3 * 22]);
  expected.push([S.lowRank(9, 16), 3 * 25, 3 * 25]); // default r = ceil(sqrt(9)) = 3
  {
    const [n1, n2] = S.factorize(12, 2) as [number, number], [m1, m2] = S.factorize(20, 2) as [number, number];
    expected.push([S.kronecker(12, 20), n1 * m1 + n2 * m2, Math.min(n2 * m1 * (n1 + m2), n1 * m2 * (n2 + m1))]);
  }
  for (const [dIn, dOut, rho] of [[16, 36, 1], [12, 18, 3], [256, 1024, 2]] as const) {
    const [a, g] = S.factorize(dIn, 2) as [number, number], [f, e] = S.factorize(dOut, 2) as [number, number];
    const v = rho * g * f * (a + e);
    expected.push([S.btt(dIn, dOut, { rank: rho }), v, v]);
  }
  expected.push([S.btt(256, 256), 2 * 256 ** 1.5, 2 * 256 ** 1.5]); // 2ρ·d^1.5 when all sizes are √d
  {
    const n = S.factorize(24, 3), m = S.factorize(12, 3), r = [1, 2, 2, 1];
    let macs = 0, params = 0;
    for (let i = 0; i < 3; i++) {
      params += r[i]! * n[i]! * m[i]! * r[i + 1]!;
      macs += prod(m.slice(0, i)) * prod(n.slice(i + 1)) * r[i]! * n[i]! * m[i]! * r[i + 1]!;
    }
    expected.push([S.tt(24, 12, { cores: 3, rank: 2 }), params, macs]);
  }
  expected.push([S.monarch(16, 8, { blocks: 4 }), 4 * 2 * (4 + 2), 4 * 2 * (4 + 2)]); // b·q·(p+s), q = s = 2
  {
    // Generic θ on d = 16: α=2, β=2, γ=2 (16^.25 = 2), δ=2, ε=4, φ=2, ρ=1.
    const [a, b, g, dl, e, f, r] = [4, 2, 2, 2, 4, 2, 1];
    expected.push([S.einsum(16, 16, { theta: [0.5, 0.25, 0.25, 0.25, 0.5, 0.25, 0] }), f * r * g * (dl * a + e * b), f * dl * r * g * b * (a + e)]);
  }
  for (const [layer, params, macs] of expected) {
    assert.equal(layer.params, params, `${layer.description}: params`);
    assert.equal(layer.macs, macs, `${layer.description}: MACs formula`);
    const p = layer.init(rng, { dtype: 'float64' });
    const counted = S.countMatmulMacs(() => layer.apply(p, rng.normal([1, layer.dIn])));
    assert.equal(counted, macs, `${layer.description}: brute-force count of forward multiply-adds`);
    const counted5 = S.countMatmulMacs(() => layer.apply(p, rng.normal([5, layer.dIn])));
    assert.equal(counted5, 5 * macs, `${layer.description}: count scales with the batch`);
  }
});

test('gradients of every factor match finite differences (float64)', () => {
  const rng = new C.Rng(14);
  for (const { name, layer } of catalogue()) {
    const p = layer.init(rng, { dtype: 'float64' });
    const x = rng.normal([3, layer.dIn]);
    const w = rng.normal([3, layer.dOut]);
    // A non-linear loss so every factor's gradient depends on the others.
    const loss = (q: S.StructuredParams) => C.sum(C.mul(C.tanh(layer.apply(q, x)), w));
    const r = checkGrad(loss, p, { seed: 5 });
    assert.ok(r.maxRelError < 1e-6, `${name}: gradient check rel error ${r.maxRelError}`);
  }
});

test('µP init: each factor\'s RMS is within 5% of sqrt(min(n, m))/n (factors with ≥ 10^4 entries)', () => {
  const rng = new C.Rng(15);
  const layers = [S.dense(256, 512), S.lowRank(1024, 512, { rank: 64 }), S.btt(1024, 4096), S.btt(1024, 1024, { rank: 4 }), S.monarch(1024, 1024, { blocks: 8 }),
    S.tt(4096, 4096, { cores: 3, rank: 8 }), S.kronecker(256 * 256, 256), S.einsum(4096, 4096, { theta: [0.5, 0.25, 0.25, 0.25, 0.5, 0.25, 0] })];
  let checked = 0;
  for (const layer of layers) {
    const p = layer.init(rng);
    for (const f of layer.factors) {
      const t = p[f.name]!;
      if (t.size < 1e4) continue;
      checked++;
      const want = Math.sqrt(Math.min(f.fanIn, f.fanOut)) / f.fanIn;
      assert.ok(Math.abs(f.initStd - want) < 1e-15, `${layer.description} ${f.name}: declared std`);
      const rms = Math.sqrt(C.mean(C.mul(t, t)).item());
      assert.ok(Math.abs(rms / want - 1) < 0.05, `${layer.description} ${f.name}: rms ${rms} vs µP ${want}`);
    }
  }
  assert.ok(checked >= 8, `only ${checked} factors were large enough`);
  // 'standard' init is 1/sqrt(fan-in); zero-init zeroes exactly the last factor.
  const std = S.btt(256, 1024, { init: 'standard' });
  assert.deepEqual(std.factors.map((f) => f.initStd), std.factors.map((f) => 1 / Math.sqrt(f.fanIn)));
  const z = S.btt(64, 64, { zeroInit: true, rank: 2 });
  const pz = z.init(rng);
  assert.ok(C.max(C.abs(pz.A!)).item() > 0);
  assert.equal(C.max(C.abs(pz.B!)).item(), 0);
  assert.equal(C.max(C.abs(pz.b!)).item(), 0);
});

test('the fan-in/fan-out of each factor follow spec nn §2.5', () => {
  const fans = (l: S.StructuredLayer) => l.factors.map((f) => [f.name, f.fanIn, f.fanOut]);
  assert.deepEqual(fans(S.dense(8, 6)), [['w', 8, 6]]);
  assert.deepEqual(fans(S.lowRank(8, 6, { rank: 2 })), [['U', 8, 2], ['V', 2, 6]]);
  // BTT 256 → 1024, ρ = 2: α = γ = 16, φ = ε = 32; A (α, φρ), B (ργ, ε).
  const b = S.btt(256, 1024, { rank: 2 });
  assert.deepEqual(fans(b), [['A', 16, 64], ['B', 32, 32]]);
  assert.deepEqual(b.factors.map((f) => f.shape), [[16, 16, 64], [32, 32, 32]]);
  // TT core i: (r_{i−1}·n_i, m_i·r_i).
  assert.deepEqual(fans(S.tt(8, 27, { cores: 3, rank: 2 })), [['G1', 2, 6], ['G2', 4, 6], ['G3', 4, 3]]);
  assert.deepEqual(fans(S.monarch(16, 32, { blocks: 4 })), [['W1', 4, 4], ['W2', 4, 8]]);
  // Einsum A (α, δφρ), B (βγρ, ε) on d = 16 generic: α=4 β=2 γ=2 δ=2 ε=4 φ=2 ρ=1.
  assert.deepEqual(fans(S.einsum(16, 16, { theta: [0.5, 0.25, 0.25, 0.25, 0.5, 0.25, 0] })), [['A', 4, 4], ['B', 4, 4]]);
});

test('weight normalisation caps each core\'s RMS at its µP init std, keeps gains learnable, and survives zero init', () => {
  const rng = new C.Rng(16);
  const layer = S.btt(64, 64, { rank: 2, normalize: true });
  const p = layer.init(rng, { dtype: 'float64' });
  assert.equal(p.gainA!.item(), 1);
  // Rescale both cores to RMS = ½·cap: below the cap the cores are used as they are.
  const plainLayer = S.btt(64, 64, { rank: 2 });
  const rmsOf = (t: C.Tensor) => Math.sqrt(C.mean(C.mul(t, t)).item());
  const [fa, fb] = layer.factors as [S.FactorInfo, S.FactorInfo];
  const capA = S.muPStd(fa.fanIn, fa.fanOut), capB = S.muPStd(fb.fanIn, fb.fanOut);
  const A = C.mul(p.A!, (0.5 * capA) / rmsOf(p.A!)), B = C.mul(p.B!, (0.5 * capB) / rmsOf(p.B!));
  const below = layer.toDense({ ...p, A, B });
  const ref = plainLayer.toDense({ A, B });
  assert.ok(maxAbsDiff(below, ref) < 1e-12, 'below the cap the core is used as is');
  // RMS = 4·cap: divided back down to the cap, i.e. effective core 2·(½-cap core).
  const above = layer.toDense({ ...p, A: C.mul(A, 8), B });
  assert.ok(maxAbsDiff(above, C.mul(ref, 2)) < 1e-12, 'above the cap the core is scaled to RMS = cap');
  const doubled = layer.toDense({ ...p, A, B, gainB: C.scalar(3) });
  assert.ok(maxAbsDiff(doubled, C.mul(ref, 3)) < 1e-12, 'the gain scales the core');
  const zero = S.btt(16, 16, { normalize: true, zeroInit: true });
  const pz = zero.init(rng, { dtype: 'float64' });
  const x = rng.normal([2, 16]);
  const r = checkGrad((q: S.StructuredParams) => C.sum(C.square(C.add(zero.apply(q, x), 1))), pz, { seed: 2 });
  assert.ok(Number.isFinite(r.analytic) && r.maxRelError < 1e-6, `zero-init normalised gradient ${JSON.stringify(r)}`);
});

test('bad input: ranks out of range, undivisible blocks, unknown options, wrong widths and non-finite input', () => {
  assert.throws(() => S.lowRank(8, 6, { rank: 7 }), /rank 7 is out of range for a 8→6 layer; expected 1 ≤ rank ≤ min\(dIn, dOut\) = 6/);
  assert.throws(() => S.lowRank(8, 6, { rank: 0 }), /rank must be a positive integer, got 0/);
  assert.throws(() => S.btt(16, 16, { rank: 17 }), /rank 17 is out of range/);
  assert.throws(() => S.btt(16, 16, { cores: 1 }), /cores must be at least 2/);
  assert.throws(() => S.tt(16, 16, { cores: 3, rank: [2] }), /rank lists the 2 internal ranks of a 3-core train, got 1 values/);
  assert.throws(() => S.monarch(10, 16, { blocks: 4 }), /blocks 4 must divide both dIn 10 and dOut 16/);
  assert.throws(() => S.btt(16, 16, { ranks: 2 } as never), /unknown option 'ranks'; expected one of/);
  assert.throws(() => S.dense(0, 4), /dIn must be a positive integer, got 0/);
  const layer = S.btt(16, 16);
  const p = layer.init(new C.Rng(0));
  assert.throws(() => layer.apply(p, C.ones([2, 15], 'float32')), /input's last axis is 15, the layer \(btt 16→16.*\) expects 16/);
  const bad = C.ones([2, 16], 'float32');
  bad.data[5] = NaN;
  assert.throws(() => layer.apply(p, bad), /btt.apply \(btt 16→16.*\): input contains NaN at flat index 5/);
  assert.throws(() => layer.apply({ A: p.A! } as S.StructuredParams, C.ones([1, 16], 'float32')), /parameter 'B' is missing/);
  // A prime width degenerates to a factor of 1: allowed, with a typed warning on the layer (no process warning).
  const degenerate = S.btt(13, 16);
  assert.equal(degenerate.warnings?.length, 1);
  assert.deepEqual({ ...degenerate.warnings![0]!, message: undefined }, { type: 'degenerate-factorisation', op: 'structured.btt', width: 13, sizes: [1, 13], message: undefined });
  assert.match(degenerate.warnings![0]!.message, /width 13 factorises as 1×13; a factor of 1 makes the layer degenerate/);
  assert.deepEqual(S.btt(16, 16).warnings, []);
  assert.equal(S.kronecker(7, 16).warnings?.[0]?.width, 7);
  assert.equal(S.tensorTrain(16, 11).warnings?.[0]?.width, 11);
  const emitted: string[] = [];
  const onWarn = (w: Error) => emitted.push(w.message);
  process.on('warning', onWarn);
  S.btt(13, 16);
  return new Promise<void>((resolve) => setImmediate(() => {
    process.off('warning', onWarn);
    assert.deepEqual(emitted, [], 'the library emits no process warnings');
    resolve();
  }));
});

test('asOperator(layer, params) is a linalg operator for W: dense view and both products match toDense', async () => {
  const L = await import('../../src/linalg/index.ts');
  const rng = new C.Rng(17);
  for (const { name, layer } of [...catalogue(), { name: 'moe', layer: S.bttMoE(16, 16, { experts: 4 }) }]) {
    const p = layer.init(rng, { dtype: 'float64' });
    if (p.Wg) p.Wg = rng.normal(p.Wg.shape);
    const op = S.asOperator(layer, p);
    const A = layer.toDense(p);
    assert.deepEqual(op.shape, [layer.dIn, layer.dOut], name);
    const D = op.toDense();
    let err = 0;
    for (let i = 0; i < layer.dIn; i++) for (let j = 0; j < layer.dOut; j++) err = Math.max(err, Math.abs(D.data[j * layer.dIn + i]! - A.get(i, j)));
    assert.ok(err < 1e-12, `${name}: operator dense view differs by ${err}`);
    const Y = L.fromRowMajor(rng.normal([layer.dIn, 2]).values(), layer.dIn, 2);
    const WtY = op.rmatmat(Y);
    const ref = C.matmul(C.transpose(A), C.tensor(L.toRows(Y)));
    assert.ok(L.relError(L.toRows(WtY).flat(), ref.values()) < 1e-12, `${name}: Wᵀ·Y`);
  }
});
