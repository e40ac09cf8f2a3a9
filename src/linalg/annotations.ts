/**
 * Annotations: PSD ⊂ SelfAdjoint and Unitary ⊂ Stiefel (orthonormal columns; Unitary = square Stiefel).
 * Sets are stored closed upward (PSD brings SelfAdjoint), so `isa` is one membership test.
 */
export type Annotation = 'PSD' | 'SelfAdjoint' | 'Unitary' | 'Stiefel';

const IMPLIES: Record<Annotation, Annotation[]> = {
  PSD: ['SelfAdjoint'],
  SelfAdjoint: [],
  Unitary: ['Stiefel'],
  Stiefel: [],
};

export function closeAnnotations(list: Iterable<Annotation>): Set<Annotation> {
  const out = new Set<Annotation>();
  for (const a of list) {
    out.add(a);
    for (const b of IMPLIES[a]) out.add(b);
  }
  return out;
}

export function intersect(sets: readonly ReadonlySet<Annotation>[]): Set<Annotation> {
  if (sets.length === 0) return new Set();
  const out = new Set<Annotation>();
  for (const a of sets[0]!) if (sets.every((s) => s.has(a))) out.add(a);
  return out;
}

export const EMPTY: ReadonlySet<Annotation> = new Set();
