/**
 * Elicitation over any `LanguageModel` (spec quere.md §2.1): per item, the answer, pre-confidence, post-confidence
 * and one call per follow-up question — 3 + N calls, each reading only the first generated token's top-k
 * log-probabilities. Calls go through the llm query cache when one is given (an interrupted run resumes without
 * repeating answered calls), items run `concurrency` at a time, and progress reports the query rate.
 */
import { createHash } from 'node:crypto';
import { ArgumentError } from '../core/index.ts';
import { UnsupportedCapabilityError, withCache } from '../llm/index.ts';
import type { ChatMessage, GeneratedToken, LanguageModel, QueryCache, TokenLogprob } from '../llm/index.ts';
import type { Compat } from './grading.ts';
import type { RawRecord } from './features.ts';
import type { Task } from './tasks.ts';

export interface ElicitOptions {
  model: LanguageModel;
  /** The follow-up questions, in feature order (e.g. QUERE_BATTERY.questions). */
  questions: readonly string[];
  /** Prepended to every call (adversarial-prompt experiments). */
  systemPrompt?: string;
  /**
   * 'default': greedy answers (temperature 0), trimmed follow-up questions, collapsed prompt whitespace.
   * 'reference': the authors' settings — the temperature left at the API default (1; seeded per item here so the
   * cache can replay it), their prompt whitespace, follow-ups with the surrounding spaces of the stripped [INST] tags.
   */
  compat?: Compat;
  /** Top log-probabilities requested per call; default 5 (the paper's API setting). */
  topLogprobs?: number;
  /** Route every call through this cache (`withCache`; a no-op when `model` already is, as from openModel). */
  cache?: QueryCache;
  /** Items in flight at once; default 1. HTTP backends also apply their own request limit. */
  concurrency?: number;
  /** Record the full next-token log-probabilities at the answer position (white-box baseline; local full-distribution backends with a render()). */
  whiteBox?: boolean;
  onProgress?: (p: ElicitProgress) => void;
}

export interface ElicitProgress {
  items: number;
  itemsDone: number;
  calls: number;
  callsDone: number;
  /** Calls per second since the start (cache hits included). */
  rate: number;
}

export interface ElicitPlan {
  items: number;
  callsPerItem: number;
  calls: number;
  /** Prompt tokens, estimated as characters / 4 (answers unknown before the run: counted at their token budget). */
  estimatedPromptTokens: number;
  maxGeneratedTokens: number;
}

/** The conversations one item needs, in call order. */
export function conversations(task: Task, item: unknown, generation: string, options: Pick<ElicitOptions, 'questions' | 'systemPrompt' | 'compat'>): {
  answer: ChatMessage[]; pre: ChatMessage[]; post: ChatMessage[]; followUps: ChatMessage[][];
} {
  const compat = options.compat ?? 'default';
  const sys: ChatMessage[] = options.systemPrompt !== undefined ? [{ role: 'system', content: options.systemPrompt }] : [];
  const q: ChatMessage = { role: 'user', content: task.prompt(item, compat) };
  const shown: ChatMessage = { role: 'assistant', content: task.style.assistantPrefix + generation };
  const followUp = (e: string): string => (compat === 'reference' ? ` ${e.trim()} ` : e.trim());
  return {
    answer: [...sys, q],
    pre: [...sys, q, { role: 'user', content: task.style.preQuestion }],
    post: [...sys, q, shown, { role: 'user', content: task.style.postQuestion }],
    followUps: options.questions.map((e) => [...sys, q, shown, { role: 'user', content: task.style.followUpLeadIn + followUp(e) }]),
  };
}

/** What a run will cost, before it starts (`--dry-run`). */
export function planElicitation(task: Task, items: readonly unknown[], options: Pick<ElicitOptions, 'questions' | 'systemPrompt' | 'compat'>): ElicitPlan {
  const callsPerItem = 3 + options.questions.length;
  const placeholder = 'x'.repeat(task.answerMaxTokens * 4);
  let chars = 0;
  for (const item of items) {
    const c = conversations(task, item, placeholder, options);
    for (const msgs of [c.answer, c.pre, c.post, ...c.followUps]) chars += task.render ? task.render(msgs).length : msgs.reduce((s, m) => s + m.content.length + 8, 0);
  }
  return {
    items: items.length, callsPerItem, calls: items.length * callsPerItem, estimatedPromptTokens: Math.ceil(chars / 4),
    maxGeneratedTokens: items.length * (task.answerMaxTokens + callsPerItem - 1),
  };
}

function checkCapabilities(model: LanguageModel, task: Task, topLogprobs: number, whiteBox: boolean): void {
  if (model.capabilities.maxTopLogprobs < 1) {
    throw new UnsupportedCapabilityError(model.provider, 'return top log-probabilities', 'QueRE reads P(yes) from the first generated token\'s top-k log-probabilities; use a backend that returns logprobs, or the sampling approximation (samplingApproximation)');
  }
  if (topLogprobs > model.capabilities.maxTopLogprobs) {
    throw new ArgumentError(`elicit: topLogprobs ${topLogprobs} exceeds what ${model.provider} returns (${model.capabilities.maxTopLogprobs})`);
  }
  if (!task.render && !model.capabilities.chat) {
    throw new UnsupportedCapabilityError(model.provider, 'hold a chat conversation', `task '${task.name}' sends chat messages; give the task a render() for completion models`);
  }
  if (whiteBox && (model.capabilities.distribution !== 'full' || !task.render)) {
    throw new UnsupportedCapabilityError(model.provider, 'expose the full next-token distribution', 'the white-box baseline needs a local model with a full distribution and a task with render()');
  }
}

/** Seed for 'reference' sampling: fixed per conversation so the cache replays it and reruns agree. */
function conversationSeed(messages: readonly ChatMessage[]): number {
  return createHash('sha256').update(JSON.stringify(messages)).digest().readUInt32LE(0);
}

/**
 * Ask everything for each item and grade the answer. Returns one raw record per item (features are computed from
 * these by `buildFeatures`, under either reading, with no further model calls).
 */
export async function elicit(task: Task, items: readonly unknown[], options: ElicitOptions): Promise<RawRecord[]> {
  const compat = options.compat ?? 'default';
  if (compat !== 'default' && compat !== 'reference') throw new ArgumentError(`elicit: compat must be 'default' or 'reference', got ${JSON.stringify(compat)}`);
  const topLogprobs = options.topLogprobs ?? 5;
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new ArgumentError(`elicit: concurrency must be a positive integer, got ${concurrency}`);
  if (!Array.isArray(options.questions) || options.questions.length === 0) throw new ArgumentError('elicit: questions must be a non-empty array (e.g. QUERE_BATTERY.questions)');
  checkCapabilities(options.model, task, topLogprobs, options.whiteBox ?? false);
  const model = options.cache ? withCache(options.model, options.cache) : options.model;
  const callsPerItem = 3 + options.questions.length;
  const progress: ElicitProgress = { items: items.length, itemsDone: 0, calls: items.length * callsPerItem, callsDone: 0, rate: 0 };
  const t0 = performance.now();
  const tick = (): void => {
    progress.callsDone++;
    progress.rate = progress.callsDone / Math.max(1e-3, (performance.now() - t0) / 1000);
  };

  const ask = async (messages: ChatMessage[], maxTokens: number): Promise<{ text: string; tokens: GeneratedToken[] }> => {
    const sampling = compat === 'reference' ? { seed: conversationSeed(messages) } : { temperature: 0 };
    const r = task.render
      ? await model.sample({ prompt: task.render(messages), maxTokens, topLogprobs, stop: task.stop, ...sampling })
      : await model.chat({ messages, maxTokens, topLogprobs, ...sampling });
    tick();
    if (r.tokens.length > 0 && !Array.isArray(r.tokens[0]!.top)) {
      throw new UnsupportedCapabilityError(model.provider, 'return top log-probabilities', `the response to a request with topLogprobs ${topLogprobs} carried none; QueRE needs the first token's top-k`);
    }
    return r;
  };
  const firstTop = (tokens: GeneratedToken[]): TokenLogprob[] => (tokens[0]?.top ?? []).map((t) => ({ text: t.text, logprob: t.logprob }));

  const one = async (item: unknown, index: number): Promise<RawRecord> => {
    const base = conversations(task, item, '', options);
    const answer = await ask(base.answer, task.answerMaxTokens);
    const generation = answer.text.trim();
    const c = conversations(task, item, generation, options);
    const [pre, post, ...followUps] = await Promise.all([c.pre, c.post, ...c.followUps].map((m) => ask(m, 1)));
    const record: RawRecord = {
      id: (item as { id?: string }).id ?? String(index),
      correct: task.isCorrect(generation, item, compat),
      answer: { text: generation, top: firstTop(answer.tokens) },
      pre: firstTop(pre!.tokens), post: firstTop(post!.tokens), followUps: followUps.map((f) => firstTop(f.tokens)),
    };
    if (options.whiteBox) {
      const dist = await model.nextTokenDistribution(task.render!(c.answer));
      const v = new Array<number>(dist.entries.length);
      for (const e of dist.entries) v[e.id!] = Math.max(e.logprob, -100);
      record.nextTokenLogprobs = v;
    }
    progress.itemsDone++;
    options.onProgress?.({ ...progress });
    return record;
  };

  const out = new Array<RawRecord>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await one(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}
