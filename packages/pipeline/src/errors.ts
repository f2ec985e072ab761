/**
 * The pipeline's typed errors. Every failure of runPipeline (and of the stage helpers) is a PipelineError with a
 * `kind` a caller can branch on without parsing messages; the CLI maps kinds to its exit codes. Kept free of heavy
 * imports (it is the `@taxonomist/pipeline/errors` entry the CLI loads at start-up).
 */

/** What went wrong, as a caller reacts to it. */
export type PipelineErrorKind =
  /** Bad options (a missing use case, an unknown strategy, a contradiction). */
  | 'usage'
  /** A provider's configuration is unusable (no key, bad base URL): nothing was sent. */
  | 'config'
  /** Bad input data: unreadable or malformed corpus, taxonomy, labels, model file. */
  | 'input'
  /** The model provider could not be reached or kept failing (auth, quota, network, rate limits, server errors). */
  | 'provider'
  /** Stopped cleanly at the budget; a re-run with a higher budget resumes. */
  | 'budget'
  /** Finished, but part of the work was not done as asked (failed records, rejected induction rounds). */
  | 'partial'
  /** The model answered, but no taxonomy following the rules could be made. */
  | 'rules'
  /** Another process is writing the same output (file or out-dir). */
  | 'locked'
  /** Aborted (AbortSignal); completed work is saved and a re-run resumes. */
  | 'interrupted'
  /** A bug or an unexpected failure. */
  | 'internal';

/** Where in an input file a problem is. Rendered as `file:line: field "x": message`. */
export interface ErrorLocation {
  file?: string;
  line?: number;
  field?: string;
}

export class PipelineError extends Error {
  readonly kind: PipelineErrorKind;
  readonly hint?: string;
  readonly location?: ErrorLocation;
  constructor(message: string, options: { kind: PipelineErrorKind; hint?: string; location?: ErrorLocation; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PipelineError';
    this.kind = options.kind;
    this.hint = options.hint;
    this.location = options.location;
  }
}

/** Bad options. */
export class PipelineUsageError extends PipelineError {
  constructor(message: string, options: { hint?: string } = {}) {
    super(message, { kind: 'usage', ...options });
    this.name = 'PipelineUsageError';
  }
}

/** Bad input data (a file's content or shape). */
export class PipelineInputError extends PipelineError {
  constructor(message: string, options: { hint?: string; location?: ErrorLocation; cause?: unknown } = {}) {
    super(message, { kind: 'input', ...options });
    this.name = 'PipelineInputError';
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

/** What an interruption says: completed work is saved, and the same command picks up where it stopped. */
export const INTERRUPTED_MESSAGE = 'interrupted; run the same command to resume';

/**
 * Classify anything thrown into a PipelineError by its shape (not by class: the core classes are loaded lazily and
 * must not be imported here, to keep start-up fast):
 * - `kind` of an LLM error (LlmError) -> provider failure or internal,
 * - `file`/`line` (CorpusError and other input errors) -> bad input,
 * - fs errors (ENOENT, EACCES, EISDIR) -> bad input naming the path.
 */
export function toPipelineError(err: unknown): PipelineError {
  if (err instanceof PipelineError) return err;
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as ErrorLike;
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (e.name === 'ProviderStoppedError') {
    // The gateway stopped calling the provider (auth/quota error, or too many failures of one kind in a row).
    return new PipelineError(`model provider failed${typeof e.kind === 'string' ? ` (${e.kind})` : ''}: ${message}`, {
      kind: 'provider',
      hint: (typeof e.kind === 'string' ? PROVIDER_HINTS[e.kind] : undefined) ?? 're-run the same command once the provider answers again (completed work is kept)',
      cause: err,
    });
  }
  if (typeof e.kind === 'string' && PROVIDER_KINDS.has(e.kind)) {
    return new PipelineError(`model provider failed (${e.kind}): ${message}`, { kind: 'provider', hint: PROVIDER_HINTS[e.kind], cause: err });
  }
  if (e.name === 'FileLockedError') {
    return new PipelineError(message, {
      kind: 'locked',
      hint: 'one writer per output: wait for the other process to finish (or stop it), or write somewhere else (--out / --out-dir)',
      cause: err,
    });
  }
  if (e.kind === 'budget') return new PipelineError(message, { kind: 'budget', cause: err });
  if (e.kind === 'aborted' || e.name === 'AbortError') return new PipelineError(INTERRUPTED_MESSAGE, { kind: 'interrupted', cause: err });
  if (typeof e.file === 'string') {
    return new PipelineInputError(cliIssueMessage(message), {
      location: {
        file: e.file,
        line: typeof e.line === 'number' ? e.line : undefined,
        field: typeof e.field === 'string' ? e.field : undefined,
      },
      cause: err,
    });
  }
  if (e.code === 'ENOENT' && typeof e.path === 'string') {
    return new PipelineInputError(`file not found: ${e.path}`, { hint: 'check the path (it is relative to the current directory)', cause: err });
  }
  if ((e.code === 'EACCES' || e.code === 'EPERM') && typeof e.path === 'string') {
    return new PipelineInputError(`permission denied: ${e.path}`, { cause: err });
  }
  if (e.code === 'EISDIR' && typeof e.path === 'string') {
    return new PipelineInputError(`expected a file but found a directory: ${e.path}`, { cause: err });
  }
  if (e.code === 'ENOTDIR' && typeof e.path === 'string') {
    return new PipelineInputError(`a parent of ${e.path} is a file, not a directory`, { location: { file: e.path }, cause: err });
  }
  if ((e.code === 'EROFS' || e.code === 'ENOSPC' || e.code === 'ENAMETOOLONG') && typeof e.path === 'string') {
    return new PipelineInputError(`cannot write ${e.path}: ${message}`, { location: { file: e.path }, cause: err });
  }
  if (e.name === 'ZodError') return new PipelineInputError(message, { cause: err });
  // Model and data file errors of the packages (bad or mismatched model.json / cluster model / data file).
  if (typeof e.name === 'string' && INPUT_ERROR_NAMES.has(e.name)) return new PipelineInputError(message, { cause: err });
  if (e.name === 'OpenAIConfigError' || e.name === 'ProviderConfigError') return new PipelineError(message, { kind: 'config', cause: err });
  return new PipelineError(message, { kind: 'internal', cause: err });
}
