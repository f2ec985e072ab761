import type { z } from 'zod';
import { IssueSink, isBlank, issue, resetStats, wrapFsError } from './fields.js';
import { readLineBatches, type RawLine } from './lines.js';
import { CORPUS_ISSUE_KINDS, type CorpusIssue, type CorpusIssueKind } from './types.js';
import { issueFromZod } from './zod-issues.js';

export interface JsonlStats {
  lines: number;
  records: number;
  skipped: number;
  /** Blank lines (not records, not issues). */
  blankLines: number;
  byKind: Record<CorpusIssueKind, number>;
}

export interface ReadJsonlOptions<T> {
  /** Validates each line; invalid lines become issues naming file:line:field (the zod path). */
  schema?: z.ZodType<T>;
  onIssue?(issue: CorpusIssue): void;
  /** Throw a DataFileError (CorpusError) on the first bad line instead of skipping it. */
  strict?: boolean;
  /** Cap on the `issues` list (default 1000); counts stay complete. */
  maxIssues?: number;
  signal?: AbortSignal;
}

export interface JsonlReader<T> extends AsyncIterable<T> {
  readonly path: string;
  readonly stats: JsonlStats;
  readonly issues: CorpusIssue[];
}

function emptyJsonlStats(): JsonlStats {
  const byKind = Object.fromEntries(CORPUS_ISSUE_KINDS.map((k) => [k, 0])) as Record<CorpusIssueKind, number>;
  return { lines: 0, records: 0, skipped: 0, blankLines: 0, byKind };
}

/**
 * Whether an unterminated final line is a whole record rather than a torn write. A torn object, array, string or
 * literal never parses; a torn number can ('123' cut to '12'), so bare numbers do not count as complete.
 */
export function isCompleteJsonLine(text: string): boolean {
  if (isBlank(text)) return false;
  try {
    return typeof JSON.parse(text) !== 'number';
  } catch {
    return false;
  }
}

/** Parse and validate one line; returns the value, or null after reporting (or counting a blank line). */
function parseLine<T>(
  path: string,
  raw: RawLine,
  stats: JsonlStats,
  sink: IssueSink,
  schema: z.ZodType<T> | undefined,
): { value: T } | null {
  stats.lines += 1;
  const { text, valid } = raw;
  if (!valid) {
    sink.report(issue(path, raw.line, 'invalid_utf8', 'invalid UTF-8'));
    return null;
  }
  if (isBlank(text)) {
    stats.blankLines += 1;
    return null;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    sink.report(issue(path, raw.line, 'malformed', `invalid JSON: ${(err as Error).message}`));
    return null;
  }
  if (schema === undefined) return { value: value as T };
  const result = schema.safeParse(value);
  if (!result.success) {
    sink.report(issueFromZod(path, raw.line, result.error));
    return null;
  }
  return { value: result.data };
}

/**
 * Stream a JSONL artifact (labels, predictions, ...), validating each line with an optional zod schema. Bad lines
 * are skipped and reported with file:line and the zod path as field (or thrown with `strict`).
 */
export function readJsonl<T = unknown>(path: string, options: ReadJsonlOptions<T> = {}): JsonlReader<T> {
  const stats = emptyJsonlStats();
  const issues: CorpusIssue[] = [];
  async function* iterate(): AsyncGenerator<T> {
    resetStats(stats, emptyJsonlStats());
    issues.length = 0;
    const sink = new IssueSink(stats, issues, options);
    try {
      for await (const batch of readLineBatches(path, options.signal ? { signal: options.signal } : {})) {
        for (const raw of batch) {
          const parsed = parseLine(path, raw, stats, sink, options.schema);
          if (parsed === null) continue;
          stats.records += 1;
          yield parsed.value;
        }
      }
    } catch (err) {
      throw wrapFsError(path, err);
    }
  }
  return { path, stats, issues, [Symbol.asyncIterator]: () => iterate() };
}

export interface TolerantJsonlResult<T> {
  records: T[];
  issues: CorpusIssue[];
  stats: JsonlStats;
  /** A final line without '\n' that is not a complete JSON value (left by a crash): ignored, counted here. */
  partialLine: { line: number; bytes: number } | null;
}

/**
 * Read what a (possibly crashed) writer left: every complete line; a torn final line is ignored and counted in
 * `partialLine` (openJsonlWriter removes it on the next open). Bad complete lines become issues, never throws on
 * content. A missing file reads as empty (nothing done yet).
 */
export async function readJsonlTolerant<T = unknown>(
  path: string,
  options: Omit<ReadJsonlOptions<T>, 'strict'> = {},
): Promise<TolerantJsonlResult<T>> {
  const stats = emptyJsonlStats();
  const issues: CorpusIssue[] = [];
  const sink = new IssueSink(stats, issues, { ...options, strict: false });
  const records: T[] = [];
  let partialLine: TolerantJsonlResult<T>['partialLine'] = null;
  try {
    for await (const batch of readLineBatches(path, options.signal ? { signal: options.signal } : {})) {
      for (const raw of batch) {
        if (!raw.terminated) {
          const { text, valid } = raw;
          if (!valid || !isCompleteJsonLine(text)) {
            stats.lines += 1;
            partialLine = { line: raw.line, bytes: raw.bytes ?? Buffer.byteLength(text) };
            continue;
          }
        }
        const parsed = parseLine(path, raw, stats, sink, options.schema);
        if (parsed === null) continue;
        stats.records += 1;
        records.push(parsed.value);
      }
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') return { records, issues, stats, partialLine };
    throw wrapFsError(path, err);
  }
  return { records, issues, stats, partialLine };
}
