import type { CorpusRecord } from '../schemas/corpus.js';
import type { ShardSpec } from '../util/shard.js';
import type { SpillIdSetOptions } from '../util/spill-id-set.js';

/** What went wrong with one line / record of an input file. */
export const CORPUS_ISSUE_KINDS = [
  'duplicate_id',
  'empty_text',
  'invalid_utf8',
  'malformed',
  'missing_field',
  'wrong_type',
] as const;
export type CorpusIssueKind = (typeof CORPUS_ISSUE_KINDS)[number];

/**
 * One problem found while reading a file. `message` is complete and human readable, e.g.
 * `data.jsonl:17: field "text": expected a string, got number`.
 */
export interface CorpusIssue {
  /** The path as given by the caller. */
  file: string;
  /** 1-based physical line (for a multi-line CSV record: the line where it starts). */
  line: number;
  field?: string;
  /** The record's id when it is known: given in the source, or generated for a record that is still yielded. */
  id?: string;
  kind: CorpusIssueKind;
  message: string;
  /**
   * True when the record was yielded anyway (an empty text under `keepEmptyTexts`): the consumer accounts for it,
   * e.g. with a failed output line. Such issues count in `stats.kept`, not in `stats.skipped`.
   */
  kept?: true;
}

/** Live counters of a reader; final once iteration ends. */
export interface CorpusStats {
  /** Physical lines read (blank ones included). */
  lines: number;
  /** Records yielded. */
  records: number;
  /** Records / lines not yielded because of an issue (one issue each). */
  skipped: number;
  /** Records yielded despite an issue (empty texts under `keepEmptyTexts`; one issue each, marked `kept`). */
  kept: number;
  /** Issues by kind (all of them, skipped and kept, even past `maxIssues`). */
  byKind: Record<CorpusIssueKind, number>;
  /** Records whose id was generated from their text (no id in the source). */
  generatedIds: number;
  /** With the `shard` option: records read but left to other shards (not yielded, not in `records`). */
  otherShards?: number;
}

export type CorpusFormat = 'jsonl' | 'csv' | 'txt';

export interface ReadCorpusOptions {
  /** Default: from the extension (.jsonl/.ndjson/.json-lines, .csv/.tsv, .txt). */
  format?: CorpusFormat;
  /** Field holding the text (default 'text'); a dotted path reaches into nested JSON ('payload.body'). */
  textField?: string;
  /** Field holding the id (default 'id'); numbers become strings; absent ids are generated from the text. */
  idField?: string;
  /** Field holding a gold label: a string gives `label`, an array of strings gives `labels` (and `label` = first). */
  labelField?: string;
  /** Fields copied into `metadata`: a list (dotted paths allowed), or 'rest' for every other top-level field. */
  metadataFields?: string[] | 'rest';
  /** CSV delimiter (default ',' for .csv, tab for .tsv). */
  delimiter?: string;
  /** Called for every issue (also those past `maxIssues`). */
  onIssue?(issue: CorpusIssue): void;
  /** Throw a CorpusError on the first issue instead of skipping the record (kept empty texts included). */
  strict?: boolean;
  /**
   * Yield records whose text is empty or only whitespace (with their id, given or generated) instead of skipping
   * them; each is still reported as an `empty_text` issue (marked `kept`) and counted in `stats.kept`. For consumers
   * that write one output line per input record (the labeler writes a failed 'input' line). Blank lines and rows
   * are not records and stay skipped. Default false.
   */
  keepEmptyTexts?: boolean;
  /** Cap on the `issues` list kept in memory (default 1000); counts in `stats` stay complete. */
  maxIssues?: number;
  /**
   * Yield only the records of this shard (core's shardOf: a stable hash of the id). Every line is still read, so
   * duplicate ids and generated ids are decided exactly as without a shard. An issue is reported by one shard only:
   * the shard of its record's id when known, else shard 0 (bad JSON, blank or invalid lines).
   */
  shard?: ShardSpec;
  /**
   * The duplicate-id check's set (core's SpillIdSet): its in-memory table size and the directory of its temporary
   * run file (default $TMPDIR). Memory stays flat in corpus size either way; tests force tiny tables.
   */
  idSet?: SpillIdSetOptions;
  signal?: AbortSignal;
}

/** A record as read from a corpus, with its gold label(s) when `labelField` is set and present. */
export type CorpusItem = CorpusRecord & { label?: string; labels?: string[] };

/**
 * A streaming corpus reader. Each iteration re-reads the file from the start and resets `stats` and `issues`.
 */
export interface CorpusReader extends AsyncIterable<CorpusItem> {
  readonly path: string;
  readonly format: CorpusFormat;
  readonly stats: CorpusStats;
  readonly issues: CorpusIssue[];
  /** The same records in arrays (one per read chunk): fewer async steps when throughput matters. */
  batches(): AsyncIterable<CorpusItem[]>;
}

/** Error about a data file, naming the file and, when known, the line and field. */
export class DataFileError extends Error {
  readonly file: string;
  readonly line?: number;
  readonly field?: string;
  constructor(message: string, info: { file: string; line?: number; field?: string; cause?: unknown }) {
    super(message, info.cause === undefined ? undefined : { cause: info.cause });
    this.name = 'DataFileError';
    this.file = info.file;
    if (info.line !== undefined) this.line = info.line;
    if (info.field !== undefined) this.field = info.field;
  }
}

/** Error reading a corpus (strict mode, unreadable file, unusable header...). */
export class CorpusError extends DataFileError {
  readonly kind?: CorpusIssueKind;
  constructor(message: string, info: { file: string; line?: number; field?: string; kind?: CorpusIssueKind; cause?: unknown }) {
    super(message, info);
    this.name = 'CorpusError';
    if (info.kind !== undefined) this.kind = info.kind;
  }

  static fromIssue(issue: CorpusIssue): CorpusError {
    return new CorpusError(issue.message, issue);
  }
}

export function emptyStats(): CorpusStats {
  const byKind = Object.fromEntries(CORPUS_ISSUE_KINDS.map((k) => [k, 0])) as Record<CorpusIssueKind, number>;
  return { lines: 0, records: 0, skipped: 0, kept: 0, byKind, generatedIds: 0 };
}
