import { ArgumentError } from '../../core/index.ts';
import type { CommonOptions, StructuredLayer } from './layer.ts';
import { dense } from './dense.ts';
import { lowRank } from './low-rank.ts';
import { kronecker } from './kronecker.ts';
import { tensorTrain } from './tensor-train.ts';
import { monarch } from './monarch.ts';
import { btt } from './btt.ts';
import { einsumLayer } from './einsum-layer.ts';
import { bttMoE } from './btt-moe.ts';
import { checkTheta, type Theta } from './theta.ts';

/** A structure and its hyper-parameters, independent of the layer's widths (what `replaceLinears` and the CLI take). */
export type StructureSpec =
  | { kind: 'dense' }
  | { kind: 'low-rank'; rank?: number }
  | { kind: 'kronecker' }
  | { kind: 'tt'; cores?: number; rank?: number | readonly number[] }
  | { kind: 'monarch'; blocks?: number }
  | { kind: 'btt'; cores?: number; rank?: number | readonly number[]; normalize?: boolean }
  | { kind: 'einsum'; theta: Theta | readonly number[]; normalize?: boolean }
  | { kind: 'btt-moe'; experts?: number; topK?: number; normalize?: boolean };

/** Builds the layer of `spec` for the given widths. */
export function makeLayer(spec: StructureSpec, dIn: number, dOut: number, common: CommonOptions = {}): StructuredLayer {
  switch (spec.kind) {
    case 'dense': return dense(dIn, dOut, common);
    case 'low-rank': return lowRank(dIn, dOut, { ...common, ...(spec.rank !== undefined ? { rank: spec.rank } : {}) });
    case 'kronecker': return kronecker(dIn, dOut, common);
    case 'tt': return tensorTrain(dIn, dOut, { ...common, ...pick(spec, ['cores', 'rank']) });
    case 'monarch': return monarch(dIn, dOut, { ...common, ...pick(spec, ['blocks']) });
    case 'btt': return btt(dIn, dOut, { ...common, ...pick(spec, ['cores', 'rank', 'normalize']) });
    case 'einsum': return einsumLayer(dIn, dOut, { ...common, theta: spec.theta, ...pick(spec, ['normalize']) });
    case 'btt-moe': return bttMoE(dIn, dOut, { ...common, ...pick(spec, ['experts', 'topK', 'normalize']) });
    default: throw new ArgumentError(`makeLayer: unknown structure kind '${(spec as { kind: unknown }).kind}'; expected one of ${STRUCTURE_NAMES.join(', ')}`);
  }
}

function pick<T extends object>(o: T, keys: readonly string[]): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => keys.includes(k) && v !== undefined)) as Partial<T>;
}

/** Short names accepted by `parseStructure` (CLI flags such as `--structs dense,lowrank,kron,btt`). */
export const STRUCTURE_NAMES = ['dense', 'lowrank', 'kron', 'tt', 'monarch', 'btt', 'btt-norm', 'einsum', 'moe'] as const;

/**
 * Parses `name[:key=value,...]`-free short names plus an optional θ: 'dense', 'lowrank', 'kron', 'tt', 'monarch',
 * 'btt', 'btt-norm' (weight-normalised), 'moe' (BTT-MoE), or 'einsum' with `theta`. Numeric options (rank, cores,
 * blocks, experts, topK) come from `extra`.
 */
export function parseStructure(name: string, extra: { rank?: number; cores?: number; blocks?: number; experts?: number; topK?: number; theta?: readonly number[] } = {}): StructureSpec {
  switch (name) {
    case 'dense': return { kind: 'dense' };
    case 'lowrank': case 'low-rank': return { kind: 'low-rank', ...(extra.rank !== undefined ? { rank: extra.rank } : {}) };
    case 'kron': case 'kronecker': return { kind: 'kronecker' };
    case 'tt': return { kind: 'tt', ...(extra.cores !== undefined ? { cores: extra.cores } : {}), ...(extra.rank !== undefined ? { rank: extra.rank } : {}) };
    case 'monarch': return { kind: 'monarch', ...(extra.blocks !== undefined ? { blocks: extra.blocks } : {}) };
    case 'btt': case 'btt-norm':
      return { kind: 'btt', normalize: name === 'btt-norm', ...(extra.cores !== undefined ? { cores: extra.cores } : {}), ...(extra.rank !== undefined ? { rank: extra.rank } : {}) };
    case 'einsum':
      if (extra.theta === undefined) throw new ArgumentError("parseStructure: 'einsum' needs θ (e.g. --theta .5,.25,.25,.25,.5,.25,0)");
      return { kind: 'einsum', theta: checkTheta('parseStructure', extra.theta) };
    case 'moe': case 'btt-moe': return { kind: 'btt-moe', ...(extra.experts !== undefined ? { experts: extra.experts } : {}), ...(extra.topK !== undefined ? { topK: extra.topK } : {}) };
    default: throw new ArgumentError(`unknown structure '${name}'; expected one of ${STRUCTURE_NAMES.join(', ')}`);
  }
}
