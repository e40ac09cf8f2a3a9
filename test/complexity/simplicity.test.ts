import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/index.ts';
import { mdl, binaryMdlCounts, randomInitChain, simplicityHistogram } from '../../src/complexity/index.ts';
import { simplicityVerdict, GPT_NANO_SHARES } from '../../src/experiments/complexity/simplicity.ts';

test('mdl against hand-computed sequences', () => {
  assert.equal(mdl('0000000000'), 1);
  assert.equal(mdl('0101010101'), 2);
  assert.equal(mdl('0110110110'), 3);
  assert.equal(mdl('0010010'), 3);
  assert.equal(mdl('0001'), 4);
  assert.equal(mdl('01011'), 5);
  assert.equal(mdl([1, 1, 0, 1, 1, 0, 1]), 3);
  assert.throws(() => mdl(''), /must not be empty/);
});

test('binaryMdlCounts(10) gives the spec counts and the uniform expected MDL 8.455', () => {
  const c = binaryMdlCounts(10);
  assert.deepEqual(c.slice(1), [2, 2, 6, 12, 30, 54, 118, 198, 318, 284]);
  const mean = c.reduce((a, x, k) => a + k * x, 0) / 1024;
  assert.ok(Math.abs(mean - 8.455) < 5e-4, `${mean}`);
});

test('randomInitChain returns two probability vectors and depends on the generator', () => {
  const a = randomInitChain(new Rng(1)), b = randomInitChain(new Rng(2));
  for (const row of a) assert.ok(Math.abs(row[0]! + row[1]! - 1) < 1e-12);
  assert.notDeepEqual(a, b);
  const h = simplicityHistogram({ samples: 300, length: 10, seed: 3 });
  assert.equal(h.counts.reduce((x, y) => x + y, 0), 300);
});

test('simplicityVerdict outcomes on fixture metrics', () => {
  assert.equal(simplicityVerdict({ shares: GPT_NANO_SHARES, samples: 20000 }).verdict, 'reproduced');
  const uniform = binaryMdlCounts(10).slice(1).map((c) => c / 1024);
  assert.equal(simplicityVerdict({ shares: uniform, samples: 20000 }).verdict, 'not reproduced'); // MDL 1 at 0.002, TV 0.052
  const shifted = GPT_NANO_SHARES.map((x, i) => (i === 8 ? x + 0.05 : i === 9 ? x - 0.05 : x)); // MDL 1 right, TV 0.05
  assert.equal(simplicityVerdict({ shares: shifted, samples: 20000 }).verdict, 'partly reproduced');
  assert.equal(simplicityVerdict({ shares: GPT_NANO_SHARES, samples: 1000 }).verdict, 'inconclusive');
});

test('full-context and context-1 samplers agree where they must: the first transition (length-2 strings)', () => {
  const n = 3000;
  const a = simplicityHistogram({ samples: n, length: 2, seed: 7, context: 'reference-1' }).shares[1]!;
  const b = simplicityHistogram({ samples: n, length: 2, seed: 8, context: 'full' }).shares[1]!;
  const se = Math.sqrt((a * (1 - a) + b * (1 - b)) / n);
  assert.ok(Math.abs(a - b) < 4 * se, `P(constant) ${a} vs ${b} (SE ${se})`);
  assert.throws(() => simplicityHistogram({ samples: 1, length: 3, seed: 0, context: 'wide' as 'full' }), /context must be 'reference-1' or 'full'/);
});
