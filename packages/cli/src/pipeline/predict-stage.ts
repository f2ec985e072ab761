import { openJsonlWriter, readCorpus, withFileLock, type CorpusItem, type LabelAssignment, type ReadCorpusOptions } from '@taxonomist/core';
import type { DistilledClassifier } from '@taxonomist/distill';
import type { Ui } from '../ui/ui.js';
import { IssueTally, reportEmptyTexts, reportIssues } from './corpus.js';

const BATCH = 4096;

export interface PredictStageResult {
  /** Records read: one line each. */
  records: number;
  ok: number;
  /** Records with an empty text: written as failed 'input' lines. */
  failed: number;
  /** Lines of the corpus file without a usable record (bad JSON, no text field...): reported, no line. */
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

/** The failed line of a record with nothing to classify. */
export function emptyTextLine(id: string, message: string, model: DistilledClassifier): LabelAssignment {
  return {
    id,
    status: 'failed',
    model: classifierId(model),
    ...(model.taxonomyId !== undefined ? { taxonomyId: model.taxonomyId } : {}),
    error: { kind: 'input', message },
  };
}

const emptyTextMessage = (text: string): string => `field "text": ${text === '' ? 'is empty' : 'is only whitespace'}`;

/**
 * Predict a whole corpus with a distilled classifier, streaming (constant memory): read a batch, predict it, write
 * its lines, one line per record in input order. A record with an empty text gets a failed 'input' line (a
 * classifier would still pick a label for nothing); lines the reader cannot use are reported, never dropped silently.
 */
export async function runPredictStage(args: Parameters<typeof predictUnlocked>[0]): Promise<PredictStageResult> {
  // One writer per predictions file (see core's acquireFileLock).
  return withFileLock(args.out, { purpose: 'taxonomist predict', onWarning: (m) => args.ui.warn(m) }, () => predictUnlocked(args));
}

async function predictUnlocked(args: {
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
  let failed = 0;
  let batch: CorpusItem[] = [];
  // From a file, a failed line names where its record is (the reader's file:line message).
  const keptMessages = new Map<string, string>();
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const texts = batch.filter((r) => r.text.trim() !== '');
    const preds = texts.length > 0 ? await model.predict(texts.map((r) => r.text), { k: 1 }) : [];
    let next = 0;
    const lines = batch.map((r) => {
      if (r.text.trim() === '') {
        failed++;
        const message = keptMessages.get(r.id) ?? emptyTextMessage(r.text);
        keptMessages.delete(r.id);
        return emptyTextLine(r.id, message, model);
      }
      const p = preds[next++]!;
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
      const tally = new IssueTally();
      const reader = readCorpus(args.corpus, {
        ...args.corpusOptions,
        keepEmptyTexts: true,
        onIssue: (i) => {
          tally.add(i);
          if (i.kept === true && i.id !== undefined) keptMessages.set(i.id, i.message);
        },
        ...(args.signal ? { signal: args.signal } : {}),
      });
      for await (const r of reader) {
        batch.push(r);
        if (batch.length >= BATCH) await flush();
      }
      await flush();
      reportIssues(args.corpus, tally, reader.issues, ui);
      reportEmptyTexts(tally, ui);
      skippedInput = tally.skipped;
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
  return { records, ok: records - failed, failed, skippedInput, counts };
}
