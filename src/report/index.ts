/** The demo report: HTML page, SVG charts and the helpers they share. */
export { renderReport, experimentAnchor } from './html.ts';
export { renderFigureSvg, palette } from './svg.ts';
export { linearTicks, logTicks, niceStep, type AxisTicks, type Tick } from './ticks.ts';
export { escapeHtml, slug } from './escape.ts';
export { formatValue, formatSeconds, powerOfTen } from './format.ts';
export { writeReport, type WrittenReport } from './write.ts';
