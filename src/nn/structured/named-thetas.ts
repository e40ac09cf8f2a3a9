import type { Theta } from './theta.ts';

/** The named points of the einsum family swept in the authors' scripts (spec nn §2.4). */
export const NAMED_THETAS: Readonly<Record<string, Theta>> = {
  dense: [1, 0, 0, 0, 1, 0, 1],
  'low-rank (θρ=.5)': [1, 0, 0, 0, 1, 0, 0.5],
  'low-rank (θρ=.75)': [1, 0, 0, 0, 1, 0, 0.75],
  kronecker: [0.5, 0.5, 0, 0.5, 0.5, 0, 0],
  'tt-like': [0.33, 0.67, 0, 0.33, 0.67, 0, 0],
  btt: [0.5, 0, 0.5, 0, 0.5, 0.5, 0],
  'btt skew (.33)': [0.33, 0, 0.67, 0, 0.67, 0.33, 0],
  'btt skew (.25)': [0.25, 0, 0.75, 0, 0.75, 0.25, 0],
  'btt skew (.67)': [0.67, 0, 0.33, 0, 0.33, 0.67, 0],
  'btt skew (.75)': [0.75, 0, 0.25, 0, 0.25, 0.75, 0],
  'low-rank btt (.67)': [0.67, 0, 0.33, 0, 0.67, 0.33, 0],
  'low-rank btt (.33)': [0.33, 0, 0.67, 0, 0.33, 0.67, 0],
  'btt θρ=.25': [0.5, 0, 0.5, 0, 0.5, 0.5, 0.25],
  'btt θρ=.33': [0.5, 0, 0.5, 0, 0.5, 0.5, 0.33],
  generic: [0.5, 0.25, 0.25, 0.25, 0.5, 0.25, 0],
};
