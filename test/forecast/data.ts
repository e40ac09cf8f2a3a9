/** Paths of the shared data the forecast tests read (never copied into the repository). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SHARED_DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
export const GOLDEN_PATH = SHARED_DATA + 'serialization_golden.json';
export const GOLDEN_SKIP: string | false = existsSync(GOLDEN_PATH) ? false : `golden file ${GOLDEN_PATH} is absent`;
export const DARTS_DIR = SHARED_DATA + 'darts/';
export const DARTS_SKIP: string | false = existsSync(DARTS_DIR + 'AirPassengers.csv') ? false : `Darts data ${DARTS_DIR} is absent`;
