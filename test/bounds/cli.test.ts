import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/run.ts';

function io(cwd: string) {
  let out = '', err = '';
  return { io: { stdout: { write: (s: string) => { out += s; } }, stderr: { write: (s: string) => { err += s; } }, cwd }, out: () => out, err: () => err };
}

const dir = mkdtempSync(join(tmpdir(), 'strata-bounds-cli-'));
const lines: string[] = [];
for (let i = 0; i < 120; i++) lines.push(`Fortune number ${i}: the ${['cat', 'dog', 'bird'][i % 3]} sits ${['here', 'there'][i % 2]}.`, '%');
writeFileSync(join(dir, 'tiny.txt'), lines.join('\n'));

test('strata bounds run --json trains, bounds, saves; evaluate reloads the model and resumes from the SQLite cache', async () => {
  const a = io(dir);
  const code = await runCli(['bounds', 'run', '--data', 'tiny.txt', '--dims', '16', '--steps', '3', '--n', '30', '--save-dir', 'models', '--cache', 'c.sqlite', '--json', '--quiet'], a.io);
  assert.equal(code, 0, a.err());
  const doc = JSON.parse(a.out());
  assert.equal(doc.variants.length, 1);
  const v = doc.variants[0];
  assert.equal(v.m, 108);
  assert.ok(v.top1.bound >= v.top1.heldOut);
  assert.equal(v.coordinates, 16);
  const b = io(dir);
  assert.equal(await runCli(['bounds', 'evaluate', '--model', 'models/bounds-d16.safetensors', '--data', 'tiny.txt', '--n', '30', '--cache', 'c.sqlite', '--json', '--quiet'], b.io), 0, b.err());
  const e = JSON.parse(b.out());
  assert.equal(e.evaluated, 0, 'every document came from the cache');
  assert.equal(e.top1.bound, v.top1.bound);
});

test('strata bounds reports usage errors with exit 2 naming the flag', async () => {
  for (const [args, pattern] of [
    [['bounds', 'run', '--data', 'tiny.txt', '--dims', '99999', '--no-cache'], /--dims: d = 99999 exceeds/],
    [['bounds', 'run', '--data', 'tiny.txt', '--n', '5000', '--no-cache'], /--n: 5000 exceeds the 108 training documents/],
    [['bounds', 'run', '--data', 'missing.txt', '--no-cache'], /--data: file .*missing\.txt does not exist/],
    [['bounds', 'evaluate', '--no-cache'], /--model <file.safetensors> is required/],
    [['bounds', 'frobnicate'], /unknown subcommand 'frobnicate'/],
  ] as const) {
    const c = io(dir);
    // A missing file is a failure (exit 1), not a usage error; the rest are usage errors (exit 2).
    const expected = /does not exist/.test(pattern.source) ? 1 : 2;
    assert.equal(await runCli([...args], c.io), expected, `${args.join(' ')}: ${c.err()}`);
    assert.match(c.err(), pattern);
  }
});

test('strata bounds --help shows examples', async () => {
  const c = io(dir);
  assert.equal(await runCli(['bounds', '--help'], c.io), 0);
  assert.match(c.out(), /strata bounds run --data \.\.\/shared\/data\/fortunes\.txt --dims 250,500,1000 --levels 11 --n 2000/);
});
