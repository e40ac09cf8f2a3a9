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

test('strata complexity compress --data FILE --json measures real, shuffled and random bits per byte', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-complexity-'));
  writeFileSync(join(dir, 'text.txt'), 'The quick brown fox jumps over the lazy dog. '.repeat(400));
  const c = io(dir);
  assert.equal(await runCli(['complexity', 'compress', '--data', 'text.txt', '--json', '--quiet'], c.io), 0, c.err());
  const doc = JSON.parse(c.out());
  assert.equal(doc.bytes, 18000);
  assert.ok(doc.bitsPerByte.gzip[0] < doc.bitsPerByte.gzip[1] && doc.bitsPerByte.brotli[0] < doc.bitsPerByte.brotli[1]);
  assert.ok(doc.bitsPerByte.brotli[2] > Math.log2(doc.alphabet) - 0.1);
});

test('strata complexity: usage errors exit 2 and name the problem', async () => {
  const c = io(tmpdir());
  assert.equal(await runCli(['complexity', 'compress', '--data', 'no-such-file.txt'], c.io), 1); // a missing file is not a usage error (exit 1)
  assert.match(c.err(), /no-such-file\.txt does not exist/);
  const d = io(tmpdir());
  assert.equal(await runCli(['complexity', 'expressions'], d.io), 2);
  assert.match(d.err(), /unknown subcommand 'expressions'/);
});

test('strata complexity poly --quick --json prints the checks table', async () => {
  const c = io(tmpdir());
  assert.equal(await runCli(['complexity', 'poly', '--quick', '--json', '--quiet', '--seed', '2'], c.io), 0, c.err());
  const doc = JSON.parse(c.out());
  assert.equal(doc.experiment, 'complexity-polynomial');
  assert.equal(doc.tables[0].rows.length, 21);
});
