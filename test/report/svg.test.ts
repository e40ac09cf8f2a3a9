import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Figure } from '../../src/experiments/contract.ts';
import { renderFigureSvg } from '../../src/report/svg.ts';
import { checkWellFormed } from './xml.ts';

function figure(over: Partial<Figure>): Figure {
  return { id: 'f', title: 'T', kind: 'line', xLabel: 'x', yLabel: 'y', series: [], ...over };
}

/** Pixel coordinates of every point a polyline draws. */
function polylinePoints(svg: string): { x: number; y: number }[][] {
  return [...svg.matchAll(/<polyline class="series-line" points="([^"]+)"/g)].map((m) =>
    m[1]!.split(' ').map((p) => {
      const [x, y] = p.split(',').map(Number);
      return { x: x!, y: y! };
    }),
  );
}

test('renderFigureSvg(line) is well-formed SVG with a title, axes and one polyline per series', () => {
  const svg = renderFigureSvg(
    figure({
      series: [
        { name: 'a', x: [0, 1, 2, 3], y: [0, 1, 4, 9] },
        { name: 'b', x: [0, 1, 2, 3], y: [9, 4, 1, 0] },
      ],
    }),
  );
  const elements = checkWellFormed(svg);
  assert.equal(elements[0], 'svg');
  assert.ok(elements.includes('title'));
  assert.equal(polylinePoints(svg).length, 2);
  assert.match(svg, /class="legend"/);
  assert.match(svg, />a<\/text>/);
});

test('renderFigureSvg maps larger y to smaller pixel rows and keeps points inside the frame', () => {
  const svg = renderFigureSvg(figure({ series: [{ name: 's', x: [0, 1, 2], y: [1, 2, 3] }] }));
  const [line] = polylinePoints(svg);
  assert.ok(line![0]!.y > line![1]!.y && line![1]!.y > line![2]!.y);
  const frame = /<rect class="frame" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/.exec(svg)!;
  const [fx, fy, fw, fh] = frame.slice(1).map(Number);
  for (const p of line!) {
    assert.ok(p.x >= fx! && p.x <= fx! + fw! && p.y >= fy! && p.y <= fy! + fh!, `point ${p.x},${p.y} outside the frame`);
  }
});

test('renderFigureSvg on log axes spaces decades evenly and labels them', () => {
  const svg = renderFigureSvg(figure({ logX: true, logY: true, series: [{ name: 's', x: [1, 10, 100, 1000], y: [1, 0.1, 0.01, 0.001] }] }));
  checkWellFormed(svg);
  const [line] = polylinePoints(svg);
  const dx = line!.slice(1).map((p, i) => p.x - line![i]!.x);
  const dy = line!.slice(1).map((p, i) => p.y - line![i]!.y);
  for (const d of dx) assert.ok(Math.abs(d - dx[0]!) < 0.02, `uneven decade widths ${dx.join(', ')}`);
  for (const d of dy) assert.ok(Math.abs(d - dy[0]!) < 0.02, `uneven decade heights ${dy.join(', ')}`);
  for (const label of ['0.001', '0.01', '0.1', '1', '10', '100', '1000']) assert.ok(svg.includes(`>${label}</text>`), `tick ${label}`);
  assert.match(svg, /x \(log\)/);
});

test('renderFigureSvg leaves out non-positive values on a log axis, breaks the line, and says how many', () => {
  const svg = renderFigureSvg(figure({ logY: true, series: [{ name: 's', x: [1, 2, 3, 4, 5], y: [1, 2, 0, 4, 5] }] }));
  checkWellFormed(svg);
  assert.equal(polylinePoints(svg).length, 2, 'the gap splits the line in two');
  assert.match(svg, /1 point not shown \(non-finite or non-positive on a log axis\)/);
});

test('renderFigureSvg with no series or only empty series draws a "No data" frame', () => {
  for (const series of [[], [{ name: 'empty', x: [], y: [] }]]) {
    const svg = renderFigureSvg(figure({ series }));
    checkWellFormed(svg);
    assert.match(svg, /No data to plot/);
    assert.doesNotMatch(svg, /NaN|Infinity/);
  }
});

test('renderFigureSvg with only non-finite values draws "No data" and counts them', () => {
  const svg = renderFigureSvg(figure({ series: [{ name: 's', x: [1, 2], y: [Number.NaN, Number.POSITIVE_INFINITY] }] }));
  checkWellFormed(svg);
  assert.match(svg, /No data to plot/);
  assert.match(svg, /2 points not shown/);
});

test('renderFigureSvg escapes titles, labels, series and category names', () => {
  const evil = '<script>alert("x")</script> & \'q\'';
  const svg = renderFigureSvg(
    figure({
      kind: 'bar',
      title: evil,
      xLabel: evil,
      yLabel: evil,
      categories: [evil, 'ok'],
      series: [
        { name: evil, x: [0, 1], y: [1, 2] },
        { name: 'other', x: [0, 1], y: [2, 1] },
      ],
    }),
  );
  checkWellFormed(svg);
  assert.doesNotMatch(svg, /<script/);
  assert.match(svg, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; &#39;q&#39;/);
});

test('renderFigureSvg(bar) draws one rect per finite value from a zero baseline, labelled by category', () => {
  const svg = renderFigureSvg(
    figure({
      kind: 'bar',
      categories: ['small', 'large'],
      series: [
        { name: 'a', x: [0, 1], y: [2, 8] },
        { name: 'b', x: [0, 1], y: [4, Number.NaN] },
      ],
    }),
  );
  checkWellFormed(svg);
  const bars = [...svg.matchAll(/<rect class="bar" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/g)].map((m) => ({ y: Number(m[1]), h: Number(m[2]) }));
  assert.equal(bars.length, 3);
  const bottoms = bars.map((b) => b.y + b.h);
  for (const b of bottoms) assert.ok(Math.abs(b - bottoms[0]!) < 0.02, 'bars share a baseline');
  assert.ok(Math.abs(bars[1]!.h / bars[0]!.h - 4) < 0.01, 'bar heights are proportional to values on a linear axis');
  assert.match(svg, />small<title>small<\/title><\/text>/);
  assert.match(svg, /1 point not shown/);
});

test('renderFigureSvg(scatter) draws a marker per point and bands as polygons', () => {
  const svg = renderFigureSvg(
    figure({
      kind: 'scatter',
      series: [{ name: 's', x: [1, 2, 3], y: [1, 2, 3], band: { lo: [0.5, 1.5, 2.5], hi: [1.5, 2.5, 3.5] } }],
    }),
  );
  checkWellFormed(svg);
  assert.equal([...svg.matchAll(/<circle /g)].length, 3);
  assert.equal([...svg.matchAll(/<polygon class="band"/g)].length, 1);
});

test('renderFigureSvg rejects an unknown kind with the figure id in the message', () => {
  assert.throws(() => renderFigureSvg(figure({ id: 'weird', kind: 'pie' as Figure['kind'] })), /figure 'weird' has kind 'pie'/);
});

test('checkWellFormed (the test helper) rejects broken markup', () => {
  assert.throws(() => checkWellFormed('<svg><g></svg>'), /closes/);
  assert.throws(() => checkWellFormed('<svg><text>a < b</text></svg>'), /malformed tag/);
  assert.throws(() => checkWellFormed('<svg><text>a & b</text></svg>'), /unescaped/);
  assert.throws(() => checkWellFormed('<svg x=1></svg>'), /malformed tag/);
  assert.throws(() => checkWellFormed('<svg>'), /unclosed/);
});

test('renderFigureSvg handles a 200k-point series (no call-stack overflow) and draws it as one line', () => {
  const n = 200_000;
  const x = Array.from({ length: n }, (_, i) => i);
  const svg = renderFigureSvg(figure({ series: [{ name: 'long', x, y: x.map((v) => Math.sin(v / 1000)) }] }));
  assert.equal(polylinePoints(svg).length, 1);
});
