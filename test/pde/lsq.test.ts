import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/index.ts';
import { expm } from '../../src/linalg/index.ts';
import {
  eigenmode, samplePoints, applyJt, solvePcg, solveDense, nystromPreconditioner, spectrum, rk4Step, rk23Step, type LsSystem,
} from '../../src/pde/index.ts';

/**
 * A linear-in-parameters model u_θ(x) = Σ_j θ_j φ_j(x) with Dirichlet eigenmodes φ_j on [−1, 1]: its Jacobian is
 * J = [φ_j(x_n)], and for the heat equation u_t = ν·u_xx the exact parameter dynamics are θ̇_j = −ν(jπ/2)²θ_j.
 */
function heatModel(N: number, p: number, seed: number) {
  const rng = new Rng(seed);
  const X = samplePoints(rng, N, 1);
  const J = new Float64Array(N * p);
  for (let j = 0; j < p; j++) for (let n = 0; n < N; n++) J[j * N + n] = eigenmode([j + 1], [X[n]!]);
  const theta = Float64Array.from({ length: p }, () => rng.gauss());
  const nu = 0.05, lam = Array.from({ length: p }, (_, j) => ((j + 1) * Math.PI / 2) ** 2);
  const exact = theta.map((t, j) => -nu * lam[j]! * t);
  // f(x_n) = ν·u_xx(x_n), the rhs evaluated on the model.
  const f = new Float64Array(N);
  for (let n = 0; n < N; n++) { let s = 0; for (let j = 0; j < p; j++) s += exact[j]! * J[j * N + n]!; f[n] = s; }
  const sys: LsSystem = { N, p, blocks: [{ component: 0, offset: 0, size: p, J }] };
  return { sys, f, exact, rng };
}

test('the least-squares step on a linear-in-parameters model reproduces the exact θ̇ (PCG with Nyström and dense)', () => {
  const { sys, f, exact, rng } = heatModel(400, 12, 3);
  const F = applyJt(sys, f, 1);
  const spec = spectrum(sys, 12, rng);
  const mu = 1e-12 * spec.lambdaMax;
  const P = nystromPreconditioner(sys, 6, mu, 1);
  const pcg = solvePcg(sys, F, mu, { tol: 1e-12, maxIter: 200, P, x0: null });
  const dense = solveDense(sys, F, mu);
  for (const [name, x] of [['pcg', pcg.x], ['dense', dense.x]] as const) {
    for (let j = 0; j < exact.length; j++) assert.ok(Math.abs(x[j]! - exact[j]!) <= 1e-7 * Math.max(1, Math.abs(exact[j]!)), `${name}: θ̇_${j} = ${x[j]} vs exact ${exact[j]}`);
  }
  assert.ok(pcg.info.converged);
});

test('the CG path refuses μ = 0 with a clear error', () => {
  const { sys, f } = heatModel(50, 4, 1);
  assert.throws(() => solvePcg(sys, applyJt(sys, f, 1), 0, { tol: 1e-8, maxIter: 10, P: null, x0: null }), /μ > 0/);
});

test('Lanczos spectrum bounds lie inside the exact extreme eigenvalues of M', () => {
  const { sys, rng } = heatModel(300, 8, 5);
  // Exact M = JᵀJ/N, 8×8, eigenvalues by power / inverse-free bounds: compare against the Gershgorin-free trace bound.
  const s = spectrum(sys, 8, rng);
  let tr = 0;
  for (let j = 0; j < 8; j++) { let c = 0; for (let n = 0; n < sys.N; n++) c += sys.blocks[0]!.J[j * sys.N + n]! ** 2; tr += c / sys.N; }
  assert.ok(s.lambdaMax <= tr + 1e-12 && s.lambdaMax >= tr / 8, `λ_max ${s.lambdaMax}, trace ${tr}`);
  assert.ok(s.lambdaMin > 0 && s.cond >= 1 && Number.isFinite(s.cond));
});

test('RK4 and RK23 on θ̇ = Aθ match exp(tA)θ₀', () => {
  const A = new Float64Array([-1, 2, 0, -2, -0.5, 0.3, 0.1, 0, -0.2]); // column-major 3×3
  const g = (_t: number, y: Float64Array) => { const o = new Float64Array(3); for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) o[i] = o[i]! + A[j * 3 + i]! * y[j]!; return o; };
  const y0 = new Float64Array([1, -0.5, 0.25]);
  const E = expm(A, 3);
  const exact = new Float64Array(3); for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) exact[i] = exact[i]! + E[j * 3 + i]! * y0[j]!;
  let y: Float64Array = y0; for (let s = 0; s < 100; s++) y = rk4Step(g, s * 0.01, y, 0.01);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(y[i]! - exact[i]!) < 1e-8, `rk4 ${y[i]} vs ${exact[i]}`);
  let t = 0, z: Float64Array = y0, dt = 0.01, k1: Float64Array = g(0, y0);
  while (t < 1 - 1e-12) {
    const r = rk23Step(g, t, z, Math.min(dt, 1 - t), k1, { rtol: 1e-8, atol: 1e-10, dtMin: 1e-8, dtMax: 0.1 });
    t += r.dt; z = r.y; dt = r.dtNext; k1 = r.kLast;
  }
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(z[i]! - exact[i]!) < 1e-6, `rk23 ${z[i]} vs ${exact[i]}`);
});
