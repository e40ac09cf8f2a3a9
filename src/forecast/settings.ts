/**
 * Serializer settings of LLMTime (Gruver et al. 2023, §3 "Tokenization"; reference `data/serialize.py`) and the
 * presets the paper's experiments used. Names mirror the reference in camelCase.
 */
import { ArgumentError } from '../core/index.ts';

/**
 * 'reference': the authors' float64 truncation (0.123 → "1 2 2"); needed to reproduce their prompts byte for byte.
 * 'round': exact decimal rounding (0.123 → "1 2 3"); the default for new work.
 */
export type DigitMode = 'reference' | 'round';

export interface SerializerSettings {
  /** Digits kept after the implicit decimal point. */
  prec: number;
  /** Emit `minusSign` for negative values; unsigned settings refuse negative input. */
  signed: boolean;
  /** Keep leading zeros (every number gets all integer slots). */
  fixedLength: boolean;
  /** Largest magnitude that can be written; integer digit slots = ceil(log10(maxVal)). */
  maxVal: number;
  /** Between time steps and once more at the end. */
  timeSep: string;
  /** Written before every digit. */
  bitSep: string;
  plusSign: string;
  minusSign: string;
  /** Decode a digit string to the centre of its bin instead of its lower edge (see `defaultHalfBin`). */
  halfBinCorrection: boolean;
  decimalPoint: string;
  /** Written for a NaN step. */
  missingStr: string;
  digitMode: DigitMode;
}

/**
 * Forecast defaults, written once for the library (`forecast`) and the CLI (`strata forecast`): the paper's LLaMA-2
 * protocol (spec forecast.md §2.5 and §7: temperature 1.0, top-p 0.9, 20 samples, `llama` preset, prec 3, advanced
 * scaler α 0.99, β 0.3). `fitScaler`'s own default (α 0.95) is the reference serializer's and applies only when the
 * scaler is used on its own.
 */
export const FORECAST_DEFAULTS = {
  numSamples: 20,
  temperature: 1,
  topP: 0.9,
  seed: 1,
  preset: 'llama',
  prec: 3,
  scaler: { alpha: 0.99, beta: 0.3, basic: false },
} as const;

const base = {
  prec: 3, signed: true, fixedLength: false, maxVal: 1e7, plusSign: '', decimalPoint: '', missingStr: ' Nan',
} as const;

/**
 * The paper's per-model settings in the authors' own form (digitMode 'reference', half-bin correction on). For new
 * work take a preset and set `digitMode: 'round'` through `withDigitMode`, which also fixes the bin convention.
 */
export const PRESETS = {
  gpt3: { ...base, timeSep: ' ,', bitSep: ' ', minusSign: ' -', halfBinCorrection: true, digitMode: 'reference' },
  llama: { ...base, timeSep: ',', bitSep: '', minusSign: '-', halfBinCorrection: true, digitMode: 'reference' },
  chat: { ...base, timeSep: ', ', bitSep: '', minusSign: '-', halfBinCorrection: true, digitMode: 'reference' },
  promptcast: { ...base, prec: 0, timeSep: ', ', bitSep: '', minusSign: '-', halfBinCorrection: false, digitMode: 'reference' },
} as const satisfies Record<string, SerializerSettings>;

export type PresetName = keyof typeof PRESETS;

/**
 * The bin convention that matches a digit mode: truncation writes k for values in [k, k+1)·10^−prec, so the bin
 * centre is k + ½; rounding writes k for [k − ½, k + ½)·10^−prec, centre k. Decoding with the other convention
 * biases every sample by half a bin.
 */
export function defaultHalfBin(mode: DigitMode): boolean {
  return mode === 'reference';
}

/** A preset (or settings) switched to another digit mode, with the half-bin correction that belongs to it. */
export function withDigitMode(settings: SerializerSettings, digitMode: DigitMode): SerializerSettings {
  return { ...settings, digitMode, halfBinCorrection: defaultHalfBin(digitMode) };
}

/** Settings for a preset name, in the recommended 'round' mode unless `digitMode` says otherwise. */
export function presetSettings(name: PresetName, digitMode: DigitMode = 'round'): SerializerSettings {
  const preset = PRESETS[name];
  if (!preset) throw new ArgumentError(`presetSettings: unknown preset '${String(name)}'; expected one of ${Object.keys(PRESETS).join(', ')}`);
  // promptcast decodes integers as given (no half-bin) in both modes: with prec 0 a half-bin shift would be ±0.5.
  if (name === 'promptcast') return { ...preset, digitMode };
  return withDigitMode(preset, digitMode);
}

/** Integer digit slots for `maxVal` (7 for the default 1e7). */
export function integerSlots(settings: SerializerSettings): number {
  return Math.ceil(Math.log10(settings.maxVal));
}

/** Validate every field, naming the operation and the field in the error. */
export function checkSettings(operation: string, s: SerializerSettings): void {
  if (!s || typeof s !== 'object') throw new ArgumentError(`${operation}: settings must be a SerializerSettings object, got ${String(s)}`);
  if (!Number.isInteger(s.prec) || s.prec < 0 || s.prec > 10) {
    throw new ArgumentError(`${operation}: settings.prec must be an integer from 0 to 10, got ${s.prec}`);
  }
  if (!(s.maxVal >= 1) || !Number.isFinite(s.maxVal)) throw new ArgumentError(`${operation}: settings.maxVal must be a finite number ≥ 1, got ${s.maxVal}`);
  if (integerSlots(s) + s.prec > 15) {
    throw new ArgumentError(`${operation}: ceil(log10(maxVal)) + prec = ${integerSlots(s) + s.prec} digits exceed the 15 a float64 holds exactly; lower maxVal or prec`);
  }
  for (const k of ['timeSep', 'bitSep', 'plusSign', 'minusSign', 'decimalPoint', 'missingStr'] as const) {
    if (typeof s[k] !== 'string') throw new ArgumentError(`${operation}: settings.${k} must be a string, got ${typeof s[k]}`);
  }
  if (s.timeSep.length === 0) throw new ArgumentError(`${operation}: settings.timeSep must not be empty (it is what ends a number)`);
  if (/[0-9]/.test(s.timeSep + s.bitSep + s.minusSign + s.plusSign)) {
    throw new ArgumentError(`${operation}: separators and signs must not contain digits`);
  }
  if (s.digitMode !== 'reference' && s.digitMode !== 'round') {
    throw new ArgumentError(`${operation}: settings.digitMode must be 'reference' or 'round', got ${JSON.stringify(s.digitMode)}`);
  }
  for (const k of ['signed', 'fixedLength', 'halfBinCorrection'] as const) {
    if (typeof s[k] !== 'boolean') throw new ArgumentError(`${operation}: settings.${k} must be a boolean, got ${typeof s[k]}`);
  }
}
