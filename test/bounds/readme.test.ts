import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('the README computeBound example runs as written (with strata/* mapped to src/*) and prints a bound', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.split('### Compression bounds: `computeBound`')[1];
  assert.ok(section, 'README has the computeBound section');
  const block = section.split('```ts\n')[1]?.split('```')[0];
  assert.ok(block, 'the section has a ```ts example');
  const code = block.replace(/'strata\/(\w+)'/g, (_, m) => `'${join(root, 'src', m, 'index.ts')}'`);
  const dir = mkdtempSync(join(root, 'node_modules', '.readme-bounds-'));
  const file = join(dir, 'example.mts');
  writeFileSync(file, code);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const m = /K = (\d+) bits; top-1 error ≤ ([\d.]+) \(empirical ([\d.]+), random guess ([\d.]+), vacuous: (true|false)\)/.exec(r.stdout);
  assert.ok(m, r.stdout);
  assert.ok(Number(m[1]) > 64 && Number(m[2]) > Number(m[3]));
  assert.equal(m[5] === 'true', Number(m[2]) >= Number(m[4]));
});
