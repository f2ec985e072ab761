/** Helpers shared by the readers: field access by dotted path, type names for messages, issue sinks. */
import type { CorpusIssue, CorpusIssueKind } from './types.js';
import { CorpusError } from './types.js';
import { inShard, type ShardSpec } from '../util/shard.js';

/** `obj[path]` when that key exists, else a walk of the dotted path ('a.b.c'); undefined when absent. */
export function getField(obj: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(obj, path)) return obj[path];
  if (!path.includes('.')) return undefined;
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** The top-level key a field spec reads from ('a.b' -> 'a' unless 'a.b' itself is a key). */
export function topLevelKey(obj: Record<string, unknown>, path: string): string {
  if (Object.hasOwn(obj, path)) return path;
  return path.split('.')[0]!;
}

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Counts and collects issues (a `kept` one counts as kept, any other as skipped); in strict mode throws on the first. */
export class IssueSink {
  constructor(
    private readonly stats: { skipped: number; kept?: number; byKind: Record<CorpusIssueKind, number> },
    private readonly issues: CorpusIssue[],
    private readonly options: { onIssue?: (issue: CorpusIssue) => void; strict?: boolean; maxIssues?: number; shard?: ShardSpec },
  ) {}

  report(issue: CorpusIssue): void {
    // Sharded reading: each issue belongs to one shard, so the shards' reports add up to the unsharded one.
    const shard = this.options.shard;
    if (shard !== undefined && !(issue.id === undefined ? shard.index === 0 : inShard(issue.id, shard))) return;
    this.stats.byKind[issue.kind] += 1;
    if (issue.kept === true) this.stats.kept = (this.stats.kept ?? 0) + 1;
    else this.stats.skipped += 1;
    if (this.issues.length < (this.options.maxIssues ?? 1000)) this.issues.push(issue);
    this.options.onIssue?.(issue);
    if (this.options.strict) throw CorpusError.fromIssue(issue);
  }
}

export function issue(
  file: string,
  line: number,
  kind: CorpusIssueKind,
  detail: string,
  field?: string,
  id?: string,
): CorpusIssue {
  const where = field === undefined ? `${file}:${line}` : `${file}:${line}: field "${field}"`;
  const out: CorpusIssue = { file, line, kind, message: `${where}: ${detail}` };
  if (field !== undefined) out.field = field;
  if (id !== undefined) out.id = id;
  return out;
}

/** Reset a live stats object in place (readers hand out the same object for their whole life). */
export function resetStats<S extends { byKind: Record<CorpusIssueKind, number> }>(target: S, fresh: S): void {
  const byKind = target.byKind;
  Object.assign(byKind, fresh.byKind);
  Object.assign(target, fresh);
  target.byKind = byKind;
}

/** Turn an fs error (ENOENT, EISDIR, EACCES...) into a CorpusError naming the file; pass other errors through. */
export function wrapFsError(file: string, err: unknown): unknown {
  if (err instanceof CorpusError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    return new CorpusError(`cannot read ${file}: ${(err as Error).message}`, { file, cause: err });
  }
  return err;
}

const NON_SPACE = /\S/;
/** Empty or whitespace only, without allocating a trimmed copy. */
export function isBlank(text: string): boolean {
  return !NON_SPACE.test(text);
}
