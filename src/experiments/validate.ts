/**
 * Checks an experiment's returned result before the report trusts it. A malformed result (unknown verdict, series
 * whose x and y lengths differ, metrics that are not numbers or strings) is the experiment's failure, reported under
 * its name, rather than a broken chart or a crash in the report.
 */
import type { ExperimentResult } from './contract.ts';
import { RuntimeFailure } from '../core/errors.ts';

const verdicts = new Set(['reproduced', 'partly reproduced', 'not reproduced', 'inconclusive']);
const kinds = new Set(['line', 'scatter', 'bar']);

export function checkExperimentResult(experimentName: string, result: unknown): ExperimentResult {
  const fail = (what: string): never => {
    throw new RuntimeFailure(`experiment '${experimentName}' returned an invalid result: ${what}`);
  };
  if (typeof result !== 'object' || result === null) fail(`expected an object, got ${result === null ? 'null' : typeof result}`);
  const r = result as Partial<ExperimentResult>;
  if (typeof r.verdict !== 'string' || !verdicts.has(r.verdict)) {
    fail(`verdict must be one of reproduced, partly reproduced, not reproduced, inconclusive; got ${JSON.stringify(r.verdict)}`);
  }
  for (const key of ['summary', 'setup'] as const) {
    if (typeof r[key] !== 'string') fail(`${key} must be a string`);
  }
  for (const key of ['metrics', 'reference'] as const) {
    const record = r[key];
    if (typeof record !== 'object' || record === null || Array.isArray(record)) fail(`${key} must be an object`);
    for (const [name, value] of Object.entries(record as object)) {
      if (value !== null && typeof value !== 'number' && typeof value !== 'string') {
        fail(`${key}.${name} must be a number, string or null; got ${typeof value}`);
      }
    }
  }
  if (!Array.isArray(r.figures)) fail('figures must be an array');
  const ids = new Set<string>();
  for (const f of r.figures!) {
    if (typeof f.id !== 'string' || f.id.length === 0) fail('every figure needs a non-empty string id');
    if (ids.has(f.id)) fail(`two figures share the id '${f.id}'`);
    ids.add(f.id);
    if (!kinds.has(f.kind)) fail(`figure '${f.id}' has kind ${JSON.stringify(f.kind)}, expected line, scatter or bar`);
    if (!Array.isArray(f.series)) fail(`figure '${f.id}' series must be an array`);
    for (const s of f.series) {
      if (!Array.isArray(s.x) || !Array.isArray(s.y) || s.x.length !== s.y.length) {
        fail(`figure '${f.id}' series '${s.name}' needs x and y arrays of equal length`);
      }
      if (s.band && (!Array.isArray(s.band.lo) || !Array.isArray(s.band.hi) || s.band.lo.length !== s.x.length || s.band.hi.length !== s.x.length)) {
        fail(`figure '${f.id}' series '${s.name}' band needs lo and hi arrays as long as x`);
      }
    }
  }
  if (!Array.isArray(r.tables)) fail('tables must be an array');
  for (const t of r.tables!) {
    if (!Array.isArray(t.columns) || !Array.isArray(t.rows)) fail(`table '${t.title}' needs columns and rows arrays`);
    for (const row of t.rows) {
      if (!Array.isArray(row) || row.length !== t.columns.length) {
        fail(`table '${t.title}' has a row with ${Array.isArray(row) ? row.length : 'no'} cells, expected ${t.columns.length}`);
      }
    }
  }
  return r as ExperimentResult;
}
