/**
 * Reading one numeric column of a CSV file for `strata forecast`. Missing cells (empty, NA, NaN, null) follow an
 * explicit policy; anything else that is not a number is an error naming the row and the column.
 */
import { readFileSync } from 'node:fs';
import { ArgumentError, MissingResourceError } from '../core/index.ts';

/**
 * 'error' (default): a missing cell is an error. 'nan': keep it as NaN — the scaler ignores it and the serializer
 * writes LLMTime's missing string (the reference behaviour). 'interpolate': fill linearly between neighbours
 * (the nearest value at the ends).
 */
export type MissingPolicy = 'error' | 'nan' | 'interpolate';

const MISSING = new Set(['', 'na', 'nan', 'null', 'none', 'n/a']);

/** Split one CSV line, honouring double quotes ("a,b" is one field, "" is an escaped quote). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = '', quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(field); field = ''; }
    else field += c;
  }
  out.push(field);
  return out;
}

export interface CsvColumn {
  values: Float64Array;
  /** Number of cells that were missing (before the policy was applied). */
  missing: number;
  header: string[];
}

export function parseCsvColumn(text: string, column: string, options: { source?: string; missing?: MissingPolicy } = {}): CsvColumn {
  const source = options.source ?? 'CSV';
  const policy = options.missing ?? 'error';
  if (!['error', 'nan', 'interpolate'].includes(policy)) throw new ArgumentError(`readCsvColumn: missing must be 'error', 'nan' or 'interpolate', got '${policy}'`);
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim().length > 0);
  if (lines.length === 0) throw new ArgumentError(`${source} is empty; expected a header line and numeric rows`);
  const header = splitCsvLine(lines[0]!).map((h) => h.trim());
  const index = header.indexOf(column);
  if (index < 0) throw new ArgumentError(`${source} has no column '${column}'; its columns are ${header.map((h) => `'${h}'`).join(', ')}`);
  const values = new Float64Array(lines.length - 1);
  let missing = 0;
  for (let r = 1; r < lines.length; r++) {
    const cell = (splitCsvLine(lines[r]!)[index] ?? '').trim();
    if (MISSING.has(cell.toLowerCase())) {
      if (policy === 'error') {
        throw new ArgumentError(`${source}: row ${r + 1}, column '${column}' is missing ('${cell}'); pass --missing nan (LLMTime writes it as "Nan") or --missing interpolate`);
      }
      missing++;
      values[r - 1] = NaN;
      continue;
    }
    const v = Number(cell);
    if (!Number.isFinite(v) || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(cell)) {
      throw new ArgumentError(`${source}: row ${r + 1}, column '${column}' is '${cell}', not a number`);
    }
    values[r - 1] = v;
  }
  if (values.length === 0) throw new ArgumentError(`${source} has a header but no data rows`);
  if (missing === values.length) throw new ArgumentError(`${source}: every value of column '${column}' is missing`);
  if (policy === 'interpolate' && missing > 0) interpolateMissing(values);
  return { values, missing, header };
}

/** Fill NaN runs in place by linear interpolation between the finite neighbours (nearest value at the ends). */
export function interpolateMissing(v: Float64Array): void {
  let prev = -1;
  for (let i = 0; i <= v.length; i++) {
    if (i < v.length && Number.isNaN(v[i]!)) continue;
    for (let j = prev + 1; j < i; j++) {
      if (prev < 0) v[j] = v[i]!;
      else if (i === v.length) v[j] = v[prev]!;
      else v[j] = v[prev]! + ((v[i]! - v[prev]!) * (j - prev)) / (i - prev);
    }
    prev = i;
  }
}

export function readCsvColumn(path: string, column: string, options: { missing?: MissingPolicy } = {}): CsvColumn {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new MissingResourceError(`cannot read CSV file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  return parseCsvColumn(text, column, { source: path, missing: options.missing });
}
