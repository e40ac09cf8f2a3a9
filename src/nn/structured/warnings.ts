/**
 * Warnings for layers that still work but lose their structure (a factor of 1 from a prime or badly factorisable
 * width, spec nn §2.9). They are returned as data on the layer (`layer.warnings`), never emitted as Node process
 * warnings: a library must not write to the host's stderr, and the caller (the CLI, an experiment, a test) decides
 * whether and where to show them.
 */
export interface StructureWarning {
  type: 'degenerate-factorisation';
  /** The constructor, e.g. 'structured.btt'. */
  op: string;
  /** The width that factorised badly (dIn or dOut). */
  width: number;
  sizes: readonly number[];
  message: string;
}

/** The warning for one width's factorisation: none unless a factor is 1. */
export function degenerateWarnings(op: string, d: number, sizes: readonly number[]): StructureWarning[] {
  if (sizes.length < 2 || !sizes.includes(1)) return [];
  return [{
    type: 'degenerate-factorisation', op, width: d, sizes: [...sizes],
    message: `${op}: width ${d} factorises as ${sizes.join('×')}; a factor of 1 makes the layer degenerate (choose a width with a balanced factorisation, e.g. a perfect square)`,
  }];
}
