/**
 * Loaders for the QueRE datasets in `../shared/data/quere/` (spec quere.md §6). Each line is checked; a missing or
 * mistyped field is an error naming the file, the line and the field.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError, MissingResourceError } from '../core/index.ts';

export interface BoolqItem { id: string; question: string; passage: string; answer: boolean }
export interface CsqaItem { id: string; stem: string; choices: string[]; labels: string[]; answerKey: string }
export interface NqItem { id: string; question: string; answers: string[] }
export interface HaluevalItem { id: string; query: string; response: string; hallucination: boolean }

export type DatasetName = 'boolq' | 'csqa' | 'nq' | 'halueval';
export const DATASET_NAMES: readonly DatasetName[] = ['boolq', 'csqa', 'nq', 'halueval'];

/** File names in the shared data folder; CSQA has a train and a dev file, the others one file to be split. */
export const DATASET_FILES: Record<DatasetName, { train: string; test?: string }> = {
  boolq: { train: 'boolq_dev.jsonl' },
  csqa: { train: 'commonsenseqa_train_rand_split.jsonl', test: 'commonsenseqa_dev_rand_split.jsonl' },
  nq: { train: 'nq_open_dev.jsonl' },
  halueval: { train: 'halueval_general_data.json' },
};

function readLines(path: string, operation: string): { line: number; value: Record<string, unknown> }[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new MissingResourceError(`${operation}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); the QueRE data lives in ../shared/data/quere/`, { cause: e });
  }
  const out: { line: number; value: Record<string, unknown> }[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ArgumentError(`${operation}: ${path} line ${i + 1} is not valid JSON`);
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ArgumentError(`${operation}: ${path} line ${i + 1} is not a JSON object`);
    out.push({ line: i + 1, value: value as Record<string, unknown> });
  });
  return out;
}

function field<T>(operation: string, path: string, line: number, obj: Record<string, unknown>, key: string, check: (v: unknown) => v is T, expected: string): T {
  const v = obj[key];
  if (!check(v)) {
    throw new ArgumentError(`${operation}: ${path} line ${line}: field '${key}' ${v === undefined ? 'is missing' : `is ${JSON.stringify(v)?.slice(0, 40)}`}; expected ${expected}`);
  }
  return v;
}
const isString = (v: unknown): v is string => typeof v === 'string';
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string');

export function loadBoolq(path: string): BoolqItem[] {
  const op = 'loadBoolq';
  return readLines(path, op).map(({ line, value }) => ({
    id: `boolq-${line}`,
    question: field(op, path, line, value, 'question', isString, 'a string'),
    passage: field(op, path, line, value, 'passage', isString, 'a string'),
    answer: field(op, path, line, value, 'answer', isBool, 'true or false'),
  }));
}

export function loadCsqa(path: string): CsqaItem[] {
  const op = 'loadCsqa';
  return readLines(path, op).map(({ line, value }) => {
    const q = field(op, path, line, value, 'question', isObject, 'an object {stem, choices}');
    const stem = field(op, path, line, q, 'stem', isString, 'a string (question.stem)');
    const choices = field(op, path, line, q, 'choices', (v): v is { label: string; text: string }[] =>
      Array.isArray(v) && v.length >= 2 && v.every((c) => isObject(c) && isString(c.label) && isString(c.text)), 'an array of {label, text} (question.choices)');
    const labels = choices.map((c) => c.label);
    const answerKey = field(op, path, line, value, 'answerKey', (v): v is string => isString(v) && labels.includes(v), `one of the choice labels ${labels.join(', ')}`);
    return { id: isString(value.id) ? value.id : `csqa-${line}`, stem, choices: choices.map((c) => c.text), labels, answerKey };
  });
}

export function loadNq(path: string): NqItem[] {
  const op = 'loadNq';
  return readLines(path, op).map(({ line, value }) => ({
    id: `nq-${line}`,
    question: field(op, path, line, value, 'question', isString, 'a string'),
    answers: field(op, path, line, value, 'answer', isStringArray, 'a non-empty array of answer strings'),
  }));
}

/** HaluEval general: the label key is `hallucination` ("yes"/"no"); another published version calls it `hallucination_label`. */
export function loadHalueval(path: string): HaluevalItem[] {
  const op = 'loadHalueval';
  return readLines(path, op).map(({ line, value }) => {
    const key = 'hallucination' in value ? 'hallucination' : 'hallucination_label';
    const label = field(op, path, line, value, key, (v): v is string => isString(v) && /^(yes|no)$/i.test(v), '"yes" or "no" (hallucination or hallucination_label)');
    return {
      id: isString(value.ID) ? `halueval-${value.ID}` : `halueval-${line}`,
      query: field(op, path, line, value, 'user_query', isString, 'a string'),
      response: field(op, path, line, value, 'chatgpt_response', isString, 'a string'),
      hallucination: label.toLowerCase() === 'yes',
    };
  });
}

/**
 * Train and test items of a dataset (spec §2.3, §6): CSQA has its own dev split; HaluEval is rows [0, 3500) / the
 * rest; BoolQ and NQ (dev files only locally) are split at 60% in file order. `n` caps each split (train first).
 */
export function loadDataset(name: DatasetName, dataDir: string, n?: { train?: number; test?: number }): { train: unknown[]; test: unknown[] } {
  const files = DATASET_FILES[name];
  if (!files) throw new ArgumentError(`loadDataset: unknown dataset '${name}'; expected one of ${DATASET_NAMES.join(', ')}`);
  const path = join(dataDir, files.train);
  let train: unknown[], test: unknown[];
  if (name === 'csqa') {
    train = loadCsqa(path);
    test = loadCsqa(join(dataDir, files.test!));
  } else {
    const all: unknown[] = name === 'boolq' ? loadBoolq(path) : name === 'nq' ? loadNq(path) : loadHalueval(path);
    const cut = name === 'halueval' ? Math.min(3500, all.length) : Math.floor(all.length * 0.6);
    train = all.slice(0, cut);
    test = all.slice(cut);
  }
  return { train: train.slice(0, n?.train ?? train.length), test: test.slice(0, n?.test ?? test.length) };
}
