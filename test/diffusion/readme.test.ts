import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logNdtr } from '../../src/diffusion/index.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('the README diffusion example runs as written and its estimate is near the exact log P(E)', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = readme.split('```ts\n// diffusion example\n')[1]?.split('```')[0];
  assert.ok(block, 'README has the diffusion example');
  const code = block.replace(/'strata\/(\w+)'/g, (_, m) => `'${join(root, 'src', m, 'index.ts')}'`).replace('console.log({ inside, logP, stderr });', 'console.log(JSON.stringify({ inside, logP, stderr }));');
  const dir = mkdtempSync(join(root, 'node_modules', '.readme-diffusion-'));
  try {
    const file = join(dir, 'example.ts');
    writeFileSync(file, code);
    const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    let s = 0;
    for (let i = 0; i < 16; i++) for (let j = 0; j < 16; j++) s += 0.8 ** Math.abs(i - j);
    const exact = logNdtr(-1 / Math.sqrt(s / 256));
    assert.ok(out.inside >= 0.98, `inside ${out.inside}`);
    assert.ok(Math.abs(out.logP - exact) < 0.15, `log P̂ ${out.logP} ± ${out.stderr} vs exact ${exact}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
