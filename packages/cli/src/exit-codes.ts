/**
 * Exit codes of the `taxonomist` command. A contract for scripts and CI: documented in the README.
 * 0 only when every stage succeeded; each kind of failure has its own code so a caller can react
 * (fix the input, retry later, raise the budget) without parsing messages.
 */
export const EXIT = {
  /** Every stage succeeded. */
  OK: 0,
  /** A bug or an unexpected failure inside taxonomist (please report it). */
  INTERNAL: 1,
  /** Bad command line: unknown subcommand or flag, missing argument, invalid flag value. */
  USAGE: 2,
  /** Bad input data: unreadable or malformed corpus, taxonomy, labels or model file, bad config file. */
  BAD_INPUT: 3,
  /** The model provider could not be reached or kept failing: authentication, quota, network, rate limits or server errors that outlived retries. Never used when the provider answered. */
  PROVIDER: 4,
  /** The run stopped cleanly at the `--budget` limit; re-run with a higher budget to continue where it stopped. */
  BUDGET: 5,
  /**
   * The run finished but part of the work was not done as asked: records with `status: failed` (a re-run retries
   * them), induction rounds rejected after every re-ask (the previous taxonomy was kept), or a first taxonomy made to
   * fit the rules by a fallback (merged down / best-supported labels kept). The reasons are printed as warnings.
   */
  PARTIAL: 6,
  /**
   * The model answered, but its answers kept breaking the taxonomy rules and no valid taxonomy could be made, not even
   * by the fallbacks (e.g. too few usable labels). Not a provider failure: try a stronger model or looser limits.
   */
  RULES: 7,
  /** Another process is writing the same output file (or `run` out-dir): nothing was written; wait for it or stop it. */
  LOCKED: 8,
  /** Interrupted (Ctrl-C / SIGINT / SIGTERM); every completed record is saved and a re-run resumes. */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** One line per code, for `--help` and the README. */
export const EXIT_CODE_HELP: readonly [ExitCode, string][] = [
  [EXIT.OK, 'success: every stage succeeded'],
  [EXIT.INTERNAL, 'internal error (a bug: please report it with the message)'],
  [EXIT.USAGE, 'usage error: unknown subcommand or flag, missing or invalid argument'],
  [EXIT.BAD_INPUT, 'bad input: unreadable/malformed corpus, taxonomy, labels, model or config file'],
  [EXIT.PROVIDER, 'provider failure: the provider could not be reached or kept failing (auth, quota, network, rate limit or server errors after retries)'],
  [EXIT.BUDGET, 'budget stop: --budget reached; re-run with a higher budget to resume'],
  [EXIT.PARTIAL, 'partial: finished, but some records failed (status "failed"; a re-run retries them), induction rounds were rejected or the taxonomy was cut to fit the rules (see the warnings)'],
  [EXIT.RULES, 'rule violations: the model answered, but no taxonomy following the rules could be made (not a provider failure)'],
  [EXIT.LOCKED, 'locked: another taxonomist process is writing the same output file or out-dir; nothing was written'],
  [EXIT.INTERRUPTED, 'interrupted (SIGINT or SIGTERM); completed work is saved, a re-run resumes'],
];
