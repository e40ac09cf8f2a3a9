import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng, ArgumentError, MissingResourceError } from '../../core/index.ts';

/**
 * The miniature's data (spec §5): fortunes split at lines holding only `%`, mapped to a 96-symbol vocabulary
 * (printable ASCII 32–126 and newline). Tab → space, backspace overstrikes `X\bY` → `Y`, anything else → `?`.
 */
export const VOCAB_SIZE = 96;
/** The context-padding symbol: an input id only, never predicted. */
export const BOS = 96;
const NEWLINE = 95;

export function encodeChar(code: number): number {
  if (code === 10) return NEWLINE;
  if (code === 9) return 0; // tab → space
  if (code >= 32 && code <= 126) return code - 32;
  return '?'.charCodeAt(0) - 32;
}

export function decodeIds(ids: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < ids.length; i++) s += ids[i] === NEWLINE ? '\n' : String.fromCharCode(ids[i]! + 32);
  return s;
}

/** One document's text → token ids (overstrikes resolved first). */
export function encodeDocument(text: string): Int32Array {
  const clean = text.replace(/[\s\S]\u0008/g, '');
  const out = new Int32Array(clean.length);
  for (let i = 0; i < clean.length; i++) out[i] = encodeChar(clean.charCodeAt(i));
  return out;
}

/** Documents of a `%`-separated fortune file (empty documents dropped: they have no tokens to predict). */
export function parseFortunes(text: string): string[] {
  const docs: string[] = [];
  let cur: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '%') { docs.push(cur.join('\n')); cur = []; } else cur.push(line);
  }
  docs.push(cur.join('\n'));
  return docs.map((d) => d.replace(/\n+$/, '')).filter((d) => d.length > 0);
}

// A small embedded corpus for machines without the shared data (written for this repository).
const EMBEDDED = [
  'A journey of a thousand miles begins with a single step, and usually a wrong turn.',
  'You will meet an old friend in an unexpected place.\nBring a coat.',
  'The early bird gets the worm, but the second mouse gets the cheese.',
  'Never trust a computer you cannot lift.',
  'Today is a good day to finish what you started yesterday.',
  'Patience is a virtue, unless the building is on fire.',
  'A clean desk is a sign of a cluttered drawer.',
  'Your code will compile on the first try. Enjoy it; it will not happen again.',
  'Every cloud has a silver lining, and most have rain.',
  'He who laughs last has not yet heard the joke.',
  'The best way to predict the future is to build it carefully.',
  'Do not count your chickens before they hatch; count the eggs.',
  'There is no place like home, except perhaps a library.',
  'A watched pot never boils, but an unwatched one boils over.',
  'When in doubt, read the manual. When still in doubt, read it again.',
  'Fortune favours the prepared mind and the packed lunch.',
  'Two wrongs do not make a right, but three lefts do.',
  'The longest night still ends in morning.',
  'Small steps every day add up to long roads.',
  'If at first you do not succeed, check the power cable.',
];

/** The embedded corpus recombined into `n` seeded documents (the stand-in when fortunes.txt is absent). */
export function embeddedDocuments(seed: number, n: number): string[] {
  const rng = new Rng(seed).split(1)[0]!;
  return Array.from({ length: n }, () => {
    const k = 1 + rng.int(0, 3);
    return Array.from({ length: k }, () => EMBEDDED[rng.int(0, EMBEDDED.length)]!).join(' ');
  });
}

export interface BoundsCorpus {
  train: Int32Array[];
  heldOut: Int32Array[];
  source: string;
  documents: number;
}

/**
 * Loads `file` (or `fortunes.txt` in the shared data folder), falling back to the embedded corpus expanded to
 * `fallbackDocs` documents by seeded recombination. Seeded 90/10 split of documents.
 */
export function loadBoundsCorpus(o: { sharedDataDir: string | null; file?: string; seed: number; fallbackDocs?: number }): BoundsCorpus {
  let docs: string[];
  let source: string;
  const file = o.file ?? (o.sharedDataDir ? join(o.sharedDataDir, 'fortunes.txt') : null);
  if (o.file !== undefined && !existsSync(o.file)) throw new MissingResourceError(`--data: file ${o.file} does not exist`);
  if (file && existsSync(file)) {
    docs = parseFortunes(readFileSync(file, 'latin1'));
    source = o.file ? o.file : 'shared data fortunes.txt';
  } else {
    const n = o.fallbackDocs ?? 3000;
    docs = embeddedDocuments(o.seed, n);
    source = `embedded corpus (${EMBEDDED.length} sentences recombined into ${n} documents; shared fortunes.txt absent)`;
  }
  if (docs.length < 10) throw new ArgumentError(`bounds data: ${source} holds ${docs.length} documents; need at least 10`);
  const ids = docs.map(encodeDocument);
  const order = Array.from({ length: ids.length }, (_, i) => i);
  const rng = new Rng(o.seed);
  for (let i = order.length - 1; i > 0; i--) { const j = rng.int(0, i + 1); [order[i], order[j]] = [order[j]!, order[i]!]; }
  const nTrain = Math.round(0.9 * ids.length);
  return { train: order.slice(0, nTrain).map((i) => ids[i]!), heldOut: order.slice(nTrain).map((i) => ids[i]!), source, documents: ids.length };
}
