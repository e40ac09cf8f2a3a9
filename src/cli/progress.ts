/**
 * The CLI's `ProgressSink`: a redrawn bar with rate and ETA when stderr is a terminal; plain heartbeat lines (no
 * control characters) when it is not, so CI logs stay readable; nothing at all with `--quiet`.
 */
import type { ProgressSink } from '../experiments/index.ts';
import type { OutputStream } from './command.ts';

export type ProgressMode = 'tty' | 'plain' | 'quiet';

export function progressMode(stream: OutputStream, quiet: boolean): ProgressMode {
  if (quiet) return 'quiet';
  return stream.isTTY === true ? 'tty' : 'plain';
}

export interface ProgressOptions {
  stream: OutputStream;
  mode: ProgressMode;
  /** Printed before every line, e.g. "nn/digits-mlp". */
  prefix?: string;
  /** Milliseconds clock; injectable for tests. */
  now?: () => number;
  /** Plain mode prints at most one progress line per this many milliseconds. */
  plainIntervalMs?: number;
  /** Terminal mode redraws at most once per this many milliseconds (and always at completion). */
  redrawIntervalMs?: number;
}

const clearLine = '\r\x1b[2K';

/** "1:05", "12:00", "1:02:03". */
export function formatClock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** Units per second as "123/s", "4.5/s" or "0.31/s". */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '–/s';
  if (perSecond >= 100) return `${Math.round(perSecond)}/s`;
  if (perSecond >= 1) return `${perSecond.toFixed(1)}/s`;
  return `${perSecond.toPrecision(2)}/s`;
}

export class ProgressRenderer implements ProgressSink {
  private readonly stream: OutputStream;
  private readonly mode: ProgressMode;
  private readonly prefix: string;
  private readonly now: () => number;
  private readonly plainIntervalMs: number;
  private readonly redrawIntervalMs: number;
  private readonly createdAt: number;
  private phase: { label: string; total: number; startedAt: number; startDone: number } | null = null;
  private lastLine = '';
  private barVisible = false;
  private lastDrawAt = -Infinity;
  private lastPlainAt: number;

  constructor(options: ProgressOptions) {
    this.stream = options.stream;
    this.mode = options.mode;
    this.prefix = options.prefix ?? '';
    this.now = options.now ?? (() => performance.now());
    this.plainIntervalMs = options.plainIntervalMs ?? 10_000;
    this.redrawIntervalMs = options.redrawIntervalMs ?? 80;
    this.createdAt = this.now();
    // A heartbeat only after a full interval: short work prints no progress lines at all.
    this.lastPlainAt = this.createdAt;
  }

  update(done: number, total: number, label = ''): void {
    if (this.mode === 'quiet') return;
    const t = this.now();
    // A new label, a new total or a count going backwards starts a new phase, so the rate is not polluted by the last.
    if (this.phase === null || this.phase.label !== label || this.phase.total !== total || done < this.phase.startDone) {
      this.phase = { label, total, startedAt: t, startDone: Number.isFinite(done) ? done : 0 };
    }
    const line = this.describe(done, total, label, t);
    const complete = total > 0 && done >= total;
    if (this.mode === 'tty') {
      if (!complete && t - this.lastDrawAt < this.redrawIntervalMs) return;
      this.lastDrawAt = t;
      this.lastLine = line;
      this.draw();
    } else if (t - this.lastPlainAt >= this.plainIntervalMs) {
      this.lastPlainAt = t;
      this.stream.write(line + '\n');
    }
  }

  log(message: string): void {
    if (this.mode === 'quiet') return;
    const text = (this.prefix ? `${this.prefix}: ` : '') + message;
    if (this.mode === 'tty') {
      this.stream.write((this.barVisible ? clearLine : '') + text + '\n');
      this.barVisible = false;
      if (this.lastLine) this.draw();
    } else {
      this.stream.write(text + '\n');
    }
  }

  /** Removes the bar from the terminal; call when the work is over. */
  finish(): void {
    if (this.mode === 'tty' && this.barVisible) this.stream.write(clearLine);
    this.barVisible = false;
    this.lastLine = '';
  }

  private draw(): void {
    const columns = this.stream.columns && this.stream.columns > 20 ? this.stream.columns : 80;
    const text = this.lastLine.length > columns - 1 ? this.lastLine.slice(0, columns - 2) + '…' : this.lastLine;
    this.stream.write(clearLine + text);
    this.barVisible = true;
  }

  private describe(done: number, total: number, label: string, t: number): string {
    const head = this.prefix ? `${this.prefix} ` : '';
    const what = label ? ` ${label}` : '';
    if (!(total > 0) || !Number.isFinite(done)) return `${head}${Number.isFinite(done) ? done : '?'}${what}`;
    const fraction = Math.min(1, Math.max(0, done / total));
    const phase = this.phase!;
    const elapsed = (t - phase.startedAt) / 1000;
    const rate = elapsed > 0 ? (done - phase.startDone) / elapsed : NaN;
    const eta = rate > 0 ? (total - done) / rate : NaN;
    const counts = `${done}/${total}`;
    const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
    const timing = `${formatRate(rate)} · ETA ${formatClock(eta)} · ${formatClock((t - this.createdAt) / 1000)} elapsed`;
    if (this.mode === 'tty') {
      const width = 24;
      const filled = Math.round(fraction * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      return `${head}${bar} ${pct} ${counts}${what} · ${timing}`;
    }
    return `${head}${pct.trim()} ${counts}${what} · ${timing}`;
  }
}
