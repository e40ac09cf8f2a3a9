/** Writes `index.html` and `results.json` for one demo run into a folder (created if missing). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DemoResults } from '../experiments/index.ts';
import { renderReport } from './html.ts';

export interface WrittenReport {
  dir: string;
  html: string;
  json: string;
}

export function writeReport(dir: string, results: DemoResults): WrittenReport {
  const outDir = resolve(dir);
  mkdirSync(outDir, { recursive: true });
  const html = join(outDir, 'index.html');
  const json = join(outDir, 'results.json');
  writeFileSync(json, JSON.stringify(results, null, 2) + '\n');
  writeFileSync(html, renderReport(results));
  return { dir: outDir, html, json };
}
