import { redactText, registerSecretsFromEnv } from '@taxonomist/core/redact';
import { EXIT, type ExitCode } from './exit-codes.js';
import { INTERRUPTED_MESSAGE, PipelineError, cliIssueMessage, toPipelineError, type PipelineErrorKind } from '@taxonomist/pipeline/errors';
import type { Outcome } from '@taxonomist/pipeline';

/** Where in an input file a problem is. Rendered as `file:line: field "x": message`. */
export interface ErrorLocation {
  file?: string;
  line?: number;
  field?: string;
}

/**
 * An error the CLI knows how to present: a message, where it happened, how to fix it, and the exit code.
 * Everything else thrown inside a command is classified by `toCliError`.
 */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  readonly hint?: string;
  readonly location?: ErrorLocation;
  constructor(message: string, options: { exitCode: ExitCode; hint?: string; location?: ErrorLocation; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = options.exitCode;
    this.hint = options.hint;
    this.location = options.location;
  }
}

/** Bad command line. */
export class UsageError extends CliError {
  /** The subcommand whose usage line to show (undefined: the global one). */
  readonly command?: string;
  constructor(message: string, options: { hint?: string; command?: string } = {}) {
    super(message, { exitCode: EXIT.USAGE, hint: options.hint });
    this.name = 'UsageError';
    this.command = options.command;
  }
}

/** Bad input data (a file's content or shape). */
export class InputError extends CliError {
  constructor(message: string, options: { hint?: string; location?: ErrorLocation; cause?: unknown } = {}) {
    super(message, { exitCode: EXIT.BAD_INPUT, ...options });
    this.name = 'InputError';
  }
}

export { cliIssueMessage };

/** What Ctrl-C (SIGINT) prints: completed work is saved, and the same command picks up where it stopped. */
export { INTERRUPTED_MESSAGE };

/**
 * The abort reason of Ctrl-C. Named AbortError: code that rethrows `signal.reason` as is (signal.throwIfAborted(),
 * core's sleeps) must still read as an interruption (exit 130), not as a bug.
 */
export function interruptedReason(): Error {
  const err = new Error(INTERRUPTED_MESSAGE);
  err.name = 'AbortError';
  return err;
}

/** The exit code of each kind of library failure (@taxonomist/pipeline's PipelineError). */
export const EXIT_OF_KIND: Record<PipelineErrorKind, ExitCode> = {
  usage: EXIT.USAGE,
  config: EXIT.USAGE,
  input: EXIT.BAD_INPUT,
  provider: EXIT.PROVIDER,
  budget: EXIT.BUDGET,
  partial: EXIT.PARTIAL,
  rules: EXIT.RULES,
  locked: EXIT.LOCKED,
  interrupted: EXIT.INTERRUPTED,
  internal: EXIT.INTERNAL,
};

/** The exit code of a stage outcome (a stage that finished, maybe not fully). */
export function exitCodeOfOutcome(outcome: Outcome): ExitCode {
  return outcome === 'ok' ? EXIT.OK : EXIT_OF_KIND[outcome];
}

/**
 * Classify anything thrown into a CliError: the library's classification (@taxonomist/pipeline's toPipelineError:
 * provider, input, locked, budget, interrupted... by the error's shape), then its kind's exit code.
 */
export function toCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  const e = toPipelineError(err);
  const cause = err instanceof PipelineError ? (e.cause ?? err) : err;
  const hint = e.hint !== undefined ? { hint: e.hint } : {};
  if (e.kind === 'usage') return new UsageError(e.message, hint);
  if (e.kind === 'input') return new InputError(e.message, { ...hint, ...(e.location ? { location: e.location } : {}), cause });
  return new CliError(e.message, { exitCode: EXIT_OF_KIND[e.kind], ...hint, ...(e.location ? { location: e.location } : {}), cause });
}

/**
 * Values that must never reach the terminal: API keys from the environment, every secret a provider registered, and
 * anything shaped like one (core's redactText, the same pass every file writer applies). The environment's secret
 * variables are registered too, so files written later in this process are redacted of them as well.
 */
export function redactSecrets(text: string, env: Record<string, string | undefined>): string {
  registerSecretsFromEnv(env);
  return redactText(text);
}

/** `file:line: field "x": message` + hint lines, as printed on stderr. */
export function renderError(err: CliError, env: Record<string, string | undefined> = {}): string {
  const loc = err.location;
  let where = '';
  if (loc?.file) where += loc.line !== undefined ? `${loc.file}:${loc.line}: ` : `${loc.file}: `;
  // Core errors often already start with `file:line:`; do not say it twice.
  const message = where && err.message.startsWith(where.trimEnd().replace(/:$/, '')) ? err.message : where + (loc?.field && !err.message.includes(`"${loc.field}"`) ? `field "${loc.field}": ` : '') + err.message;
  const lines = [`error: ${message}`];
  if (err.hint) lines.push(`  hint: ${err.hint}`);
  if (err.exitCode === EXIT.INTERNAL && err.cause instanceof Error && err.cause.stack) {
    lines.push('  (this looks like a bug in taxonomist; stack trace follows)');
    lines.push(...err.cause.stack.split('\n').slice(1, 8).map((l) => `  ${l.trim()}`));
  }
  return redactSecrets(lines.join('\n'), env) + '\n';
}
