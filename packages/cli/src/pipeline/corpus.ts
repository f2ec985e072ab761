import { readCorpus, type CorpusFormat, type CorpusIssue, type CorpusItem, type CorpusStats } from '@taxonomist/core';
import { InputError, toCliError, type CliError } from '../errors.js';
import type { CommandContext } from '../commands/types.js';
import type { Ui } from '../ui/ui.js';

export interface CorpusFlags {
  format?: CorpusFormat;
  textField?: string;
  idField?: string;
  labelField?: string;
  strict?: boolean;
}

/** The corpus-related flags of a command, as reader options. */
export function corpusFlags(values: CommandContext['values'], labelField?: string): CorpusFlags {
  const out: CorpusFlags = {};
  if (typeof values.format === 'string') out.format = values.format as CorpusFormat;
  if (typeof values.textField === 'string') out.textField = values.textField;
  if (typeof values.idField === 'string') out.idField = values.idField;
  if (values.strict === true) out.strict = true;
  if (labelField !== undefined) out.labelField = labelField;
  return out;
}

export interface LoadedCorpus {
  path: string;
  records: CorpusItem[];
  stats: CorpusStats;
  issues: CorpusIssue[];
}

const SHOWN_ISSUES = 5;

/**
 * Read a whole corpus, print what was skipped (first few issues with file:line:field, then counts by kind) and
 * fail with a fix suggestion when nothing usable is left. Nothing is dropped silently.
 */
export async function loadCorpus(path: string, flags: CorpusFlags, ui: Ui, signal?: AbortSignal): Promise<LoadedCorpus> {
  const reader = readCorpus(path, { ...flags, maxIssues: 1000, ...(signal ? { signal } : {}) });
  const records: CorpusItem[] = [];
  try {
    for await (const r of reader) records.push(r);
  } catch (err) {
    throw withFieldHint(err);
  }
  const { stats, issues } = reader;
  reportIssues(path, stats, issues, ui);
  if (records.length === 0) {
    const missing = stats.byKind.missing_field;
    throw new InputError(`${path}: no usable records (${stats.lines} lines, ${stats.skipped} skipped)`, {
      location: { file: path },
      hint:
        missing > 0
          ? `${issues.find((i) => i.kind === 'missing_field')?.message ?? ''}; pass --text-field <name> (and --id-field <name>) to say which fields hold the text and id`
          : stats.lines === 0
            ? 'the file is empty'
            : 'see the warnings above; --format jsonl|csv|txt if the extension is misleading',
    });
  }
  return { path, records, stats, issues };
}

export function reportIssues(path: string, stats: { skipped: number; byKind: Record<string, number> }, issues: readonly CorpusIssue[], ui: Ui): void {
  if (stats.skipped === 0) return;
  for (const issue of issues.slice(0, SHOWN_ISSUES)) ui.warn(issue.message);
  const kinds = Object.entries(stats.byKind)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k.replace(/_/g, ' ')}`)
    .join(', ');
  ui.warn(`${path}: skipped ${stats.skipped} line(s) (${kinds})${stats.skipped > SHOWN_ISSUES ? `; first ${SHOWN_ISSUES} shown` : ''}; use --strict to stop at the first one`);
}

/** Reader errors about the text or id field get the flag that fixes them. */
function withFieldHint(err: unknown): CliError {
  const e = toCliError(err);
  if (!(e instanceof InputError) || e.hint) return e;
  if (/textField|idField|column/.test(e.message)) {
    return new InputError(e.message.replace(/; set (textField|idField)$/, ''), {
      ...(e.location ? { location: e.location } : {}),
      hint: 'pass --text-field <name> (and --id-field <name>) to say which fields hold the text and the id',
      cause: err,
    });
  }
  return e;
}
