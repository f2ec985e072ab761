import { readCorpus } from '@taxonomist/core';
import type { CorpusIssue, CorpusReader, ReadCorpusOptions } from '@taxonomist/core';

/** How many skipped-line messages a summary keeps as examples. */
const MAX_EXAMPLES = 20;

/**
 * What the reader of a corpus file reported. Lines it skipped (bad JSON, missing text field, duplicate id...) have no
 * usable record, so no output line: they are counted here for the summary. Records it yielded despite an issue (empty
 * texts, read with keepEmptyTexts) DO get an output line (a failed 'input' one); their file:line message is kept until
 * the record comes through, so that line names where the record is.
 */
export class CorpusFileIssues {
  skipped = 0;
  readonly skippedByKind: Record<string, number> = {};
  readonly examples: string[] = [];
  private readonly keptMessages = new Map<string, string>();

  add(issue: CorpusIssue): void {
    if (issue.kept === true) {
      if (issue.id !== undefined) this.keptMessages.set(issue.id, issue.message);
      return;
    }
    this.skipped++;
    this.skippedByKind[issue.kind] = (this.skippedByKind[issue.kind] ?? 0) + 1;
    if (this.examples.length < MAX_EXAMPLES) this.examples.push(issue.message);
  }

  /** The reader's message about a yielded record (e.g. `data.jsonl:7: field "text": empty`), once. */
  takeKeptMessage(id: string): string | undefined {
    const m = this.keptMessages.get(id);
    if (m !== undefined) this.keptMessages.delete(id);
    return m;
  }
}

/**
 * Open a corpus file the way the labeler reads it: empty texts are yielded (keepEmptyTexts, unless the caller's
 * corpusOptions say otherwise) so every record gets exactly one output line, and every issue is tallied (the
 * caller's own onIssue still gets them all).
 */
export function openCorpusFile(
  path: string,
  corpusOptions: ReadCorpusOptions = {},
  signal?: AbortSignal,
): { reader: CorpusReader; issues: CorpusFileIssues } {
  const issues = new CorpusFileIssues();
  const userOnIssue = corpusOptions.onIssue;
  const reader = readCorpus(path, {
    keepEmptyTexts: true,
    ...corpusOptions,
    onIssue: (issue) => {
      issues.add(issue);
      userOnIssue?.(issue);
    },
    ...(signal !== undefined ? { signal } : {}),
  });
  return { reader, issues };
}
