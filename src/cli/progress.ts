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
  private lastState: { done: number; total: number; label: string; t: number } | null = null;
  private barVisible = false;
  private lastDrawAt = -Infinity;
  private lastPlainAt: number;
  /** The latest plain-mode line and whether it was printed, so finish() can print the final state of a short run. */
  private pendingPlain: string | null = null;

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
    const complete = total > 0 && done >= total;
    if (this.mode === 'tty') {
      if (!complete && t - this.lastDrawAt < this.redrawIntervalMs) return;
      this.lastDrawAt = t;
      this.lastState = { done, total, label, t };
      this.draw();
    } else {
      const line = this.describe(done, total, label, t, Infinity);
      if (t - this.lastPlainAt >= this.plainIntervalMs) {
        this.lastPlainAt = t;
        this.stream.write(line + '\n');
        this.pendingPlain = null;
      } else {
        this.pendingPlain = line;
      }
    }
  }

  log(message: string): void {
    if (this.mode === 'quiet') return;
    const text = (this.prefix ? `${this.prefix}: ` : '') + message;
    if (this.mode === 'tty') {
      this.stream.write((this.barVisible ? clearLine : '') + text + '\n');
      this.barVisible = false;
      if (this.lastState) this.draw();
    } else {
      this.stream.write(text + '\n');
    }
  }

  /**
   * Removes the bar from the terminal; call when the work is over. Without a terminal, prints the final state when
   * no heartbeat showed it, so even a run shorter than the heartbeat interval leaves one line.
   */
  finish(): void {
    if (this.mode === 'tty' && this.barVisible) this.stream.write(clearLine);
    if (this.mode === 'plain' && this.pendingPlain !== null) this.stream.write(this.pendingPlain + '\n');
    this.pendingPlain = null;
    this.barVisible = false;
    this.lastState = null;
  }

  private draw(): void {
    const columns = this.stream.columns && this.stream.columns > 20 ? this.stream.columns : 80;
    const { done, total, label, t } = this.lastState!;
    // Leave the last column free: writing into it wraps the cursor on many terminals.
    this.stream.write(clearLine + this.describe(done, total, label, t, columns - 1));
    this.barVisible = true;
  }

  /**
   * The progress line, at most `width` characters. Parts are dropped in order of least use — elapsed time, then the
   * rate, then the bar shrinks and goes — before anything is truncated, so a narrow terminal never shows a cut ETA.
   * Unknown rates and ETAs are left out rather than printed as placeholders.
   */
  private describe(done: number, total: number, label: string, t: number, width: number): string {
    const head = this.prefix ? `${this.prefix} ` : '';
    const what = label ? ` ${label}` : '';
    const fit = (text: string) => (text.length <= width ? text : text.slice(0, Math.max(1, width - 1)) + '…');
    if (!(total > 0) || !Number.isFinite(done)) return fit(`${head}${Number.isFinite(done) ? done : '?'}${what}`);
    const fraction = Math.min(1, Math.max(0, done / total));
    const phase = this.phase!;
    const elapsed = (t - phase.startedAt) / 1000;
    const rate = elapsed > 0 && done > phase.startDone ? (done - phase.startDone) / elapsed : NaN;
    const eta = rate > 0 && done < total ? (total - done) / rate : NaN;
    const counts = `${done}/${total}`;
    const pct = `${Math.floor(fraction * 100)}%`;
    const rateText = Number.isFinite(rate) ? formatRate(rate) : null;
    const etaText = Number.isFinite(eta) ? `ETA ${formatClock(eta)}` : null;
    const elapsedText = `${formatClock((t - this.createdAt) / 1000)} elapsed`;
    const timing = (parts: (string | null)[]) => parts.filter((x): x is string => x !== null).map((x) => ` · ${x}`).join('');
    if (this.mode !== 'tty') return `${head}${pct} ${counts}${what}${timing([rateText, etaText, elapsedText])}`;
    const bar = (n: number) => { const filled = Math.round(fraction * n); return '█'.repeat(filled) + '░'.repeat(n - filled) + ' '; };
    const variants = [
      [24, [rateText, etaText, elapsedText]], [24, [rateText, etaText]], [24, [etaText]], [12, [etaText]], [0, [etaText]], [0, []],
    ] as const;
    for (const [barWidth, parts] of variants) {
      const line = `${head}${barWidth ? bar(barWidth) : ''}${pct.padStart(4)} ${counts}${what}${timing([...parts])}`;
      if (line.length <= width) return line;
    }
    return fit(`${head}${pct} ${counts}${what}${timing([etaText])}`);
  }
}
