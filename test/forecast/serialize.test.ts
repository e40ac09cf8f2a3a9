import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { serialize, deserialize } from '../../src/forecast/serialize.ts';
import { fitScaler, quantile } from '../../src/forecast/scaler.ts';
import { PRESETS, presetSettings, withDigitMode, type SerializerSettings } from '../../src/forecast/settings.ts';
import { GOLDEN_PATH, GOLDEN_SKIP, DARTS_DIR } from './data.ts';

interface GoldenSettings {
  prec: number; signed: boolean; fixed_length: boolean; max_val: number; time_sep: string; bit_sep: string;
  plus_sign: string; minus_sign: string; half_bin_correction: boolean; decimal_point: string; missing_str: string;
}
const golden = GOLDEN_SKIP ? null : JSON.parse(readFileSync(GOLDEN_PATH, 'utf8'));

function fromGolden(g: GoldenSettings): SerializerSettings {
  return {
    prec: g.prec, signed: g.signed, fixedLength: g.fixed_length, maxVal: g.max_val, timeSep: g.time_sep, bitSep: g.bit_sep,
    plusSign: g.plus_sign, minusSign: g.minus_sign, halfBinCorrection: g.half_bin_correction, decimalPoint: g.decimal_point,
    missingStr: g.missing_str, digitMode: 'reference',
  };
}

test('serialize(reference mode) equals the authors\' serializer byte for byte on every golden case', { skip: GOLDEN_SKIP }, () => {
  const cases = golden.serialize_roundtrip as { settings: string; input: (number | null)[]; serialized: string; deserialized: number[] }[];
  assert.ok(cases.length >= 25);
  for (const c of cases) {
    const s = fromGolden(golden.settings[c.settings]);
    const input = c.input.map((v) => (v === null ? NaN : v));
    assert.equal(serialize(input, s), c.serialized, `${c.settings} ${JSON.stringify(c.input)}`);
    assert.deepEqual(Array.from(deserialize(c.serialized, s)!), c.deserialized, `${c.settings} ${c.serialized}`);
  }
});

test('deserialize(reference) parses garbage, partial steps and the empty string exactly as the reference', { skip: GOLDEN_SKIP }, () => {
  for (const c of golden.deserialize_robustness as { settings: string; completion: string; deserialized: number[] | null }[]) {
    const s = fromGolden(golden.settings[c.settings]);
    const got = deserialize(c.completion, s);
    assert.deepEqual(got === null ? null : Array.from(got), c.deserialized, JSON.stringify(c.completion));
  }
});

test('the presets equal the golden settings of the paper\'s models', { skip: GOLDEN_SKIP }, () => {
  assert.deepEqual(PRESETS.gpt3, fromGolden(golden.settings.gpt3_prec3));
  assert.deepEqual(PRESETS.llama, fromGolden(golden.settings.llama_prec3));
  assert.deepEqual(PRESETS.chat, fromGolden(golden.settings.gpt4_prec3));
  assert.deepEqual(PRESETS.promptcast, fromGolden(golden.settings.promptcast_prec0));
});

test('fitScaler on AirPassengers\' training part reproduces the golden offset, q and prompt', { skip: GOLDEN_SKIP }, () => {
  const rows = readFileSync(DARTS_DIR + 'AirPassengers.csv', 'utf8').trim().split('\n').slice(1);
  const train = rows.map((r) => Number(r.split(',')[1])).slice(0, 115);
  const ex = golden.scaler_example;
  const sc = fitScaler(train, { alpha: 0.99, beta: 0.3 });
  assert.equal(sc.offset, ex.advanced.min_);
  assert.equal(sc.q, ex.advanced.q);
  const y = sc.transform(train);
  assert.deepEqual(Array.from(y.slice(0, 6)), ex.advanced.scaled_first6);
  assert.equal(serialize(y, PRESETS.gpt3), ex.advanced.gpt3_prec3_full_train);
  assert.equal(serialize(y, PRESETS.llama), ex.advanced.llama_prec3_full_train);
  const basic = fitScaler(train, { alpha: 0.3, basic: true });
  assert.equal(basic.q, ex.basic.q);
  assert.equal(serialize(basic.transform(train.slice(0, 6)), PRESETS.chat), ex.basic.gpt4_prec3_first6);
});

test('serialize(round mode) writes exact decimal rounding: 0.123 → 123, 2.675 → 2675, 0.0004 → 0', () => {
  const s = presetSettings('llama');
  assert.equal(s.digitMode, 'round');
  assert.equal(s.halfBinCorrection, false);
  assert.equal(serialize([0.123, 1.23, 0.29, 2.675, 0.0004, -0.0004, -0.5, 12.3456], s), '123,1230,290,2675,0,0,-500,12346,');
  assert.equal(serialize([0.123], { ...s, fixedLength: true }), '0000000123,');
  assert.equal(serialize([0.125, -0.125], { ...s, prec: 2 }), '13,-13,');
});

test('deserialize decodes each digit mode to the centre of its own bin', () => {
  // Round mode: "123" stands for [0.1225, 0.1235) → centre 0.123; reference: [0.123, 0.124) → centre 0.1235.
  const round = presetSettings('llama', 'round');
  const ref = presetSettings('llama', 'reference');
  assert.deepEqual(Array.from(deserialize('123,', round)!), [0.123]);
  assert.deepEqual(Array.from(deserialize('123,', ref)!), [0.1235]);
  // Round trip error stays within half a bin in round mode, within one bin (one-sided) in reference mode.
  const xs = Array.from({ length: 200 }, (_, i) => (i * 0.37123) % 5 - 1.3);
  const backRound = deserialize(serialize(xs, round), round)!;
  const backRef = deserialize(serialize(xs, ref), ref)!;
  let meanRound = 0, meanRef = 0, meanMismatch = 0;
  const mismatched = { ...ref, halfBinCorrection: false };
  const backMismatch = deserialize(serialize(xs, ref), mismatched)!;
  xs.forEach((x, i) => {
    assert.ok(Math.abs(backRound[i]! - x) <= 0.0005 + 1e-12, `round ${x} → ${backRound[i]}`);
    assert.ok(Math.abs(backRef[i]! - x) <= 0.001 + 1e-12, `reference ${x} → ${backRef[i]}`);
    meanRound += (backRound[i]! - x) * Math.sign(x) / xs.length;
    meanRef += (backRef[i]! - x) * Math.sign(x) / xs.length;
    meanMismatch += (backMismatch[i]! - x) * Math.sign(x) / xs.length;
  });
  // Unbiased with the matching convention, about −½ bin (toward zero) without the correction.
  assert.ok(Math.abs(meanRound) < 1e-4, `round bias ${meanRound}`);
  assert.ok(Math.abs(meanRef) < 1.5e-4, `reference bias ${meanRef}`);
  assert.ok(meanMismatch < -3.5e-4, `mismatched bias ${meanMismatch}`);
});

test('deserialize keeps at most `steps` values and returns null when nothing parses', () => {
  const s = presetSettings('llama');
  assert.deepEqual(Array.from(deserialize('1,2,3,4,', s, { steps: 2 })!), [0.001, 0.002]);
  assert.equal(deserialize('', s), null);
  assert.equal(deserialize(',,,', s), null);
});

test('deserialize(strict) fails a completion with garbage and reads missingStr as NaN', () => {
  const s = presetSettings('gpt3');
  assert.equal(deserialize(' 1 2 3 , x y , 4 5 6 ,', s, { strict: true }), null);
  assert.deepEqual(Array.from(deserialize(' 1 2 3 , x y , 4 5 6 ,', s)!), [0.123, 0, 0.456]);
  const back = deserialize(serialize([1, NaN, 2.5], s), s, { strict: true })!;
  assert.equal(back[0], 1);
  assert.ok(Number.isNaN(back[1]!));
  assert.equal(back[2], 2.5);
});

test('serialize rejects values above maxVal, negative values when unsigned, and infinities, naming the index', () => {
  const s = presetSettings('llama');
  assert.throws(() => serialize([1, 2e7], s), /values\[1\].*exceeds maxVal 10000000.*α/);
  assert.throws(() => serialize([-1], { ...s, signed: false }), /values\[0\] = -1 is negative/);
  assert.throws(() => serialize([Infinity], s), /values\[0\] is Infinity/);
  assert.throws(() => serialize([1], { ...s, prec: -1 }), /settings\.prec/);
  assert.equal(serialize([], s), '');
});

test('fitScaler falls back to q = 1 (advanced) or 0.01 (basic) on a constant history, ignores NaN, refuses all-NaN', () => {
  assert.equal(fitScaler([5, 5, 5]).q, 1);
  assert.equal(fitScaler([0, 0], { basic: true }).q, 0.01);
  const withNan = fitScaler([1, NaN, 3, 2], { alpha: 1, beta: 0 });
  assert.equal(withNan.offset, 1);
  assert.equal(withNan.q, 2);
  assert.ok(Number.isNaN(withNan.transform([NaN])[0]!));
  assert.throws(() => fitScaler([NaN, NaN]), /no finite values/);
  assert.throws(() => fitScaler([1, 2], { alpha: 0 }), /alpha/);
  assert.throws(() => fitScaler([1, 2], { gamma: 1 } as never), /unknown option/);
  const sc = fitScaler([3, 1, 4, 1, 5, 9, 2, 6]);
  assert.deepEqual(Array.from(sc.inverse(sc.transform([3, 1, 4]))).map((v) => +v.toFixed(12)), [3, 1, 4]);
});

test('quantile is numpy\'s type 7', () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantile([4, 1, 3, 2], 0.25), 1.75);
  assert.equal(quantile([1, 2, 3, 4], 1), 4);
  assert.equal(quantile([7], 0.3), 7);
});

test('withDigitMode switches the half-bin convention with the digit mode', () => {
  assert.equal(withDigitMode(PRESETS.gpt3, 'round').halfBinCorrection, false);
  assert.equal(withDigitMode(presetSettings('gpt3'), 'reference').halfBinCorrection, true);
});
