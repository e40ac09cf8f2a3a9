import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pdeCommand } from '../../src/cli/commands/pde.ts';
import { ArgumentError } from '../../src/core/index.ts';

function io() {
  const out: string[] = [], err: string[] = [];
  return { io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, cwd: tmpdir() }, out, err };
}

test('strata pde solve --json prints one document with per-step diagnostics and writes the --plot SVGs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-pde-'));
  try {
    const { io: cio, out, err } = io();
    const plot = join(dir, 'heat.svg');
    const code = await pdeCommand.run(['solve', '--problem', 'heat1d', '--t-end', '0.1', '--dt', '0.05', '--points', '64', '--width', '6', '--fit-steps', '20', '--json', '--plot', plot], cio);
    assert.equal(code, 0, err.join(''));
    const doc = JSON.parse(out.join(''));
    assert.equal(doc.problem, 'heat1d');
    // Steps land on the snapshot times t_end·{¼, ½, ¾, 1}: four steps of 0.025 here.
    assert.equal(doc.steps.length, 4);
    assert.ok(doc.steps.every((s: { error: number; cgIterations: number }) => Number.isFinite(s.error) && s.cgIterations >= 1));
    assert.ok(doc.snapshots.length >= 2 && doc.snapshots[0].u.length === doc.snapshots[0].s.length);
    for (const f of [plot, join(dir, 'heat.cond.svg'), join(dir, 'heat.solution.svg')]) {
      assert.ok(existsSync(f), f);
      assert.match(readFileSync(f, 'utf8'), /^<svg/);
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('strata pde solve --method grid reports the grid error; bad usage is a usage error naming the flag', async () => {
  const { io: cio, out } = io();
  assert.equal(await pdeCommand.run(['solve', '--problem', 'advection1d', '--method', 'grid', '--grid-n', '65', '--t-end', '0.2', '-q'], cio), 0);
  assert.match(out.join(''), /advection1d grid n=65: 65 nodes, \d+ RK4 steps .* error at t=0.2: \d/);
  await assert.rejects(pdeCommand.run(['solve', '--problem', 'nope'], io().io), (e: unknown) => e instanceof ArgumentError && /unknown problem 'nope'.*advection2d/.test(e.message));
  await assert.rejects(pdeCommand.run(['solve'], io().io), /--problem is required/);
  await assert.rejects(pdeCommand.run(['solve', '--problem', 'heat1d', '--dt=0'], io().io), /--dt: expected a positive number/);
  await assert.rejects(pdeCommand.run(['solve', '--problem', 'heat1d', '--method', 'magic'], io().io), /--method: expected neural-ivp, ednn or grid/);
});
