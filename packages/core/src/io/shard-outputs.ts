/**
 * Shard outputs: the manifest a sharded `label` / `predict` run writes next to its output file, and the merge of the
 * shards' files into the one file an unsharded run would have written (byte for byte), checking that the shards fit
 * together: same shard count with every index once, same taxonomy and model, every record exactly once.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { z } from 'zod';
import { IdHashSet } from '../util/id-hash-set.js';
import { ShardSpecSchema, formatShard, shardOf, type ShardSpec } from '../util/shard.js';
import { readCorpus } from './corpus-reader.js';
import { readJsonFile, writeJsonAtomic } from './json-file.js';
import { readLineBatches, type RawLine } from './lines.js';
import { DataFileError, type ReadCorpusOptions } from './types.js';

export const ShardManifestSchema = z.object({
  schemaVersion: z.literal(1),
  /** What the output holds: `taxonomist label` lines or `taxonomist predict` lines (both LabelAssignment). */
  kind: z.enum(['labels', 'predictions']),
  shard: ShardSpecSchema,
  /** The taxonomy the labels come from (absent when the model file does not record it). */
  taxonomyId: z.string().optional(),
  /** The labeling model(s) ('+'-joined for an ensemble) or the classifier ('distill:<type>'). */
  model: z.string(),
  /** Output lines written by this shard (one per record of the shard when it finished). */
  records: z.number().int().nonnegative(),
  /**
   * Set when the output covers a seeded sample of the corpus rather than all of it (`run --shard`'s label stage):
   * the sample's size over all shards. The merge then checks that the lines add up to it, and in corpus order passes
   * over the records no shard holds.
   */
  sampleSize: z.number().int().nonnegative().optional(),
});
export type ShardManifest = z.infer<typeof ShardManifestSchema>;

/** Where the manifest of the shard output `out` lives: `<out>.shard.json`. */
export function shardManifestPath(out: string): string {
  return `${out}.shard.json`;
}

export async function writeShardManifest(out: string, manifest: ShardManifest): Promise<void> {
  await writeJsonAtomic(shardManifestPath(out), ShardManifestSchema.parse(manifest));
}

export interface MergeShardsOptions {
  /** The shard output files (any order). Each needs its `<file>.shard.json` manifest. */
  inputs: readonly string[];
  out: string;
  /**
   * The corpus the shards were made from (read with the same options as the shard runs): every record must be in
   * exactly one shard, and the merged file follows corpus order. Without it: no id twice, shards concatenated in
   * shard order.
   */
  corpus?: string;
  corpusOptions?: ReadCorpusOptions;
  signal?: AbortSignal;
}

export interface MergeShardsResult {
  out: string;
  kind: ShardManifest['kind'];
  shards: number;
  lines: number;
  ok: number;
  failed: number;
  taxonomyId?: string;
  model: string;
  /** Whether the corpus fixed the order (else: shard order). */
  corpusOrder: boolean;
}

const fail = (file: string, message: string, line?: number): never => {
  throw new DataFileError(`${file}${line === undefined ? '' : `:${line}`}: ${message}`, line === undefined ? { file } : { file, line });
};

/** The manifests of the inputs, checked to describe the n shards of one run. */
async function readManifests(inputs: readonly string[]): Promise<{ file: string; manifest: ShardManifest }[]> {
  if (inputs.length === 0) throw new TypeError('merge: no shard outputs given');
  const all: { file: string; manifest: ShardManifest }[] = [];
  for (const file of inputs) {
    let manifest: ShardManifest;
    try {
      manifest = await readJsonFile(shardManifestPath(file), ShardManifestSchema);
    } catch (err) {
      if ((err as { cause?: { code?: string } }).cause?.code === 'ENOENT') {
        fail(file, `no shard manifest ${shardManifestPath(file)}: not the output of a run with --shard i/n (or the run did not finish)`);
      }
      throw err;
    }
    all.push({ file, manifest });
  }
  const first = all[0]!;
  for (const { file, manifest } of all.slice(1)) {
    const m0 = first.manifest;
    if (manifest.kind !== m0.kind) fail(file, `holds ${manifest.kind}, but ${first.file} holds ${m0.kind}`);
    if (manifest.shard.count !== m0.shard.count) fail(file, `is shard ${formatShard(manifest.shard)}, but ${first.file} is shard ${formatShard(m0.shard)}: different shard counts`);
    if (manifest.taxonomyId !== m0.taxonomyId) fail(file, `used taxonomy ${manifest.taxonomyId ?? '(none)'}, but ${first.file} used ${m0.taxonomyId ?? '(none)'}`);
    if (manifest.model !== m0.model) fail(file, `used model ${manifest.model}, but ${first.file} used ${m0.model}`);
    if (manifest.sampleSize !== m0.sampleSize) fail(file, `covers ${sampleText(manifest)}, but ${first.file} covers ${sampleText(m0)}`);
  }
  const count = first.manifest.shard.count;
  const byIndex = new Map<number, string>();
  for (const { file, manifest } of all) {
    const twice = byIndex.get(manifest.shard.index);
    if (twice !== undefined) fail(file, `shard ${formatShard(manifest.shard)} is given twice (also ${twice})`);
    byIndex.set(manifest.shard.index, file);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    throw new DataFileError(
      `merge: missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} (got ${all.length} of ${count} shard outputs)`,
      { file: first.file },
    );
  }
  return all.sort((a, b) => a.manifest.shard.index - b.manifest.shard.index);
}

const sampleText = (m: ShardManifest): string => (m.sampleSize === undefined ? 'the whole corpus' : `a sample of ${m.sampleSize} records`);

interface ShardLine {
  id: string;
  text: string;
  line: number;
  ok: boolean;
}

/** Pull-based reader of one shard file's lines, each checked against the shard's manifest. */
class ShardLines {
  private readonly batches: AsyncGenerator<RawLine[]>;
  private buffer: RawLine[] = [];
  private at = 0;
  private ended = false;

  constructor(
    readonly file: string,
    private readonly manifest: ShardManifest,
    signal: AbortSignal | undefined,
  ) {
    this.batches = readLineBatches(file, signal ? { signal } : {});
  }

  /** A line read ahead by peek (null: the end of the file), handed out by the next call of next. */
  private peeked: ShardLine | null | undefined;

  /** The next line without consuming it (undefined at the end of the file). */
  async peek(): Promise<ShardLine | undefined> {
    if (this.peeked === undefined) this.peeked = (await this.read()) ?? null;
    return this.peeked ?? undefined;
  }

  /** The next line with its id, or undefined at the end of the file. */
  async next(): Promise<ShardLine | undefined> {
    if (this.peeked !== undefined) {
      const l = this.peeked;
      this.peeked = undefined;
      return l ?? undefined;
    }
    return this.read();
  }

  private async read(): Promise<ShardLine | undefined> {
    for (;;) {
      while (this.at >= this.buffer.length) {
        if (this.ended) return undefined;
        const r = await this.batches.next();
        if (r.done === true) {
          this.ended = true;
          return undefined;
        }
        this.buffer = r.value;
        this.at = 0;
      }
      const raw = this.buffer[this.at++]!;
      if (raw.text === '' && !raw.terminated) continue;
      return this.check(raw);
    }
  }

  async close(): Promise<void> {
    await this.batches.return(undefined);
  }

  private check(raw: RawLine): ShardLine {
    const { file, manifest } = this;
    if (!raw.valid) fail(file, 'invalid UTF-8', raw.line);
    if (!raw.terminated) fail(file, 'the last line is cut short (no newline): the shard run did not finish; re-run it', raw.line);
    let value: { id?: unknown; status?: unknown; taxonomyId?: unknown };
    try {
      value = JSON.parse(raw.text) as typeof value;
    } catch (err) {
      return fail(file, `invalid JSON: ${(err as Error).message}`, raw.line);
    }
    if (value === null || typeof value !== 'object' || typeof value.id !== 'string' || value.id === '') {
      fail(file, 'field "id": expected a non-empty string (not an output line of label or predict)', raw.line);
    }
    const id = value.id as string;
    if (value.taxonomyId !== undefined && value.taxonomyId !== manifest.taxonomyId) {
      fail(file, `field "taxonomyId": ${JSON.stringify(value.taxonomyId)}, but the shard manifest says ${JSON.stringify(manifest.taxonomyId ?? null)}`, raw.line);
    }
    const owner = shardOf(id, manifest.shard.count);
    if (owner !== manifest.shard.index) {
      fail(file, `id "${id}" belongs to shard ${owner}/${manifest.shard.count}, not to this file's shard ${formatShard(manifest.shard)}`, raw.line);
    }
    return { id, text: raw.text, line: raw.line, ok: value.status === 'ok' };
  }
}

/**
 * Join the outputs of the n shards of a `label` or `predict` run into `out`. The lines are copied as written, so the
 * merge of complete shards is byte-identical to the unsharded output. Throws a DataFileError naming the file (and
 * line) at the first problem; `out` is written to a temporary file and renamed only when everything checked out.
 */
export async function mergeShardOutputs(options: MergeShardsOptions): Promise<MergeShardsResult> {
  const shards = await readManifests(options.inputs);
  const m0 = shards[0]!.manifest;
  const readers = shards.map((s) => new ShardLines(s.file, s.manifest, options.signal));
  const tmp = `${options.out}.merge-tmp`;
  const stream = createWriteStream(tmp);
  let pending: string[] = [];
  let pendingBytes = 0;
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const chunk = pending.join('');
    pending = [];
    pendingBytes = 0;
    if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', resolve));
  };
  const counts = { lines: 0, ok: 0 };
  const emit = async (l: { text: string; ok: boolean }): Promise<void> => {
    pending.push(l.text, '\n');
    pendingBytes += l.text.length + 1;
    counts.lines++;
    if (l.ok) counts.ok++;
    if (pendingBytes > 1 << 20) await flush();
  };
  try {
    if (options.corpus !== undefined) await mergeInCorpusOrder(options.corpus, options, m0.shard.count, readers, emit, m0.sampleSize !== undefined);
    else await mergeInShardOrder(readers, emit);
    if (m0.sampleSize !== undefined && counts.lines !== m0.sampleSize) {
      throw new DataFileError(`merge: the shards hold ${counts.lines} lines but their sample has ${m0.sampleSize} records: a shard did not finish, or the shards were not run with the same sample`, {
        file: shards[0]!.file,
      });
    }
    await flush();
    await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
    await rename(tmp, options.out);
  } catch (err) {
    stream.destroy();
    await rm(tmp, { force: true });
    throw err;
  } finally {
    await Promise.all(readers.map((r) => r.close()));
  }
  return {
    out: options.out,
    kind: m0.kind,
    shards: shards.length,
    lines: counts.lines,
    ok: counts.ok,
    failed: counts.lines - counts.ok,
    ...(m0.taxonomyId !== undefined ? { taxonomyId: m0.taxonomyId } : {}),
    model: m0.model,
    corpusOrder: options.corpus !== undefined,
  };
}

type Emit = (l: { text: string; ok: boolean }) => Promise<void>;

/**
 * Walk the corpus; each record's line is the next line of its shard's file (each shard wrote its records in corpus
 * order). A mismatch means a record missing, repeated, or not from this corpus: named with file and line.
 */
async function mergeInCorpusOrder(corpus: string, options: MergeShardsOptions, count: number, readers: ShardLines[], emit: Emit, sampled: boolean): Promise<void> {
  // The shard runs yield empty texts (they write a failed line for them): read the corpus the same way.
  const reader = readCorpus(corpus, { keepEmptyTexts: true, ...options.corpusOptions, ...(options.signal ? { signal: options.signal } : {}) });
  let position = 0;
  for await (const batch of reader.batches()) {
    for (const record of batch) {
      position++;
      const shard = readers[shardOf(record.id, count)]!;
      // A sample holds some records only: one its shard does not hold next is not in the sample (a line that is
      // out of place stays unread and is reported below).
      if (sampled && (await shard.peek())?.id !== record.id) continue;
      const l = await shard.next();
      if (l === undefined) {
        fail(shard.file, `ends before the line of record "${record.id}" (record ${position} of ${corpus}): a record of this shard is missing; re-run the shard to finish it`);
      }
      if (l!.id !== record.id) {
        fail(
          shard.file,
          `id "${l!.id}" where the next record of this shard in ${corpus} is "${record.id}" (record ${position}): a missing or repeated record, ` +
            `lines out of corpus order, or a different corpus`,
          l!.line,
        );
      }
      await emit(l!);
    }
  }
  for (const shard of readers) {
    const extra = await shard.next();
    if (extra !== undefined) fail(shard.file, `id "${extra.id}" is not a record of ${corpus} left for this shard (a repeated record or a different corpus)`, extra.line);
  }
}

/** No corpus: shards one after the other, every id once (a compact hash set of ids, flat in memory). */
async function mergeInShardOrder(readers: ShardLines[], emit: Emit): Promise<void> {
  const seen = new IdHashSet();
  for (const shard of readers) {
    for (let l = await shard.next(); l !== undefined; l = await shard.next()) {
      // Ids never cross shards (checked per line), so a repeat is within this file: the value is its first line.
      const first = seen.addIfAbsent(l.id, l.line);
      if (first !== undefined) fail(shard.file, `id "${l.id}" appears twice (first on line ${first})`, l.line);
      await emit(l);
    }
  }
}
