/**
 * A small SVG chart renderer for the report: line, scatter and bar charts with linear or log axes, uncertainty bands
 * and a legend. Output is a self-contained `<svg>` string (no scripts, no external fonts or styles), so the report
 * stays one offline file.
 *
 * Points that cannot be drawn — non-finite values, or values <= 0 on a log axis — are left out and counted in a note
 * printed on the chart, never silently dropped; a line is broken where a point is missing.
 */
import type { Figure, Series } from '../experiments/index.ts';
import { escapeHtml } from './escape.ts';
import { formatValue } from './format.ts';
import { linearTicks, logTicks, type AxisTicks } from './ticks.ts';

/** Okabe–Ito colours: distinguishable with the common colour-vision deficiencies. */
export const palette = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#8C6D00', '#000000'];

const width = 640;
const height = 380;
const fontSize = 12;
const charWidth = 6.6; // average glyph advance of the sans-serif stack at 12 px, for legend layout
const margin = { left: 70, right: 20, bottom: 52 };

interface Point {
  x: number;
  y: number;
}

interface Scale {
  ticks: AxisTicks;
  log: boolean;
  toPixel(value: number): number;
}

function makeScale(ticks: AxisTicks, log: boolean, pixelLo: number, pixelHi: number): Scale {
  const [d0, d1] = ticks.domain;
  const t0 = log ? Math.log10(d0) : d0;
  const t1 = log ? Math.log10(d1) : d1;
  return {
    ticks,
    log,
    toPixel(value: number): number {
      const t = log ? Math.log10(value) : value;
      return pixelLo + ((t - t0) / (t1 - t0)) * (pixelHi - pixelLo);
    },
  };
}

function fmt(n: number): string {
  return (Math.round(n * 100) / 100).toString();
}

function drawable(value: number | undefined, log: boolean): value is number {
  return value !== undefined && Number.isFinite(value) && (!log || value > 0);
}

/** Ticks for the values on one axis; `includeZero` keeps bar baselines honest on linear axes. */
function axisTicks(values: number[], log: boolean, includeZero: boolean): AxisTicks {
  if (values.length === 0) return log ? logTicks(1, 10) : linearTicks(0, 1);
  // A loop, not Math.min(...values): spreading a long series overflows the call stack.
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (includeZero && !log) {
    lo = Math.min(lo, 0);
    hi = Math.max(hi, 0);
  }
  return log ? logTicks(lo, hi) : linearTicks(lo, hi, 6);
}

/** Linear ticks whose domain is exactly [min, max] of the values: the axis ends where the data ends. */
function tightTicks(values: number[]): AxisTicks {
  const nice = axisTicks(values, false, false);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === hi) return nice;
  return { domain: [lo, hi], major: nice.major.filter((t) => t.value >= lo && t.value <= hi), minor: nice.minor.filter((v) => v >= lo && v <= hi) };
}

interface LegendLayout {
  svg: string;
  height: number;
}

function legend(series: Series[], left: number, right: number, top: number): LegendLayout {
  if (series.length < 2 && !(series.length === 1 && series[0]!.band)) return { svg: '', height: 0 };
  const rowHeight = 18;
  let x = left;
  let y = top;
  const parts: string[] = [];
  series.forEach((s, i) => {
    const label = s.band ? `${s.name} (band)` : s.name;
    const itemWidth = 22 + label.length * charWidth + 16;
    if (x + itemWidth > right && x > left) {
      x = left;
      y += rowHeight;
    }
    const color = palette[i % palette.length]!;
    parts.push(
      `<g class="legend-item"><rect x="${fmt(x)}" y="${fmt(y - 5)}" width="16" height="10" rx="2" fill="${color}"` +
        `${s.band ? ' fill-opacity="0.35"' : ''}/>` +
        (s.band ? `<line x1="${fmt(x)}" x2="${fmt(x + 16)}" y1="${fmt(y)}" y2="${fmt(y)}" stroke="${color}" stroke-width="2"/>` : '') +
        `<text x="${fmt(x + 22)}" y="${fmt(y + 4)}">${escapeHtml(s.name)}</text></g>`,
    );
    x += itemWidth;
  });
  return { svg: `<g class="legend" font-size="${fontSize}" fill="#333">${parts.join('')}</g>`, height: y - top + rowHeight };
}

/** Contiguous runs of drawable points, so lines and bands break at gaps instead of bridging them. */
function runs(series: Series, logX: boolean, logY: boolean, useBand: boolean): { points: Point[]; lo: number[]; hi: number[] }[] {
  const out: { points: Point[]; lo: number[]; hi: number[] }[] = [];
  let current: { points: Point[]; lo: number[]; hi: number[] } | null = null;
  const n = Math.min(series.x.length, series.y.length);
  for (let i = 0; i < n; i++) {
    const x = series.x[i];
    const y = series.y[i];
    let ok = drawable(x, logX) && drawable(y, logY);
    if (useBand && series.band) ok = ok && drawable(series.band.lo[i], logY) && drawable(series.band.hi[i], logY);
    if (!ok) {
      current = null;
      continue;
    }
    if (current === null) {
      current = { points: [], lo: [], hi: [] };
      out.push(current);
    }
    current.points.push({ x: x!, y: y! });
    if (useBand && series.band) {
      current.lo.push(series.band.lo[i]!);
      current.hi.push(series.band.hi[i]!);
    }
  }
  return out;
}

/** Renders one figure as an SVG string. The figure's text is escaped; its numbers are only ever used as numbers. */
export function renderFigureSvg(figure: Figure, options: { idPrefix?: string } = {}): string {
  const kind = figure.kind;
  if (kind !== 'line' && kind !== 'scatter' && kind !== 'bar') {
    throw new RangeError(`renderFigureSvg: figure '${figure.id}' has kind '${String(kind)}', expected line, scatter or bar`);
  }
  const logX = kind !== 'bar' && figure.logX === true;
  const logY = figure.logY === true;
  const series = figure.series ?? [];
  const titleId = `${options.idPrefix ?? 'fig'}-${figure.id}-title`.replace(/[^A-Za-z0-9_-]/g, '-');

  // Collect every drawable coordinate (including band edges) and count what cannot be drawn.
  const xs: number[] = [];
  const ys: number[] = [];
  let hidden = 0;
  for (const s of series) {
    const n = Math.min(s.x.length, s.y.length);
    hidden += Math.max(s.x.length, s.y.length) - n;
    for (let i = 0; i < n; i++) {
      const x = s.x[i]!;
      const y = s.y[i]!;
      if ((kind === 'bar' ? Number.isFinite(x) : drawable(x, logX)) && drawable(y, logY)) {
        xs.push(x);
        ys.push(y);
        if (s.band) {
          for (const edge of [s.band.lo[i], s.band.hi[i]]) if (drawable(edge, logY)) ys.push(edge);
        }
      } else hidden++;
    }
  }

  const legendTop = 24;
  const legendLayout = legend(series, margin.left, width - margin.right, legendTop);
  const top = legendLayout.height > 0 ? legendTop + legendLayout.height : 20;
  const plotLeft = margin.left;
  const plotRight = width - margin.right;
  const plotTop = top;
  const plotBottom = height - margin.bottom;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ` +
      `role="img" aria-labelledby="${titleId}" class="chart chart-${kind}" data-figure-id="${escapeHtml(figure.id)}" ` +
      `font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif">`,
    `<title id="${titleId}">${escapeHtml(figure.title)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
  );

  if (xs.length === 0) {
    parts.push(
      `<rect x="${plotLeft}" y="${plotTop}" width="${plotRight - plotLeft}" height="${plotBottom - plotTop}" fill="#fafafa" stroke="#ddd"/>`,
      `<text x="${fmt((plotLeft + plotRight) / 2)}" y="${fmt((plotTop + plotBottom) / 2)}" text-anchor="middle" font-size="14" fill="#777">No data to plot</text>`,
    );
    parts.push(axisLabels(figure, plotLeft, plotRight, plotTop, plotBottom));
    if (hidden > 0) parts.push(hiddenNote(hidden, logX || logY));
    parts.push('</svg>');
    return parts.join('');
  }

  const categories = kind === 'bar' ? barCategories(figure, xs) : [];
  const xScale =
    kind === 'bar' ? null : makeScale(figure.tightX === true && !logX ? tightTicks(xs) : axisTicks(xs, logX, false), logX, plotLeft, plotRight);
  const yScale = makeScale(axisTicks(ys, logY, kind === 'bar'), logY, plotBottom, plotTop);

  // Grid and axes.
  parts.push(`<g class="grid" stroke-width="1">`);
  for (const v of yScale.ticks.minor) {
    const y = fmt(yScale.toPixel(v));
    parts.push(`<line x1="${plotLeft}" x2="${plotRight}" y1="${y}" y2="${y}" stroke="#f0f0f0"/>`);
  }
  for (const t of yScale.ticks.major) {
    const y = fmt(yScale.toPixel(t.value));
    parts.push(`<line x1="${plotLeft}" x2="${plotRight}" y1="${y}" y2="${y}" stroke="#e2e2e2"/>`);
  }
  if (xScale) {
    for (const v of xScale.ticks.minor) {
      const x = fmt(xScale.toPixel(v));
      parts.push(`<line x1="${x}" x2="${x}" y1="${plotTop}" y2="${plotBottom}" stroke="#f0f0f0"/>`);
    }
    for (const t of xScale.ticks.major) {
      const x = fmt(xScale.toPixel(t.value));
      parts.push(`<line x1="${x}" x2="${x}" y1="${plotTop}" y2="${plotBottom}" stroke="#e2e2e2"/>`);
    }
  }
  parts.push('</g>');

  parts.push(`<g class="y-axis" font-size="${fontSize}" fill="#444" text-anchor="end">`);
  for (const t of yScale.ticks.major) {
    parts.push(`<text x="${plotLeft - 8}" y="${fmt(yScale.toPixel(t.value) + 4)}">${escapeHtml(t.label)}</text>`);
  }
  parts.push('</g>');

  if (xScale) {
    parts.push(`<g class="x-axis" font-size="${fontSize}" fill="#444" text-anchor="middle">`);
    for (const t of xScale.ticks.major) {
      parts.push(`<text x="${fmt(xScale.toPixel(t.value))}" y="${plotBottom + 18}">${escapeHtml(t.label)}</text>`);
    }
    parts.push('</g>');
  }

  // Data.
  parts.push('<g class="data">');
  if (kind === 'bar') {
    parts.push(bars(series, categories, yScale, plotLeft, plotRight, plotBottom));
  } else {
    series.forEach((s, i) => {
      const color = palette[i % palette.length]!;
      const px = (p: Point): string => `${fmt(xScale!.toPixel(p.x))},${fmt(yScale.toPixel(p.y))}`;
      if (s.band) {
        for (const run of runs(s, logX, logY, true)) {
          const upper = run.points.map((p, j) => px({ x: p.x, y: run.hi[j]! }));
          const lower = run.points.map((p, j) => px({ x: p.x, y: run.lo[j]! })).reverse();
          parts.push(`<polygon class="band" points="${[...upper, ...lower].join(' ')}" fill="${color}" fill-opacity="0.18" stroke="none"/>`);
        }
      }
      const pointRuns = runs(s, logX, logY, false);
      const total = pointRuns.reduce((acc, r) => acc + r.points.length, 0);
      if (kind === 'line') {
        for (const run of pointRuns) {
          if (run.points.length > 1) {
            parts.push(`<polyline class="series-line" points="${run.points.map(px).join(' ')}" fill="none" stroke="${color}" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>`);
          }
        }
      }
      // Markers: always for scatter; for short lines so single points and isolated runs stay visible.
      if (kind === 'scatter' || total <= 24 || pointRuns.some((r) => r.points.length === 1)) {
        const radius = kind === 'scatter' ? 3.5 : 2.5;
        const opacity = kind === 'scatter' ? ' fill-opacity="0.75"' : '';
        for (const run of pointRuns) {
          if (kind === 'line' && total > 24 && run.points.length > 1) continue;
          for (const p of run.points) {
            parts.push(`<circle cx="${fmt(xScale!.toPixel(p.x))}" cy="${fmt(yScale.toPixel(p.y))}" r="${radius}" fill="${color}"${opacity}/>`);
          }
        }
      }
    });
  }
  parts.push('</g>');

  parts.push(`<rect class="frame" x="${plotLeft}" y="${plotTop}" width="${plotRight - plotLeft}" height="${plotBottom - plotTop}" fill="none" stroke="#999"/>`);
  parts.push(axisLabels(figure, plotLeft, plotRight, plotTop, plotBottom));
  if (hidden > 0) parts.push(hiddenNote(hidden, logX || logY));
  parts.push(legendLayout.svg);
  parts.push('</svg>');
  return parts.join('');
}

function barCategories(figure: Figure, xs: number[]): { value: number; label: string }[] {
  const distinct = [...new Set(xs)].sort((a, b) => a - b);
  return distinct.map((value) => {
    const named = figure.categories && Number.isInteger(value) ? figure.categories[value] : undefined;
    return { value, label: named ?? formatValue(value) };
  });
}

function bars(
  series: Series[],
  categories: { value: number; label: string }[],
  yScale: Scale,
  plotLeft: number,
  plotRight: number,
  plotBottom: number,
): string {
  const parts: string[] = [];
  const slot = (plotRight - plotLeft) / categories.length;
  const group = slot * 0.78;
  const barWidth = group / Math.max(1, series.length);
  const baseline = yScale.log ? plotBottom : yScale.toPixel(0);
  const index = new Map(categories.map((c, i) => [c.value, i]));
  series.forEach((s, si) => {
    const color = palette[si % palette.length]!;
    const n = Math.min(s.x.length, s.y.length);
    for (let i = 0; i < n; i++) {
      const x = s.x[i]!;
      const y = s.y[i]!;
      const c = index.get(x);
      if (c === undefined || !drawable(y, yScale.log)) continue;
      const left = plotLeft + c * slot + (slot - group) / 2 + si * barWidth;
      const top = yScale.toPixel(y);
      const y0 = Math.min(top, baseline);
      const h = Math.max(Math.abs(baseline - top), 0.5);
      parts.push(`<rect class="bar" x="${fmt(left + 1)}" y="${fmt(y0)}" width="${fmt(Math.max(barWidth - 2, 1))}" height="${fmt(h)}" fill="${color}"><title>${escapeHtml(`${s.name}: ${formatValue(y)}`)}</title></rect>`);
      if (s.band && drawable(s.band.lo[i], yScale.log) && drawable(s.band.hi[i], yScale.log)) {
        const cx = fmt(left + barWidth / 2);
        parts.push(`<line class="error-bar" x1="${cx}" x2="${cx}" y1="${fmt(yScale.toPixel(s.band.lo[i]!))}" y2="${fmt(yScale.toPixel(s.band.hi[i]!))}" stroke="#222" stroke-width="1.5"/>`);
      }
    }
  });
  // Category labels, shortened when they would collide.
  const maxChars = Math.max(3, Math.floor(slot / charWidth));
  parts.push(`<g class="x-axis" font-size="${fontSize}" fill="#444" text-anchor="middle">`);
  categories.forEach((c, i) => {
    const label = c.label.length > maxChars ? `${c.label.slice(0, maxChars - 1)}…` : c.label;
    parts.push(`<text x="${fmt(plotLeft + (i + 0.5) * slot)}" y="${plotBottom + 18}">${escapeHtml(label)}<title>${escapeHtml(c.label)}</title></text>`);
  });
  parts.push('</g>');
  if (!yScale.log) {
    parts.push(`<line x1="${plotLeft}" x2="${plotRight}" y1="${fmt(baseline)}" y2="${fmt(baseline)}" stroke="#666"/>`);
  }
  return parts.join('');
}

function axisLabels(figure: Figure, plotLeft: number, plotRight: number, plotTop: number, plotBottom: number): string {
  const cx = fmt((plotLeft + plotRight) / 2);
  const cy = fmt((plotTop + plotBottom) / 2);
  const xl = figure.xLabel + (figure.logX && figure.kind !== 'bar' ? ' (log)' : '');
  const yl = figure.yLabel + (figure.logY ? ' (log)' : '');
  return (
    `<g class="axis-labels" font-size="13" fill="#222" text-anchor="middle">` +
    `<text x="${cx}" y="${height - 12}">${escapeHtml(xl)}</text>` +
    `<text transform="translate(18 ${cy}) rotate(-90)">${escapeHtml(yl)}</text></g>`
  );
}

function hiddenNote(hidden: number, log: boolean): string {
  const what = log ? 'non-finite or non-positive on a log axis' : 'non-finite or unmatched';
  return `<text class="hidden-note" x="${width - margin.right}" y="11" text-anchor="end" font-size="11" fill="#a33">${hidden} point${hidden === 1 ? '' : 's'} not shown (${what})</text>`;
}
