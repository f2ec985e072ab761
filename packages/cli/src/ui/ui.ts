import type { CliIO } from '../io.js';
import { redactSecrets } from '../errors.js';
import { ProgressBar } from './progress.js';

export interface UiOptions {
  json: boolean;
  quiet: boolean;
}

/**
 * Everything a command prints goes through here. stdout carries results (a table, or one JSON object with
 * --json); stderr carries progress, notices and warnings, so `--json | jq` always sees clean JSON.
 */
export class Ui {
  readonly json: boolean;
  readonly quiet: boolean;
  private readonly io: CliIO;
  private readonly shownNotices = new Set<string>();
  private active: ProgressBar | undefined;

  constructor(io: CliIO, options: UiOptions) {
    this.io = io;
    this.json = options.json;
    this.quiet = options.quiet;
  }

  /** Progress bars only when stderr is an interactive terminal and not --quiet. */
  get progressEnabled(): boolean {
    return !this.quiet && this.io.stderr.isTTY === true && this.io.env.TERM !== 'dumb';
  }

  progress(label: string, total?: number): ProgressBar {
    this.active?.finish();
    this.active = new ProgressBar({ stream: this.io.stderr, label, total, enabled: this.progressEnabled, now: () => this.io.now() });
    return this.active;
  }

  /** A message shown at most once per key for the whole process (e.g. the offline-baseline notice). */
  notice(key: string, text: string): void {
    if (this.shownNotices.has(key)) return;
    this.shownNotices.add(key);
    this.info(text);
  }

  /** Status line on stderr (not with --quiet). */
  info(text: string): void {
    if (this.quiet) return;
    this.line(text);
  }

  /** Warnings are shown even with --quiet: they say something was skipped or degraded. */
  warn(text: string): void {
    this.line(`warning: ${text}`);
  }

  /** The command's result on stdout: the human text, or the JSON value with --json. */
  result(human: string, json: unknown): void {
    const text = this.json ? `${JSON.stringify(json, null, 2)}\n` : human.endsWith('\n') ? human : `${human}\n`;
    this.io.stdout.write(redactSecrets(text, this.io.env));
  }

  private line(text: string): void {
    this.active?.suspend();
    this.io.stderr.write(`${redactSecrets(text, this.io.env)}\n`);
  }
}
