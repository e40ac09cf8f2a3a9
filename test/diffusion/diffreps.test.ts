import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, Tensor } from '../../src/core/index.ts';
import { jvp } from '../../src/autodiff/index.ts';
import * as D from '../../src/diffusion/index.ts';
import { TEMPLATES, panoramaTarget, diffrepVerdict, totalVariation, type DiffrepMetrics } from '../../src/experiments/diffusion/diffreps.ts';

const sched = D.ve({ sigmaMin: 1e-3, sigmaMax: 5 });
const prior = D.mixtureScore(D.isotropicMixture(TEMPLATES, [0.4, 0.3, 0.2, 0.1], 0.1), sched);

test('identity diffrep: the pulled-back sampler is the image-space PF-ODE sampler (same start, Heun, to solver tolerance)', () => {
  const xT = new Rng(3).normal([20, 16], { dtype: 'float64', std: 5 });
  const a = D.pullbackSample({ rep: D.identityRep(16), prior, sched, n: 20, steps: 40, thetaT: xT, lambda: 1e-9 }).theta.values();
  const b = D.samplePFODE(prior, { sched, n: 20, dim: 16, steps: 40, xT }).values();
  let err = 0;
  for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i]! - b[i]!));
  assert.ok(err < 1e-6, `max difference ${err}`);
});

test('SIREN (97 parameters, full row rank): J·θ̇ = v within the solve tolerance, by both the dense and the CG solve', () => {
  const rep = D.sirenRep(16);
  assert.equal(rep.params, 97);
  const theta = rep.init(3, new Rng(1));
  const v = new Rng(2).normal([3, 16], { dtype: 'float64' });
  for (const solver of ['dense', 'cg'] as const) {
    const { u } = D.pulledBackSolve(rep, theta, [v], 1e-10, 1e-12, solver);
    const Ju = jvp((th: Tensor) => rep.render(th, 0), theta, u).tangent.values();
    const vv = v.values();
    let num = 0, den = 0;
    for (let i = 0; i < vv.length; i++) { num += (Ju[i]! - vv[i]!) ** 2; den += vv[i]! ** 2; }
    assert.ok(Math.sqrt(num / den) < 1e-4, `${solver}: relative residual ${Math.sqrt(num / den)}`);
  }
});

test('SDS on a single Gaussian converges to its mode (no spread left)', () => {
  const mu = Array.from({ length: 8 }, (_, i) => Math.sin(i));
  const single = D.mixtureScore(D.isotropicMixture([mu], [1], 0.3), sched);
  const { theta } = D.sdsOptimize({ rep: D.identityRep(8), prior: single, sched, n: 30, steps: 3000, lr: 0.02, seed: 4 });
  const t = theta.values();
  let ss = 0;
  for (let r = 0; r < 30; r++) for (let j = 0; j < 8; j++) ss += (t[r * 8 + j]! - mu[j]!) ** 2;
  const rms = Math.sqrt(ss / 240);
  // a sampler would leave an RMS distance equal to the prior std (0.3); the mode seeker leaves a small fraction of it
  assert.ok(rms < 0.05, `RMS distance to the mode ${rms} (prior std 0.3)`);
});

test('the panorama target weights favour template pairs whose overlaps agree, and sum to one', () => {
  const { pairs, weights } = panoramaTarget();
  assert.equal(pairs.length, 16);
  assert.ok(Math.abs(weights.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  // A pair whose overlap disagrees by Δ² = Σ(μ_a[8:16] − μ_b[0:8])² gets relative weight w_a·w_b·exp(−Δ²/(4s²)):
  // compare the two heaviest pairs against the formula.
  const order = weights.map((w, i) => [w, i] as const).sort((x, y) => y[0] - x[0]);
  const logW = (k: number) => {
    const [a, b] = pairs[k]!;
    let q = 0;
    for (let j = 0; j < 8; j++) q += (TEMPLATES[a]![8 + j]! - TEMPLATES[b]![j]!) ** 2;
    return Math.log([0.4, 0.3, 0.2, 0.1][a]! * [0.4, 0.3, 0.2, 0.1][b]!) - q / 0.04;
  };
  const [i1, i2] = [order[0]![1], order[1]![1]];
  assert.ok(weights[i2]! > 0, 'the second pair has positive weight');
  assert.ok(Math.abs(Math.log(weights[i1]! / weights[i2]!) - (logW(i1) - logW(i2))) < 1e-9);
});

test('diffreps verdict: all conditions, some, none', () => {
  const good: DiffrepMetrics = {
    identity: { pullTv: 0.05, pullSpread: 0.1, sdsTv: 0.4, sdsSpread: 0.02 },
    siren: { pullTv: 0.06, pullSpread: 0.105, sdsTv: 0.5, sdsSpread: 0.01 },
    panorama: { pullTv: 0.1, sdsTv: 0.5, disagreementPlain: 0.3, disagreementRounds: 0.1, disagreementNoise: 0.02 },
    tvNoise: 0.07,
  };
  assert.equal(diffrepVerdict(good), 'reproduced');
  assert.equal(diffrepVerdict({ ...good, siren: { ...good.siren, pullTv: 0.25 } }), 'partly reproduced');
  assert.equal(diffrepVerdict({
    identity: { pullTv: 0.5, pullSpread: 0.3, sdsTv: 0.1, sdsSpread: 0.1 }, siren: { pullTv: 0.5, pullSpread: 0.3, sdsTv: 0.1, sdsSpread: 0.1 },
    panorama: { pullTv: 0.6, sdsTv: 0.2, disagreementPlain: 0.1, disagreementRounds: 0.2, disagreementNoise: 0.02 }, tvNoise: 0.07,
  }), 'not reproduced');
  assert.equal(totalVariation([0.5, 0.5], [1, 0]), 0.5);

});
