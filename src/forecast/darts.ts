/**
 * The eight Darts series of LLMTime's main benchmark (spec forecast.md §6) with the paper's 80/20 split, read from
 * the shared data folder (never copied into the repository).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readCsvColumn } from './csv.ts';

export interface DartsSpec { name: string; file: string; column: string; every: number }

/** In the order of the paper's table. `every`: LLMTime keeps every 4th Sunspots and every 2nd HeartRate value. */
export const DARTS_SERIES: readonly DartsSpec[] = [
  { name: 'AirPassengers', file: 'AirPassengers.csv', column: '#Passengers', every: 1 },
  { name: 'AusBeer', file: 'ausbeer.csv', column: 'Y', every: 1 },
  { name: 'GasRateCO2', file: 'gasrate_co2.csv', column: 'CO2%', every: 1 },
  { name: 'MonthlyMilk', file: 'monthly-milk.csv', column: 'Pounds per cow', every: 1 },
  { name: 'Sunspots', file: 'monthly-sunspots.csv', column: 'Sunspots', every: 4 },
  { name: 'Wine', file: 'wineind.csv', column: 'Y', every: 1 },
  { name: 'Wooly', file: 'woolyrnq.csv', column: 'Y', every: 1 },
  { name: 'HeartRate', file: 'heart_rate.csv', column: 'Heart rate', every: 2 },
];

export interface SplitSeries { name: string; train: Float64Array; test: Float64Array }

/** LLMTime's split: the last 20% (n − ⌊0.8n⌋ values) is the test window. */
export function splitSeries(name: string, values: Float64Array): SplitSeries {
  const split = Math.floor(0.8 * values.length);
  return { name, train: values.slice(0, split), test: values.slice(split) };
}

export function dartsAvailable(dataDir: string | null): boolean {
  return dataDir !== null && DARTS_SERIES.every((s) => existsSync(join(dataDir, 'darts', s.file)));
}

export function loadDartsSeries(dataDir: string, spec: DartsSpec): SplitSeries {
  const { values } = readCsvColumn(join(dataDir, 'darts', spec.file), spec.column);
  const kept = spec.every === 1 ? values : values.filter((_, i) => i % spec.every === 0);
  return splitSeries(spec.name, kept);
}
