import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nnCommand } from '../../src/cli/commands/nn.ts';
import { testIO } from '../cli/io.ts';
import { scalingVerdict } from '../../src/experiments/nn/structured-scaling.ts';

test('strata nn layer prints shapes, counts, taxonomy and multipliers; --json is one document', async () => {
  const io = testIO(process.cwd());
  assert.equal(await nnCommand.run(['layer', '--struct', 'btt', '--in', '256', '--out', '1024', '--rank', '2'], io), 0);
  assert.match(io.stdout.text, /btt 256→1024 \[α=16 γ=16 \| φ=32 ε=32\] ρ=2/);
  assert.match(io.stdout.text, /params 49,152 \(dense 262,144, 0.188×\)/);
  const j = testIO(process.cwd());
  assert.equal(await nnCommand.run(['layer', '--struct', 'einsum', '--theta', '.5,.5,0,.5,.5,0,0', '--in', '64', '--out', '64', '--json'], j), 0);
  const doc = JSON.parse(j.stdout.text);
  assert.deepEqual([doc.taxonomy.omega, doc.taxonomy.psi, doc.taxonomy.nu], [0.5, 1, 0.5]);
  assert.equal(doc.factors.length, 2);
  assert.ok(doc.factors.every((f: { lrMultiplier: number }) => f.lrMultiplier > 0));
});

test('strata nn reports bad input as usage errors naming the flag', async () => {
  const io = testIO(process.cwd());
  await assert.rejects(nnCommand.run(['layer', '--struct', 'btt', '--in', '16'], io), /--in and --out are required/);
  await assert.rejects(nnCommand.run(['layer', '--struct', 'nope', '--in', '16', '--out', '16'], io), /unknown structure 'nope'; expected one of dense, lowrank/);
  await assert.rejects(nnCommand.run(['layer', '--struct', 'einsum', '--theta', '1,2', '--in', '16', '--out', '16'], io), /--theta: expected 7 comma-separated numbers/);
  await assert.rejects(nnCommand.run(['sweep', '--budget', 'huge'], io), /--budget: expected 'small', 'medium' or 'large'/);
  await assert.rejects(nnCommand.run(['sweep', '--task', 'moe', '--steps', '3'], io), /--steps applies to --task teacher only/);
  await assert.rejects(nnCommand.run(['frobnicate'], io), /unknown subcommand 'frobnicate'/);
});

test('strata nn sweep --task teacher --json runs a tiny sweep and returns the result document', async () => {
  const io = testIO(process.cwd());
  assert.equal(await nnCommand.run(['sweep', '--task', 'teacher', '--structs', 'dense,btt', '--steps', '3', '--json', '--quiet'], io), 0);
  const doc = JSON.parse(io.stdout.text);
  assert.equal(doc.task, 'teacher');
  // One seed, a 3-step sweep: the verdict is the pure function of the recorded metrics.
  const m = doc.metrics as Record<string, number>;
  assert.equal(doc.verdict, scalingVerdict({ slopes: { dense: [m.slope_dense!], btt: [m.slope_btt!] }, mseLargest: { dense: [m.mse_dense_largest!], btt: [m.mse_btt_largest!] } }).verdict);
  assert.deepEqual([...new Set(doc.tables[0].rows.map((r: unknown[]) => r[0]))], ['dense', 'btt']);
  assert.equal(io.stderr.text, '');
});
