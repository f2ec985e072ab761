import { redactText, registerSecretsFromEnv } from '@taxonomist/core/redact';
import { EXIT, type ExitCode } from './exit-codes.js';

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

const PROVIDER_KINDS = new Set(['rate_limit', 'server', 'timeout', 'network', 'quota', 'auth', 'bad_request']);

const PROVIDER_HINTS: Record<string, string> = {
  auth: 'check OPENAI_API_KEY (or the key your provider plugin reads); for a local server use --base-url',
  quota: 'the account is out of quota or credit: check billing, or use another model/provider',
  rate_limit: 'the provider kept rate-limiting: lower --concurrency, or re-run later (completed work is kept)',
  server: 'the provider kept failing: re-run later (completed work is kept and resumed)',
  timeout: 'requests timed out: check the server, lower --concurrency, or re-run (completed work is resumed)',
  network: 'could not reach the provider: check --base-url / OPENAI_BASE_URL and the network',
  bad_request: 'the provider rejected the request: check the model name in --model',
};

/** Library option names in the reader's messages -> the flags that set them on the command line. */
const FLAG_OF_OPTION: Record<string, string> = { textField: '--text-field <name>', idField: '--id-field <name>', labelField: '--gold-field <name>' };

/** A library message as a CLI user needs it: "set textField" (the library option) becomes "pass --text-field <name>". */
export function cliIssueMessage(message: string): string {
  return message.replace(/\bset (textField|idField|labelField)\b/g, (_, option: string) => `pass ${FLAG_OF_OPTION[option]}`);
}

const INPUT_ERROR_NAMES = new Set(['ModelFileError', 'ClusterModelError', 'ClusterError', 'DataFileError', 'CorpusError', 'InductionError']);

interface ErrorLike {
  message?: unknown;
  name?: unknown;
  kind?: unknown;
  file?: unknown;
  line?: unknown;
  field?: unknown;
  code?: unknown;
  path?: unknown;
}

/** What Ctrl-C (SIGINT) prints: completed work is saved, and the same command picks up where it stopped. */
export const INTERRUPTED_MESSAGE = 'interrupted; run the same command to resume';

/**
 * The abort reason of Ctrl-C. Named AbortError: code that rethrows `signal.reason` as is (signal.throwIfAborted(),
 * core's sleeps) must still read as an interruption (exit 130), not as a bug.
 */
export function interruptedReason(): Error {
  const err = new Error(INTERRUPTED_MESSAGE);
  err.name = 'AbortError';
  return err;
}

/**
 * Classify anything thrown into a CliError by its shape (not by class: the core classes are loaded lazily and
 * must not be imported here, to keep start-up fast):
 * - `kind` of an LLM error (LlmError) -> provider failure or internal,
 * - `file`/`line` (CorpusError and other input errors) -> bad input,
 * - fs errors (ENOENT, EACCES, EISDIR) -> bad input naming the path.
 */
export function toCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as ErrorLike;
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (e.name === 'ProviderStoppedError') {
    // The gateway stopped calling the provider (auth/quota error, or too many failures of one kind in a row).
    return new CliError(`model provider failed${typeof e.kind === 'string' ? ` (${e.kind})` : ''}: ${message}`, {
      exitCode: EXIT.PROVIDER,
      hint: (typeof e.kind === 'string' ? PROVIDER_HINTS[e.kind] : undefined) ?? 're-run the same command once the provider answers again (completed work is kept)',
      cause: err,
    });
  }
  if (typeof e.kind === 'string' && PROVIDER_KINDS.has(e.kind)) {
    return new CliError(`model provider failed (${e.kind}): ${message}`, {
      exitCode: EXIT.PROVIDER,
      hint: PROVIDER_HINTS[e.kind],
      cause: err,
    });
  }
  if (e.name === 'FileLockedError') {
    return new CliError(message, {
      exitCode: EXIT.LOCKED,
      hint: 'one writer per output: wait for the other process to finish (or stop it), or write somewhere else (--out / --out-dir)',
      cause: err,
    });
  }
  if (e.kind === 'budget') return new CliError(message, { exitCode: EXIT.BUDGET, cause: err });
  if (e.kind === 'aborted' || e.name === 'AbortError') return new CliError(INTERRUPTED_MESSAGE, { exitCode: EXIT.INTERRUPTED, cause: err });
  if (typeof e.file === 'string') {
    return new InputError(cliIssueMessage(message), {
      location: {
        file: e.file,
        line: typeof e.line === 'number' ? e.line : undefined,
        field: typeof e.field === 'string' ? e.field : undefined,
      },
      cause: err,
    });
  }
  if (e.code === 'ENOENT' && typeof e.path === 'string') {
    return new InputError(`file not found: ${e.path}`, { hint: 'check the path (it is relative to the current directory)', cause: err });
  }
  if ((e.code === 'EACCES' || e.code === 'EPERM') && typeof e.path === 'string') {
    return new InputError(`permission denied: ${e.path}`, { cause: err });
  }
  if (e.code === 'EISDIR' && typeof e.path === 'string') {
    return new InputError(`expected a file but found a directory: ${e.path}`, { cause: err });
  }
  if (e.code === 'ENOTDIR' && typeof e.path === 'string') {
    return new InputError(`a parent of ${e.path} is a file, not a directory`, { location: { file: e.path }, cause: err });
  }
  if ((e.code === 'EROFS' || e.code === 'ENOSPC' || e.code === 'ENAMETOOLONG') && typeof e.path === 'string') {
    return new InputError(`cannot write ${e.path}: ${message}`, { location: { file: e.path }, cause: err });
  }
  if (e.name === 'ZodError') return new InputError(message, { cause: err });
  // Model and data file errors of the packages (bad or mismatched model.json / cluster model / data file).
  if (typeof e.name === 'string' && INPUT_ERROR_NAMES.has(e.name)) return new InputError(message, { cause: err });
  if (e.name === 'OpenAIConfigError' || e.name === 'ProviderConfigError') return new CliError(message, { exitCode: EXIT.USAGE, cause: err });
  return new CliError(message, { exitCode: EXIT.INTERNAL, cause: err });
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
