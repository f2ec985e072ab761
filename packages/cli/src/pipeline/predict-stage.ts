import { openJsonlWriter, readCorpus, type CorpusItem, type LabelAssignment, type ReadCorpusOptions } from '@taxonomist/core';
import type { DistilledClassifier } from '@taxonomist/distill';
import type { Ui } from '../ui/ui.js';
import { reportIssues } from './corpus.js';

const BATCH = 4096;

export interface PredictStageResult {
  records: number;
  ok: number;
  skippedInput: number;
  /** Predicted records per label. */
  counts: Record<string, number>;
}

/** The classifier's id as written on every prediction line. */
export function classifierId(model: DistilledClassifier): string {
  return `distill:${model.meta.classifier.type}`;
}

/** One predictions.jsonl line (the LabelAssignment contract): top label, its probability, all labels for multi-label. */
export function predictionLine(id: string, p: { label: string; probability: number; labels?: string[] }, model: DistilledClassifier, labelIds: ReadonlyMap<string, string>): LabelAssignment {
  const labelId = labelIds.get(p.label);
  return {
    id,
    status: 'ok',
    label: p.label,
    ...(labelId !== undefined ? { labelId } : {}),
    ...(p.labels !== undefined ? { labels: p.labels } : {}),
    confidence: Math.min(1, Math.max(0, p.probability)),
    confidenceMethod: 'classifier',
    model: classifierId(model),
    ...(model.taxonomyId !== undefined ? { taxonomyId: model.taxonomyId } : {}),
  };
}

/**
 * Predict a whole corpus with a distilled classifier, streaming (constant memory): read a batch, predict it, write
 * its lines, one line per record in input order. Lines the reader cannot use are reported, never dropped silently.
 */
export async function runPredictStage(args: {
  model: DistilledClassifier;
  corpus: string | readonly CorpusItem[];
  corpusOptions: ReadCorpusOptions;
  out: string;
  labelIds: ReadonlyMap<string, string>;
  total?: number;
  ui: Ui;
  signal?: AbortSignal;
}): Promise<PredictStageResult> {
  const { model, ui } = args;
  const writer = await openJsonlWriter(args.out, { append: false, fsync: 'never' });
  const bar = ui.progress('predict', args.total);
  const counts: Record<string, number> = {};
  let records = 0;
  let batch: CorpusItem[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const preds = await model.predict(batch.map((r) => r.text), { k: 1 });
    const lines = batch.map((r, i) => {
      const p = preds[i]!;
      counts[p.label] = (counts[p.label] ?? 0) + 1;
      return predictionLine(r.id, p, model, args.labelIds);
    });
    await writer.writeMany(lines);
    records += batch.length;
    batch = [];
    bar.update({ done: records });
  };
  let skippedInput = 0;
  try {
    if (typeof args.corpus === 'string') {
      const reader = readCorpus(args.corpus, { ...args.corpusOptions, ...(args.signal ? { signal: args.signal } : {}) });
      for await (const r of reader) {
        batch.push(r);
        if (batch.length >= BATCH) await flush();
      }
      await flush();
      reportIssues(args.corpus, reader.stats, reader.issues, ui);
      skippedInput = reader.stats.skipped;
    } else {
      for (const r of args.corpus) {
        batch.push(r);
        if (batch.length >= BATCH) await flush();
      }
      await flush();
    }
    await writer.flush();
  } finally {
    await writer.close();
    bar.finish();
  }
  return { records, ok: records, skippedInput, counts };
}
