import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linearTicks, logTicks, niceStep } from '../../src/report/ticks.ts';
import { formatSeconds, formatValue } from '../../src/report/format.ts';

test('niceStep(rough) rounds up to 1, 2 or 5 times a power of ten', () => {
  assert.equal(niceStep(0.13), 0.2);
  assert.equal(niceStep(3), 5);
  assert.equal(niceStep(7), 10);
  assert.equal(niceStep(1), 1);
  assert.throws(() => niceStep(0), /positive finite/);
});

test('linearTicks(0, 1) gives clean steps of 0.2 with no float noise', () => {
  const t = linearTicks(0, 1, 5);
  assert.deepEqual(t.major.map((m) => m.value), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(t.major.map((m) => m.label), ['0', '0.2', '0.4', '0.6', '0.8', '1']);
  assert.deepEqual(t.domain, [0, 1]);
});

test('linearTicks widens the domain outward to whole steps', () => {
  const t = linearTicks(0.13, 9.7, 5);
  assert.deepEqual(t.domain, [0, 10]);
  assert.ok(t.domain[0] <= 0.13 && t.domain[1] >= 9.7);
});

test('linearTicks(v, v) widens a degenerate range around the value', () => {
  const t = linearTicks(5, 5);
  assert.ok(t.domain[0] < 5 && t.domain[1] > 5);
  const z = linearTicks(0, 0);
  assert.ok(z.domain[0] < 0 && z.domain[1] > 0);
});

test('linearTicks rejects non-finite or reversed ranges', () => {
  assert.throws(() => linearTicks(1, 0), /lo <= hi/);
  assert.throws(() => linearTicks(Number.NaN, 1), /finite/);
});

test('logTicks(1e-3, 1e2) puts labelled ticks on each power of ten with plain labels', () => {
  const t = logTicks(1e-3, 1e2);
  assert.deepEqual(t.major.map((m) => m.value), [0.001, 0.01, 0.1, 1, 10, 100]);
  assert.deepEqual(t.major.map((m) => m.label), ['0.001', '0.01', '0.1', '1', '10', '100']);
  assert.deepEqual(t.domain, [0.001, 100]);
  assert.ok(t.minor.includes(0.002) && t.minor.includes(50), 'minor grid at 2..9 × 10^k');
});

test('logTicks uses powers of ten for the whole axis when any label leaves 0.001..10000', () => {
  const t = logTicks(100, 2e7);
  assert.deepEqual(t.major.map((m) => m.label), ['10²', '10³', '10⁴', '10⁵', '10⁶', '10⁷', '10⁸']);
  const small = logTicks(1e-9, 1e-6);
  assert.deepEqual(small.major.map((m) => m.label), ['10⁻⁹', '10⁻⁸', '10⁻⁷', '10⁻⁶']);
});

test('logTicks widens to whole decades and labels 2 and 5 within narrow ranges', () => {
  const t = logTicks(30, 300);
  assert.deepEqual(t.domain, [10, 1000]);
  assert.deepEqual(t.major.map((m) => m.value), [10, 20, 50, 100, 200, 500, 1000]);
  const one = logTicks(5, 5);
  assert.deepEqual(one.domain, [1, 10], 'a single value still gets a decade');
});

test('logTicks thins labels over many decades to at most about eight', () => {
  const t = logTicks(1e-12, 1e12);
  assert.ok(t.major.length <= 9, `got ${t.major.length} labels`);
  assert.ok(t.domain[0] <= 1e-12 && t.domain[1] >= 1e12);
  assert.equal(t.major[0]!.value, t.domain[0]);
  assert.equal(t.major[t.major.length - 1]!.value, t.domain[1]);
});

test('logTicks rejects non-positive ranges', () => {
  assert.throws(() => logTicks(0, 10), /0 < lo/);
  assert.throws(() => logTicks(-1, 10), /0 < lo/);
});

test('formatValue(x) is short and readable', () => {
  assert.equal(formatValue(0.30000000000000004), '0.3');
  assert.equal(formatValue(12345678.9), '1.235e7');
  assert.equal(formatValue(0.000012346), '1.235e-5');
  assert.equal(formatValue(42), '42');
  assert.equal(formatValue(null), '—');
  assert.equal(formatValue('n/a'), 'n/a');
  assert.equal(formatValue(Number.NaN), 'NaN');
  assert.equal(formatSeconds(75), '1 min 15 s');
  assert.equal(formatSeconds(3.14159), '3.14 s');
});
