import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, Rng, deriveSeed } from '../../src/core/index.ts';

test('deriveSeed is a pure function of the seed and the keys, and each key changes it', () => {
  assert.equal(deriveSeed(1, 'digits-mlp'), deriveSeed(1, 'digits-mlp'));
  const seeds = [
    deriveSeed(1), deriveSeed(2), deriveSeed(1, 'a'), deriveSeed(1, 'b'), deriveSeed(1, 'ab'), deriveSeed(1, 'a', 'b'),
    deriveSeed(1, 97), deriveSeed(1, 'series', 0), deriveSeed(1, 'series', 1), deriveSeed(1, 0, 'series'), deriveSeed(2 ** 32 + 1, 'a'),
  ];
  assert.equal(new Set(seeds).size, seeds.length, `collision among ${seeds.join(', ')}`);
  for (const s of seeds) assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 32);
});

test('deriveSeed spreads nearby keys: 10,000 indices give no repeated seed and balanced bits', () => {
  const seen = new Set<number>();
  const ones = new Array<number>(32).fill(0);
  for (let k = 0; k < 10_000; k++) {
    const s = deriveSeed(7, 'item', k);
    seen.add(s);
    for (let b = 0; b < 32; b++) ones[b]! += (s >>> b) & 1;
  }
  assert.equal(seen.size, 10_000);
  // Each bit is set in 50% ± 3% of seeds (5 standard deviations of a fair coin over 10,000 draws is ±2.5%).
  for (const [b, n] of ones.entries()) assert.ok(Math.abs(n / 10_000 - 0.5) < 0.03, `bit ${b} set in ${n}/10000`);
});

test('generators from derived seeds are independent streams', () => {
  const a = new Rng(deriveSeed(3, 'train')).normal([2000]);
  const b = new Rng(deriveSeed(3, 'eval')).normal([2000]);
  let dot = 0;
  for (let i = 0; i < 2000; i++) dot += (a.data[i] as number) * (b.data[i] as number);
  // Correlation of independent standard normals over n = 2000 has sd 1/√2000 ≈ 0.022; 0.12 is > 5 sd.
  assert.ok(Math.abs(dot / 2000) < 0.12, `correlation ${dot / 2000}`);
});

test('deriveSeed rejects non-finite seeds and keys that are neither strings nor numbers', () => {
  assert.throws(() => deriveSeed(Number.NaN, 'a'), (e: unknown) => e instanceof ArgumentError && /deriveSeed: seed must be finite/.test(e.message));
  assert.throws(() => deriveSeed(1, Infinity), /deriveSeed: keys\[0\] must be finite/);
  assert.throws(() => deriveSeed(1, 'a', {} as unknown as string), /deriveSeed: keys\[1\] must be a string or a number/);
});
