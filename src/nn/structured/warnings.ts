/**
 * Warnings for layers that still work but lose their structure (a factor of 1 from a prime or badly factorisable
 * width, spec nn §2.9). Emitted once per (operation, width) through Node's process warnings, so callers can
 * silence or capture them with the usual `process.on('warning')` machinery.
 */
const seen = new Set<string>();

export function warnDegenerate(op: string, d: number, sizes: readonly number[]): void {
  if (sizes.length < 2 || !sizes.includes(1)) return;
  const key = `${op}:${d}:${sizes.join('x')}`;
  if (seen.has(key)) return;
  seen.add(key);
  process.emitWarning(`${op}: width ${d} factorises as ${sizes.join('×')}; a factor of 1 makes the layer degenerate (choose a width with a balanced factorisation, e.g. a perfect square)`, 'StructureWarning');
}
