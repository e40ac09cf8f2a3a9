import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gradeChoiceLetter, gradeOpenAnswer, gradeYesNo, normalizeAnswer } from '../../src/quere/grading.ts';
import { boolqTask, csqaTask, nqTask } from '../../src/quere/tasks.ts';
import { loadBoolq, loadCsqa, loadDataset, loadHalueval, loadNq } from '../../src/quere/datasets.ts';
import { QUERE_BATTERY, checkSameBattery, makeBattery } from '../../src/quere/battery.ts';

const DATA = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'quere');

test('gradeYesNo: default reads the first yes/no word; reference takes "know" as "no"', () => {
  assert.equal(gradeYesNo('Yes, it does.', 'yes'), true);
  assert.equal(gradeYesNo('No. Yes would be wrong', 'no'), true);
  assert.equal(gradeYesNo("I don't know", 'no'), false);
  assert.equal(gradeYesNo("I don't know", 'no', 'reference'), true);
  assert.equal(gradeYesNo('"Yes."', 'yes', 'reference'), true);
});

test('gradeChoiceLetter: default takes the first standalone letter; reference any occurrence', () => {
  assert.equal(gradeChoiceLetter('The answer is B: library', 'B'), true);
  assert.equal(gradeChoiceLetter('C, not B', 'B'), false);
  assert.equal(gradeChoiceLetter('C, not B', 'B', 'ABCDE', 'reference'), true);
});

test('gradeOpenAnswer: normalised whole-word match of any alias (NQ)', () => {
  assert.equal(normalizeAnswer('The  Beatles!'), 'beatles');
  assert.equal(gradeOpenAnswer('It was the Beatles.', ['The Beatles']), true);
  assert.equal(gradeOpenAnswer('December 14, 1972', ['14 December 1972 UTC', 'December 1972']), false);
  assert.equal(gradeOpenAnswer('in 19725', ['1972']), false);
  assert.equal(gradeOpenAnswer('in 19725', ['1972'], 'reference'), true);
});

test('task prompts: reference keeps the authors\' " \\n" + 29 spaces, default one newline', () => {
  const item = { id: 'x', question: 'is it?', passage: 'P.', answer: true };
  assert.equal(boolqTask.prompt(item, 'default'), 'Answer the following question, with the following information. Information: P.\nQuestion: is it?Please answer with yes or no.');
  assert.ok(boolqTask.prompt(item, 'reference').includes(` \n${' '.repeat(29)}Question:`));
  const cs = { id: 'c', stem: 'Where?', choices: ['a', 'b', 'c', 'd', 'e'], labels: ['A', 'B', 'C', 'D', 'E'], answerKey: 'B' };
  assert.ok(csqaTask.prompt(cs, 'default').endsWith('Q: Where? Potential Answers: A: a, B: b, C: c, D: d, E: e. '));
  assert.equal(nqTask.prompt({ id: 'n', question: 'who', answers: ['x'] }, 'default'), 'Please answer the following question. \\ Q: "{who}"?');
});

test('dataset loaders name the file, line and field that is missing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quere-data-'));
  const f = join(dir, 'bad.jsonl');
  writeFileSync(f, '{"question": "q", "passage": "p", "answer": true}\n{"question": "q2", "answer": false}\n');
  assert.throws(() => loadBoolq(f), /bad\.jsonl line 2: field 'passage' is missing; expected a string/);
  writeFileSync(f, '{"question": "q", "answer": []}\n');
  assert.throws(() => loadNq(f), /field 'answer' is \[\]; expected a non-empty array/);
  writeFileSync(f, '{"answerKey": "F", "question": {"stem": "s", "choices": [{"label": "A", "text": "a"}, {"label": "B", "text": "b"}]}}\n');
  assert.throws(() => loadCsqa(f), /field 'answerKey' is "F"; expected one of the choice labels A, B/);
  writeFileSync(f, '{"user_query": "q", "chatgpt_response": "r", "hallucination_label": "Yes"}\n');
  assert.equal(loadHalueval(f)[0]!.hallucination, true);
  assert.throws(() => loadBoolq(join(dir, 'absent.jsonl')), /cannot read .*absent\.jsonl/);
});

test('the shared QueRE datasets load with the documented sizes', { skip: existsSync(DATA) ? false : `shared data absent: ${DATA}` }, () => {
  const b = loadDataset('boolq', DATA);
  assert.equal(b.train.length + b.test.length, 3270);
  const c = loadDataset('csqa', DATA, { train: 10 });
  assert.equal(c.train.length, 10);
  assert.equal(c.test.length, 1221);
  const h = loadDataset('halueval', DATA);
  assert.equal(h.train.length, 3500);
  assert.equal(h.test.length, 1007);
  assert.equal(loadDataset('nq', DATA).train.length, Math.floor(3610 * 0.6));
});

test('the battery has 9 base + 40 generated questions, a version, and refuses another battery', () => {
  assert.equal(QUERE_BATTERY.questions.length, 49);
  assert.equal(QUERE_BATTERY.version, 'strata-quere-battery-1');
  assert.equal(new Set(QUERE_BATTERY.questions).size, 49);
  const other = makeBattery(['Is the sky blue?']);
  assert.throws(() => checkSameBattery('fit', QUERE_BATTERY, other), /collected with battery custom .* this run uses strata-quere-battery-1/);
  checkSameBattery('fit', QUERE_BATTERY, QUERE_BATTERY);
});
