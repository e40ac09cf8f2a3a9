/**
 * Task definitions (spec quere.md §2.3): the user prompt of each dataset, its answer options for the answer
 * probabilities, and its correctness rule. `'reference'` reproduces the authors' prompt whitespace (a line
 * continuation leaves " \n" and 29 spaces inside the prompt); the default collapses that run to one newline.
 */
import type { ChatMessage } from '../llm/index.ts';
import { gradeChoiceLetter, gradeOpenAnswer, gradeYesNo, type Compat } from './grading.ts';
import type { BoolqItem, CsqaItem, HaluevalItem, NqItem } from './datasets.ts';

/** How the follow-up conversation is phrased (the paper's wording by default). */
export interface ConversationStyle {
  preQuestion: string;
  postQuestion: string;
  /** Prepended to each follow-up question. */
  followUpLeadIn: string;
  /** Prepended to the model's answer when it is shown back to it. */
  assistantPrefix: string;
}

export const PAPER_STYLE: ConversationStyle = {
  preQuestion: 'Will you answer this question correctly (answer with yes or no)?',
  postQuestion: 'Did you answer this question correctly (answer with yes or no)?',
  followUpLeadIn: 'Now answer the following question to explain your decision (answer with yes or no). Question: ',
  assistantPrefix: 'Answer: ',
};

/** Token spellings that count as "yes" and "no" when reading a first-token top-k list (compared trimmed, lower case). */
export interface YesNoWords {
  yes: readonly string[];
  no: readonly string[];
}
export const ENGLISH_YES_NO: YesNoWords = { yes: ['yes'], no: ['no'] };

export interface Task<I = any> {
  name: string;
  /** 'choice': options are read from the answer's first token; 'open': a free answer (one answer-probability feature). */
  kind: 'choice' | 'open';
  /** Answer options in feature order (BoolQ ["no", "yes"], CSQA A…E); null for open answers. */
  options: readonly string[] | null;
  prompt(item: I, compat: Compat): string;
  isCorrect(generation: string, item: I, compat: Compat): boolean;
  answerMaxTokens: number;
  yesNo: YesNoWords;
  style: ConversationStyle;
  /**
   * For models without a chat template: turn the conversation into one completion prompt (the demo's arithmetic
   * language). Absent → the conversation is sent through the backend's chat().
   */
  render?: (messages: readonly ChatMessage[]) => string;
  /** Stop strings for the answer when rendered as a completion. */
  stop?: readonly string[];
}

const CONTINUATION = (compat: Compat, spaces: number): string => (compat === 'reference' ? ` \n${' '.repeat(spaces)}` : '\n');
const YES_NO_SUFFIX = 'Please answer with yes or no.';

export const boolqTask: Task<BoolqItem> = {
  name: 'boolq', kind: 'choice', options: ['no', 'yes'], answerMaxTokens: 16, yesNo: ENGLISH_YES_NO, style: PAPER_STYLE,
  prompt: (it, compat) => `Answer the following question, with the following information. Information: ${it.passage}${CONTINUATION(compat, 29)}Question: ${it.question}${YES_NO_SUFFIX}`,
  isCorrect: (gen, it, compat) => gradeYesNo(gen, it.answer ? 'yes' : 'no', compat),
};

export const csqaTask: Task<CsqaItem> = {
  name: 'csqa', kind: 'choice', options: ['A', 'B', 'C', 'D', 'E'], answerMaxTokens: 16, yesNo: ENGLISH_YES_NO, style: PAPER_STYLE,
  prompt: (it, compat) => {
    const answers = it.choices.map((t, i) => `${it.labels[i]}: ${t}`).join(', ');
    return `Answer the following multiple choice question, and provide the correct answer, denoted by a letter in (${it.labels.join(', ')}).${CONTINUATION(compat, 29)}Q: ${it.stem} Potential Answers: ${answers}. `;
  },
  isCorrect: (gen, it, compat) => gradeChoiceLetter(gen, it.answerKey, it.labels.join(''), compat),
};

export const nqTask: Task<NqItem> = {
  name: 'nq', kind: 'open', options: null, answerMaxTokens: 24, yesNo: ENGLISH_YES_NO, style: PAPER_STYLE,
  // The literal backslash and braces are the reference prompt's (a Python format string written by hand).
  prompt: (it) => `Please answer the following question. \\ Q: "{${it.question}}"?`,
  isCorrect: (gen, it, compat) => gradeOpenAnswer(gen, it.answers, compat),
};

export const haluevalTask: Task<HaluevalItem> = {
  name: 'halueval', kind: 'choice', options: ['no', 'yes'], answerMaxTokens: 16, yesNo: ENGLISH_YES_NO, style: PAPER_STYLE,
  prompt: (it) => `Does the following query and response contain a hallucination?: " Query: ${it.query} Response: ${it.response}"?${YES_NO_SUFFIX}`,
  isCorrect: (gen, it, compat) => gradeYesNo(gen, it.hallucination ? 'yes' : 'no', compat),
};

export const TASKS = { boolq: boolqTask, csqa: csqaTask, nq: nqTask, halueval: haluevalTask } as const;
