import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('the README library example runs as written (with strata/* mapped to src/*)', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = readme.split('```ts\n')[1]?.split('```')[0];
  assert.ok(block, 'README has a ```ts example');
  const code = block.replace(/'strata\/(\w+)'/g, (_, m) => `'${join(root, 'src', m, 'index.ts')}'`) + '\nconsole.log(JSON.stringify({ loss: value.item() }));\n';
  const dir = mkdtempSync(join(root, 'node_modules', '.readme-'));
  const file = join(dir, 'example.ts');
  writeFileSync(file, code);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const { loss } = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.ok(Number.isFinite(loss) && loss > 0);
});
