import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rng, ArgumentError } from '../../src/core/index.ts';
import { arithmeticEncode, arithmeticDecode, symbolCounts, empiricalEntropyBits, idealCodeLength } from '../../src/bounds/index.ts';

test('arithmeticEncode/arithmeticDecode round-trips random streams exactly (fast-check)', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.array(fc.nat(), { minLength: 0, maxLength: 400 }), (alphabet, raw) => {
    const symbols = raw.map((x) => x % alphabet);
    const counts = symbolCounts(symbols, alphabet);
    if (symbols.length === 0) counts[0] = 1; // an empty stream still needs a non-empty model
    const code = arithmeticEncode(symbols, counts);
    assert.deepEqual(Array.from(arithmeticDecode(code, counts)), symbols);
    assert.ok(code.bits <= idealCodeLength(counts) + 2, `${code.bits} bits vs ideal ${idealCodeLength(counts)}`);
  }), { numRuns: 300 });
});

test('arithmeticEncode round-trips heavily skewed streams (one symbol at 99.9%, rare symbols)', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 50, max: 5000 }), (seed, n) => {
    const rng = new Rng(seed);
    const symbols = Array.from({ length: n }, () => (rng.random() < 0.999 ? 5 : rng.int(0, 11)));
    const counts = symbolCounts(symbols, 11);
    const code = arithmeticEncode(symbols, counts);
    assert.deepEqual(Array.from(arithmeticDecode(code, counts)), symbols);
  }), { numRuns: 40 });
});

test('arithmeticEncode of a long stream is within 2 bits of ⌈N·H⌉ + 1 (and never below N·H)', () => {
  const rng = new Rng(7);
  for (const [n, p] of [[20000, [0.5, 0.25, 0.125, 0.125]], [50000, [0.02, 0.9, 0.03, 0.05]], [100000, Array(11).fill(1 / 11)]] as const) {
    const cdf = (p as readonly number[]).map((_, i, a) => a.slice(0, i + 1).reduce((s, x) => s + x, 0));
    const symbols = Array.from({ length: n }, () => { const u = rng.random(); return Math.min(cdf.findIndex((c) => u < c), cdf.length - 1); });
    const counts = symbolCounts(symbols, p.length);
    const code = arithmeticEncode(symbols, counts);
    const ideal = idealCodeLength(counts);
    assert.ok(code.bits >= empiricalEntropyBits(counts) - 1e-6, 'no code beats the entropy');
    assert.ok(Math.abs(code.bits - ideal) <= 2, `n=${n}: ${code.bits} bits vs ⌈NH⌉+1 = ${ideal}`);
    assert.deepEqual(Array.from(arithmeticDecode(code, counts)), symbols);
  }
});

test('a constant stream has entropy 0 and codes in at most 2 bits', () => {
  const counts = symbolCounts(new Array(1000).fill(3), 11);
  assert.equal(empiricalEntropyBits(counts), 0);
  assert.equal(idealCodeLength(counts), 1);
  const code = arithmeticEncode(new Array(1000).fill(3), counts);
  assert.ok(code.bits <= 2);
  assert.deepEqual(Array.from(arithmeticDecode(code, counts)), new Array(1000).fill(3));
});

test('arithmeticEncode rejects a symbol with zero count and names it', () => {
  assert.throws(() => arithmeticEncode([0, 1], [1, 0]), (e: unknown) => e instanceof ArgumentError && /symbols\[1\]/.test((e as Error).message));
  assert.throws(() => symbolCounts([0, 4], 3), /symbols\[1\] = 4/);
});

test('arithmeticEncodeAdaptive round-trips with a per-position model and costs Σ −log2 q within 2 bits (fast-check)', async () => {
  const { arithmeticEncodeAdaptive, arithmeticDecodeAdaptive, countsFromProbabilities } = await import('../../src/bounds/index.ts');
  fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 1, max: 3000 }), (seed, n) => {
    const rng = new Rng(seed);
    const models = Array.from({ length: n }, () => countsFromProbabilities(Array.from({ length: 10 }, () => rng.random() ** 4)));
    const symbols = models.map((c) => { const u = rng.random() * 65536; let acc = 0; for (let s = 0; s < 10; s++) { acc += c[s]!; if (u < acc) return s; } return 9; });
    const at = (i: number) => models[i]!;
    const code = arithmeticEncodeAdaptive(symbols, at);
    assert.deepEqual(Array.from(arithmeticDecodeAdaptive(code, at)), symbols);
    const ideal = symbols.reduce((a, s, i) => a - Math.log2(models[i]![s]! / 65536), 0);
    assert.ok(code.bits >= ideal - 1e-6 && code.bits <= ideal + 2 + 1e-3 * n, `${code.bits} vs ${ideal}`);
  }), { numRuns: 30 });
  assert.deepEqual(Array.from(countsFromProbabilities([0, 1, 0])), [1, 65534, 1]);
});
