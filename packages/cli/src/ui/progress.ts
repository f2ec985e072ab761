import type { ProgressState } from '@taxonomist/pipeline';
import type { OutStream } from '../io.js';
import { formatClock, formatCost, formatCount, formatRate, formatTokens } from './format.js';

// What a progress line shows: the pipeline's ProgressState (its stages report through the same shape).
export type { ProgressState };

export interface ProgressOptions {
  stream: OutStream;
  label: string;
  total?: number;
  /** Off when stderr is not a TTY or with --quiet: then nothing is written at all. */
  enabled: boolean;
  now: () => number;
  /** Redraw at most this often (ms); the final state is always drawn. */
  minIntervalMs?: number;
}

/**
 * A one-line progress bar on stderr: counts, rate, ETA, tokens and cost. The rate counts only work done in this
 * session (a resumed run reports `already`: records done before, which must not inflate the rate or shrink the ETA).
 */
export class ProgressBar {
  private readonly opts: Required<Omit<ProgressOptions, 'total'>>;
  private state: ProgressState;
  private readonly startedAt: number;
  private lastDrawAt = -Infinity;
  private drawn = false;
  private finished = false;

  constructor(options: ProgressOptions) {
    this.opts = { minIntervalMs: 100, ...options };
    this.state = { done: 0, total: options.total };
    this.startedAt = options.now();
  }

  /** Set absolute values (only the given fields change). */
  update(patch: Partial<ProgressState>): void {
    this.state = { ...this.state, ...patch };
    this.maybeDraw();
  }

  tick(n = 1): void {
    this.state = { ...this.state, done: this.state.done + n };
    this.maybeDraw();
  }

  /** Draw the final state and end the line. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (!this.opts.enabled) return;
    this.draw();
    this.opts.stream.write('\n');
  }

  /** Erase the drawn line so a message can be printed; the next update redraws the bar below it. */
  suspend(): void {
    if (!this.opts.enabled || !this.drawn || this.finished) return;
    this.opts.stream.write('\r\x1b[K');
    this.drawn = false;
  }

  /** The line as it would be drawn now (pure; used by tests). */
  render(width = this.opts.stream.columns ?? 100): string {
    const { done, total, tokens, costUsd, note } = this.state;
    const elapsedS = Math.max(1e-9, (this.opts.now() - this.startedAt) / 1000);
    const sessionDone = done - (this.state.already ?? 0);
    const rate = sessionDone / elapsedS;
    const parts: string[] = [];
    if (total !== undefined && total > 0) {
      const frac = Math.min(1, done / total);
      const barWidth = 20;
      const filled = Math.round(frac * barWidth);
      parts.push(`[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`);
      parts.push(`${formatCount(done)}/${formatCount(total)}`);
    } else parts.push(formatCount(done));
    parts.push(formatRate(rate));
    if (total !== undefined && total > 0) parts.push(`ETA ${sessionDone > 0 ? formatClock((total - done) / rate) : '--:--'}`);
    if (tokens !== undefined && tokens > 0) parts.push(`${formatTokens(tokens)} tok`);
    if (costUsd !== undefined && costUsd > 0) parts.push(formatCost(costUsd));
    if (note) parts.push(note);
    const line = `${this.opts.label.padEnd(8)} ${parts.join('  ')}`;
    return line.length > width - 1 ? line.slice(0, width - 1) : line;
  }

  private maybeDraw(): void {
    if (!this.opts.enabled || this.finished) return;
    const t = this.opts.now();
    if (this.drawn && t - this.lastDrawAt < this.opts.minIntervalMs) return;
    this.draw();
  }

  private draw(): void {
    this.lastDrawAt = this.opts.now();
    this.drawn = true;
    // \r + clear-to-end-of-line redraws in place.
    this.opts.stream.write(`\r${this.render()}\x1b[K`);
  }
}
