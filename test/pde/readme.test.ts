import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

test('the README user-supplied PDE example runs as written and both solvers land near the exact solution', () => {
  const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
  const m = /<!-- pde-example -->\s*```ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(m, 'README has the pde example block');
  // `strata/<module>` is mapped to the sources, as the other README tests do (the exports point at dist/).
  const dir = mkdtempSync(resolve(root, 'test/pde/.readme-example-'));
  let out: string;
  try {
    writeFileSync(resolve(dir, 'example.ts'), m[1]!.replace(/'strata\/(\w+)'/g, (_, mod) => `'${resolve(root, 'src', mod, 'index.ts')}'`));
    out = execFileSync(process.execPath, ['--import', 'tsx', resolve(dir, 'example.ts')], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const r = /Neural IVP error (\S+) \((\d+) parameters\), grid error (\S+)/.exec(out);
  assert.ok(r, `unexpected output: ${out}`);
  assert.ok(Number(r[1]) < 2e-2, `Neural IVP error ${r[1]}`);
  assert.ok(Number(r[3]) < 1e-4, `grid error ${r[3]}`);
});
