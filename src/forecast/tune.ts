/**
 * Validation tuning of the scaler and precision (spec forecast.md §2.7; reference `models/validation_likelihood_tuning.py`):
 * hold out the last min(T, ⌊n/2⌋) training values, score each grid point by NLL/D on them (likelihood only, no
 * sampling) and keep the argmin.
 */
import { ArgumentError } from '../core/index.ts';
import { nll, type NllOptions } from './likelihood.ts';
import { presetSettings } from './settings.ts';

export interface TuningGrid { alpha: readonly number[]; beta: readonly number[]; prec: readonly number[] }

/** The paper's grid for GPT-3 on Darts (advanced scaler, 32 settings). */
export const DARTS_GPT3_GRID: TuningGrid = { alpha: [0.5, 0.7, 0.9, 0.99], beta: [0, 0.15, 0.3, 0.5], prec: [2, 3] };

export interface TuneResult {
  best: { alpha: number; beta: number; prec: number; nllPerDim: number };
  results: { alpha: number; beta: number; prec: number; nllPerDim: number }[];
  valLength: number;
}

export async function tune(train: ArrayLike<number>, horizon: number, options: Omit<NllOptions, 'scaler'> & { grid?: TuningGrid }): Promise<TuneResult> {
  if (!Number.isInteger(horizon) || horizon < 1) throw new ArgumentError(`tune: horizon must be an integer ≥ 1, got ${horizon}`);
  const valLength = Math.min(horizon, Math.floor(train.length / 2));
  if (valLength < 1 || train.length - valLength < 2) throw new ArgumentError(`tune: ${train.length} training values are too few to hold out a validation part`);
  const grid = options.grid ?? DARTS_GPT3_GRID;
  const base = options.settings ?? presetSettings('llama');
  const fit = Array.from(train).slice(0, train.length - valLength);
  const val = Array.from(train).slice(train.length - valLength);
  const results: TuneResult['results'] = [];
  for (const prec of grid.prec) {
    for (const alpha of grid.alpha) {
      for (const beta of grid.beta) {
        const r = await nll(fit, val, { ...options, settings: { ...base, prec }, scaler: { alpha, beta } });
        results.push({ alpha, beta, prec, nllPerDim: r.nllPerDim });
      }
    }
  }
  const best = results.reduce((a, b) => (b.nllPerDim < a.nllPerDim ? b : a));
  return { best, results, valLength };
}
