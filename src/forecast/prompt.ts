/**
 * Prompt construction shared by sampling and scoring: the serialized steps of a series, and the longest suffix of
 * them (whole steps only) whose tokenization fits a token budget — LLMTime's "drop the oldest steps until the prompt
 * fits the context" rule (spec forecast.md §2.5).
 */
import { ArgumentError } from '../core/index.ts';
import type { LanguageModel } from '../llm/index.ts';
import { serialize } from './serialize.ts';
import type { SerializerSettings } from './settings.ts';

/** Each value's serialized text including its trailing separator, so `steps.join('')` is the serialized series. */
export function serializedSteps(values: ArrayLike<number>, s: SerializerSettings): string[] {
  return Array.from({ length: values.length }, (_, i) => serialize([values[i]!], s));
}

/**
 * Token count of a prompt text (with the BOS the model adds). A server without a tokenizer endpoint gets one token
 * per character plus one: an upper bound for digit strings under every BPE/SentencePiece tokenizer, so budgets
 * built on it never overflow the context.
 */
export async function tokenCount(model: LanguageModel, text: string): Promise<number> {
  if (!model.capabilities.tokenize) return text.length + 1;
  return (await model.tokenize(text, { addBos: true })).length;
}

/**
 * The longest suffix of `steps` (at least `minSteps` steps) whose text, with the BOS, takes at most `budget` tokens.
 * Starts from an estimate by average tokens per step and corrects it with real tokenizations, so a long history
 * costs a few tokenize calls rather than one per step.
 */
export async function fitSuffix(model: LanguageModel, steps: readonly string[], budget: number, minSteps = 1): Promise<{ text: string; steps: number; tokens: number }> {
  if (steps.length === 0) {
    const tokens = await tokenCount(model, '');
    return { text: '', steps: 0, tokens };
  }
  const countFor = async (k: number) => tokenCount(model, steps.slice(steps.length - k).join(''));
  const all = await countFor(steps.length);
  if (all <= budget) return { text: steps.join(''), steps: steps.length, tokens: all };
  const perStep = all / steps.length;
  let k = Math.max(minSteps, Math.min(steps.length, Math.floor(budget / perStep)));
  let tokens = await countFor(k);
  while (tokens > budget && k > minSteps) { k--; tokens = await countFor(k); }
  while (k < steps.length) {
    const next = await countFor(k + 1);
    if (next > budget) break;
    k++; tokens = next;
  }
  if (tokens > budget) {
    throw new ArgumentError(`prompt: even the last ${k} step(s) take ${tokens} tokens, more than the ${budget} the model's context leaves; use a model with a longer context or a shorter horizon`);
  }
  return { text: steps.slice(steps.length - k).join(''), steps: k, tokens };
}

/** Context length of a backend: its own, when it reports one (GGUF), else `fallback`. */
export function contextLengthOf(model: LanguageModel | null, fallback = 4096): number {
  const size = model?.contextSize;
  return typeof size === 'number' && size > 0 ? size : fallback;
}
