import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as C from '../../src/core/index.ts';
import { structured as S } from '../../src/nn/index.ts';

test('taxonomy(θ) reproduces the (ω, ψ, ν) table of spec nn §2.4', () => {
  const table: [string, number[], number, number, number][] = [
    ['dense', [1, 0, 0, 0, 1, 0, 1], 0, 1, 1],
    ['low-rank θρ = .75', [1, 0, 0, 0, 1, 0, 0.75], 0, 0.75, 0.75],
    ['BTT', [0.5, 0, 0.5, 0, 0.5, 0.5, 0], 0, 1, 0.5],
    ['low-rank BTT', [0.67, 0, 0.33, 0, 0.67, 0.33, 0], 0, 0.66, 0.33],
    ['Kronecker', [0.5, 0.5, 0, 0.5, 0.5, 0, 0], 0.5, 1, 0.5],
    ['TT', [0.33, 0.67, 0, 0.33, 0.67, 0, 0], 0.33, 1, 0.67],
    ['generic', [0.5, 0.25, 0.25, 0.25, 0.5, 0.25, 0], 0.25, 1, 0.5],
  ];
  for (const [name, theta, omega, psi, nu] of table) {
    const t = S.taxonomy(theta);
    assert.ok(Math.abs(t.omega - omega) < 0.015, `${name}: ω = ${t.omega}, table ${omega}`);
    assert.ok(Math.abs(t.psi - psi) < 0.015, `${name}: ψ = ${t.psi}, table ${psi}`);
    assert.ok(Math.abs(t.nu - nu) < 0.015, `${name}: ν = ${t.nu}, table ${nu}`);
  }
});

test('taxonomy exponents predict how the einsum layer\'s params and MACs grow with d', () => {
  // Fit log-log slopes between d = 256 and d = 4096 (exact powers, so rounding is exact) and compare.
  for (const theta of [[0.5, 0, 0.5, 0, 0.5, 0.5, 0], [0.5, 0.5, 0, 0.5, 0.5, 0, 0], [0.5, 0.25, 0.25, 0.25, 0.5, 0.25, 0], [0.5, 0, 0.5, 0, 0.5, 0.5, 0.5]]) {
    const t = S.taxonomy(theta);
    const a = S.taxonomy(theta, 256), b = S.taxonomy(theta, 4096);
    const slope = (x: number, y: number) => Math.log(y / x) / Math.log(16);
    assert.ok(Math.abs(slope(a.macs!, b.macs!) - t.macsExponent) < 0.05, `θ=${theta}: MACs slope ${slope(a.macs!, b.macs!)} vs 1+ν = ${t.macsExponent}`);
    assert.ok(Math.abs(slope(a.params!, b.params!) - t.paramsExponent) < 0.05, `θ=${theta}: params slope vs ${t.paramsExponent}`);
    // The layer built from θ reports the same counts.
    const layer = S.einsum(256, 256, { theta });
    assert.equal(layer.params, a.params);
    assert.equal(layer.macs, a.macs);
  }
});

test('the materialised matrix\'s numerical rank agrees with ψ (d = 16 and 64)', () => {
  const rng = new C.Rng(3);
  const cases: [number[], number, number][] = [
    // θ, d, expected exact rank: d^ψ for these exact-power sizes.
    [[0.5, 0, 0.5, 0, 0.5, 0.5, 0], 16, 16],              // BTT ψ = 1: full rank
    [[1, 0, 0, 0, 1, 0, 0.5], 16, 4],                     // low-rank θρ = .5: rank 4
    [[0.5, 0.5, 0, 0.5, 0.5, 0, 0], 16, 16],              // Kronecker ψ = 1
    [[0.5, 0.25, 0.25, 0.25, 0.5, 0.25, 0], 16, 16],      // generic ψ = 1
    [[0.5, 0, 0.5, 0, 0.5, 0.5, 0], 64, 64],
    [[1, 0, 0, 0, 1, 0, 0.5], 64, 8],
  ];
  for (const [theta, d, rank] of cases) {
    const layer = S.einsum(d, d, { theta });
    const A = layer.toDense(layer.init(rng, { dtype: 'float64' }));
    assert.equal(S.numericRank(A), rank, `θ=${theta} d=${d}`);
    assert.equal(Math.round(Math.pow(d, S.taxonomy(theta).psi)), rank);
  }
  // Low-rank BTT (.67,0,.33,0,.67,.33,0) on d = 27 (sizes 9·3 | 3·9): rank ≤ φ·γ·ρ = 9 = d^.66.
  const lr = S.einsum(27, 27, { theta: [0.67, 0, 0.33, 0, 0.67, 0.33, 0] });
  assert.equal(S.numericRank(lr.toDense(lr.init(rng, { dtype: 'float64' }))), 9);
  assert.equal(S.numericRank(C.zeros([3, 3])), 0);
});

test('θ → sizes: rounding of d^θ, the 15% padding rule, and errors naming θ and sizes', () => {
  const s = S.thetaSizes('t', [0.5, 0.25, 0.25, 0.25, 0.5, 0.25, 0], 256, 256);
  assert.deepEqual([s.alpha, s.beta, s.gamma, s.delta, s.epsilon, s.phi, s.rho], [16, 4, 4, 4, 16, 4, 1]);
  // 256^.33 = 6.23 → 6, 256^.67 = 41.1 → 41: 246 = 3.9% short of 256, truncated.
  const tt = S.thetaSizes('t', [0.33, 0.67, 0, 0.33, 0.67, 0, 0], 256, 256);
  assert.deepEqual([tt.alpha, tt.beta, tt.dInCore, tt.dOutCore], [6, 41, 246, 246]);
  // ρ = round(min(dIn, dOut)^θρ).
  assert.equal(S.thetaSizes('t', [0.5, 0, 0.5, 0, 0.5, 0.5, 0.5], 64, 256).rho, 8);
  // 20 → α = γ = round(4.47) = 4: 16 is 20% short → error.
  assert.throws(() => S.einsum(20, 16, { theta: [0.5, 0, 0.5, 0, 0.5, 0.5, 0] }),
    /θ = \[0.5,0,0.5,0,0.5,0.5,0\] gives input sizes α·β·γ = 4·1·4 = 16, which is 20.0% away from dIn = 20; at most 15% is padded or truncated/);
  // Padded input (23 → 25) and truncated input (27 → 25) both build, and padding is zeros.
  const rng = new C.Rng(4);
  const padded = S.einsum(23, 16, { theta: [0.5, 0, 0.5, 0, 0.5, 0.5, 0] });
  assert.match(padded.description, /cores 25→16, padded\/truncated/);
  const truncOut = S.einsum(16, 14, { theta: [0.5, 0, 0.5, 0, 0.5, 0.5, 0] });
  const p = truncOut.init(rng, { dtype: 'float64' });
  assert.deepEqual(truncOut.apply(p, rng.normal([2, 16])).shape, [2, 14]);
  const padOut = S.einsum(16, 18, { theta: [0.5, 0, 0.5, 0, 0.5, 0.5, 0] });
  const pp = padOut.init(rng, { dtype: 'float64' });
  const A = padOut.toDense(pp);
  assert.equal(C.max(C.abs(A.slice(null, [16, 18]))).item(), 0, 'padded output columns are zero');
});

test('θ off the simplices or out of range is rejected with a clear error', () => {
  assert.throws(() => S.einsum(16, 16, { theta: [0.5, 0.5, 0.5, 0, 0.5, 0.5, 0] }), /θα \+ θβ \+ θγ must be 1 \(input side\), got 1.5/);
  assert.throws(() => S.einsum(16, 16, { theta: [0.5, 0, 0.5, 0, 0.2, 0.5, 0] }), /θδ \+ θε \+ θφ must be 1 \(output side\), got 0.7/);
  assert.throws(() => S.einsum(16, 16, { theta: [1.5, -0.5, 0, 0, 1, 0, 0] }), /θα = 1.5 must be in \[0, 1\]/);
  assert.throws(() => S.einsum(16, 16, { theta: [1, 0, 0, 0, 1, 0] }), /θ must be 7 numbers/);
  assert.throws(() => S.taxonomy([1, 0, 0, 0, 1, 0, Number.NaN]), /θρ = NaN must be in \[0, 1\]/);
  assert.throws(() => S.einsum(16, 16, undefined as never), /options \{ theta \} are required/);
});

test('the einsum layer routes β = δ = 1 to the BTT kernel and equals btt() with the same cores', () => {
  const rng = new C.Rng(5);
  const e = S.einsum(64, 256, { theta: [0.5, 0, 0.5, 0, 0.5, 0.5, 0] });
  const b = S.btt(64, 256);
  assert.match(e.description, /BTT kernel/);
  assert.deepEqual(e.factors.map((f) => [f.shape, f.fanIn, f.fanOut]), b.factors.map((f) => [f.shape, f.fanIn, f.fanOut]));
  const p = b.init(rng, { dtype: 'float64' });
  const x = rng.normal([3, 64]);
  assert.ok(C.max(C.abs(C.sub(e.apply(p, x), b.apply(p, x)))).item() < 1e-12);
});

test('every named θ of the authors\' sweep builds at d = 64 and 256 and has consistent counts', () => {
  for (const [name, theta] of Object.entries(S.NAMED_THETAS)) {
    for (const d of [64, 256]) {
      const layer = S.einsum(d, d, { theta });
      const t = S.taxonomy(theta, d);
      assert.equal(layer.macs, t.macs, `${name} d=${d}`);
      assert.ok(layer.params > 0 && layer.macs > 0);
    }
  }
});
