/** Where the demo finds the repository root and the optional shared data folder. */
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** Absolute path of the repository root (two levels above this file), independent of the working directory. */
export const repoRoot: string = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The shared data folder `../shared/data` next to the repository, or null when it is absent: experiments that can
 * use it fall back to embedded or synthetic data then.
 */
export function findSharedDataDir(root: string = repoRoot): string | null {
  const candidate = resolve(root, '..', 'shared', 'data');
  try {
    return statSync(candidate).isDirectory() ? candidate : null;
  } catch {
    return null;
  }
}
