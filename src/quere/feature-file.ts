/**
 * Feature files: JSON lines, a header then one raw record per item. Raw top-k lists are stored (not only features),
 * so `fit` and `evaluate` can re-read them under either reading with no model calls (replay mode). A file collected
 * with another battery is refused.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ArgumentError, MissingResourceError } from '../core/index.ts';
import { checkSameBattery, type Battery } from './battery.ts';
import type { RawRecord } from './features.ts';

export const FEATURE_FILE_FORMAT = 'strata-quere-features';

export interface FeatureFileHeader {
  format: typeof FEATURE_FILE_FORMAT;
  formatVersion: 1;
  battery: { version: string; fingerprint: string; questions: string[] };
  task: string;
  model: { provider: string; modelId: string; identity: string };
  systemPrompt: string | null;
  compat: 'default' | 'reference';
  createdAt: string;
}

export function writeFeatureFile(path: string, header: FeatureFileHeader, records: readonly RawRecord[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const lines = [JSON.stringify(header), ...records.map((r) => JSON.stringify(r))];
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** Read a feature file; with `battery`, refuse one collected with a different battery. */
export function readFeatureFile(path: string, battery?: Battery): { header: FeatureFileHeader; records: RawRecord[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new MissingResourceError(`readFeatureFile: cannot read ${path}; create it with 'strata quere collect'`, { cause: e });
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  let header: FeatureFileHeader;
  try {
    header = JSON.parse(lines[0] ?? '');
  } catch {
    throw new ArgumentError(`readFeatureFile: ${path} does not start with a JSON header line; not a QueRE feature file`);
  }
  if (header?.format !== FEATURE_FILE_FORMAT) throw new ArgumentError(`readFeatureFile: ${path} is not a QueRE feature file (format '${String(header?.format)}', expected '${FEATURE_FILE_FORMAT}')`);
  if (header.formatVersion !== 1) throw new ArgumentError(`readFeatureFile: ${path} has format version ${header.formatVersion}; this Strata reads version 1`);
  if (battery) checkSameBattery(`readFeatureFile(${path})`, battery, header.battery);
  const records = lines.slice(1).map((l, i) => {
    let r: RawRecord;
    try {
      r = JSON.parse(l);
    } catch {
      throw new ArgumentError(`readFeatureFile: ${path} line ${i + 2} is not valid JSON`);
    }
    if (typeof r?.correct !== 'boolean' || !Array.isArray(r.followUps) || !r.answer || !Array.isArray(r.pre) || !Array.isArray(r.post)) {
      throw new ArgumentError(`readFeatureFile: ${path} line ${i + 2} lacks fields of a raw record (correct, answer, pre, post, followUps)`);
    }
    if (r.followUps.length !== header.battery.questions.length) {
      throw new ArgumentError(`readFeatureFile: ${path} line ${i + 2} has ${r.followUps.length} follow-up answers; the header's battery has ${header.battery.questions.length}`);
    }
    return r;
  });
  return { header, records };
}
