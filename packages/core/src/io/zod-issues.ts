import type { z } from 'zod';
import { issue } from './fields.js';
import type { CorpusIssue, CorpusIssueKind } from './types.js';

/** A zod path as a dotted field name ('labels.3.id'); undefined for the root. */
export function zodPath(path: readonly PropertyKey[]): string | undefined {
  return path.length === 0 ? undefined : path.map((p) => String(p)).join('.');
}

function kindOf(i: z.core.$ZodIssue): CorpusIssueKind {
  if (i.code !== 'invalid_type') return 'malformed';
  return /received undefined$/.test(i.message) ? 'missing_field' : 'wrong_type';
}

/** One CorpusIssue for a line that failed validation: the first zod issue gives field and kind, all are listed. */
export function issueFromZod(file: string, line: number, error: z.ZodError): CorpusIssue {
  const all = error.issues;
  const first = all[0]!;
  const field = zodPath(first.path);
  const rest = all.slice(1, 4).map((i) => {
    const f = zodPath(i.path);
    return f === undefined ? i.message : `field "${f}": ${i.message}`;
  });
  const more = all.length > 4 ? `; and ${all.length - 4} more` : '';
  const detail = first.message + (rest.length > 0 ? `; ${rest.join('; ')}` : '') + more;
  return issue(file, line, kindOf(first), detail, field);
}

/** "a: b" lines for an error thrown about a whole file (readJsonFile). */
export function describeZodError(error: z.ZodError): { field: string | undefined; text: string } {
  const first = error.issues[0]!;
  const field = zodPath(first.path);
  const parts = error.issues.slice(0, 5).map((i) => {
    const f = zodPath(i.path);
    return f === undefined ? i.message : `field "${f}": ${i.message}`;
  });
  const more = error.issues.length > 5 ? `; and ${error.issues.length - 5} more` : '';
  return { field, text: parts.join('; ') + more };
}
