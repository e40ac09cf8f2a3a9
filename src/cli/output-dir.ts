/**
 * Checks an output folder before any work starts, so a long run never ends in "could not write": the folder is
 * created (one level at a time — Node 20's recursive mkdir can spin on paths such as /proc/x/y) and a probe file is
 * written and removed.
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ArgumentError, RuntimeFailure } from '../core/index.ts';

function kindOf(path: string): 'dir' | 'other' | 'missing' {
  try {
    return statSync(path).isDirectory() ? 'dir' : 'other';
  } catch (error) {
    // ENOTDIR: a parent is a file; walking up finds it and names it.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    throw new RuntimeFailure(`cannot inspect ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Makes `dir` (absolute) an existing, writable directory or throws: `ArgumentError` (exit 2) when the path names a
 * file or runs through one, `RuntimeFailure` (exit 1) when the file system refuses (permissions, read-only, …).
 */
export function prepareOutputDir(flag: string, dir: string): void {
  const missing: string[] = [];
  let at = dir;
  for (let kind = kindOf(at); kind !== 'dir'; kind = kindOf(at)) {
    if (kind === 'other') {
      throw new ArgumentError(at === dir
        ? `${flag}: ${dir} exists and is not a directory; expected a directory to write into`
        : `${flag}: cannot create ${dir}: ${at} is not a directory`);
    }
    missing.unshift(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && kindOf(level) === 'dir') continue;
      throw new RuntimeFailure(`${flag}: cannot create ${level}: ${(error as Error).message}`, { cause: error });
    }
  }
  const probe = join(dir, `.strata-write-check-${process.pid}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (error) {
    throw new RuntimeFailure(`${flag}: cannot write into ${dir}: ${(error as Error).message}`, { cause: error });
  }
}
