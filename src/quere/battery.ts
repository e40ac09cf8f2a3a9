/**
 * The follow-up battery: yes/no questions asked after the model's answer (spec quere.md §2.4). The questions live in
 * one versioned data file, `battery.json`; a feature file records the battery's version and fingerprint, and features
 * from another battery are refused (their columns mean different things).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ArgumentError } from '../core/index.ts';

export interface Battery {
  /** Version id written into every feature file ("strata-quere-battery-1", or "custom" for a user list). */
  version: string;
  questions: readonly string[];
  /** sha256 of the questions in order: two batteries with the same fingerprint produce the same feature columns. */
  fingerprint: string;
}

export function batteryFingerprint(questions: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(questions)).digest('hex').slice(0, 16);
}

/** A battery from any list of questions (ablations: random sentences, unseen strings); version defaults to "custom". */
export function makeBattery(questions: readonly string[], version = 'custom'): Battery {
  if (!Array.isArray(questions) || questions.length === 0 || questions.some((q) => typeof q !== 'string' || q.trim() === '')) {
    throw new ArgumentError('makeBattery: questions must be a non-empty array of non-empty strings');
  }
  return { version, questions: [...questions], fingerprint: batteryFingerprint(questions) };
}

function loadDefault(): Battery {
  const raw = JSON.parse(readFileSync(new URL('./battery.json', import.meta.url), 'utf8')) as { version: string; base: string[]; generated: string[] };
  return makeBattery([...raw.base, ...raw.generated], raw.version);
}

/** Strata's 49-question battery: 9 base questions about the answer, then 40 about the model and its response. */
export const QUERE_BATTERY: Battery = loadDefault();

/** Refuse features produced with another battery (different version id or different questions). */
export function checkSameBattery(operation: string, expected: Battery, found: { version: string; fingerprint: string }): void {
  if (found.version !== expected.version || found.fingerprint !== expected.fingerprint) {
    throw new ArgumentError(
      `${operation}: the features were collected with battery ${found.version} (${found.fingerprint}) but this run uses ${expected.version} (${expected.fingerprint}); their columns are different questions. Re-collect the features or pass the same battery`,
    );
  }
}
