import { ArgumentError } from '../core/index.ts';
import { klBound, hoeffdingOccam } from './deps.ts';

/**
 * Occam bound on a 0–1 error with prior 2^−K (Goldblum et al. 2024 §3 / Lotfi et al. 2022): the kl-inverse form
 * kl(err̂ ‖ err) ≤ (K ln 2 + ln(2√n/δ))/n (default) or Hoeffding's err ≤ err̂ + √((K ln 2 + ln(1/δ))/(2n)).
 */
export function occamBound(o: { empiricalError: number; kBits: number; n: number; delta?: number; form?: 'kl' | 'hoeffding' }): { bound: number; form: 'kl' | 'hoeffding' } {
  const form = o.form ?? 'kl';
  const delta = o.delta ?? 0.05;
  if (form === 'kl') return { bound: klBound({ empirical: o.empiricalError, kBits: o.kBits, m: o.n, delta }).bound, form };
  if (form === 'hoeffding') return { bound: hoeffdingOccam({ empirical: o.empiricalError, kBits: o.kBits, m: o.n, range: 1, delta }).bound, form };
  throw new ArgumentError(`occamBound: form must be 'kl' or 'hoeffding', got '${String(form)}'`);
}
