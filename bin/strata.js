#!/usr/bin/env node
// Installed package: run the compiled CLI in dist/ with plain Node. Inside the repository (src/ present next to
// bin/ and tsx installed) run the TypeScript sources through tsx instead, so development needs no build step and
// never runs a stale dist/.
import { existsSync } from 'node:fs';

const sources = new URL('../src/cli/main.ts', import.meta.url);
let tsx = null;
if (existsSync(sources)) {
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    tsx = null;
  }
}
if (tsx) {
  tsx.register();
  await import(sources.href);
} else {
  await import('../dist/cli/main.js');
}
