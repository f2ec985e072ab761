import { describe, expect, it } from 'vitest';
import { ProgressBar } from '../src/ui/progress.js';
import { Ui } from '../src/ui/ui.js';
import { formatClock, formatCost, formatTokens } from '../src/ui/format.js';
import { renderTable } from '../src/ui/table.js';
import { memoryIO } from './helpers.js';

describe('progress bar', () => {
  it('shows counts, rate, ETA, tokens and cost', () => {
    const io = memoryIO({ tty: true });
    const bar = new ProgressBar({ stream: io.stderr, label: 'label', total: 100, enabled: true, now: io.now });
    io.advance(10_000);
    bar.update({ done: 25, tokens: 12_345, costUsd: 0.0042 });
    // 25 records in 10 s = 2.5/s; 75 left -> 30 s
    expect(bar.render()).toBe('label    [#####---------------]  25/100  2.5/s  ETA 0:30  12.3k tok  $0.0042');
  });

  it('a resumed run does not count work done before this session in the rate', () => {
    const io = memoryIO({ tty: true });
    const bar = new ProgressBar({ stream: io.stderr, label: 'label', total: 1000, enabled: true, now: io.now });
    bar.update({ done: 900, already: 900 }); // done in a previous run
    io.advance(4000);
    bar.update({ done: 920 });
    expect(bar.render()).toContain('920/1,000  5.0/s  ETA 0:16');
  });

  it('a first update that covers a whole batch still counts toward the rate', () => {
    const io = memoryIO({ tty: true });
    const bar = new ProgressBar({ stream: io.stderr, label: 'predict', total: 4096, enabled: true, now: io.now });
    io.advance(2000);
    bar.update({ done: 4096 });
    expect(bar.render()).toContain('4,096/4,096  2,048/s  ETA 0:00');
  });

  it('writes nothing when disabled (not a TTY / --quiet)', () => {
    const io = memoryIO({ tty: false });
    const ui = new Ui(io, { json: false, quiet: false });
    const bar = ui.progress('label', 10);
    bar.tick(5);
    bar.finish();
    expect(io.err()).toBe('');
  });

  it('redraws in place on a TTY, throttled, and ends the line on finish', () => {
    const io = memoryIO({ tty: true });
    const ui = new Ui(io, { json: false, quiet: false });
    const bar = ui.progress('predict', 3);
    bar.tick();
    bar.tick(); // within 100 ms: not redrawn
    io.advance(200);
    bar.tick();
    bar.finish();
    const draws = io.err().split('\r').filter(Boolean);
    expect(draws).toHaveLength(3); // first tick, third tick, finish
    expect(io.err().endsWith('\n')).toBe(true);
  });

  it('a warning in the middle of a bar erases it and the bar comes back', () => {
    const io = memoryIO({ tty: true });
    const ui = new Ui(io, { json: false, quiet: true });
    const bar = ui.progress('x', 2);
    expect(ui.progressEnabled).toBe(false); // --quiet
    const io2 = memoryIO({ tty: true });
    const ui2 = new Ui(io2, { json: false, quiet: false });
    const bar2 = ui2.progress('x', 2);
    bar2.tick();
    ui2.warn('something skipped');
    io2.advance(500);
    bar2.tick();
    expect(io2.err()).toMatch(/\r\x1b\[Kwarning: something skipped\n\rx/);
    bar.finish();
  });
});

describe('ui', () => {
  it('shows a notice once per key', () => {
    const io = memoryIO();
    const ui = new Ui(io, { json: false, quiet: false });
    ui.notice('offline', 'offline!');
    ui.notice('offline', 'offline!');
    expect(io.err()).toBe('offline!\n');
  });
  it('--json puts exactly one JSON document on stdout', () => {
    const io = memoryIO();
    const ui = new Ui(io, { json: true, quiet: false });
    ui.result('human', { a: 1 });
    expect(JSON.parse(io.out())).toEqual({ a: 1 });
  });
  it('--quiet hides info but not warnings', () => {
    const io = memoryIO();
    const ui = new Ui(io, { json: false, quiet: true });
    ui.info('hello');
    ui.warn('careful');
    expect(io.err()).toBe('warning: careful\n');
  });
});

describe('formatting', () => {
  it('formats tokens, money, clocks and tables', () => {
    expect(formatTokens(950)).toBe('950');
    expect(formatTokens(1234)).toBe('1.23k');
    expect(formatTokens(2_500_000)).toBe('2.50M');
    expect(formatCost(0)).toBe('$0');
    expect(formatCost(0.00042)).toBe('$0.0004');
    expect(formatCost(1.5)).toBe('$1.500');
    expect(formatClock(3725)).toBe('1:02:05');
    expect(formatClock(Infinity)).toBe('--:--');
    expect(renderTable([{ header: 'a' }, { header: 'n', align: 'right' }], [['xx', '1'], ['y', '100']])).toBe('a     n\n--  ---\nxx    1\ny   100\n');
  });
});
