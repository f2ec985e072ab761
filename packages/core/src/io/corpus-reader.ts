import { basename } from 'node:path';
import { CsvRecordParser, type CsvRecord } from './csv.js';
import { IssueSink, getField, isBlank, issue, resetStats, topLevelKey, typeName, wrapFsError } from './fields.js';
import { readLineBatches, type RawLine } from './lines.js';
import { RecordBuilder } from './record-builder.js';
import { ShardSpecSchema } from '../util/shard.js';
import {
  CorpusError,
  emptyStats,
  type CorpusFormat,
  type CorpusIssue,
  type CorpusItem,
  type CorpusReader,
  type CorpusStats,
  type ReadCorpusOptions,
} from './types.js';

const EXTENSIONS: { ext: string; format: CorpusFormat; delimiter?: string }[] = [
  { ext: '.jsonl', format: 'jsonl' },
  { ext: '.ndjson', format: 'jsonl' },
  { ext: '.json-lines', format: 'jsonl' },
  { ext: '.csv', format: 'csv', delimiter: ',' },
  { ext: '.tsv', format: 'csv', delimiter: '\t' },
  { ext: '.txt', format: 'txt' },
];

/** The format (and CSV delimiter) a path's extension implies; throws naming the path and the `format` option. */
export function detectCorpusFormat(path: string): { format: CorpusFormat; delimiter?: string } {
  const name = basename(path).toLowerCase();
  const hit = EXTENSIONS.find((e) => name.endsWith(e.ext));
  if (hit === undefined) {
    throw new CorpusError(
      `cannot tell the format of ${path} from its extension (known: ${EXTENSIONS.map((e) => e.ext).join(', ')}); ` +
        `pass the format option ('jsonl', 'csv' or 'txt')`,
      { file: path },
    );
  }
  return hit.delimiter === undefined ? { format: hit.format } : { format: hit.format, delimiter: hit.delimiter };
}

interface Resolved {
  path: string;
  format: CorpusFormat;
  delimiter: string;
  text: string;
  id: string;
  label?: string;
  metadata?: string[] | 'rest';
}

function resolveOptions(path: string, options: ReadCorpusOptions): Resolved {
  let format = options.format;
  let delimiter = options.delimiter;
  if (format === undefined) {
    const detected = detectCorpusFormat(path);
    format = detected.format;
    delimiter ??= detected.delimiter;
  } else if (!['jsonl', 'csv', 'txt'].includes(format)) {
    throw new TypeError(`format must be 'jsonl', 'csv' or 'txt', got ${JSON.stringify(format)}`);
  }
  if (delimiter === undefined && format === 'csv') delimiter = path.toLowerCase().endsWith('.tsv') ? '\t' : ',';
  for (const [name, value] of [
    ['textField', options.textField],
    ['idField', options.idField],
    ['labelField', options.labelField],
  ] as const) {
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      throw new TypeError(`${name} must be a non-empty string, got ${JSON.stringify(value)}`);
    }
  }
  if (options.shard !== undefined && !ShardSpecSchema.safeParse(options.shard).success) {
    throw new TypeError(`shard must be { index, count } with 0 <= index < count (0-based), got ${JSON.stringify(options.shard)}`);
  }
  if (options.maxIssues !== undefined && !(Number.isInteger(options.maxIssues) && options.maxIssues >= 0)) {
    throw new TypeError(`maxIssues must be a non-negative integer, got ${options.maxIssues}`);
  }
  const out: Resolved = {
    path,
    format,
    delimiter: delimiter ?? ',',
    text: options.textField ?? 'text',
    id: options.idField ?? 'id',
  };
  if (options.labelField !== undefined) out.label = options.labelField;
  if (options.metadataFields !== undefined) out.metadata = options.metadataFields;
  return out;
}

/**
 * Stream a corpus file (JSONL, CSV/TSV or plain text, UTF-8) as records. Lines that cannot become a record
 * (bad JSON, missing or non-string text, empty text, invalid UTF-8, wrong CSV column count, duplicate id) are
 * skipped, reported through `onIssue` / `issues` with file:line, and counted in `stats`; with `strict` the first
 * one throws a CorpusError. With `keepEmptyTexts`, records whose text is empty are reported (marked `kept`) but
 * yielded, so a consumer can write one output line per input record. Records without an id get a content-hash id
 * ('r' + 16 hex of sha256(text)).
 */
export function readCorpus(path: string, options: ReadCorpusOptions = {}): CorpusReader {
  const opts = resolveOptions(path, options);
  const stats = emptyStats();
  const issues: CorpusIssue[] = [];

  // One async generator over synchronous per-chunk handlers: a nested generator per record costs more than
  // the parsing itself on short texts.
  async function* iterateBatches(): AsyncGenerator<CorpusItem[]> {
    resetStats(stats, emptyStats());
    if (options.shard !== undefined) stats.otherShards = 0;
    issues.length = 0;
    const sink = new IssueSink(stats, issues, options);
    const fieldNames = opts.label === undefined ? { text: opts.text, id: opts.id } : { text: opts.text, id: opts.id, label: opts.label };
    const builder = new RecordBuilder(path, fieldNames, sink, stats, {
      keepEmptyTexts: options.keepEmptyTexts === true,
      ...(options.shard !== undefined ? { shard: options.shard } : {}),
      ...(options.idSet !== undefined ? { idSet: options.idSet } : {}),
    });
    const handler: BatchHandler = opts.format === 'csv' ? new CsvHandler(opts, stats, sink, builder) : new LineHandler(opts, stats, sink, builder);
    try {
      for await (const batch of readLineBatches(path, options.signal ? { signal: options.signal } : {})) {
        const out: CorpusItem[] = [];
        let failure: unknown;
        try {
          handler.batch(batch, out);
        } catch (err) {
          // Strict mode: hand out the records before the bad line first, as a per-line reader would.
          failure = err;
        }
        stats.records += out.length;
        if (out.length > 0) yield out;
        if (failure !== undefined) throw failure;
      }
      const tail = handler.finish();
      stats.records += tail.length;
      if (tail.length > 0) yield tail;
    } catch (err) {
      throw wrapFsError(path, err);
    } finally {
      builder.close();
    }
  }

  const iterate = (): AsyncIterator<CorpusItem> => flattenBatches(iterateBatches());

  return {
    path,
    format: opts.format,
    stats,
    issues,
    [Symbol.asyncIterator]: () => iterate(),
    batches: () => iterateBatches(),
  };
}

/**
 * Record-by-record view of a batch iterator. A hand-written iterator: an async generator re-yielding each record
 * costs several microtask hops per record, which dominated the reading time on short texts.
 */
function flattenBatches<T>(batches: AsyncIterator<T[]>): AsyncIterator<T> & AsyncIterable<T> {
  let buffer: T[] = [];
  let index = 0;
  let done = false;
  const iterator: AsyncIterator<T> & AsyncIterable<T> = {
    async next(): Promise<IteratorResult<T>> {
      while (index >= buffer.length) {
        if (done) return { done: true, value: undefined };
        const r = await batches.next();
        if (r.done === true) {
          done = true;
          return { done: true, value: undefined };
        }
        buffer = r.value;
        index = 0;
      }
      return { done: false, value: buffer[index++]! };
    },
    async return(): Promise<IteratorResult<T>> {
      // Early exit (break / throw in a for-await body): close the file.
      done = true;
      buffer = [];
      await batches.return?.(undefined);
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/** Read a whole corpus into memory. */
export async function readCorpusAll(
  path: string,
  options: ReadCorpusOptions = {},
): Promise<{ records: CorpusItem[]; stats: CorpusStats; issues: CorpusIssue[] }> {
  const reader = readCorpus(path, options);
  const records: CorpusItem[] = [];
  for await (const r of reader) records.push(r);
  return { records, stats: reader.stats, issues: reader.issues };
}

interface BatchHandler {
  /** Appends the records of these lines to `out` (may throw midway in strict mode). */
  batch(lines: RawLine[], out: CorpusItem[]): void;
  /** End of input: records still pending, or a fatal error. */
  finish(): CorpusItem[];
}

/** JSONL and plain text: one record per physical line. */
class LineHandler implements BatchHandler {
  constructor(
    private readonly opts: Resolved,
    private readonly stats: CorpusStats,
    private readonly sink: IssueSink,
    private readonly builder: RecordBuilder,
  ) {}

  batch(lines: RawLine[], out: CorpusItem[]): void {
    const { opts, sink, builder } = this;
    const { path } = opts;
    for (const raw of lines) {
      this.stats.lines += 1;
      const { text, valid } = raw;
      if (!valid) {
        sink.report(issue(path, raw.line, 'invalid_utf8', 'invalid UTF-8'));
        continue;
      }
      if (isBlank(text)) {
        sink.report(issue(path, raw.line, 'empty_text', 'empty line'));
        continue;
      }
      const record =
        opts.format === 'txt'
          ? builder.build({ line: raw.line, text, id: undefined, label: undefined })
          : jsonLineRecord(opts, raw.line, text, sink, builder);
      if (record !== null) out.push(record);
    }
  }

  finish(): CorpusItem[] {
    return [];
  }
}

function jsonLineRecord(opts: Resolved, line: number, text: string, sink: IssueSink, builder: RecordBuilder): CorpusItem | null {
  const { path } = opts;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    sink.report(issue(path, line, 'malformed', `invalid JSON: ${(err as Error).message}`));
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    sink.report(issue(path, line, 'malformed', `expected a JSON object, got ${typeName(value)}`));
    return null;
  }
  const obj = value as Record<string, unknown>;
  const textValue = getField(obj, opts.text);
  if (textValue === undefined) {
    const keys = Object.keys(obj);
    const shown = keys.slice(0, 12).join(', ') + (keys.length > 12 ? ', ...' : '');
    sink.report(issue(path, line, 'missing_field', `missing (fields: ${shown || 'none'}); set textField`, opts.text));
    return null;
  }
  const raw = {
    line,
    text: textValue,
    id: getField(obj, opts.id),
    label: opts.label === undefined ? undefined : getField(obj, opts.label),
  };
  const metadata = jsonMetadata(opts, obj);
  return builder.build(metadata === undefined ? raw : { ...raw, metadata });
}

function jsonMetadata(opts: Resolved, obj: Record<string, unknown>): Record<string, unknown> | undefined {
  if (opts.metadata === undefined) return undefined;
  const out: Record<string, unknown> = {};
  if (opts.metadata === 'rest') {
    const used = new Set([opts.text, opts.id, ...(opts.label === undefined ? [] : [opts.label])].map((f) => topLevelKey(obj, f)));
    for (const key of Object.keys(obj)) if (!used.has(key)) out[key] = obj[key];
  } else {
    for (const f of opts.metadata) {
      const v = getField(obj, f);
      if (v !== undefined) out[f] = v;
    }
  }
  return out;
}

/** CSV / TSV: header row required; records may span lines (quoted fields). */
class CsvHandler implements BatchHandler {
  private readonly parser: CsvRecordParser;
  private columns: CsvColumns | undefined;
  private lastLine = 0;

  constructor(
    private readonly opts: Resolved,
    private readonly stats: CorpusStats,
    private readonly sink: IssueSink,
    private readonly builder: RecordBuilder,
  ) {
    this.parser = new CsvRecordParser(opts.delimiter);
  }

  private handle(rec: CsvRecord | null, out: CorpusItem[]): void {
    if (rec === null) return;
    if (this.columns === undefined) {
      this.columns = csvColumns(this.opts, rec);
      return;
    }
    const record = csvRowRecord(this.opts, this.columns, rec, this.sink, this.builder);
    if (record !== null) out.push(record);
  }

  batch(lines: RawLine[], out: CorpusItem[]): void {
    for (const raw of lines) {
      this.stats.lines += 1;
      this.lastLine = raw.line;
      const { text, valid } = raw;
      this.handle(this.parser.push(text, raw.line, valid), out);
    }
  }

  finish(): CorpusItem[] {
    const out: CorpusItem[] = [];
    this.handle(this.parser.finish(this.lastLine), out);
    if (this.columns === undefined) {
      const { path } = this.opts;
      throw new CorpusError(`${path}: empty file; a CSV corpus needs a header row naming its columns`, { file: path, line: 1 });
    }
    return out;
  }
}

interface CsvColumns {
  count: number;
  text: number;
  id: number;
  label: number;
  metadata: { name: string; index: number }[];
}

function csvColumns(opts: Resolved, header: CsvRecord): CsvColumns {
  const { path } = opts;
  const fail = (msg: string, field?: string): never => {
    throw new CorpusError(`${path}:${header.line}: ${msg}`, field === undefined ? { file: path, line: header.line } : { file: path, line: header.line, field });
  };
  if (header.blank) fail('the first line is empty; a CSV corpus needs a header row naming its columns');
  if (header.invalidUtf8) fail('invalid UTF-8 in the header row');
  if (header.error !== undefined) fail(`malformed header row: ${header.error}`);
  const names = header.fields.map((f) => f.trim());
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) fail(`duplicate column "${n}" in the header`);
    seen.add(n);
  }
  const list = names.map((n) => JSON.stringify(n)).join(', ');
  const text = names.indexOf(opts.text);
  if (text === -1) fail(`no "${opts.text}" column in the header (columns: ${list}); set textField`, opts.text);
  let label = -1;
  if (opts.label !== undefined) {
    label = names.indexOf(opts.label);
    if (label === -1) fail(`no "${opts.label}" column in the header (columns: ${list}); check labelField`, opts.label);
  }
  const id = names.indexOf(opts.id);
  let metadata: { name: string; index: number }[] = [];
  if (opts.metadata === 'rest') {
    metadata = names.map((name, index) => ({ name, index })).filter((c) => c.index !== text && c.index !== id && c.index !== label);
  } else if (opts.metadata !== undefined) {
    metadata = opts.metadata.map((name) => {
      const index = names.indexOf(name);
      if (index === -1) fail(`no "${name}" column in the header (columns: ${list}); check metadataFields`, name);
      return { name, index };
    });
  }
  return { count: names.length, text, id, label, metadata };
}

function csvRowRecord(
  opts: Resolved,
  cols: CsvColumns,
  rec: CsvRecord,
  sink: IssueSink,
  builder: RecordBuilder,
): CorpusItem | null {
  const { path } = opts;
  if (rec.invalidUtf8) {
    sink.report(issue(path, rec.line, 'invalid_utf8', 'invalid UTF-8'));
    return null;
  }
  if (rec.blank) {
    sink.report(issue(path, rec.line, 'empty_text', 'empty line'));
    return null;
  }
  if (rec.error !== undefined) {
    sink.report(issue(path, rec.line, 'malformed', rec.error));
    return null;
  }
  if (rec.fields.length !== cols.count) {
    sink.report(issue(path, rec.line, 'malformed', `expected ${cols.count} columns (as in the header), got ${rec.fields.length}`));
    return null;
  }
  const raw = {
    line: rec.line,
    text: rec.fields[cols.text],
    id: cols.id === -1 ? undefined : rec.fields[cols.id],
    label: cols.label === -1 ? undefined : rec.fields[cols.label],
  };
  if (cols.metadata.length === 0) return builder.build(raw);
  const metadata: Record<string, unknown> = {};
  for (const c of cols.metadata) metadata[c.name] = rec.fields[c.index];
  return builder.build({ ...raw, metadata });
}
