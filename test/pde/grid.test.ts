import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solveGrid, gridCost, GridTooLarge, pdes, definePde } from '../../src/pde/index.ts';

test('the finite-difference grid converges on heat and advection (error falls ≥ 4× per halving of h)', () => {
  for (const [pde, tEnd, ns] of [[pdes.heat(1), 0.5, [9, 17, 33]], [pdes.advection(1), 0.5, [65, 129, 257]], [pdes.heat(2), 0.25, [9, 17]]] as const) {
    const errs = ns.map((n) => solveGrid(pde, tEnd, { n }).error!);
    for (let i = 1; i < errs.length; i++) assert.ok(errs[i]! * 4 <= errs[i - 1]!, `${pde.name}: errors ${errs.map((e) => e.toExponential(2)).join(', ')}`);
    assert.ok(errs[errs.length - 1]! < 1e-2, `${pde.name}: finest error ${errs[errs.length - 1]}`);
  }
});

test('the grid solves the 2-D wave system within 1% of the modal solution', () => {
  const g = solveGrid(pdes.wave2d(), 0.5, { n: 33 });
  assert.ok(g.error! < 1e-2, `wave2d error ${g.error}`);
});

test('the grid refuses, before allocating, a 6-D grid that needs more memory than allowed', () => {
  const c = gridCost(6, 65, 1);
  assert.equal(c.feasible, false);
  assert.ok(c.bytes > 2 ** 30 * 1000);
  assert.throws(() => solveGrid(pdes.heat(6), 0.1, { n: 65 }), (e: unknown) => e instanceof GridTooLarge && /GiB, above the limit/.test(e.message));
});

test('the grid takes the same user-supplied pointwise PDE (and rejects a bad u0 with a clear error)', () => {
  const heat = pdes.heat(1);
  const g = solveGrid(heat, 0.2, { n: 33 });
  const user = definePde({ name: 'my-heat', dim: 1, components: 1, uses: ['d2'], rhs: (_u, d) => [0.05 * d.d2[0]!], u0: heat.u0, exact: heat.exact });
  assert.ok(Math.abs(solveGrid(user, 0.2, { n: 33 }).error! - g.error!) < 1e-12);
  assert.throws(() => solveGrid(definePde({ ...user, u0: () => [NaN] }), 0.1, { n: 9 }), /u0 is NaN at x = \[/);
  assert.throws(() => solveGrid(user, 0.1, { n: 3 }), /n must be an integer ≥ 5/);
});
