/**
 * Answer grading per task (spec quere.md §2.3). Default rules are the ones stated here; `'reference'` reproduces the
 * authors' substring rules, which accept e.g. "I don't know" as "no" ("know" contains "no").
 *
 *   yes/no (BoolQ, HaluEval): default — the first standalone word "yes" or "no" (any case) equals the gold word;
 *     reference — gold is a substring of the lower-cased generation after removing ", ' and .
 *   choice letter (CommonsenseQA): default — the first standalone capital letter A–E equals the gold letter;
 *     reference — the gold letter is a substring of the generation (case-sensitive).
 *   open answer (NQ-open): default — some gold alias, normalised like SQuAD's evaluation (lower case, punctuation and
 *     the articles a/an/the removed, spaces collapsed), appears in the normalised generation as whole words;
 *     reference — some lower-cased alias is a substring of the lower-cased generation.
 */
export type Compat = 'default' | 'reference';

export function gradeYesNo(generation: string, gold: 'yes' | 'no', compat: Compat = 'default'): boolean {
  if (compat === 'reference') return generation.toLowerCase().replace(/["'.]/g, '').includes(gold);
  const m = /\b(yes|no)\b/i.exec(generation);
  return m !== null && m[1]!.toLowerCase() === gold;
}

export function gradeChoiceLetter(generation: string, gold: string, letters = 'ABCDE', compat: Compat = 'default'): boolean {
  if (compat === 'reference') return generation.includes(gold);
  const m = new RegExp(`\\b([${letters}])\\b`).exec(generation);
  return m !== null && m[1] === gold;
}

/** SQuAD-style answer normalisation (Rajpurkar et al. 2016, official evaluation script). */
export function normalizeAnswer(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\b(a|an|the)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function gradeOpenAnswer(generation: string, aliases: readonly string[], compat: Compat = 'default'): boolean {
  if (compat === 'reference') {
    const g = generation.toLowerCase();
    return aliases.some((a) => g.includes(a.toLowerCase()));
  }
  const g = ` ${normalizeAnswer(generation)} `;
  return aliases.some((a) => {
    const n = normalizeAnswer(a);
    return n !== '' && g.includes(` ${n} `);
  });
}
