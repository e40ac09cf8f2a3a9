/**
 * Score a closed set of answers ("Yes"/"No", "A"/"B") as whole continuations of a prompt. A word can be several
 * tokens (" Yes" is 4 in the stories260K vocabulary), so each option is scored by teacher forcing and the options are
 * normalised against each other: P(option) = exp(log P(option | prompt)) / Σ exp(log P(other | prompt)).
 */
import { ArgumentError } from '../core/index.ts';
import { UnsupportedCapabilityError } from './errors.ts';
import type { LanguageModel } from './language-model.ts';

export interface OptionScore {
  option: string;
  /** log P(option | prompt) under the model. */
  logprob: number;
  /** Probability among the given options (sums to 1 over them). */
  probability: number;
}

export async function scoreOptions(model: LanguageModel, prompt: string, options: readonly string[]): Promise<OptionScore[]> {
  if (!Array.isArray(options) || options.length < 2 || options.some((o) => typeof o !== 'string' || o === '')) {
    throw new ArgumentError('scoreOptions: options must be at least two non-empty strings');
  }
  if (!model.capabilities.promptLogprobs) {
    throw new UnsupportedCapabilityError(model.provider, 'score answer options', 'it gives no teacher-forced log-probabilities; use the first-token top log-probabilities of chat() instead');
  }
  const logprobs = await Promise.all(options.map(async (o) => (await model.continuationLogprobs(prompt, o)).total));
  const max = Math.max(...logprobs);
  if (max === -Infinity) throw new ArgumentError(`scoreOptions: every option has probability 0 after the prompt`);
  const z = logprobs.reduce((s, l) => s + Math.exp(l - max), 0);
  return options.map((option, i) => ({ option, logprob: logprobs[i]!, probability: Math.exp(logprobs[i]! - max) / z }));
}
