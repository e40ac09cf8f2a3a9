import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/run.ts';
import { testIO } from './io.ts';

test('a missing input file exits 1 with the cause in words, not as a usage error', async () => {
  const io = testIO(process.cwd());
  const code = await runCli(['forecast', '--csv', '/nonexistent/series.csv', '--column', 'y', '--horizon', '3'], io);
  assert.equal(code, 1);
  assert.match(io.stderr.text, /cannot read CSV file \/nonexistent\/series\.csv: no such file/);
  assert.doesNotMatch(io.stderr.text, /--help' for usage|ENOENT/);
});

test('forecast score with values near the float64 limit is an error, never NaN with exit 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-score-'));
  try {
    writeFileSync(join(dir, 'big.json'), JSON.stringify({ truth: [1e308, 1e308], samples: [[1e308, -1e308], [1e308, 1e308]] }));
    const io = testIO(dir);
    const code = await runCli(['forecast', 'score', '--input', 'big.json'], io);
    assert.notEqual(code, 0);
    assert.doesNotMatch(io.stdout.text, /NaN/);
    assert.match(io.stderr.text, /not finite .*overflow/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
