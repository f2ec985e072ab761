import * as crypto from 'node:crypto';
import { sha256 } from '../util/hash.js';
import { SpillIdSet, type SpillIdSetOptions } from '../util/spill-id-set.js';
import { inShard, type ShardSpec } from '../util/shard.js';
import type { CorpusItem, CorpusStats } from './types.js';
import { type IssueSink, isBlank, issue, typeName } from './fields.js';

/** Stable id for a record without one: content hash, so it survives edits elsewhere in the file. */
export function generatedIdFor(text: string): string {
  return 'r' + sha256Hex(text).slice(0, 16);
}

// crypto.hash (Node >= 20.12) is about 3x cheaper than createHash for short texts; same digest.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
const sha256Hex: (text: string) => string = oneShot ? (text) => oneShot('sha256', text, 'hex') : sha256;

export interface RawFields {
  line: number;
  text: unknown;
  id: unknown;
  label: unknown;
  metadata?: Record<string, unknown>;
}

/**
 * Turns the raw field values of one line into a record, or reports why not: text type, empty text, id and label
 * types, and duplicate ids (second and later occurrences are skipped; the message names the first line). With
 * `keepEmptyTexts`, a record whose text is empty is still built (id given or generated, duplicates checked) and
 * yielded, its empty_text issue marked `kept`. Issues carry the record's id whenever it is known.
 */
export class RecordBuilder {
  // First line of every id, as a 128-bit id hash + line in a set that spills to a temporary file (about 2 B of memory
  // per record, see SpillIdSet), not a Map of strings: the reader stays flat in memory on corpora of millions of records.
  private readonly firstLineOfId: SpillIdSet;
  /** Occurrences of each repeated generated base id (identical texts get '-2', '-3'... in order of appearance). */
  private readonly generatedCount = new Map<string, number>();

  constructor(
    private readonly file: string,
    private readonly fields: { text: string; id: string; label?: string },
    private readonly sink: IssueSink,
    private readonly stats: CorpusStats,
    private readonly options: { keepEmptyTexts?: boolean; shard?: ShardSpec; idSet?: SpillIdSetOptions } = {},
  ) {
    this.firstLineOfId = new SpillIdSet(options.idSet);
  }

  /** Release the duplicate check's temporary file (the reader calls it when it stops reading). */
  close(): void {
    this.firstLineOfId.close();
  }

  build(raw: RawFields): CorpusItem | null {
    const { file, fields, sink } = this;
    const { line } = raw;

    let id: string | undefined;
    let badId = false;
    if (typeof raw.id === 'string' && raw.id !== '') id = raw.id;
    else if (typeof raw.id === 'number' && Number.isFinite(raw.id)) id = String(raw.id);
    else if (raw.id !== undefined && raw.id !== null && raw.id !== '') badId = true;

    if (typeof raw.text !== 'string') {
      sink.report(issue(file, line, 'wrong_type', `expected a string, got ${typeName(raw.text)}`, fields.text, id));
      return null;
    }
    const blank = isBlank(raw.text);
    const emptyDetail = raw.text === '' ? 'empty' : 'only whitespace';
    const keepEmpty = this.options.keepEmptyTexts === true;
    if (blank && !keepEmpty) {
      sink.report(issue(file, line, 'empty_text', emptyDetail, fields.text, id));
      return null;
    }
    if (badId) {
      sink.report(issue(file, line, 'wrong_type', `expected a string or number id, got ${typeName(raw.id)}`, fields.id));
      return null;
    }

    let label: string | undefined;
    let labels: string[] | undefined;
    if (fields.label !== undefined && raw.label !== undefined && raw.label !== null && raw.label !== '') {
      const l = raw.label;
      if (typeof l === 'string') label = l;
      else if (typeof l === 'number' && Number.isFinite(l)) label = String(l);
      else if (Array.isArray(l)) {
        const bad = l.findIndex((x) => !((typeof x === 'string' && x !== '') || (typeof x === 'number' && Number.isFinite(x))));
        if (bad !== -1) {
          sink.report(
            issue(file, line, 'wrong_type', `item ${bad}: expected a non-empty string, got ${typeName(l[bad])}`, fields.label, id),
          );
          return null;
        }
        if (l.length > 0) {
          labels = l.map(String);
          label = labels[0];
        }
      } else {
        sink.report(issue(file, line, 'wrong_type', `expected a string or an array of strings, got ${typeName(l)}`, fields.label, id));
        return null;
      }
    }

    let generated = false;
    if (id === undefined) {
      const base = generatedIdFor(raw.text);
      // Only repeated texts touch the counter map (most texts are unique: one map lookup per record).
      if (!this.firstLineOfId.has(base)) id = base;
      else {
        const n = (this.generatedCount.get(base) ?? 1) + 1;
        this.generatedCount.set(base, n);
        id = `${base}-${n}`;
      }
      generated = true;
    }
    const first = this.firstLineOfId.addIfAbsent(id, line);
    if (first !== undefined) {
      sink.report(issue(file, line, 'duplicate_id', `duplicate id "${id}" (first seen on line ${first})`, fields.id, id));
      return null;
    }
    // Sharded: every record took part in the duplicate check above (same decisions as unsharded); other shards' stop here.
    if (this.options.shard !== undefined && !inShard(id, this.options.shard)) {
      this.stats.otherShards = (this.stats.otherShards ?? 0) + 1;
      return null;
    }
    if (generated) this.stats.generatedIds += 1;
    if (blank) {
      // Kept: the consumer gets the record (and its id) to account for it, e.g. as a failed output line.
      sink.report({ ...issue(file, line, 'empty_text', emptyDetail, fields.text, id), kept: true });
    }

    const out: CorpusItem = { id, text: raw.text };
    if (label !== undefined) out.label = label;
    if (labels !== undefined) out.labels = labels;
    if (raw.metadata !== undefined && Object.keys(raw.metadata).length > 0) out.metadata = raw.metadata;
    return out;
  }
}
