import { rm } from 'node:fs/promises';
import { openJsonlWriter } from './jsonl-writer.js';
import type { CorpusIssue } from './types.js';

/** One line of a rejects file: where a skipped input line is and why it was skipped. */
export interface RejectLine {
  file: string;
  /** 1-based line of the input file. */
  line: number;
  field?: string;
  kind: string;
  reason: string;
}

/**
 * Where the rejects of an output go: `labels.jsonl` -> `labels.rejects.jsonl`, `taxonomy.json` ->
 * `taxonomy.rejects.jsonl` (a run directory uses `rejects.jsonl` inside it).
 */
export function rejectsPathFor(outputPath: string): string {
  return `${outputPath.replace(/\.(jsonl|json|csv|tsv|txt)$/i, '')}.rejects.jsonl`;
}

/**
 * Write every skipped input line (not only the first few a terminal shows) as JSONL, one `RejectLine` per issue, in
 * the order the reader met them; with none, remove a stale rejects file of an earlier run. Returns how many were
 * written. Messages go through the JSONL writer, so they are redacted like every output.
 */
export async function writeRejects(path: string, issues: readonly CorpusIssue[]): Promise<number> {
  const skipped = issues.filter((i) => i.kept !== true);
  if (skipped.length === 0) {
    await rm(path, { force: true });
    return 0;
  }
  const writer = await openJsonlWriter(path, { append: false });
  try {
    await writer.writeMany(
      skipped.map((i): RejectLine => ({ file: i.file, line: i.line, ...(i.field !== undefined ? { field: i.field } : {}), kind: i.kind, reason: i.message })),
    );
  } finally {
    await writer.close();
  }
  return skipped.length;
}
