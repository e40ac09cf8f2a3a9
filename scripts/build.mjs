#!/usr/bin/env node
// `npm run build`: compile src/ to ESM JavaScript + declaration files in dist/ (tsconfig.build.json; relative `.ts`
// imports are rewritten to `.js` by TypeScript's rewriteRelativeImportExtensions), then copy the non-TypeScript
// assets that the modules read next to themselves (e.g. src/quere/battery.json). dist/ mirrors src/ one-to-one, so
// a path like `new URL('../../models/…', import.meta.url)` reaches the package root from both trees.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });

const copied = [];
for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
  const from = join(entry.parentPath, entry.name);
  const to = join(dist, relative(src, from));
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to);
  copied.push(relative(root, from));
}
process.stdout.write(`build: dist/ compiled${copied.length ? `; copied ${copied.join(', ')}` : ''}\n`);
