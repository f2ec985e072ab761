import { readCorpus, writeRejects, type CorpusFormat, type CorpusIssue, type CorpusItem, type CorpusStats } from '@taxonomist/core';
import { PipelineInputError, cliIssueMessage, toPipelineError, type PipelineError } from './errors.js';
import type { StageValues } from './values.js';
import type { Reporter } from './reporter.js';

export interface CorpusFlags {
  format?: CorpusFormat;
  textField?: string;
  idField?: string;
  labelField?: string;
  strict?: boolean;
}

/** The corpus-related flags of a command, as reader options. */
export function corpusFlags(values: StageValues, labelField?: string): CorpusFlags {
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
  /** Every record read (with `keepEmptyTexts`, records whose text is empty too). */
  records: CorpusItem[];
  /** Records with an empty text among `records` (0 unless `keepEmptyTexts`). */
  emptyTexts: number;
  stats: CorpusStats;
  issues: CorpusIssue[];
}

const SHOWN_ISSUES = 5;

/** Records with a text worth sending anywhere (empty ones are kept only to get their failed output line). */
export function withText<T extends { text: string }>(records: readonly T[]): T[] {
  return records.filter((r) => r.text.trim() !== '');
}

/**
 * Tally of a reader's issues: lines it skipped (no usable record) by kind, and records it yielded despite an issue
 * (empty texts under keepEmptyTexts), which the command accounts for with a failed line.
 */
export class IssueTally {
  skipped = 0;
  readonly byKind: Record<string, number> = {};
  readonly kept: CorpusIssue[] = [];
  keptCount = 0;
  /** Every skipped line's issue (the reader keeps only the first maxIssues), for the rejects file. */
  readonly rejected: CorpusIssue[] = [];

  add(issue: CorpusIssue): void {
    if (issue.kept === true) {
      this.keptCount++;
      if (this.kept.length < SHOWN_ISSUES) this.kept.push(issue);
      return;
    }
    this.skipped++;
    this.byKind[issue.kind] = (this.byKind[issue.kind] ?? 0) + 1;
    this.rejected.push(issue);
  }

  /** Write every skipped line to `path` (file, line, field, reason; core's writeRejects). */
  async writeRejects(path: string | undefined): Promise<string | undefined> {
    if (path === undefined) return undefined;
    return (await writeRejects(path, this.rejected)) > 0 ? path : undefined;
  }
}

/**
 * Read a whole corpus, print what was skipped (first few issues with file:line:field, then counts by kind) and
 * fail with a fix suggestion when nothing usable is left. Nothing is dropped silently. With `keepEmptyTexts`
 * (commands that write one line per record: label, run, predict), records with an empty text are returned too, for
 * the caller to write as failed 'input' lines; they are announced, not counted as skipped.
 */
export async function loadCorpus(
  path: string,
  flags: CorpusFlags,
  ui: Reporter,
  signal?: AbortSignal,
  options: { keepEmptyTexts?: boolean; /** Where every skipped line is written (file, line, field, reason). */ rejectsPath?: string } = {},
): Promise<LoadedCorpus> {
  const tally = new IssueTally();
  const reader = readCorpus(path, {
    ...flags,
    maxIssues: 1000,
    ...(options.keepEmptyTexts ? { keepEmptyTexts: true } : {}),
    onIssue: (i) => tally.add(i),
    ...(signal ? { signal } : {}),
  });
  const records: CorpusItem[] = [];
  try {
    for await (const r of reader) records.push(r);
  } catch (err) {
    throw withFieldHint(err);
  }
  const { stats, issues } = reader;
  reportIssues(path, tally, issues, ui, await tally.writeRejects(options.rejectsPath));
  reportEmptyTexts(tally, ui);
  const usable = tally.keptCount === 0 ? records.length : withText(records).length;
  if (usable === 0) {
    const missing = stats.byKind.missing_field;
    throw new PipelineInputError(`${path}: no usable records (${stats.lines} lines, ${stats.skipped} skipped${tally.keptCount > 0 ? `, ${tally.keptCount} with an empty text` : ''})`, {
      location: { file: path },
      hint:
        missing > 0
          ? `${(issues.find((i) => i.kind === 'missing_field')?.message ?? '').replace(/; set textField$/, '')}; pass --text-field <name> (and --id-field <name>) to say which fields hold the text and id`
          : stats.lines === 0
            ? 'the file is empty'
            : 'see the warnings above; --format jsonl|csv|txt if the extension is misleading',
    });
  }
  return { path, records, emptyTexts: tally.keptCount, stats, issues };
}

/**
 * Warn about lines skipped by a reader: the first few issues, then counts by kind. `stats` counts skipped lines only
 * (issues of records that were kept, marked `kept`, are announced by reportEmptyTexts instead).
 */
export function reportIssues(path: string, stats: { skipped: number; byKind: Record<string, number> }, issues: readonly CorpusIssue[], ui: Reporter, rejectsPath?: string): void {
  if (stats.skipped === 0) return;
  for (const issue of issues.filter((i) => i.kept !== true).slice(0, SHOWN_ISSUES)) ui.warn(cliIssueMessage(issue.message));
  const kinds = Object.entries(stats.byKind)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) // a stable order, whatever order the issues came in
    .map(([k, n]) => `${n} ${k.replace(/_/g, ' ')}`)
    .join(', ');
  const shown = stats.skipped > SHOWN_ISSUES ? `; first ${SHOWN_ISSUES} shown` : '';
  const all = rejectsPath !== undefined ? `; every one (file, line, field, reason) in ${rejectsPath}` : '';
  ui.warn(`${path}: skipped ${stats.skipped} line(s) (${kinds})${shown}${all}; use --strict to stop at the first one`);
}

/** Announce records kept with an empty text: each gets a failed line (kind "input") in the output. */
export function reportEmptyTexts(tally: IssueTally, ui: Reporter): void {
  if (tally.keptCount === 0) return;
  for (const issue of tally.kept) ui.warn(cliIssueMessage(issue.message));
  ui.warn(
    `${tally.keptCount} record(s) have an empty text: each gets a line with status "failed" (error kind "input")` +
      (tally.keptCount > tally.kept.length ? `; first ${tally.kept.length} shown` : ''),
  );
}

/** Reader errors about the text or id field get the flag that fixes them. */
function withFieldHint(err: unknown): PipelineError {
  const e = toPipelineError(err);
  if (e.kind !== 'input' || e.hint) return e;
  if (/textField|idField|column/.test(e.message)) {
    return new PipelineInputError(e.message.replace(/; set (textField|idField)$/, ''), {
      ...(e.location ? { location: e.location } : {}),
      hint: 'pass --text-field <name> (and --id-field <name>) to say which fields hold the text and the id',
      cause: err,
    });
  }
  return e;
}
