import { LabelAssignmentSchema, readJsonl, type LabelAssignment } from '@taxonomist/core';
import { PipelineInputError } from './errors.js';
import type { Reporter } from './reporter.js';
import { reportIssues } from './corpus.js';

export interface LoadedAssignments {
  /** One assignment per id; for repeated ids the last line wins (a resumed run appends retries). */
  byId: Map<string, LabelAssignment>;
  lines: number;
  duplicates: number;
  skipped: number;
}

/** Read a labels.jsonl / predictions.jsonl file, validating every line against the LabelAssignment contract. */
export async function loadAssignments(path: string, ui: Reporter): Promise<LoadedAssignments> {
  const reader = readJsonl(path, { schema: LabelAssignmentSchema });
  const byId = new Map<string, LabelAssignment>();
  let duplicates = 0;
  for await (const a of reader) {
    if (byId.has(a.id)) duplicates++;
    byId.set(a.id, a);
  }
  reportIssues(path, reader.stats, reader.issues, ui);
  if (byId.size === 0) {
    throw new PipelineInputError(`${path}: no valid label lines (${reader.stats.lines} lines read)`, {
      location: { file: path },
      hint: 'expected one JSON object per line with "id", "status" ("ok" | "failed") and "label" (see the CLI README, artifact formats)',
    });
  }
  if (duplicates > 0) ui.warn(`${path}: ${duplicates} repeated id(s); the last line of each id is used`);
  return { byId, lines: reader.stats.lines, duplicates, skipped: reader.stats.skipped };
}
