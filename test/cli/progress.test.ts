import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressRenderer, formatClock, formatRate, progressMode } from '../../src/cli/progress.ts';
import { capture } from './io.ts';

// eslint-disable-next-line no-control-regex
const controlChars = /[\x00-\x08\x0b-\x1f\x7f]/;

test('progressMode picks tty for a terminal, plain otherwise, quiet when asked', () => {
  assert.equal(progressMode(capture(true), false), 'tty');
  assert.equal(progressMode(capture(false), false), 'plain');
  assert.equal(progressMode(capture(true), true), 'quiet');
});

test('ProgressRenderer on a TTY redraws one line with a bar, counts, rate and ETA', () => {
  const stream = capture(true, 120);
  let now = 0;
  const p = new ProgressRenderer({ stream, mode: 'tty', prefix: 'nn/mlp', now: () => now });
  p.update(0, 100, 'steps');
  now = 2000;
  p.update(50, 100, 'steps');
  const last = stream.text.split('\r\x1b[2K').pop()!;
  assert.match(last, /^nn\/mlp █{12}░{12}  50% 50\/100 steps · 25\.0\/s · ETA 0:02 · 0:02 elapsed$/);
  assert.ok(!stream.text.includes('\n'), 'the bar is redrawn in place');
  p.finish();
  assert.ok(stream.text.endsWith('\r\x1b[2K'), 'finish clears the bar');
});

test('ProgressRenderer on a TTY throttles redraws but always draws completion', () => {
  const stream = capture(true);
  let now = 0;
  const p = new ProgressRenderer({ stream, mode: 'tty', now: () => now, redrawIntervalMs: 100 });
  for (let i = 1; i <= 10; i++) {
    now += 1;
    p.update(i, 10);
  }
  const draws = stream.text.split('\r\x1b[2K').length - 1;
  assert.equal(draws, 2, 'first update and the completed one');
  assert.match(stream.text, /100% 10\/10/);
});

test('ProgressRenderer logs above the bar on a TTY and redraws it', () => {
  const stream = capture(true);
  const p = new ProgressRenderer({ stream, mode: 'tty', prefix: 'x', now: () => 0 });
  p.update(1, 4, 'epoch');
  p.log('loss 0.5');
  assert.match(stream.text, /\r\x1b\[2Kx: loss 0\.5\n\r\x1b\[2Kx .* 1\/4 epoch/);
});

test('ProgressRenderer without a TTY prints plain heartbeat lines at most once per interval', () => {
  const stream = capture(false);
  let now = 0;
  const p = new ProgressRenderer({ stream, mode: 'plain', prefix: 'job', now: () => now, plainIntervalMs: 10_000 });
  for (let i = 1; i <= 100; i++) {
    now += 500; // 50 s in total
    p.update(i, 100, 'items');
  }
  p.log('done');
  p.finish();
  const lines = stream.text.trimEnd().split('\n');
  assert.equal(lines.length, 6, stream.text);
  assert.match(lines[0]!, /^job 20% 20\/100 items · 2\.0\/s · ETA 0:40 · 0:10 elapsed$/);
  assert.equal(lines[5], 'job: done');
  assert.doesNotMatch(stream.text, controlChars);
});

test('ProgressRenderer in quiet mode writes nothing at all', () => {
  const stream = capture(true);
  const p = new ProgressRenderer({ stream, mode: 'quiet', now: () => 0 });
  p.update(1, 2, 'a');
  p.log('hello');
  p.finish();
  assert.equal(stream.text, '');
});

test('ProgressRenderer survives unknown totals and restarts the rate on a new phase', () => {
  const stream = capture(true);
  let now = 0;
  const p = new ProgressRenderer({ stream, mode: 'tty', now: () => now, redrawIntervalMs: 0 });
  p.update(3, 0, 'warmup');
  assert.match(stream.text, /3 warmup$/);
  now = 1000;
  p.update(0, 10, 'train');
  now = 2000;
  p.update(5, 10, 'train');
  assert.match(stream.text, /5\/10 train · 5\.0\/s · ETA 0:01/);
});

test('formatClock and formatRate read naturally', () => {
  assert.equal(formatClock(65), '1:05');
  assert.equal(formatClock(3723), '1:02:03');
  assert.equal(formatClock(Number.NaN), '?');
  assert.equal(formatRate(1234.5), '1235/s');
  assert.equal(formatRate(0.3123), '0.31/s');
  assert.equal(formatRate(0), '–/s');
});

test('at 80 columns the bar gives up elapsed time, rate and bar width before the ETA is ever cut', () => {
  const stream = capture(true, 80);
  let now = 0;
  const p = new ProgressRenderer({ stream, mode: 'tty', prefix: 'forecast/llmtime-darts', now: () => now, redrawIntervalMs: 0 });
  p.update(0, 1000, 'samples AirPassengers');
  now = 4000;
  p.update(400, 1000, 'samples AirPassengers');
  const last = stream.text.split('\r\x1b[2K').pop()!;
  assert.ok(last.length <= 79, `${last.length} characters: ${last}`);
  assert.match(last, /400\/1000 samples AirPassengers · .*ETA 0:06$/);
  assert.doesNotMatch(last, /…/);
  const narrow = capture(true, 40);
  const q = new ProgressRenderer({ stream: narrow, mode: 'tty', prefix: 'forecast', now: () => now, redrawIntervalMs: 0 });
  q.update(0, 10, 'samples');
  now += 1000;
  q.update(5, 10, 'samples');
  assert.match(narrow.text.split('\r\x1b[2K').pop()!, /^forecast  50% 5\/10 samples · ETA 0:01$/);
});

test('without a terminal, unknown rates and ETAs are left out, and a short run still prints its final line at finish', () => {
  const stream = capture(false);
  let now = 0;
  const p = new ProgressRenderer({ stream, mode: 'plain', prefix: 'forecast', now: () => now, plainIntervalMs: 10_000 });
  p.update(0, 3, 'samples');
  now = 1500;
  p.update(3, 3, 'samples');
  assert.equal(stream.text, '', 'no heartbeat within the interval');
  p.finish();
  assert.equal(stream.text, 'forecast 100% 3/3 samples · 2.0/s · 0:02 elapsed\n');
  const slow = capture(false);
  now = 0;
  const r = new ProgressRenderer({ stream: slow, mode: 'plain', now: () => now, plainIntervalMs: 0 });
  now = 1;
  r.update(0, 5, 'x');
  assert.doesNotMatch(slow.text, /–\/s|ETA \?/);
});

test('a log line after a completed bar starts on a fresh line (a warning is never glued to the progress line)', () => {
  const stream = capture(true);
  const p = new ProgressRenderer({ stream, mode: 'tty', prefix: 'forecast', now: () => 0 });
  p.update(3, 3, 'samples');
  p.finish();
  p.log('warning: 1 sample failed');
  assert.ok(stream.text.endsWith('\r\x1b[2Kforecast: warning: 1 sample failed\n'), JSON.stringify(stream.text));
});
