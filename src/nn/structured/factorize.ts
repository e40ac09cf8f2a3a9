import { ArgumentError } from '../../core/index.ts';

/** Prime factors of `d` in ascending order, with multiplicity (trial division; widths are small). */
export function primeFactors(d: number): number[] {
  if (!Number.isInteger(d) || d < 1) throw new ArgumentError(`primeFactors: d must be a positive integer, got ${d}`);
  const out: number[] = [];
  let n = d;
  for (let p = 2; p * p <= n; p++) {
    while (n % p === 0) {
      out.push(p);
      n /= p;
    }
  }
  if (n > 1) out.push(n);
  return out;
}

/**
 * The "most even" split of `d` into `c` integer factors (spec nn §2.2, the authors' greedy rule): give each prime,
 * smallest first, to the currently smallest factor (first such index on ties), then sort ascending.
 * 256 → [16, 16], 96 → [8, 12], a prime p → [1, p].
 */
export function factorize(d: number, c: number): number[] {
  if (!Number.isInteger(c) || c < 1) throw new ArgumentError(`factorize: the number of factors c must be a positive integer, got ${c}`);
  if (!Number.isInteger(d) || d < 1) throw new ArgumentError(`factorize: d must be a positive integer, got ${d}`);
  const f = new Array<number>(c).fill(1);
  for (const p of primeFactors(d)) {
    let smallest = 0;
    for (let i = 1; i < c; i++) if (f[i]! < f[smallest]!) smallest = i;
    f[smallest]! *= p;
  }
  return f.sort((a, b) => a - b);
}
