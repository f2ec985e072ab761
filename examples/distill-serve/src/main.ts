/**
 * Example: distilling and serving a classifier (TnT-LLM phase 2). An LLM labels a sample of the corpus; a small
 * classifier trained on those labels then labels everything else, fast, offline and for free.
 *
 * Here the sample's gold BANKING77 intents stand in for the LLM's labels (in a real run they come from
 * @taxonomist/labeler's labels.jsonl: `readLabelerOutput(labelsPath, corpusPath)` builds the same examples).
 * Steps: train on 80% of the labeled sample, evaluate on the held-out 20%, save the model file, load it back as a
 * service would, predict a few texts, write predictions for a whole JSONL corpus, and stream predictions for new
 * tickets from a CSV file.
 *
 * Run: npm start -w examples/distill-serve
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRng, readCorpus } from '@taxonomist/core';
import {
  evaluate,
  loadClassifier,
  predictFile,
  predictStream,
  readLabeledFile,
  saveClassifier,
  stratifiedHoldout,
  train,
  type EvaluationReport,
  type LabeledExample,
  type Prediction,
  type PredictFileResult,
  type TrainReport,
} from '@taxonomist/distill';

export interface MainOptions {
  /** Labeled JSONL (id, text, label). Default: the bundled banking sample. */
  labeled?: string;
  /** Corpus to predict over (JSONL with id and text). Default: the same sample (the labels are ignored). */
  corpus?: string;
  /** New texts to label as a stream (CSV with ticket_id,message). Default: the bundled support tickets. */
  tickets?: string;
  /** Where model.json and predictions.jsonl go (default: a new temporary directory). */
  outDir?: string;
  seed?: number;
  /** Where the printed lines go (default console.log). */
  log?: (line: string) => void;
}

export interface MainResult {
  split: { train: number; heldOut: number };
  training: TrainReport;
  evaluation: EvaluationReport;
  modelPath: string;
  /** A few texts and what the loaded model says about them. */
  predictions: { text: string; prediction: Prediction }[];
  predictionsPath: string;
  predicted: PredictFileResult;
  /** The new tickets' predictions, from the streaming API. */
  tickets: TicketPrediction[];
  /** Predicted label counts over the tickets. */
  distribution: Map<string, number>;
}

export interface TicketPrediction {
  id: string;
  label: string;
  confidence: number;
}

const SAMPLE = fileURLToPath(new URL('../../data/banking-sample.jsonl', import.meta.url));
const TICKETS = fileURLToPath(new URL('../../data/support-tickets.csv', import.meta.url));

const NEW_TEXTS = [
  'My new card still has not arrived, it has been two weeks',
  'Why did I get charged a fee for withdrawing cash?',
  'I forgot my passcode and cannot log in',
  'Someone used my card without permission',
];

/** A seeded split holding out `fraction` of every label's examples. */
function split(examples: LabeledExample[], fraction: number, seed: number): { train: LabeledExample[]; heldOut: LabeledExample[] } {
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  const index = new Map(labels.map((l, i) => [l, i]));
  const y = Int32Array.from(examples, (e) => index.get(e.label)!);
  const { train, validation } = stratifiedHoldout(y, labels.length, fraction, createRng(seed));
  return { train: Array.from(train, (i) => examples[i]!), heldOut: Array.from(validation, (i) => examples[i]!) };
}

export async function main(options: MainOptions = {}): Promise<MainResult> {
  const log = options.log ?? console.log;
  const seed = options.seed ?? 7;
  const outDir = options.outDir ?? (await mkdtemp(join(tmpdir(), 'taxonomist-distill-')));
  await mkdir(outDir, { recursive: true });

  // 1. Labeled examples. Lines without a usable text or label are counted, never silently dropped.
  const { examples, counts } = await readLabeledFile(options.labeled ?? SAMPLE);
  log(`${counts.used} labeled examples (${counts.invalid} unusable lines)`);
  const data = split(examples, 0.2, seed);

  // 2. Train: TF-IDF word + character n-grams into a linear SVM (the defaults), its probabilities calibrated on
  //    out-of-fold scores (reliable even with ~9 examples per label).
  //    Deterministic: the same examples and seed give a byte-identical model file.
  const { model, report: training } = await train(data.train, { seed });
  log(`trained ${training.classifier.type} on ${training.trainExamples} examples: ${training.labels} labels, ${training.features} features`);

  // 3. Evaluate on examples the model never saw.
  const evaluation = await evaluate(model, data.heldOut, { k: [1, 3] });
  log(
    `held-out (${data.heldOut.length}): accuracy ${evaluation.accuracy.toFixed(3)}, macro-F1 ${evaluation.macroF1.toFixed(3)}, ` +
      `kappa ${evaluation.kappa.toFixed(3)}, top-3 ${evaluation.topK['3']!.toFixed(3)}`,
  );

  // 4. Save, then load as a separate service would: one JSON file, no training code needed to use it.
  const modelPath = join(outDir, 'model.json');
  await saveClassifier(model, modelPath);
  const served = await loadClassifier(modelPath);

  // 5. Predict a few texts: the label, its calibrated probability and the runners-up.
  const predictions = (await served.predict(NEW_TEXTS, { k: 3 })).map((prediction, i) => ({ text: NEW_TEXTS[i]!, prediction }));
  for (const { text, prediction } of predictions) {
    const alternatives = prediction.topK.slice(1).map((t) => `${t.label} ${t.probability.toFixed(2)}`).join(', ');
    log(`  "${text}"\n    -> ${prediction.label} (${prediction.probability.toFixed(2)}; then ${alternatives})`);
  }

  // 6. Serve a whole corpus: a JSONL file in, one prediction line per record out (batched, flat memory).
  const predictionsPath = join(outDir, 'predictions.jsonl');
  const corpus = options.corpus ?? SAMPLE;
  const predicted = await predictFile(served, corpus, predictionsPath, { k: 3 });
  log(`wrote ${predicted.written} predictions to ${predictionsPath} (${predicted.skipped} unreadable records)`);

  // 7. The same as a stream, for when predictions feed something other than a file: here new support tickets
  //    from a CSV file, read record by record.
  const tickets: TicketPrediction[] = [];
  const distribution = new Map<string, number>();
  const ticketCorpus = readCorpus(options.tickets ?? TICKETS, { textField: 'message', idField: 'ticket_id' });
  for await (const p of predictStream(served, ticketCorpus, { k: 1 })) {
    tickets.push({ id: p.id, label: p.label!, confidence: p.confidence! });
    distribution.set(p.label!, (distribution.get(p.label!) ?? 0) + 1);
  }
  const top = [...distribution].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 5);
  const sure = tickets.filter((t) => t.confidence >= 0.5).length;
  log(`${tickets.length} new tickets: ${sure} predicted with confidence >= 0.5; most frequent: ${top.map(([l, n]) => `${l} ${n}`).join(', ')}`);

  return {
    split: { train: data.train.length, heldOut: data.heldOut.length },
    training,
    evaluation,
    modelPath,
    predictions,
    predictionsPath,
    predicted,
    tickets,
    distribution,
  };
}

// Run when executed directly (npm start), not when imported by the test.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
