import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffusionCommand } from '../../src/cli/commands/diffusion.ts';
import { testIO } from '../cli/io.ts';

test('strata diffusion event: conditioned AR(1) samples land in the event; --json is one document', async () => {
  const io = testIO(process.cwd());
  const code = await diffusionCommand.run(['event', '--event', 'mean', '--threshold', '1', '--length', '8', '--rho', '0.8', '--n', '200', '--sampler-steps', '200', '--json', '--quiet'], io);
  assert.equal(code, 0);
  const doc = JSON.parse(io.stdout.text);
  assert.ok(doc.fractionInEvent >= 0.98, `fraction ${doc.fractionInEvent}`);
  assert.ok(doc.exactLogP < 0);
  assert.equal(io.stderr.text, '');
});

test('strata diffusion train → sample round trip through a checkpoint, with samples written to a file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-diffusion-'));
  try {
    const io = testIO(dir);
    assert.equal(await diffusionCommand.run(['train', '--system', 'sho', '--trajectories', '64', '--frames', '8', '--steps', '40', '--out', 'sho.safetensors', '--json', '--quiet'], io), 0);
    const trained = JSON.parse(io.stdout.text);
    assert.equal(trained.steps, 40);
    const io2 = testIO(dir);
    assert.equal(await diffusionCommand.run(['sample', '--model', 'sho.safetensors', '--n', '5', '--sampler-steps', '20', '--spike', '0', '--samples-out', 's.json', '--json', '--quiet'], io2), 0);
    const doc = JSON.parse(io2.stdout.text);
    assert.equal(doc.system, 'sho');
    const samples = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'));
    assert.equal(samples.samples.length, 5);
    assert.equal(samples.samples[0].length, 8);
    assert.equal(samples.samples[0][0].length, 2);
    assert.ok(samples.samples.flat(2).every(Number.isFinite));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('strata diffusion: bad arguments are usage errors naming the flag', async () => {
  const io = testIO(process.cwd());
  await assert.rejects(diffusionCommand.run(['event', '--event', 'spike'], io), /--event: expected mean or max/);
  await assert.rejects(diffusionCommand.run(['event', '--rho', '1.5'], io), /--rho/);
  await assert.rejects(diffusionCommand.run(['event', '--n', '0'], io), /--n: expected an integer/);
  await assert.rejects(diffusionCommand.run(['train', '--system', 'sho'], io), /--out <file> is required/);
  await assert.rejects(diffusionCommand.run(['train', '--system', 'weather', '--out', 'x'], io), /--system must be one of/);
  await assert.rejects(diffusionCommand.run(['sample', '--model', '/nonexistent/m.safetensors'], io), /no such file/);
  await assert.rejects(diffusionCommand.run(['fly'], io), /unknown diffusion subcommand/);
});
