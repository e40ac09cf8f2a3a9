import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, NonFiniteError, ShapeError } from '../../src/core/index.ts';
import { NeuralIVP, nets, pdes, definePde, ednnOptions } from '../../src/pde/index.ts';

test('a heat-equation run stays within 2% relative L2 of the analytic solution', () => {
  const pde = pdes.heat(1);
  const net = nets.neuralIvpMlp({ dim: 1, width: 16, depth: 2 });
  const s = new NeuralIVP(pde, net, { points: 256, integrator: { method: 'rk4', dt: 0.05 }, cg: { tol: 1e-6, maxIter: 100, nystromRank: 40 }, fit: { steps: 400 }, seed: 1 });
  const tr = s.solve(0.5);
  assert.equal(tr.stopped, null);
  assert.equal(tr.steps.length, 10);
  const err = tr.finalError!;
  assert.ok(err < 0.02, `relative L2 error at t = 0.5: ${err}`);
  // The solution decayed by ≈ 12% (mode 1) and 40% (mode 2): a frozen network would be off by more than the bound.
  const frozen = s.error(0.5, tr.snapshots[0]!.theta)!;
  assert.ok(frozen > 0.05, `error of the t = 0 network at t = 0.5: ${frozen}`);
  for (const r of tr.steps) { assert.ok(r.cgIterations >= 1 && Number.isFinite(r.pdeResidual)); }
  assert.ok(tr.steps[0]!.cond !== null && tr.steps[0]!.lambdaMax! > 0);
});

test('restarts fire on the everyT criterion and the dense baseline runs without CG', () => {
  const pde = pdes.advection(1);
  const base = { points: 128, integrator: { method: 'rk4' as const, dt: 0.05 }, fit: { steps: 100 }, restartFit: { steps: 50 }, seed: 2 };
  const c = new NeuralIVP(pde, nets.neuralIvpMlp({ dim: 1, width: 8, depth: 1 }), { ...base, restart: { everyT: 0.1 } }).solve(0.2);
  assert.equal(c.restarts.length, 1);
  assert.ok(Math.abs(c.restarts[0]!.t - 0.1) < 1e-9);
  assert.ok(c.steps.find((r) => r.restart));
  const a = new NeuralIVP(pde, nets.ednnMlp({ dim: 1, width: 8, depth: 2 }), ednnOptions(base)).solve(0.1);
  assert.equal(a.restarts.length, 0);
  assert.ok(a.steps.every((r) => r.cgIterations === 0));
});

test('bad input gets clear errors: non-finite u0, dimension and component mismatch, wrong rhs shape, undeclared terms', () => {
  const heat = pdes.heat(2);
  const net2 = nets.neuralIvpMlp({ dim: 2, width: 4, depth: 1 });
  const bad = definePde({ ...heat, name: 'nan-u0', u0: (x) => [x[0]! > 0 ? NaN : 0] });
  assert.throws(() => new NeuralIVP(bad, net2).fitInitial({ steps: 1 }), (e: unknown) => e instanceof NonFiniteError && /u0 is NaN at x = \[/.test(e.message));
  assert.throws(() => new NeuralIVP(heat, nets.neuralIvpMlp({ dim: 3 })), (e: unknown) => e instanceof ShapeError && /3-dimensional inputs.*2-dimensional/.test(e.message));
  assert.throws(() => new NeuralIVP(pdes.wave2d(), net2), (e: unknown) => e instanceof ShapeError && /1 output.*2 components/.test(e.message));
  const wrong = definePde({ ...heat, name: 'two-values', rhs: () => [0, 1] });
  assert.throws(() => new NeuralIVP(wrong, net2), (e: unknown) => e instanceof ShapeError && /rhs must return 1 value per point.*got length 2/.test(e.message));
  const notArray = definePde({ ...heat, name: 'scalar', rhs: () => 3 as unknown as number[] });
  assert.throws(() => new NeuralIVP(notArray, net2), (e: unknown) => e instanceof ShapeError && /rhs must return 1 value/.test(e.message));
  const undeclared = definePde({ ...heat, name: 'reads-grad', rhs: (_u, d) => [d.grad[0]!] });
  assert.throws(() => new NeuralIVP(undeclared, net2), (e: unknown) => e instanceof ArgumentError && /reads derivatives.grad.*uses: \[laplacian\]/.test(e.message));
  assert.throws(() => definePde({ ...heat, uses: ['hessian' as 'grad'] }), (e: unknown) => e instanceof ArgumentError && /'hessian'.*available: grad, d2, laplacian/.test(e.message));
  assert.throws(() => new NeuralIVP(heat, net2, { mu: { relative: 0 } }), /mu.relative = 0/);
  assert.throws(() => new NeuralIVP(heat, net2, { points: 0 }), /points must be a positive integer/);
  assert.throws(() => new NeuralIVP(heat, net2, { bogus: 1 } as never), /unknown option 'bogus'/);
});

test('a rhs that turns non-finite mid-run stops the solve with the time and reason, keeping the last good state', () => {
  const heat = pdes.heat(1);
  const blowup = definePde({ ...heat, name: 'blows-up', rhs: (_u, d, _x, t) => [t > 0.04 ? Infinity : 0.05 * d.laplacian[0]!] });
  const s = new NeuralIVP(blowup, nets.neuralIvpMlp({ dim: 1, width: 4, depth: 1 }), { points: 64, integrator: { method: 'rk4', dt: 0.02 }, fit: { steps: 20 } });
  const tr = s.solve(0.2);
  assert.ok(tr.stopped, 'stopped');
  assert.match(tr.stopped!.reason, /rhs is Infinity at x = \[.*t = 0\.0/);
  assert.equal(tr.steps.length, 2);
  assert.ok(Math.abs(tr.t - 0.04) < 1e-9);
});

test('the 2-D wave system (two networks, one per component) and adaptive RK23 run through the same solver', () => {
  const w = new NeuralIVP(pdes.wave2d(), nets.neuralIvpMlp({ dim: 2, nOut: 2, width: 8, depth: 1 }), { points: 128, integrator: { method: 'rk4', dt: 0.05 }, fit: { steps: 50, gaussNewton: 5 }, seed: 3 });
  const tw = w.solve(0.1);
  assert.equal(tw.stopped, null);
  assert.equal(tw.steps.length, 2);
  // Fitted v0 = 0 exactly; after two steps v = u_t must be non-zero and u, v within 15% of the modal solution.
  const vals = w.values(new Float64Array([0.1, -0.2]));
  assert.ok(Math.abs(vals[1]!) > 1e-3, `v after two steps: ${vals[1]}`);
  assert.ok(tw.finalError! < 0.15, `wave2d error ${tw.finalError}`);
  const h = new NeuralIVP(pdes.heat(1), nets.neuralIvpMlp({ dim: 1, width: 8, depth: 1 }), { points: 128, integrator: { method: 'rk23', rtol: 1e-3, dt0: 0.05 }, fit: { steps: 50, gaussNewton: 5 }, seed: 3 });
  const th = h.solve(0.05);
  assert.equal(th.stopped, null);
  assert.ok(Math.abs(th.t - 0.05) < 1e-12);
  assert.ok(th.steps.every((s) => s.dt > 0 && s.dt <= 0.05 + 1e-12 && s.rejected >= 0));
  assert.ok(th.finalError! < 0.02, `rk23 heat error ${th.finalError}`);
});
