import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, Rng } from '../../src/core/index.ts';
import {
  occamBound, subsamplingBound, klBound, binaryKl, klInverseUpper, smoothingRange, smoothedLogLoss, randomGuess, alphaSelectionBits,
  quantize, codeLength, roundFloat16, idealCodeLength, symbolCounts,
} from '../../src/bounds/index.ts';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('occamBound matches a hand-computed case: R̂ 0.5, K 1000, m 10000, Δ 1, δ 0.05', () => {
  // √((1000·0.693147 + 2.995732)/20000) = √(0.0348072) = 0.186567
  const t = occamBound({ empirical: 0.5, kBits: 1000, m: 10000, range: 1, delta: 0.05 });
  close(t.complexity, Math.sqrt((1000 * Math.LN2 + Math.log(20)) / 20000));
  close(t.complexity, 0.186567, 1e-6);
  close(t.bound, 0.686567, 1e-6);
});

test('subsamplingBound matches a hand-computed case and its δ split r = n/(n+m)', () => {
  // m 13695, n 2000, K 900, Δ 1: r = 0.127429; first term √((623.83 + 5.0612)/27390) = 0.151520;
  // second √(−ln(0.872571·0.05)/4000) = √(3.13375/4000) = 0.027990.
  const t = subsamplingBound({ empirical: 0.6, kBits: 900, m: 13695, n: 2000, range: 1, delta: 0.05 });
  const r = 2000 / 15695;
  close(t.complexity, Math.sqrt((900 * Math.LN2 - Math.log(r * 0.05)) / 27390));
  close(t.complexity, 0.15152, 2e-5);
  close(t.sampling, 0.02799, 2e-5);
  close(t.bound, 0.6 + t.complexity + t.sampling);
  // Δ scales both terms.
  const t2 = subsamplingBound({ empirical: 3, kBits: 900, m: 13695, n: 2000, range: 6.6, delta: 0.05 });
  close(t2.complexity, 6.6 * t.complexity, 1e-12);
});

test('the spec §5 expected complexity terms come out of subsamplingBound (K 0.9k → 0.18, 10.3k → 0.54)', () => {
  const c = (K: number) => { const t = subsamplingBound({ empirical: 0, kBits: K, m: 13695, n: 2000, range: 1, delta: 0.05 }); return t.complexity + t.sampling; };
  close(c(900), 0.18, 0.01);
  close(c(10300), 0.54, 0.01);
});

test('bounds reject n > m, α outside (0, 1) and bad δ, naming the argument', () => {
  assert.throws(() => subsamplingBound({ empirical: 0.1, kBits: 10, m: 10, n: 11, range: 1, delta: 0.05 }), (e: unknown) => e instanceof ArgumentError && /n = 11 exceeds m = 10/.test((e as Error).message));
  assert.throws(() => smoothingRange(0, 96), /alpha must be in \(0, 1\)/);
  assert.throws(() => smoothingRange(1, 96), /alpha/);
  assert.throws(() => occamBound({ empirical: 0.1, kBits: 10, m: 10, range: 1, delta: 1 }), /delta must be in \(0, 1\)/);
  assert.throws(() => occamBound({ empirical: NaN, kBits: 10, m: 10, range: 1, delta: 0.05 }), /empirical must be a finite number/);
});

test('klInverseUpper inverts binaryKl and klBound is tighter than Hoeffding for a small empirical error', () => {
  for (const [q, c] of [[0.1, 0.05], [0.5, 0.01], [0, 0.2]] as const) {
    const p = klInverseUpper(q, c);
    close(binaryKl(q, p), c, 1e-8);
    assert.ok(p >= q);
  }
  const kl = klBound({ empirical: 0.05, kBits: 2000, m: 13695, delta: 0.05 });
  const ho = occamBound({ empirical: 0.05, kBits: 2000, m: 13695, range: 1, delta: 0.05 });
  assert.ok(kl.bound < ho.bound, `${kl.bound} < ${ho.bound}`);
  const kls = klBound({ empirical: 0.05, kBits: 2000, m: 13695, n: 2000, delta: 0.05 });
  assert.ok(kls.bound > kl.bound && kls.sampling > 0);
});

test('smoothingRange Δ(α) matches the spec table for V = 96 (13.2 / 10.8 / 9.8 / 8.2 / 6.6 bits)', () => {
  const want = [[0.01, 13.2], [0.05, 10.8], [0.1, 9.8], [0.25, 8.2], [0.5, 6.6]] as const;
  for (const [a, d] of want) close(smoothingRange(a, 96), d, 0.06);
});

test('smoothedLogLoss keeps per-token losses inside an interval of width Δ(α) for any model probability', () => {
  const rng = new Rng(1);
  for (const alpha of [1e-4, 0.01, 0.5]) {
    const V = 96, lo = -Math.log2(1 - alpha + alpha / V), width = smoothingRange(alpha, V);
    for (let i = 0; i < 2000; i++) {
      const lp = i === 0 ? -Infinity : i === 1 ? 0 : -50 * rng.random();
      const l = smoothedLogLoss(lp, alpha, V);
      assert.ok(l >= lo - 1e-12 && l <= lo + width + 1e-9, `α=${alpha} loss ${l} outside [${lo}, ${lo + width}]`);
    }
    close(smoothedLogLoss(-Infinity, alpha, V) - smoothedLogLoss(0, alpha, V), width, 1e-9);
  }
});

test('randomGuess and alphaSelectionBits: log2 V, 1 − k/V; default pays ⌈log2 8⌉ = 3 once, reference 8·(i+1)', () => {
  close(randomGuess({ kind: 'bpd' }, 96), 6.585, 1e-3);
  close(randomGuess({ kind: 'bpd' }, 50257), 15.617, 1e-3);
  close(randomGuess({ kind: 'top-k', k: 1 }, 96), 1 - 1 / 96);
  assert.equal(alphaSelectionBits(0, 8), 3);
  assert.equal(alphaSelectionBits(7, 8), 3);
  assert.equal(alphaSelectionBits(0, 8, 'reference'), 8);
  assert.equal(alphaSelectionBits(7, 8, 'reference'), 64);
});

test('quantize follows the uniform-bins codebook: 11 edges over ±max|w|, member means, empty bins at the left edge', () => {
  const w = [-1, -0.95, 0, 0.01, 0.5, 1];
  const q = quantize(w, { levels: 4 });
  // width (2 + 2e-6)/4 = 0.5000005: edges −1.000001, −0.5000005, 0, 0.5000005, 1.000001 (0 opens bin 2; 0.5 is below the fourth edge)
  assert.deepEqual(Array.from(q.symbols), [0, 0, 2, 2, 2, 3]);
  close(q.codebook[0]!, roundFloat16(-0.975));
  close(q.codebook[1]!, roundFloat16(-0.5000005)); // empty bin: its left edge
  close(q.codebook[2]!, roundFloat16(0.51 / 3));
  close(q.codebook[3]!, 1);
  assert.deepEqual(q.counts, [2, 0, 3, 1]);
  assert.deepEqual(Array.from(q.decoded), Array.from(q.symbols, (s) => q.codebook[s]!));
});

test('quantize of all-equal weights uses one bin with entropy 0, and codeLength still charges codebook and table', () => {
  const q = quantize(new Array(500).fill(0.3), { levels: 11 });
  assert.equal(q.counts.filter((c) => c > 0).length, 1);
  const c = codeLength(q, { coder: 'entropy' });
  assert.equal(c.coded, 1);
  assert.equal(c.codebook, 176);
  assert.equal(c.table, 11 * 9);
  assert.equal(c.message, 1 + 176 + 99);
  close(c.prefixFree, 276 + 2 * Math.log2(276));
});

test('codeLength with the arithmetic coder is within 2 bits of ⌈N·H⌉ + 1 on Gaussian weights', () => {
  const rng = new Rng(4);
  const w = Array.from({ length: 4000 }, () => rng.gauss());
  const q = quantize(w, { levels: 11 });
  const a = codeLength(q), e = codeLength(q, { coder: 'entropy' });
  assert.equal(e.coded, idealCodeLength(symbolCounts(q.symbols, 11)));
  assert.ok(Math.abs(a.coded - e.coded) <= 2, `${a.coded} vs ${e.coded}`);
  assert.ok(a.coded / 4000 > 2 && a.coded / 4000 < 3.5, `${a.coded / 4000} bits per coordinate`);
});

test('roundFloat16 rounds to binary16 (ties to even) and rejects overflow', () => {
  assert.equal(roundFloat16(1), 1);
  assert.equal(roundFloat16(1 + 2 ** -11), 1); // tie → even
  assert.equal(roundFloat16(1 + 3 * 2 ** -11), 1 + 2 ** -9);
  assert.equal(roundFloat16(0.1), 0.0999755859375);
  assert.equal(roundFloat16(2 ** -24), 2 ** -24);
  assert.throws(() => roundFloat16(70000), /overflows float16/);
});
