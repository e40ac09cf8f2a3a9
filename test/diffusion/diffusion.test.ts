import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, Tensor, mean, max, sub, sum, tensor, ArgumentError, ShapeError, NonFiniteError } from '../../src/core/index.ts';
import { grad } from '../../src/autodiff/index.ts';
import * as D from '../../src/diffusion/index.ts';

const close = (a: number, b: number, tol: number, msg = '') => assert.ok(Math.abs(a - b) <= tol, `${msg} ${a} vs ${b} (tol ${tol})`);

test('erfc, Φ and log Φ against reference values and the tails', () => {
  close(D.erfc(0), 1, 1e-15);
  close(D.erfc(0.5), 0.4795001221869535, 1e-15);
  close(D.erfc(1.5), 0.033894853524689274, 1e-15);
  close(D.erfc(3) / 2.209049699858544e-5, 1, 1e-12, 'erfc(3) relative');
  close(D.erfc(10) / 2.088487583762545e-45, 1, 1e-12, 'erfc(10) relative');
  close(D.ndtr(-1.5), 0.06680720126885807, 1e-15);
  close(D.logNdtr(-10), -53.23128515051247, 1e-9);
  close(D.logNdtr(-40), -804.6084420137538, 1e-9);
  close(D.logNdtr(8), -6.22096057427178e-16, 1e-25);
  // continuity across the branch points
  for (const z of [-20, 6]) close(D.logNdtr(z - 1e-9), D.logNdtr(z + 1e-9), 1e-6);
  assert.ok(Number.isNaN(D.logNdtr(NaN)));
});

test('logNdtrT: gradient φ/Φ and a differentiable gradient (second derivative by finite differences)', () => {
  const zs = [-30, -5, -1, 0, 2, 7];
  const g1 = grad((z: Tensor) => sum(D.logNdtrT(z)))(tensor(zs)).values();
  const g2 = grad((z: Tensor) => sum(grad((w: Tensor) => sum(D.logNdtrT(w)))(z)))(tensor(zs)).values();
  zs.forEach((z, i) => {
    const h = 1e-5 * Math.max(1, Math.abs(z));
    const fd1 = (D.logNdtr(z + h) - D.logNdtr(z - h)) / (2 * h);
    const fd2 = (D.logNdtr(z + h) - 2 * D.logNdtr(z) + D.logNdtr(z - h)) / (h * h);
    close(g1[i]!, fd1, 1e-6 * Math.max(1, Math.abs(fd1)), `d/dz at ${z}`);
    close(g2[i]!, fd2, 2e-3 * Math.max(1, Math.abs(fd2)), `d²/dz² at ${z}`);
  });
});

test('ks2: identical samples give D = 0, shifted samples are rejected, p-values are calibrated in size', () => {
  const rng = new Rng(1);
  const a = Array.from({ length: 2000 }, () => rng.gauss());
  assert.equal(D.ks2(a, a).statistic, 0);
  const b = Array.from({ length: 2000 }, () => rng.gauss() + 0.3);
  assert.ok(D.ks2(a, b).pValue < 1e-6);
  let rejections = 0;
  for (let r = 0; r < 40; r++) {
    const x = Array.from({ length: 300 }, () => rng.gauss()), y = Array.from({ length: 300 }, () => rng.gauss());
    if (D.ks2(x, y).pValue < 0.05) rejections++;
  }
  assert.ok(rejections <= 8, `${rejections}/40 rejections at the 5% level for equal distributions`);
});

test('schedules: VE and VP σ, s, g² = dσ²/dt − 2fσ², and argument errors', () => {
  const ve = D.ve({ sigmaMin: 1e-3, sigmaMax: 20 });
  close(ve.sigma(1), 20 * Math.sqrt(1 - (1e-3 / 20) ** 2), 1e-9);
  for (const sched of [ve, D.vp()]) {
    for (const t of [0.1, 0.5, 0.9]) {
      const h = 1e-6;
      const ds2 = (sched.sigma(t + h) ** 2 - sched.sigma(t - h) ** 2) / (2 * h);
      // For x_t = s x_0 + σ ε with dx = f x dt + g dW: d(σ²)/dt = 2 f σ² + g².
      close(sched.g2(t), ds2 - 2 * sched.drift(t) * sched.sigma(t) ** 2, 1e-4 * sched.g2(t), `${sched.kind} g² at ${t}`);
    }
  }
  assert.throws(() => D.ve({ sigmaMin: -1 }), ArgumentError);
  assert.throws(() => D.ve({ sigmaMin: 2, sigmaMax: 1 }), /sigmaMin < sigmaMax/);
  assert.throws(() => D.vp({ tMin: 0 }), /tMin/);
});

test('exact scores equal finite-difference gradients of the noised log density (Gaussian and mixture)', () => {
  const sched = D.ve({ sigmaMin: 1e-3, sigmaMax: 10 });
  const g = D.gaussian(D.ar1Covariance(4, 0.7), 4, [0.5, -0.2, 0, 1]);
  const x = new Rng(3).normal([3, 4], { dtype: 'float64' });
  const t = 0.4;
  const s = D.gaussianScore(g, sched)(x, t).values();
  const xv = x.values();
  for (let r = 0; r < 3; r++) for (let j = 0; j < 4; j++) {
    const h = 1e-5;
    const xp = Float64Array.from(xv), xm = Float64Array.from(xv);
    xp[r * 4 + j] += h; xm[r * 4 + j] -= h;
    const fd = (D.gaussianLogDensity(g, new Tensor(xp, [3, 4]), { sched, t })[r]! - D.gaussianLogDensity(g, new Tensor(xm, [3, 4]), { sched, t })[r]!) / (2 * h);
    close(s[r * 4 + j]!, fd, 1e-6);
  }
  const mix = D.isotropicMixture([[1, 0], [-1, 2]], [0.3, 0.7], 0.4);
  const ms = D.mixtureScore(mix, sched);
  const logp = (p: Float64Array) => {
    const v = 0.16 + sched.sigma(t) ** 2;
    let acc = 0;
    mix.means.forEach((m, k) => { acc += mix.weights[k]! * Math.exp(-((p[0]! - m[0]!) ** 2 + (p[1]! - m[1]!) ** 2) / (2 * v)); });
    return Math.log(acc);
  };
  const pt = Float64Array.of(0.3, 0.8);
  const sv = ms(new Tensor(Float64Array.from(pt), [1, 2]), t).values();
  for (let j = 0; j < 2; j++) {
    const h = 1e-6, a = Float64Array.from(pt), b = Float64Array.from(pt);
    a[j] += h; b[j] -= h;
    close(sv[j]!, (logp(a) - logp(b)) / (2 * h), 1e-6);
  }
});

test('samplers: EM and Heun PF-ODE with the exact score reproduce a Gaussian (KS per coordinate, moments)', () => {
  const sched = D.ve({ sigmaMin: 1e-3, sigmaMax: 20 });
  const g = D.gaussian([1, 0.6, 0.6, 2], 2, [1, -1]);
  const score = D.gaussianScore(g, sched);
  const truth = D.gaussianSample(g, 20000, new Rng(9)).values();
  for (const xs of [D.sampleSDE(score, { sched, n: 1500, dim: 2, steps: 300, seed: 4 }), D.samplePFODE(score, { sched, n: 1500, dim: 2, steps: 100, seed: 5 })]) {
    const v = xs.values();
    for (let j = 0; j < 2; j++) {
      const a = Array.from({ length: 1500 }, (_, i) => v[i * 2 + j]!), b = Array.from({ length: 20000 }, (_, i) => truth[i * 2 + j]!);
      assert.ok(D.ks2(a, b).pValue > 0.01, `coordinate ${j}: KS p = ${D.ks2(a, b).pValue}`);
    }
  }
});

test('PF-ODE log density with the exact trace matches the exact Gaussian log density; Hutchinson agrees within its error', () => {
  const sched = D.ve({ sigmaMin: 1e-3, sigmaMax: 20 });
  const g = D.gaussian(D.ar1Covariance(6, 0.8), 6);
  const score = D.gaussianScore(g, sched);
  const x = D.gaussianSample(g, 5, new Rng(2));
  const exact = D.gaussianLogDensity(g, x);
  const terminal = (xT: Tensor) => D.gaussianLogDensity(g, xT, { sched, t: sched.tMax });
  const est = D.logDensity(score, x, { sched, steps: 200, trace: 'exact', terminalLogDensity: terminal });
  est.logp.forEach((v, i) => close(v, exact[i]!, 0.02, `row ${i}`));
  const hut = D.logDensity(score, x, { sched, steps: 100, trace: 'hutchinson', probes: 8, seed: 1, terminalLogDensity: terminal });
  hut.logp.forEach((v, i) => close(v, exact[i]!, 5 * hut.stderr[i]! + 0.05, `Hutchinson row ${i}`));
});

// AR(1) of spec §5.1 at a test size: exact score, linear event mean(x) − 1.0 > 0.
const T = 8, RHO = 0.8;
function linearCase() {
  const g = D.gaussian(D.ar1Covariance(T, RHO), T);
  const sched = D.ve({ sigmaMin: 1e-3, sigmaMax: 20 });
  let s = 0;
  for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) s += RHO ** Math.abs(i - j);
  const varMean = s / (T * T);
  const C = (x: Tensor) => sub(mean(x, 1), 1.0);
  return { g, sched, score: D.gaussianScore(g, sched), C, varMean, logP: D.logNdtr(-1.0 / Math.sqrt(varMean)) };
}

test('event sampler (probit, exact score, linear event) matches the analytic truncated-normal conditional of C', () => {
  const { g, sched, score, C, varMean } = linearCase();
  const cond = D.eventScore(score, C, { sched, link: 'probit', stdGradient: 'full', reg: 0 });
  const xs = D.sampleSDE(cond, { sched, n: 1000, dim: T, steps: 400, seed: 11 });
  const c = C(xs).values();
  const inside = c.filter((v) => v > 0).length / c.length;
  assert.ok(inside >= 0.99, `fraction inside the event ${inside}`);
  // mean(x) | E is N(0, v) truncated to > 1: its mean is 1 + … by the inverse Mills ratio.
  const sd = Math.sqrt(varMean), a = 1 / sd;
  const truncMean = sd * Math.exp(-0.5 * a * a - D.logNdtr(-a)) / Math.sqrt(2 * Math.PI);
  const m = D.meanStderr(Array.from(c, (v) => v + 1));
  close(m.mean, truncMean, 4 * m.stderr + 0.01, 'conditional mean of mean(x)');
  // and the unconditional event probability of a plain sampler is about P(E)
  const rejection = C(D.gaussianSample(g, 200000, new Rng(3))).values().filter((v) => v > 0);
  assert.ok(D.ks2(c.filter((v) => v > 0), rejection).pValue > 0.01, 'KS against rejection sampling');
});

test('event log-probability on the linear case within 0.1 of the exact value', () => {
  const { g, sched, score, C, logP } = linearCase();
  const cond = D.eventScore(score, C, { sched, link: 'probit', stdGradient: 'stop', reg: 0 });
  const xs = D.sampleSDE(cond, { sched, n: 150, dim: T, steps: 400, seed: 12 });
  const r = D.eventLogProb(score, cond, C, xs, { sched, steps: 150, logPrior: (x) => D.gaussianLogDensity(g, x) });
  assert.ok(Math.abs(r.logP - logP) < 0.1, `log P̂(E) = ${r.logP} ± ${r.stderr}, exact ${logP}`);
});

test('fixed-temperature guidance and inpainting: the observed entries are reproduced', () => {
  const { sched, score } = linearCase();
  const mask = Array.from({ length: T }, (_, i) => (i < 3 ? 1 : 0));
  const y = [0.5, 0.2, -0.4, 0, 0, 0, 0, 0];
  const xs = D.sampleSDE(D.inpaintScore(score, { sched, mask, y }), { sched, n: 200, dim: T, steps: 300, seed: 2 });
  const v = xs.values();
  for (let j = 0; j < 3; j++) {
    const m = D.meanStderr(Array.from({ length: 200 }, (_, i) => v[i * T + j]!));
    close(m.mean, y[j]!, 0.02, `observed entry ${j}`);
  }
  const guided = D.sampleSDE(D.guidanceScore(score, (x) => sub(max(x, 1), 2), { sched, temperature: 0.1 }), { sched, n: 200, dim: T, steps: 300, seed: 3 });
  const frac = sub(max(guided, 1), 2).values().filter((c) => c > 0).length / 200;
  assert.ok(frac > 0.5, `guidance moves mass into the event (${frac})`);
});

test('simulators: SHO and double pendulum conserve energy to the integrator tolerance; Lorenz and FitzHugh–Nagumo run', () => {
  for (const sys of [D.sho({ frames: 40 }), D.pendulum({ frames: 40 })]) {
    const tr = sys.simulate({ n: 8, seed: 1, rtol: 1e-9 });
    for (let r = 0; r < tr.n; r++) {
      const e0 = sys.energy!(tr.data.subarray(r * tr.frames * tr.m, r * tr.frames * tr.m + tr.m));
      const last = (r * tr.frames + tr.frames - 1) * tr.m;
      const e1 = sys.energy!(tr.data.subarray(last, last + tr.m));
      close(e1, e0, 1e-6 * Math.max(1, Math.abs(e0)), `${sys.name} trajectory ${r}`);
    }
  }
  const lz = D.lorenz().simulate({ n: 4, seed: 2 });
  assert.equal(lz.frames, 70);
  assert.ok(lz.data.every(Number.isFinite));
  const fhn = D.fitzhughNagumo().simulate({ n: 4, seed: 3 });
  assert.ok(fhn.data.every(Number.isFinite));
  assert.throws(() => D.sho().simulate({ n: 0 }), /n must be a positive integer/);
});

test('bad input: event of the wrong shape or NaN, bad schedules, bad samplers give clear errors', () => {
  const { sched, score } = linearCase();
  const x = new Rng(1).normal([4, T], { dtype: 'float64' });
  assert.throws(() => D.eventScore(score, (z) => sum(z), { sched })(x, 0.5), (e: Error) => e instanceof ShapeError && /shape \[4\]/.test(e.message));
  assert.throws(() => D.eventScore(score, (z) => mean(z, 1).mul(NaN), { sched })(x, 0.5), NonFiniteError);
  assert.throws(() => D.eventScore(score, (z) => mean(z, 1), { sched, link: 'cauchy' as never }), /link/);
  assert.throws(() => D.eventScore(score, (z) => mean(z, 1), { sched, reg: -1 }), /reg/);
  assert.throws(() => D.sampleSDE(score, { sched, n: 0, dim: T }), /n must be a positive integer/);
  assert.throws(() => D.sampleSDE(score, { sched, n: 2, dim: T + 1, steps: 2 }), ShapeError);
  assert.throws(() => D.sampleSDE(() => new Tensor(new Float64Array(2 * T).fill(NaN), [2, T]), { sched, n: 2, dim: T, steps: 2 }), NonFiniteError);
  assert.throws(() => D.gaussian([1, 2, 2, 1], 2), /positive definite/);
  assert.throws(() => D.inpaintScore(score, { sched, mask: [1, 0.5], y: [0, 0] }), /mask/);
});

test('denoising score matching recovers the analytic score of a Gaussian mixture (relative error, against an untrained net)', () => {
  const mix = D.isotropicMixture([[1.5, 0], [-1.5, 0.5]], [0.4, 0.6], 0.3);
  const rng = new Rng(1);
  const N = 4000, data = new Float64Array(N * 2);
  const draw = (out: Float64Array, i: number, sd: number) => {
    const k = rng.random() < 0.4 ? 0 : 1;
    out[2 * i] = mix.means[k]![0]! + sd * rng.gauss();
    out[2 * i + 1] = mix.means[k]![1]! + sd * rng.gauss();
  };
  for (let i = 0; i < N; i++) draw(data, i, 0.3);
  const sched = D.ve({ sigmaMin: 1e-3, sigmaMax: 10 });
  const opts = { sched, schedule: { kind: 've' as const, sigmaMin: 1e-3, sigmaMax: 10 }, hidden: [64, 64], batch: 128, lr: 3e-3, ema: 0.99, seed: 2 };
  const trained = D.trainScore(new Tensor(data, [N, 2]), { ...opts, steps: 1000 });
  const untrained = D.trainScore(new Tensor(data, [N, 2]), { ...opts, steps: 1, lr: 1e-9 });
  assert.equal(trained.steps, 1000);
  const exact = D.mixtureScore(mix, sched);
  for (const t of [0.5, 0.7, 0.9]) {
    const sg = sched.sigma(t), x = new Float64Array(400 * 2);
    for (let i = 0; i < 400; i++) draw(x, i, Math.sqrt(0.09 + sg * sg));
    const X = new Tensor(x, [400, 2]), b = exact(X, t).values();
    const rel = (s: D.ScoreFn) => {
      const a = s(X, t).values();
      let num = 0, den = 0;
      for (let i = 0; i < a.length; i++) { num += (a[i]! - b[i]!) ** 2; den += b[i]! ** 2; }
      return Math.sqrt(num / den);
    };
    const e = rel(trained.score), e0 = rel(untrained.score);
    assert.ok(e < 0.25, `relative score error ${e.toFixed(3)} at σ = ${sg.toFixed(3)}`);
    assert.ok(e0 > 2 * e, `untrained ${e0.toFixed(3)} vs trained ${e.toFixed(3)} at σ = ${sg.toFixed(3)}`);
  }
  assert.throws(() => D.trainScore(new Tensor(new Float64Array([NaN, 1, 2, 3]), [2, 2])), NonFiniteError);
});
