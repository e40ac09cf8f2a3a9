/**
 * Reading forecasting series from CSV files the way forecasters store them (pandas, Darts, Nixtla): parsed by
 * `csv-parse` (quotes, quoted newlines, any one-character delimiter, headerless files), with a time column that is
 * parsed, sorted by and checked for regular spacing, and optionally a series-id column for Nixtla's long format
 * (`unique_id, ds, y`). Missing cells and gaps in the time index follow an explicit policy; anything else that is
 * not a number is an error naming the row and the column.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { ArgumentError, MissingResourceError } from '../core/index.ts';

/**
 * 'error' (default): a missing cell or a gap in the time index is an error. 'nan': keep it as NaN — the scaler
 * ignores it and the serializer writes LLMTime's missing string (the reference behaviour). 'interpolate': fill
 * linearly between neighbours (the nearest value at the ends).
 */
export type MissingPolicy = 'error' | 'nan' | 'interpolate';

const MISSING = new Set(['', 'na', 'nan', 'null', 'none', 'n/a']);
const POLICIES: readonly MissingPolicy[] = ['error', 'nan', 'interpolate'];
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** How the time column is written, so future timestamps are printed the same way. */
export type TimeFormat = 'year-month' | 'date' | 'datetime' | 'number';

/**
 * The regular step of a time index: a fixed duration (days, hours, … in milliseconds), a number of calendar months
 * (monthly, quarterly, yearly data; `monthEnd` when every stamp is the last day of its month, pandas' 'M'/'ME'), or
 * a numeric step for a numeric time column.
 */
export type TimeStep = { unit: 'ms'; size: number } | { unit: 'month'; size: number; monthEnd: boolean } | { unit: 'number'; size: number };

export interface TimeIndex {
  column: string;
  format: TimeFormat;
  step: TimeStep;
  /** Human-readable step, e.g. "1 month", "7 days", "1 hour", "0.5". */
  stepLabel: string;
}

export interface CsvSeries {
  /** The series id (the `--id-column` value), or null for a single-series file. */
  id: string | null;
  values: Float64Array;
  /** The time stamps of `values` as written by `formatTime`, or null without a time column. */
  times: string[] | null;
  /** Cells that were missing, plus rows inserted for gaps in the time index (before the policy was applied). */
  missing: number;
  /** Rows inserted for gaps in the time index (counted in `missing` too). */
  gaps: number;
  /** Whether the rows were not in time order in the file (they are sorted now). */
  resorted: boolean;
  /** Raw time values (ms since the epoch for dates, the number itself otherwise), for computing future stamps. */
  timeValues: number[] | null;
}

export interface CsvTable {
  /** Column names: the header, or "1", "2", … for a headerless file. */
  header: string[];
  column: string;
  time: TimeIndex | null;
  idColumn: string | null;
  series: CsvSeries[];
  /** The delimiter that was used (given or detected). */
  delimiter: string;
}

export interface CsvReadOptions {
  /** Name of the value column (or its 1-based number in a headerless file). */
  column: string;
  /** Shown in error messages (default "CSV"). */
  source?: string;
  missing?: MissingPolicy;
  /** One character; default: detected from the first line among `,` `;` tab `|`. */
  delimiter?: string;
  /** Whether the first line is a header (default true). Without one, columns are named "1", "2", …. */
  header?: boolean;
  /** The time column's name; default: the one column whose every cell parses as a date; 'none' for no time column. */
  timeColumn?: string;
  /** Nixtla long format: the column naming each row's series; each series is read separately. */
  idColumn?: string;
}

export interface CsvColumn {
  values: Float64Array;
  /** Number of cells that were missing (before the policy was applied). */
  missing: number;
  header: string[];
}

// ISO 8601 dates as pandas writes them: 1949-01, 1949-01-31, 1949/01/31, 2020-01-01 12:00[:00[.000]][Z|±hh:mm].
const YEAR_MONTH = /^(\d{4})[-/](\d{1,2})$/;
const DATE = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Parse one time cell to ms since the epoch (UTC for stamps without an offset), or null if it is not a date. */
export function parseTimeCell(cell: string): { ms: number; format: Exclude<TimeFormat, 'number'> } | null {
  let m = YEAR_MONTH.exec(cell);
  if (m) {
    const month = Number(m[2]);
    return month >= 1 && month <= 12 ? { ms: Date.UTC(Number(m[1]), month - 1, 1), format: 'year-month' } : null;
  }
  m = DATE.exec(cell);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const ms = Date.UTC(y, mo - 1, d);
    const back = new Date(ms);
    // Reject 2021-02-30 and friends instead of letting Date roll them over.
    return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d ? { ms, format: 'date' } : null;
  }
  m = DATETIME.exec(cell);
  if (m) {
    const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${m[7] ? `.${m[7].slice(0, 3).padEnd(3, '0')}` : ''}${m[8] ? (m[8] === 'Z' ? 'Z' : m[8].length === 5 ? `${m[8].slice(0, 3)}:${m[8].slice(3)}` : m[8]) : 'Z'}`;
    const ms = Date.parse(iso);
    return Number.isFinite(ms) ? { ms, format: 'datetime' } : null;
  }
  return null;
}

/** Write a time value in the column's format (UTC). */
export function formatTime(value: number, format: TimeFormat): string {
  if (format === 'number') return String(value);
  const iso = new Date(value).toISOString();
  if (format === 'year-month') return iso.slice(0, 7);
  if (format === 'date') return iso.slice(0, 10);
  return iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso;
}

function addMonths(ms: number, months: number, monthEnd: boolean): number {
  const d = new Date(ms);
  const timeOfDay = ms - Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
  const [y, mo] = [Math.floor(total / 12), ((total % 12) + 12) % 12];
  const day = monthEnd ? new Date(Date.UTC(y, mo + 1, 0)).getUTCDate() : d.getUTCDate();
  return Date.UTC(y, mo, day) + timeOfDay;
}

/** The time value `k` steps after `t`. */
export function stepTime(t: number, step: TimeStep, k: number): number {
  if (step.unit === 'month') return addMonths(t, step.size * k, step.monthEnd);
  return t + step.size * k;
}

/** The `horizon` time stamps after the last one, formatted like the column. */
export function futureTimes(index: TimeIndex, last: number, horizon: number): string[] {
  return Array.from({ length: horizon }, (_, k) => formatTime(stepTime(last, index.step, k + 1), index.format));
}

function isLastDayOfMonth(ms: number): boolean {
  const d = new Date(ms);
  return new Date(ms + 86_400_000).getUTCMonth() !== d.getUTCMonth();
}

function monthIndex(ms: number): number {
  const d = new Date(ms);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

const DURATIONS: [number, string][] = [[604_800_000, 'week'], [86_400_000, 'day'], [3_600_000, 'hour'], [60_000, 'minute'], [1000, 'second'], [1, 'millisecond']];

function durationLabel(ms: number): string {
  for (const [unit, name] of DURATIONS) if (ms % unit === 0) return `${ms / unit} ${name}${ms / unit === 1 ? '' : 's'}`;
  return `${ms} ms`;
}

/**
 * The regular step of sorted, distinct time values: calendar months when every stamp falls on the same day of the
 * month (or on month ends) and the smallest difference is ≥ 28 days; otherwise the smallest difference. Every
 * difference must then be a whole number of steps (more than one = a gap).
 */
export function inferStep(sorted: readonly number[], format: TimeFormat, column: string, source: string): { step: TimeStep; label: string } {
  if (sorted.length < 2) throw new ArgumentError(`${source}: the time column '${column}' has ${sorted.length} value; need at least 2 to infer the spacing`);
  let minDiff = Infinity;
  for (let i = 1; i < sorted.length; i++) minDiff = Math.min(minDiff, sorted[i]! - sorted[i - 1]!);
  if (format === 'number') return { step: { unit: 'number', size: minDiff }, label: String(minDiff) };
  if (minDiff >= 28 * 86_400_000) {
    const days = sorted.map((t) => new Date(t).getUTCDate());
    const timeOfDay = sorted.map((t) => t % 86_400_000);
    const sameTime = timeOfDay.every((t) => t === timeOfDay[0]);
    const monthEnd = sameTime && sorted.every(isLastDayOfMonth) && days.some((d) => d !== days[0]);
    if (sameTime && (monthEnd || days.every((d) => d === days[0]))) {
      let months = Infinity;
      for (let i = 1; i < sorted.length; i++) months = Math.min(months, monthIndex(sorted[i]!) - monthIndex(sorted[i - 1]!));
      const label = months % 12 === 0 ? `${months / 12} year${months === 12 ? '' : 's'}` : months % 3 === 0 ? `${months / 3} quarter${months === 3 ? '' : 's'}` : `${months} month${months === 1 ? '' : 's'}`;
      return { step: { unit: 'month', size: months, monthEnd }, label: label + (monthEnd ? ' (month ends)' : '') };
    }
  }
  return { step: { unit: 'ms', size: minDiff }, label: durationLabel(minDiff) };
}

/** Number of steps from `a` to `b` (a < b), or NaN when `b` is not a whole number of steps after `a`. */
function stepsBetween(a: number, b: number, step: TimeStep): number {
  if (step.unit === 'month') {
    const k = (monthIndex(b) - monthIndex(a)) / step.size;
    return Number.isInteger(k) && stepTime(a, step, k) === b ? k : NaN;
  }
  const k = (b - a) / step.size;
  const r = Math.round(k);
  return Math.abs(k - r) < 1e-9 * Math.max(1, r) ? r : NaN;
}

function sniffDelimiter(text: string): string {
  // Count candidates on the first line outside double quotes; a comma wins ties (it is the default).
  const first = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const counts = new Map<string, number>([[',', 0], [';', 0], ['\t', 0], ['|', 0]]);
  let quoted = false;
  for (const c of first) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && counts.has(c)) counts.set(c, counts.get(c)! + 1);
  }
  let best = ',';
  for (const [c, n] of counts) if (n > counts.get(best)!) best = c;
  return best;
}

function describeDelimiter(d: string): string {
  return d === '\t' ? 'tab' : `'${d}'`;
}

function parseRows(text: string, delimiter: string, source: string): string[][] {
  try {
    return parse(text, { delimiter, bom: true, skip_empty_lines: true, trim: true, relax_column_count: false }) as string[][];
  } catch (e) {
    const err = e as Error & { code?: string; lines?: number };
    throw new ArgumentError(`${source} is not valid CSV with delimiter ${describeDelimiter(delimiter)}: ${err.message} (pass --delimiter if the file uses another separator)`, { cause: e });
  }
}

function findColumn(header: string[], name: string, flag: string, source: string, headerless: boolean): number {
  let index = header.indexOf(name);
  if (index < 0 && headerless && /^\d+$/.test(name)) index = Number(name) - 1;
  if (index < 0 || index >= header.length) {
    throw new ArgumentError(headerless
      ? `${source}: ${flag} '${name}' is not a column number from 1 to ${header.length} (the file has no header line)`
      : `${source} has no column '${name}'; its columns are ${header.map((h) => `'${h}'`).join(', ')} (${flag})`);
  }
  return index;
}

function parseValue(cell: string, row: number, column: string, source: string, policy: MissingPolicy): number {
  if (MISSING.has(cell.toLowerCase())) {
    if (policy === 'error') {
      throw new ArgumentError(`${source}: row ${row}, column '${column}' is missing ('${cell}'); pass --missing nan (LLMTime writes it as "Nan") or --missing interpolate`);
    }
    return NaN;
  }
  const v = Number(cell);
  if (!Number.isFinite(v) || !NUMBER.test(cell)) throw new ArgumentError(`${source}: row ${row}, column '${column}' is '${cell}', not a number`);
  return v;
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

/** Pick the time column: the given one, none, or the one column (besides value and id) whose cells all parse as dates. */
function chooseTimeColumn(header: string[], body: string[][], options: CsvReadOptions, exclude: number[], source: string, headerless: boolean): number | null {
  if (options.timeColumn === 'none') return null;
  if (options.timeColumn !== undefined) return findColumn(header, options.timeColumn, '--time-column', source, headerless);
  const candidates = header.map((_, c) => c).filter((c) => !exclude.includes(c) && body.every((r) => parseTimeCell(r[c]!) !== null));
  if (candidates.length > 1) {
    throw new ArgumentError(`${source}: columns ${candidates.map((c) => `'${header[c]}'`).join(' and ')} all parse as dates; pass --time-column NAME (or --time-column none)`);
  }
  return candidates[0] ?? null;
}

interface Row { time: number; value: number; line: number }

function buildSeries(id: string | null, rows: Row[], time: { column: string; format: TimeFormat; step: TimeStep } | null, policy: MissingPolicy, source: string, column: string): CsvSeries {
  const what = id === null ? source : `${source}, series '${id}'`;
  let resorted = false;
  let gaps = 0;
  let values: Float64Array;
  let timeValues: number[] | null = null;
  if (time) {
    for (let i = 1; i < rows.length && !resorted; i++) if (rows[i]!.time < rows[i - 1]!.time) resorted = true;
    const sorted = [...rows].sort((a, b) => a.time - b.time);
    const out: number[] = [sorted[0]!.value];
    timeValues = [sorted[0]!.time];
    for (let i = 1; i < sorted.length; i++) {
      const [a, b] = [sorted[i - 1]!, sorted[i]!];
      if (a.time === b.time) {
        throw new ArgumentError(`${what}: rows ${a.line} and ${b.line} have the same time ${formatTime(a.time, time.format)} in '${time.column}'${id === null ? '; if the file holds several series (long format), pass --id-column NAME' : ''}`);
      }
      const k = stepsBetween(a.time, b.time, time.step);
      if (!Number.isFinite(k)) {
        throw new ArgumentError(`${what}: '${time.column}' is not regularly spaced: ${formatTime(a.time, time.format)} → ${formatTime(b.time, time.format)} (rows ${a.line}, ${b.line}) is not a whole number of the step ${time.format === 'number' ? time.step.size : ''}`.trimEnd());
      }
      if (k > 1) {
        if (policy === 'error') {
          throw new ArgumentError(`${what}: ${k - 1} time step${k > 2 ? 's are' : ' is'} missing between ${formatTime(a.time, time.format)} and ${formatTime(b.time, time.format)} in '${time.column}' (rows ${a.line}, ${b.line}); pass --missing nan or --missing interpolate to fill ${k > 2 ? 'them' : 'it'}`);
        }
        for (let j = 1; j < k; j++) { out.push(NaN); timeValues.push(stepTime(a.time, time.step, j)); gaps++; }
      }
      out.push(b.value);
      timeValues.push(b.time);
    }
    values = Float64Array.from(out);
  } else {
    values = Float64Array.from(rows, (r) => r.value);
  }
  let missing = 0;
  for (const v of values) if (Number.isNaN(v)) missing++;
  if (values.length === 0) throw new ArgumentError(`${what} has a header but no data rows`);
  if (missing === values.length) throw new ArgumentError(`${what}: every value of column '${column}' is missing`);
  if (policy === 'interpolate' && missing > 0) interpolateMissing(values);
  return { id, values, missing, gaps, resorted, timeValues, times: time && timeValues ? timeValues.map((t) => formatTime(t, time.format)) : null };
}

/** Parse a CSV text into one series per id (one series without `idColumn`), sorted and regularly spaced in time. */
export function parseCsvSeries(text: string, options: CsvReadOptions): CsvTable {
  const source = options.source ?? 'CSV';
  const policy = options.missing ?? 'error';
  if (!POLICIES.includes(policy)) throw new ArgumentError(`--missing: expected error, nan or interpolate, got '${policy}'`);
  if (options.delimiter !== undefined && [...options.delimiter].length !== 1) {
    throw new ArgumentError(`--delimiter: expected one character (e.g. ';', or 'tab' / '\\t'), got '${options.delimiter}'`);
  }
  const delimiter = options.delimiter ?? sniffDelimiter(text);
  const records = parseRows(text, delimiter, source);
  const headerless = options.header === false;
  if (records.length === 0) throw new ArgumentError(`${source} is empty; expected ${headerless ? 'numeric rows' : 'a header line and numeric rows'}`);
  const header = headerless ? records[0]!.map((_, i) => String(i + 1)) : records[0]!;
  const body = headerless ? records : records.slice(1);
  const firstLine = headerless ? 1 : 2;
  const valueIndex = findColumn(header, options.column, '--column', source, headerless);
  const column = header[valueIndex]!;
  const idIndex = options.idColumn !== undefined ? findColumn(header, options.idColumn, '--id-column', source, headerless) : null;
  if (idIndex === null && !headerless && header.includes('unique_id')) {
    throw new ArgumentError(`${source} looks like Nixtla's long format (a 'unique_id' column); pass --id-column unique_id to forecast each series, or select one series first`);
  }
  if (body.length === 0) throw new ArgumentError(`${source} has a header but no data rows`);
  const timeIndex = chooseTimeColumn(header, body, options, [valueIndex, ...(idIndex === null ? [] : [idIndex])], source, headerless);

  let time: { column: string; format: TimeFormat; step: TimeStep } | null = null;
  const rowTimes: number[] = [];
  if (timeIndex !== null) {
    const timeColumn = header[timeIndex]!;
    let format: TimeFormat | null = null;
    body.forEach((r, i) => {
      const cell = r[timeIndex]!;
      const parsed = parseTimeCell(cell);
      const f: TimeFormat | null = parsed ? parsed.format : NUMBER.test(cell) ? 'number' : null;
      if (f === null) throw new ArgumentError(`${source}: row ${i + firstLine}, time column '${timeColumn}' is '${cell}', not a date (YYYY-MM, YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS]) or a number`);
      if (format !== null && f !== format) throw new ArgumentError(`${source}: row ${i + firstLine}, time column '${timeColumn}' is '${cell}', written differently from the rows above (${format})`);
      format = f;
      rowTimes.push(parsed ? parsed.ms : Number(cell));
    });
    time = { column: timeColumn, format: format!, step: { unit: 'number', size: 1 } };
  }

  // Group rows by id in order of first appearance.
  const groups = new Map<string | null, Row[]>();
  body.forEach((r, i) => {
    const id = idIndex === null ? null : r[idIndex]!;
    if (id !== null && id === '') throw new ArgumentError(`${source}: row ${i + firstLine}, id column '${header[idIndex!]}' is empty`);
    const row = { time: rowTimes[i] ?? i, value: parseValue(r[valueIndex]!, i + firstLine, column, source, policy), line: i + firstLine };
    const list = groups.get(id);
    if (list) list.push(row); else groups.set(id, [row]);
  });

  let index: TimeIndex | null = null;
  if (time) {
    // One step for the whole file, inferred from the series with the most rows (long formats share a frequency).
    let longest: Row[] = [];
    for (const rows of groups.values()) if (rows.length > longest.length) longest = rows;
    const distinct = [...new Set(longest.map((r) => r.time))].sort((a, b) => a - b);
    // Repeated stamps are reported by buildSeries (with the rows); infer the step from at least two distinct ones.
    if (distinct.length < 2 && longest.length >= 2) buildSeries(null, longest, { ...time, step: { unit: 'number', size: 1 } }, policy, source, column);
    const { step, label } = inferStep(distinct, time.format, time.column, source);
    time.step = step;
    index = { column: time.column, format: time.format, step, stepLabel: label };
  }
  const series = [...groups].map(([id, rows]) => buildSeries(id, rows, time, policy, source, column));
  return { header, column, time: index, idColumn: idIndex === null ? null : header[idIndex]!, series, delimiter };
}

export function readCsvSeries(path: string, options: Omit<CsvReadOptions, 'source'>): CsvTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new MissingResourceError(`cannot read CSV file ${path}: ${describeFsError(e)}`, { cause: e });
  }
  return parseCsvSeries(text, { ...options, source: path });
}

/** One numeric column in file order (no time column, no ids): the simple reader the experiments use. */
export function parseCsvColumn(text: string, column: string, options: { source?: string; missing?: MissingPolicy; delimiter?: string } = {}): CsvColumn {
  const table = parseCsvSeries(text, { column, source: options.source, missing: options.missing, delimiter: options.delimiter, timeColumn: 'none' });
  const only = table.series[0]!;
  return { values: only.values, missing: only.missing, header: table.header };
}

export function readCsvColumn(path: string, column: string, options: { missing?: MissingPolicy } = {}): CsvColumn {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new MissingResourceError(`cannot read CSV file ${path}: ${describeFsError(e)}`, { cause: e });
  }
  return parseCsvColumn(text, column, { source: path, missing: options.missing });
}

/** An fs error as words ("no such file", "permission denied") instead of a bare code. */
function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const words: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'it is a directory', ENOTDIR: 'a parent is not a directory' };
  return code && words[code] ? words[code]! : (e as Error).message;
}
