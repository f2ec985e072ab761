/**
 * Serving over a corpus: stream records (any iterable, or a JSONL/CSV/TXT corpus file) to prediction lines that follow
 * the LabelAssignment contract (status ok, label, labelId, confidence with confidenceMethod 'classifier', taxonomyId) plus the
 * top-k labels, in batches so memory stays flat on corpora of any size. One line per input record: a record with an
 * empty text gets a failed line (error kind 'input') instead of a prediction.
 */
import { rm } from 'node:fs/promises';
import { openJsonlWriter, readCorpus, shardManifestPath, withFileLock, writeShardManifest, type CorpusIssue, type LabelAssignment, type ReadCorpusOptions } from '@taxonomist/core';
import type { DistilledClassifier, LabelProbability } from './model.js';
import { classifierModelId, failedPredictionLine, predictionLine } from './prediction-line.js';

export type PredictionRecord = LabelAssignment & { topK: LabelProbability[] };

export interface PredictStreamOptions {
  /** Top-k labels per record (default 5). */
  k?: number;
  /** Texts featurised and scored per batch (default 1024). */
  batchSize?: number;
  /** Value of the `model` field (default "distill:<classifier type>"). */
  modelName?: string;
}

export async function* predictStream(
  model: DistilledClassifier,
  records: AsyncIterable<{ id: string; text: string }> | Iterable<{ id: string; text: string }>,
  opts: PredictStreamOptions = {},
): AsyncGenerator<PredictionRecord> {
  const batchSize = opts.batchSize ?? 1024;
  const name = opts.modelName ?? classifierModelId(model);
  let batch: { id: string; text: string }[] = [];
  const flush = async function* (): AsyncGenerator<PredictionRecord> {
    // Empty / whitespace-only texts have nothing to classify: they get a failed 'input' line in their place, so the
    // output keeps one line per input record, in input order.
    const scored = batch.filter((r) => !isBlank(r.text));
    const preds = scored.length > 0 ? await model.predict(scored.map((r) => r.text), { k: opts.k ?? 5 }) : [];
    let j = 0;
    for (const r of batch) {
      if (isBlank(r.text)) {
        yield { ...failedPredictionLine(r.id, r.text === '' ? 'empty text' : 'text is only whitespace', model, { modelName: name }), topK: [] };
        continue;
      }
      const p = preds[j++]!;
      yield { ...predictionLine(r.id, p, model, { modelName: name }), topK: p.topK };
    }
    batch = [];
  };
  for await (const r of records as AsyncIterable<{ id: string; text: string }>) {
    batch.push(r);
    if (batch.length >= batchSize) yield* flush();
  }
  if (batch.length > 0) yield* flush();
}

function isBlank(text: string): boolean {
  return text.trim() === '';
}

export interface PredictFileResult {
  /** Lines written: one per record read (predictions and failed lines). */
  written: number;
  /** Of those, failed lines: records with an empty text (status 'failed', error.kind 'input'; also in issues). */
  failed: number;
  /** Input records that could not be read (see issues). */
  skipped: number;
  issues: CorpusIssue[];
}

/**
 * Reader options, and `shard`: predict only the records of that shard (core's shardOf over the id) and write the
 * shard manifest `<output>.shard.json` at the end, for `taxonomist merge` / core's mergeShardOutputs.
 */
export type PredictFileOptions = PredictStreamOptions & Pick<ReadCorpusOptions, 'textField' | 'idField' | 'format' | 'shard'>;

/**
 * Predict every record of a corpus file into a JSONL file of prediction lines (overwritten). One writer per output
 * file: fails with core's FileLockedError while another process (or call) writes the same file.
 */
export async function predictFile(
  model: DistilledClassifier,
  inputPath: string,
  outputPath: string,
  opts: PredictFileOptions = {},
): Promise<PredictFileResult> {
  return withFileLock(outputPath, { purpose: 'taxonomist predictFile' }, () => predictFileUnlocked(model, inputPath, outputPath, opts));
}

async function predictFileUnlocked(
  model: DistilledClassifier,
  inputPath: string,
  outputPath: string,
  opts: PredictFileOptions,
): Promise<PredictFileResult> {
  const reader = readCorpus(inputPath, {
    ...(opts.textField ? { textField: opts.textField } : {}),
    ...(opts.idField ? { idField: opts.idField } : {}),
    ...(opts.format ? { format: opts.format } : {}),
    ...(opts.shard ? { shard: opts.shard } : {}),
    // Empty texts are yielded (and still reported as issues) so that each gets its failed line.
    keepEmptyTexts: true,
  });
  // A manifest says "this shard is complete": never left over from an earlier run while this one writes.
  await rm(shardManifestPath(outputPath), { force: true });
  const writer = await openJsonlWriter(outputPath, { append: false });
  const pending: PredictionRecord[] = [];
  let failed = 0;
  try {
    for await (const rec of predictStream(model, reader, opts)) {
      if (rec.status === 'failed') failed++;
      pending.push(rec);
      if (pending.length >= 1024) await writer.writeMany(pending.splice(0));
    }
    if (pending.length) await writer.writeMany(pending.splice(0));
  } finally {
    await writer.close();
  }
  if (opts.shard !== undefined) {
    await writeShardManifest(outputPath, {
      schemaVersion: 1,
      kind: 'predictions',
      shard: opts.shard,
      ...(model.taxonomyId !== undefined ? { taxonomyId: model.taxonomyId } : {}),
      model: opts.modelName ?? classifierModelId(model),
      records: writer.written,
    });
  }
  return { written: writer.written, failed, skipped: reader.stats.skipped, issues: reader.issues };
}
