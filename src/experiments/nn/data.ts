import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { Rng, ArgumentError } from '../../core/index.ts';

/**
 * Data for the foundation's miniature experiments. Each loader reads the real file from the shared data folder
 * when present and otherwise builds a synthetic stand-in, reporting which one it used.
 */

export interface Digits { x: Float32Array; y: Int32Array; n: number; source: string }

/** scikit-learn's 8×8 digits (1797 × 64 pixel values 0..16, then the label). */
export function parseDigitsCsv(text: string, source: string): Digits {
  const rows = text.split('\n').filter((l) => l.trim() !== '');
  const x = new Float32Array(rows.length * 64);
  const y = new Int32Array(rows.length);
  rows.forEach((line, i) => {
    const v = line.split(',');
    if (v.length !== 65) throw new ArgumentError(`digits: ${source} line ${i + 1} has ${v.length} fields, expected 65`);
    for (let j = 0; j < 64; j++) {
      const p = Number(v[j]);
      if (!Number.isFinite(p)) throw new ArgumentError(`digits: ${source} line ${i + 1} field ${j + 1} is not a number: '${v[j]}'`);
      x[i * 64 + j] = p / 16;
    }
    y[i] = Number(v[64]);
  });
  return { x, y, n: rows.length, source };
}

// 5×7 bitmaps of the ten digits (one string per row), drawn for this repository.
const GLYPHS = [
  ['01110', '10001', '10011', '10101', '11001', '10001', '01110'],
  ['00100', '01100', '00100', '00100', '00100', '00100', '01110'],
  ['01110', '10001', '00001', '00010', '00100', '01000', '11111'],
  ['11110', '00001', '00001', '01110', '00001', '00001', '11110'],
  ['00010', '00110', '01010', '10010', '11111', '00010', '00010'],
  ['11111', '10000', '11110', '00001', '00001', '10001', '01110'],
  ['00110', '01000', '10000', '11110', '10001', '10001', '01110'],
  ['11111', '00001', '00010', '00100', '01000', '01000', '01000'],
  ['01110', '10001', '10001', '01110', '10001', '10001', '01110'],
  ['01110', '10001', '10001', '01111', '00001', '00010', '01100'],
];

/** Synthetic 8×8 digits: glyphs at random offsets with stroke-intensity jitter and pixel noise. */
export function syntheticDigits(n: number, seed: number): Digits {
  const rng = new Rng(seed);
  const x = new Float32Array(n * 64);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const d = i % 10;
    y[i] = d;
    const dx = rng.int(0, 4), dy = rng.int(0, 2);
    const ink = 0.6 + 0.4 * rng.random();
    for (let r = 0; r < 7; r++) for (let c = 0; c < 5; c++) {
      if (GLYPHS[d]![r]![c] === '1' && rng.random() > 0.1) x[i * 64 + (r + dy) * 8 + c + dx] = ink;
    }
    for (let j = 0; j < 64; j++) x[i * 64 + j] = Math.min(1, Math.max(0, x[i * 64 + j]! + 0.15 * rng.gauss()));
  }
  return { x, y, n, source: 'synthetic glyph digits (shared data absent)' };
}

export function loadDigits(sharedDataDir: string | null, seed = 0): Digits {
  const file = sharedDataDir ? join(sharedDataDir, 'digits.csv.gz') : null;
  if (file && existsSync(file)) return parseDigitsCsv(gunzipSync(readFileSync(file)).toString('utf8'), 'shared data digits.csv.gz');
  return syntheticDigits(1797, seed);
}

export interface Corpus { text: string; source: string }

/** A synthetic English-like corpus from a small random grammar, used when fortunes.txt is absent. */
export function syntheticCorpus(chars: number, seed: number): string {
  const rng = new Rng(seed);
  const subj = ['the cat', 'a dog', 'my friend', 'the old man', 'every child', 'the river', 'a small bird', 'the machine'];
  const verb = ['sees', 'likes', 'follows', 'remembers', 'builds', 'finds', 'carries', 'watches'];
  const obj = ['the moon', 'a red ball', 'the garden', 'an answer', 'the long road', 'a quiet song', 'the light'];
  const adv = ['slowly', 'today', 'again', 'at night', 'with care', 'in the rain'];
  const pick = (a: string[]) => a[rng.int(0, a.length)]!;
  let out = '';
  while (out.length < chars) {
    let s = `${pick(subj)} ${pick(verb)} ${pick(obj)}`;
    if (rng.random() < 0.5) s += ` ${pick(adv)}`;
    out += s.charAt(0).toUpperCase() + s.slice(1) + (rng.random() < 0.2 ? '.\n%\n' : '. ');
  }
  return out.slice(0, chars);
}

export function loadCorpus(sharedDataDir: string | null, seed = 0): Corpus {
  const file = sharedDataDir ? join(sharedDataDir, 'fortunes.txt') : null;
  if (file && existsSync(file)) return { text: readFileSync(file, 'latin1'), source: 'shared data fortunes.txt' };
  return { text: syntheticCorpus(400_000, seed), source: 'synthetic grammar text (shared data absent)' };
}

/** Byte-level vocabulary: printable ASCII plus newline and tab; everything else maps to one "other" id. */
export class CharVocab {
  readonly chars: string[];
  private readonly index = new Map<string, number>();
  constructor() {
    this.chars = ['\u0000', '\n', '\t', ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i))];
    this.chars.forEach((c, i) => this.index.set(c, i));
  }
  get size(): number {
    return this.chars.length;
  }
  encode(text: string): Int32Array {
    const out = new Int32Array(text.length);
    for (let i = 0; i < text.length; i++) out[i] = this.index.get(text[i]!) ?? 0;
    return out;
  }
  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) s += ids[i] === 0 ? '?' : this.chars[ids[i]!] ?? '?';
    return s;
  }
}
