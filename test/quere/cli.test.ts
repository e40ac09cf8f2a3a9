import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quereCommand } from '../../src/cli/commands/quere.ts';
import { testIO } from '../cli/io.ts';
import { QUERE_BATTERY } from '../../src/quere/battery.ts';
import { FEATURE_FILE_FORMAT, writeFeatureFile, type FeatureFileHeader } from '../../src/quere/feature-file.ts';
import type { RawRecord } from '../../src/quere/features.ts';
import { Rng } from '../../src/core/index.ts';

const DATA = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'quere');

function header(battery = QUERE_BATTERY): FeatureFileHeader {
  return {
    format: FEATURE_FILE_FORMAT, formatVersion: 1, battery: { version: battery.version, fingerprint: battery.fingerprint, questions: [...battery.questions] },
    task: 'boolq', model: { provider: 'fake', modelId: 'fake', identity: 'fake' }, systemPrompt: null, compat: 'default', createdAt: '2025-01-01T00:00:00Z',
  };
}

/** Synthetic raw records: follow-up 0 says "yes" more often when the answer is right (signal), the rest is noise; `shift` moves every P(yes) (a different model). */
function records(n: number, seed: number, shift = 0): RawRecord[] {
  const rng = new Rng(seed);
  const nq = QUERE_BATTERY.questions.length;
  const yn = (p: number) => [{ text: 'Yes', logprob: Math.log(p) }, { text: 'No', logprob: Math.log(1 - p) }];
  return Array.from({ length: n }, (_, i) => {
    const correct = rng.random() < 0.6;
    const clamp = (p: number) => Math.min(0.99, Math.max(0.01, p + shift));
    return {
      id: `r${i}`, correct,
      answer: { text: 'yes', top: yn(clamp(0.5 + 0.3 * (rng.random() - 0.5))) },
      pre: yn(clamp(rng.random())), post: yn(clamp(rng.random())),
      followUps: Array.from({ length: nq }, (_, j) => yn(clamp(j === 0 ? (correct ? 0.7 : 0.3) + 0.2 * (rng.random() - 0.5) : rng.random()))),
    };
  });
}

test('quere fit → evaluate replays stored features with no model calls and reports AUROC with an interval', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quere-cli-'));
  writeFeatureFile(join(dir, 'train.jsonl'), header(), records(160, 1));
  writeFeatureFile(join(dir, 'test.jsonl'), header(), records(120, 2));
  const io = testIO(dir);
  assert.equal(await quereCommand.run(['fit', '--features', 'train.jsonl', '--out', 'probe.json', '--json'], io), 0);
  const fit = JSON.parse(io.stdout.text);
  assert.equal(fit.heldOutHalf[0].probe, 'QueRE');
  assert.equal(fit.crossValidation, null);
  const ioCv = testIO(dir);
  assert.equal(await quereCommand.run(['fit', '--features', 'train.jsonl', '--out', 'probe-cv.json', '--cv', '--json'], ioCv), 0);
  const cv = JSON.parse(ioCv.stdout.text).crossValidation;
  assert.equal(cv.scores.length, 5);
  assert.equal(JSON.parse(ioCv.stdout.text).heldOutHalf[0].C, cv.C);
  const io2 = testIO(dir);
  assert.equal(await quereCommand.run(['evaluate', '--probe', 'probe.json', '--features', 'test.jsonl', '--json'], io2), 0);
  const ev = JSON.parse(io2.stdout.text);
  assert.ok(ev.auroc.estimate > 0.8, `AUROC ${ev.auroc.estimate}`);
  assert.ok(ev.auroc.lo <= ev.auroc.estimate && ev.auroc.estimate <= ev.auroc.hi);
  assert.equal(typeof ev.eceCalibrated, 'number');
});

test('quere fit refuses features collected with another battery version', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quere-cli-'));
  const other = { ...QUERE_BATTERY, version: 'strata-quere-battery-0' };
  writeFeatureFile(join(dir, 'old.jsonl'), header(other), records(40, 1));
  await assert.rejects(quereCommand.run(['fit', '--features', 'old.jsonl', '--out', 'p.json'], testIO(dir)), /collected with battery strata-quere-battery-0/);
});

test('quere detect-swap tells a shifted model apart and not an identical one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quere-cli-'));
  writeFeatureFile(join(dir, 'a.jsonl'), header(), records(200, 1));
  writeFeatureFile(join(dir, 'b.jsonl'), header(), records(200, 1, 0.15));
  writeFeatureFile(join(dir, 'c.jsonl'), header(), records(200, 3));
  const io = testIO(dir);
  assert.equal(await quereCommand.run(['detect-swap', '--reference', 'a.jsonl', '--suspect', 'b.jsonl', '--json'], io), 1);
  assert.equal(JSON.parse(io.stdout.text).distinguishable, true);
  const io2 = testIO(dir);
  assert.equal(await quereCommand.run(['detect-swap', '--reference', 'a.jsonl', '--suspect', 'c.jsonl', '--json'], io2), 0);
  assert.equal(JSON.parse(io2.stdout.text).distinguishable, false);
});

test('quere collect --dry-run prints the number of calls before starting', { skip: existsSync(DATA) ? false : `shared data absent: ${DATA}` }, async () => {
  const io = testIO(process.cwd());
  assert.equal(await quereCommand.run(['collect', '--dataset', 'boolq', '--n', '10', '--dry-run', '--data-dir', DATA, '--json'], io), 0);
  const plan = JSON.parse(io.stdout.text);
  assert.equal(plan.calls, 10 * 52);
  assert.ok(plan.estimatedPromptTokens > 0);
  await assert.rejects(quereCommand.run(['collect', '--dataset', 'squad', '--dry-run'], testIO(process.cwd())), /--dataset: expected one of boolq/);
});
