import { createHash } from 'node:crypto';
import type { CorpusRecord } from '../schemas/corpus.js';
import { createRng, hashString32, shuffle } from '../util/random.js';
import { InductionError } from './options.js';
import type { SampleInfo } from './result.js';

export type CorpusInput = Iterable<CorpusRecord> | AsyncIterable<CorpusRecord>;

export interface SampleOptions {
  sampleSize: number;
  seed: number;
  validationFraction: number;
  /** Metadata field to stratify by (proportional allocation, largest remainders). */
  stratifyBy?: string;
}

export interface CorpusSample {
  /** Sampled records in a seeded random order (validation ones first). */
  records: CorpusRecord[];
  training: CorpusRecord[];
  validation: CorpusRecord[];
  corpusRecords: number;
  /** Records skipped because their text was empty or whitespace only. */
  emptyTexts: number;
  /** sha256 over the ids and texts of every record read, in order (detects a changed corpus on resume). */
  corpusHash: string;
  strata?: Record<string, { corpus: number; sampled: number }>;
}

/** Stratum name for records without the stratification field. */
export const MISSING_STRATUM = '(missing)';

/**
 * Draw a seeded sample in one streaming pass: a reservoir per stratum (Algorithm R with a generator per stratum, so
 * how strata interleave in the input does not matter), then a proportional allocation, then a seeded shuffle and
 * the validation split. Memory is O(strata x sampleSize), not O(corpus).
 */
export async function sampleCorpus(corpus: CorpusInput, options: SampleOptions): Promise<CorpusSample> {
  const { sampleSize, seed, stratifyBy } = options;
  const hash = createHash('sha256');
  const reservoirs = new Map<string, { seen: number; items: CorpusRecord[]; rng: ReturnType<typeof createRng> }>();
  let index = 0;
  let emptyTexts = 0;
  for await (const record of corpus as AsyncIterable<CorpusRecord>) {
    checkRecord(record, index);
    index++;
    hash.update(`${record.id}\u0000${record.text}\u0000`);
    if (record.text.trim() === '') {
      emptyTexts++;
      continue;
    }
    const stratum = stratifyBy === undefined ? '' : stratumOf(record, stratifyBy);
    let r = reservoirs.get(stratum);
    if (r === undefined) {
      r = { seen: 0, items: [], rng: createRng(hashString32(`${seed}:sample:${stratum}`)) };
      reservoirs.set(stratum, r);
    }
    if (r.items.length < sampleSize) {
      r.items.push(record);
    } else {
      const j = r.rng.int(r.seen + 1);
      if (j < sampleSize) r.items[j] = record;
    }
    r.seen++;
  }

  const names = [...reservoirs.keys()].sort();
  const total = names.reduce((s, n) => s + reservoirs.get(n)!.seen, 0);
  const allocation = allocate(
    names.map((n) => reservoirs.get(n)!.seen),
    Math.min(sampleSize, total),
  );
  const picked: CorpusRecord[] = [];
  const strata: Record<string, { corpus: number; sampled: number }> = {};
  names.forEach((name, i) => {
    const r = reservoirs.get(name)!;
    const take = allocation[i]!;
    // The reservoir is a uniform subset; a seeded shuffle of it and a prefix is a uniform subset of the wanted size.
    picked.push(...shuffle(r.items, createRng(hashString32(`${seed}:take:${name}`))).slice(0, take));
    strata[name] = { corpus: r.seen, sampled: take };
  });

  const records = shuffle(picked, createRng(hashString32(`${seed}:order`)));
  const seenIds = new Set<string>();
  for (const r of records) {
    if (seenIds.has(r.id)) throw new InductionError(`the corpus has the id "${r.id}" more than once; record ids must be unique`);
    seenIds.add(r.id);
  }
  const validationCount = records.length < 2 ? 0 : Math.min(records.length - 1, Math.round(records.length * options.validationFraction));
  return {
    records,
    validation: records.slice(0, validationCount),
    training: records.slice(validationCount),
    corpusRecords: index,
    emptyTexts,
    corpusHash: hash.digest('hex'),
    ...(stratifyBy !== undefined ? { strata } : {}),
  };
}

function stratumOf(record: CorpusRecord, field: string): string {
  const value = record.metadata?.[field];
  if (value === undefined || value === null || value === '') return MISSING_STRATUM;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function checkRecord(record: unknown, index: number): asserts record is CorpusRecord {
  const where = `corpus record #${index + 1}`;
  if (record === null || typeof record !== 'object') throw new InductionError(`${where}: expected an object with id and text`);
  const r = record as Record<string, unknown>;
  if (typeof r.id !== 'string' || r.id === '') {
    throw new InductionError(`${where}: field "id": expected a non-empty string, got ${describe(r.id)}`);
  }
  if (typeof r.text !== 'string') {
    throw new InductionError(`${where} (id "${r.id}"): field "text": expected a string, got ${describe(r.text)}`);
  }
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'string' ? `"${v}"` : typeof v;
}

/** Split `n` over groups proportionally to their sizes (largest remainders, ties to the earlier group). */
export function allocate(sizes: readonly number[], n: number): number[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total === 0) return sizes.map(() => 0);
  const exact = sizes.map((s) => (n * s) / total);
  const out = exact.map((e, i) => Math.min(sizes[i]!, Math.floor(e)));
  let left = n - out.reduce((a, b) => a + b, 0);
  const order = exact
    .map((e, i) => ({ i, rem: e - Math.floor(e) }))
    .sort((a, b) => b.rem - a.rem || a.i - b.i);
  while (left > 0) {
    let progressed = false;
    for (const { i } of order) {
      if (left === 0) break;
      if (out[i]! < sizes[i]!) {
        out[i]!++;
        left--;
        progressed = true;
      }
    }
    if (!progressed) break;
  }
  return out;
}

/** The sample as reported in results (ids only). */
export function sampleInfo(sample: CorpusSample): SampleInfo {
  return {
    corpusRecords: sample.corpusRecords,
    corpusHash: sample.corpusHash,
    emptyTexts: sample.emptyTexts,
    trainingIds: sample.training.map((r) => r.id),
    validationIds: sample.validation.map((r) => r.id),
    ...(sample.strata ? { strata: sample.strata } : {}),
  };
}

