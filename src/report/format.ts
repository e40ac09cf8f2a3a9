/** Number formatting shared by tables and axis ticks: short, readable, and never "0.30000000000000004". */

const superscriptDigits: Record<string, string> = {
  '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹', '-': '⁻',
};

/** 10 to an integer power written as "10⁻⁵" (unicode superscripts read well in SVG text without tspans). */
export function powerOfTen(exponent: number): string {
  return '10' + String(exponent).replace(/[-0-9]/g, (ch) => superscriptDigits[ch]!);
}

/**
 * A metric value for a table: integers as they are, very large or small magnitudes in exponent form, everything else
 * to four significant digits with trailing zeros removed.
 */
export function formatValue(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  if (Number.isInteger(value) && Math.abs(value) < 1e7) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) return trimExponential(value.toExponential(3));
  return trimZeros(value.toPrecision(4));
}

/** Seconds as "0.42 s", "12.3 s" or "3 min 05 s". */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 10) return `${seconds.toFixed(2)} s`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  return `${minutes} min ${String(rest).padStart(2, '0')} s`;
}

function trimZeros(text: string): string {
  if (!text.includes('.') || text.includes('e')) return text;
  return text.replace(/\.?0+$/, '');
}

function trimExponential(text: string): string {
  const [mantissa, exponent] = text.split('e');
  return `${trimZeros(mantissa!)}e${exponent!.replace('+', '')}`;
}
