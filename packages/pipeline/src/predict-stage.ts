import { openJsonlWriter, readCorpus, withFileLock, type CorpusItem, type LabelAssignment, type ReadCorpusOptions } from '@taxonomist/core';
import type { DistilledClassifier } from '@taxonomist/distill';
import type { Reporter } from './reporter.js';
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
  /** Label name -> id in the taxonomy (default: the ids recorded in the model file). */
  labelIds?: ReadonlyMap<string, string>;
  total?: number;
  ui: Reporter;
  signal?: AbortSignal;
  /** Where every skipped corpus line is written (when the corpus is a path). */
  rejectsPath?: string;
}): Promise<PredictStageResult> {
  const { model, ui } = args;
  // The line format lives with the classifier (shared with its predictStream), loaded with it.
  const { predictionLine, failedPredictionLine } = await import('@taxonomist/distill');
  const writer = await openJsonlWriter(args.out, { append: false, fsync: 'never' });
  const bar = ui.progress('predict', args.total);
  const counts: Record<string, number> = {};
  let records = 0;
  let failed = 0;
  let batch: CorpusItem[] = [];
  // From a file, a failed line names where its record is (the reader's file:line message).
  const keptMessages = new Map<string, string>();
  const flush = async (): Promise<void> => {
    // An in-memory corpus has no reader to notice an abort: each batch checks (the reason is an AbortError).
    args.signal?.throwIfAborted();
    if (batch.length === 0) return;
    const texts = batch.filter((r) => r.text.trim() !== '');
    const preds = texts.length > 0 ? await model.predict(texts.map((r) => r.text), { k: 1 }) : [];
    let next = 0;
    const lines = batch.map((r) => {
      if (r.text.trim() === '') {
        failed++;
        const message = keptMessages.get(r.id) ?? emptyTextMessage(r.text);
        keptMessages.delete(r.id);
        return failedPredictionLine(r.id, message, model);
      }
      const p = preds[next++]!;
      counts[p.label] = (counts[p.label] ?? 0) + 1;
      return predictionLine(r.id, p, model, args.labelIds ? { labelIds: args.labelIds } : {});
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
      reportIssues(args.corpus, tally, reader.issues, ui, await tally.writeRejects(args.rejectsPath));
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
