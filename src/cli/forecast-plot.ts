/**
 * The `strata forecast --plot` figure: history, median and the outer quantile band, with the y-axis clipped to a
 * robust range so one wild sample path cannot flatten the history into a line (the caption says when it does).
 */
import type { Figure } from '../experiments/contract.ts';
import { renderFigureSvg } from '../report/svg.ts';

export interface ForecastPlotInput {
  column: string;
  history: Float64Array;
  truth: Float64Array | null;
  median: Float64Array;
  lo: Float64Array;
  hi: Float64Array;
  /** The band's quantile levels, e.g. [0.1, 0.9]. */
  levels: [number, number];
  times?: string[] | null;
  futureTimes?: string[] | null;
}

/**
 * The y-range that every drawn value is clipped to: the range of the history, the median and the truth (values the
 * reader must see), widened by half its span on each side. Band edges beyond it are drawn at the edge.
 */
export function robustRange(history: ArrayLike<number>, median: ArrayLike<number>, truth: ArrayLike<number> | null): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const arr of [history, median, truth ?? []]) {
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i]!;
      if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    }
  }
  if (!Number.isFinite(lo)) return [-1, 1];
  const span = hi - lo || Math.abs(hi) || 1;
  return [lo - 0.5 * span, hi + 0.5 * span];
}

const pct = (p: number) => `${Number((p * 100).toPrecision(6))}%`;

export function plotSvg(input: ForecastPlotInput): { svg: string; caption: string } {
  const { history, median, lo, hi, truth } = input;
  const n = history.length;
  const [yMin, yMax] = robustRange(history, median, truth);
  let clipped = 0;
  const clip = (v: number) => {
    if (v < yMin) { clipped++; return yMin; }
    if (v > yMax) { clipped++; return yMax; }
    return v;
  };
  const future = Array.from(median, (_, t) => n + t);
  const band = `${pct(input.levels[0])}–${pct(input.levels[1])}`;
  const bandLo = Array.from(lo, clip), bandHi = Array.from(hi, clip);
  const times = input.times ?? null;
  const figure: Figure = {
    id: 'forecast', title: `Forecast of ${input.column}`, kind: 'line', tightX: true,
    xLabel: times && times.length > 0 ? `step (0 = ${times[0]}, ${n - 1} = ${times[n - 1]})` : 'step',
    yLabel: input.column,
    series: [
      { name: 'history', x: Array.from(history, (_, i) => i), y: Array.from(history, clip) },
      { name: `median (${band} band)`, x: future, y: Array.from(median, clip), band: { lo: bandLo, hi: bandHi } },
      ...(truth ? [{ name: 'actual', x: future, y: Array.from(truth, clip) }] : []),
    ],
    caption: clipped > 0
      ? `The y-axis is clipped to [${yMin.toPrecision(4)}, ${yMax.toPrecision(4)}] (the range of the history${truth ? ', the held-out values' : ''} and the median, widened by half its span): ${clipped} band value${clipped === 1 ? '' : 's'} beyond it ${clipped === 1 ? 'is' : 'are'} drawn at the edge.`
      : `History, per-step median and the ${band} band of the sample paths.`,
  };
  if (clipped > 0) figure.yLabel = `${input.column} (clipped, see caption)`;
  // The renderer draws no caption, so the standalone file carries it as its description.
  const svg = renderFigureSvg(figure).replace(/(<title id="[^"]*">[^<]*<\/title>)/, `$1<desc>${escapeXml(figure.caption!)}</desc>`);
  return { svg, caption: figure.caption! };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
