import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { trainDigitsMlp } from '../../src/experiments/nn/digits.ts';
import { trainCharLm } from '../../src/experiments/nn/charlm.ts';
import { loadDigits, loadCorpus, syntheticDigits } from '../../src/experiments/nn/data.ts';

const shared = fileURLToPath(new URL('../../../shared/data', import.meta.url));
const hasDigits = existsSync(`${shared}/digits.csv.gz`);
const hasFortunes = existsSync(`${shared}/fortunes.txt`);

test('digits MLP reaches ≥ 95% test accuracy', { skip: hasDigits ? false : `../shared/data/digits.csv.gz absent` }, () => {
  const r = trainDigitsMlp({ data: loadDigits(shared), seed: 0, epochs: 25 });
  assert.equal(r.nTrain + r.nTest, 1797);
  assert.ok(r.testAccuracy >= 0.95, `test accuracy ${r.testAccuracy}`);
});

test('digits MLP learns the synthetic fallback data well above chance', () => {
  const r = trainDigitsMlp({ data: syntheticDigits(1797, 1), seed: 1, epochs: 25 });
  assert.ok(r.testAccuracy > 0.85, `test accuracy ${r.testAccuracy}`);
});

test('character transformer: held-out loss falls well below the unigram entropy', { skip: hasFortunes ? false : '../shared/data/fortunes.txt absent' }, () => {
  const c = loadCorpus(shared);
  const r = trainCharLm({ text: c.text.slice(0, 600_000), source: c.source, seed: 0, steps: 120, config: { context: 32 } });
  assert.ok(r.valLoss < 0.85 * r.unigramEntropy, `held-out ${r.valLoss} vs unigram ${r.unigramEntropy}`);
  assert.ok(r.curve[0]!.train > r.unigramEntropy, 'the untrained model starts above the unigram entropy');
});
