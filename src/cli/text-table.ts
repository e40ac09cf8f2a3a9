/**
 * Plain-text tables for the CLI's human-readable output: columns separated by two spaces. `left` pads every column
 * but the last on the right (names, verdicts); `right` right-aligns every column (numbers).
 */
export function textTable(rows: readonly (readonly string[])[], align: 'left' | 'right' = 'left'): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]) =>
    r.map((cell, c) => (align === 'right' ? cell.padStart(widths[c]!) : c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ');
  return rows.map(line).join('\n') + '\n';
}
