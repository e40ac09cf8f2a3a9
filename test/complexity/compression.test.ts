import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/index.ts';
import { compressedBits, shuffleSymbols, alphabetOf, uniformSymbols, unigramEntropy, compressibleFraction } from '../../src/complexity/index.ts';
import { compressionVerdict } from '../../src/experiments/complexity/compression.ts';

test('compressibleFraction matches an exhaustive count of shorter descriptions (n ≤ 12)', () => {
  for (let n = 1; n <= 12; n++) for (let k = 1; k <= n + 1; k++) {
    let descriptions = 0;
    for (let l = 0; l < n - k + 1; l++) descriptions += 2 ** l; // binary strings of every length below n − k + 1
    assert.equal(compressibleFraction(n, k), Math.min(descriptions, 2 ** n) / 2 ** n);
    assert.ok(compressibleFraction(n, k) < 2 ** (-k + 1));
  }
  assert.throws(() => compressibleFraction(4, 0), /k must be an integer in \[1, n \+ 1\]/);
});

test('compressedBits: repetitive bytes compress, uniform random bytes over 256 values do not', () => {
  const rep = new TextEncoder().encode('abcabcabc'.repeat(2000));
  for (const codec of ['gzip', 'brotli'] as const) {
    assert.ok(compressedBits(rep, { codec }).bitsPerSymbol < 0.1);
    const rnd = uniformSymbols(Array.from({ length: 256 }, (_, i) => i), 50000, new Rng(1));
    assert.ok(compressedBits(rnd, { codec }).bitsPerSymbol > 7.95);
  }
  assert.throws(() => compressedBits(rep, { codec: 'zip' as 'gzip' }), /codec must be 'gzip' or 'brotli'/);
});

test('shuffleSymbols keeps the multiset (and so the unigram entropy); alphabetOf lists distinct values', () => {
  const b = new TextEncoder().encode('hello world, hello strata');
  const s = shuffleSymbols(b, new Rng(3));
  assert.deepEqual([...s].sort(), [...b].sort());
  assert.equal(unigramEntropy(s), unigramEntropy(b));
  assert.deepEqual(alphabetOf(new Uint8Array([3, 1, 3, 2])), [1, 2, 3]);
  assert.equal(unigramEntropy(new Uint8Array([0, 1, 0, 1])), 1);
});

test('compressionVerdict: the spec figures reproduce; a compressing "random" stream or real ≈ shuffled does not', () => {
  const spec = { alphabet: 114, gzip: [3.28, 5.1, 6.89] as [number, number, number], brotli: [2.54, 4.83, 6.88] as [number, number, number] };
  assert.equal(compressionVerdict(spec).verdict, 'reproduced');
  assert.equal(compressionVerdict({ ...spec, gzip: [3.28, 5.1, 6.5] }).verdict, 'partly reproduced');
  assert.equal(compressionVerdict({ alphabet: 114, gzip: [5, 5, 6], brotli: [5, 5, 6] }).verdict, 'not reproduced');
});
