/**
 * The vocabulary of Strata's digit model: llama.cpp's SentencePiece layout (<unk>, <s>, </s>) followed by one token
 * per symbol and the 256 byte-fallback tokens llama.cpp requires (`characterVocabulary` in strata/llm). The model
 * is trained on the `llama` preset (no spaces: "259,271,-3,"), so its symbols are the ten digits, ',' and '-'.
 */
import { ArgumentError } from '../core/index.ts';
import { characterVocabulary, type LlamaVocabulary } from '../llm/index.ts';

export const DIGIT_MODEL_SYMBOLS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ',', '-'] as const;

export const DIGIT_VOCABULARY: LlamaVocabulary = characterVocabulary([...DIGIT_MODEL_SYMBOLS]);

export const BOS_ID = DIGIT_VOCABULARY.bosId;

const idOf = new Map<string, number>(DIGIT_MODEL_SYMBOLS.map((s) => [s, DIGIT_VOCABULARY.tokens.indexOf(s)]));

/** Token ids of `text` (every character must be a vocabulary symbol), with BOS first when `bos`. */
export function encodeDigits(text: string, bos = true): Int32Array {
  const out = new Int32Array(text.length + (bos ? 1 : 0));
  if (bos) out[0] = BOS_ID;
  for (let i = 0; i < text.length; i++) {
    const id = idOf.get(text[i]!);
    if (id === undefined) throw new ArgumentError(`encodeDigits: character ${JSON.stringify(text[i])} at ${i} is not in the digit vocabulary (${DIGIT_MODEL_SYMBOLS.join(' ')})`);
    out[i + (bos ? 1 : 0)] = id;
  }
  return out;
}
