/**
 * Strata's digit model: the default forecasting model of `strata forecast` and of the demo, trained by
 * `scripts/train-forecast-model.ts` and shipped as `models/forecast-digits.gguf`. This file maps the nn module's
 * parameter tree onto llama.cpp's tensor names and locates the committed file.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type TransformerConfig, type TransformerParams, exportTransformerGguf, llamaConfigFor, loadTransformerGguf,
} from '../nn/index.ts';
import type { LlamaGgufConfig } from '../llm/index.ts';
import { DIGIT_VOCABULARY } from './digit-vocabulary.ts';

/** Absolute path of the committed model. */
export const DEFAULT_MODEL_PATH = fileURLToPath(new URL('../../models/forecast-digits.gguf', import.meta.url));

export function defaultModelAvailable(): boolean {
  return existsSync(DEFAULT_MODEL_PATH);
}

/** Llama GGUF metadata of the digit model (its vocabulary is `DIGIT_VOCABULARY`). */
export function digitModelGgufConfig(config: TransformerConfig, name: string): LlamaGgufConfig {
  return llamaConfigFor(config, DIGIT_VOCABULARY, name);
}

export async function exportDigitModel(path: string, params: TransformerParams, config: TransformerConfig, name = 'strata-forecast-digits'): Promise<void> {
  await exportTransformerGguf(path, params, config, DIGIT_VOCABULARY, name);
}

/** The digit model's configuration and parameters, read back from its GGUF file. */
export const loadDigitModelParams = loadTransformerGguf;
