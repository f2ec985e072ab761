import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportDataInput } from '../src/data.js';

/** A small hand-made report: 3 labels, 2 update rounds with a merge and a rename, a distilled model, usage. */
export function sampleReport(): ReportDataInput {
  return {
    title: 'Taxonomist report',
    generator: 'taxonomist 0.1.0',
    useCase: "the customer's intent",
    corpus: { path: 'examples/data/banking-sample.jsonl', records: 120, skipped: 2 },
    engine: 'llm',
    models: { induce: 'openai:gpt-4o-mini', label: 'openai:gpt-4o-mini' },
    notes: [],
    taxonomy: {
      schemaVersion: 1,
      useCase: "the customer's intent",
      method: 'llm',
      labels: [
        { id: 'L1', name: 'Card delivery', description: 'Where is my new card, when will it arrive.' },
        { id: 'L2', name: 'Refunds', description: 'Asking for money back for a purchase.' },
        { id: 'L3', name: 'Top-up problems', description: 'A top-up failed or is pending.', parent: 'L2' },
      ],
    },
    examples: { L1: ['When will my card arrive?', 'Card still not here'], L2: ['I want a refund <script>alert(1)</script>'] },
    distribution: { source: 'predictions of the distilled model on the whole corpus', counts: [{ label: 'Card delivery', count: 60 }, { label: 'Refunds', count: 40 }, { label: 'Top-up problems', count: 18 }], failed: 2 },
    history: {
      rounds: [
        { round: 0, step: 'generate', batch: 0, labels: 4 },
        { round: 1, step: 'update', batch: 1, rating: 62, labels: 3, explanation: 'two labels overlapped' },
        { round: 2, step: 'update', batch: 2, rating: 81, labels: 3 },
        { round: 3, step: 'review', labels: 3 },
      ],
      edits: [
        { round: 1, kind: 'merged', from: ['L4', 'L2'], to: ['L2'] },
        { round: 2, kind: 'renamed', from: ['Top ups'], to: ['Top-up problems'] },
        { round: 2, kind: 'kept', from: ['L1'], to: ['L1'] },
      ],
    },
    quality: {
      evaluatedOn: '20% of the labeled sample held out',
      n: 30,
      accuracy: 0.8,
      macroF1: 0.78,
      kappa: 0.7,
      perLabel: [
        { label: 'Card delivery', precision: 0.9, recall: 0.85, f1: 0.874, support: 14 },
        { label: 'Refunds', precision: 0.7, recall: 0.8, f1: 0.747, support: 10 },
        { label: 'Top-up problems', precision: 0.66, recall: 0.66, f1: 0.66, support: 6 },
      ],
      confusion: { labels: ['Card delivery', 'Refunds', 'Top-up problems'], matrix: [[12, 1, 1], [1, 8, 1], [0, 2, 4]] },
    },
    gold: { field: 'label', n: 118, nmi: 0.61, ari: 0.33, harmonicPurity: 0.55, goldClasses: 77 },
    usage: [
      { stage: 'induce', calls: 12, inputTokens: 40_000, outputTokens: 3_000, costUsd: 0.0078, durationMs: 5100, status: 'done' },
      { stage: 'label', calls: 100, cachedCalls: 10, inputTokens: 60_000, outputTokens: 1_000, costUsd: 0.0096, durationMs: 9000, records: 100, status: 'done' },
      { stage: 'distill', durationMs: 300, records: 100, status: 'done' },
    ],
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ren', 'tu', 'sa', 'vi', 'dor', 'pe', 'qua', 'ni', 'bel', 'zo', 'fa', 'gur', 'hes'];

/** A made-up but pronounceable word per number, distinct for distinct numbers. */
function word(n: number): string {
  let s = '';
  let x = n + 17;
  do {
    s += SYLLABLES[x % SYLLABLES.length];
    x = Math.floor(x / SYLLABLES.length);
  } while (x > 0);
  return s;
}

export interface SyntheticRun {
  dir: string;
  labels: string[];
  records: number;
}

/**
 * A run directory as `taxonomist run --gold-field intent` leaves it, for `labels` labels: corpus, manifest,
 * taxonomy, training labels (every second record), predictions (1 in 8 moved to the next label), held-out
 * evaluation with its confusion matrix, gold evaluation. Texts of neighbouring labels share a word, so the
 * similarity view has structure. Deterministic.
 */
export function writeSyntheticRun(dir: string, labelCount: number, perLabel = 24): SyntheticRun {
  mkdirSync(dir, { recursive: true });
  const labels = Array.from({ length: labelCount }, (_, i) => `${word(i * 3)} ${word(i * 3 + 1)} issue`);
  const lines: string[] = [];
  const training: string[] = [];
  const predictions: string[] = [];
  const truth: number[] = [];
  const predicted: number[] = [];
  let id = 0;
  for (let r = 0; r < perLabel; r++) {
    for (let l = 0; l < labelCount; l++) {
      const near = (l + 1) % labelCount;
      const text = `please help, my ${word(l * 3)} ${word(l * 3 + 1)} is broken ${r % 3 === 0 ? `and the ${word(near * 3)} too` : `again ${word(l * 3 + 2)}`} (${r})`;
      const rid = `r${id++}`;
      lines.push(JSON.stringify({ id: rid, text, intent: `gold_${l % Math.max(2, Math.floor(labelCount * 0.9))}` }));
      const p = r % 8 === 7 ? near : l;
      predictions.push(JSON.stringify({ id: rid, status: 'ok', label: labels[p], labelId: `L${p + 1}`, confidence: 0.9 }));
      if (r % 2 === 1) {
        training.push(JSON.stringify({ id: rid, status: 'ok', label: labels[l], labelId: `L${l + 1}`, confidence: 0.6 + (l % 4) / 10 }));
        truth.push(l);
        predicted.push(p);
      }
    }
  }
  const records = lines.length;
  writeFileSync(join(dir, 'corpus.jsonl'), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'labels.jsonl'), `${training.join('\n')}\n`);
  writeFileSync(join(dir, 'predictions.jsonl'), `${predictions.join('\n')}\n`);
  writeFileSync(
    join(dir, 'taxonomy.json'),
    JSON.stringify({ schemaVersion: 1, useCase: 'synthetic support intents', method: 'cluster', labels: labels.map((name, i) => ({ id: `L${i + 1}`, name, description: `Texts about ${name}.` })) }),
  );
  const stage = (name: string) => ({ name, status: 'done', artifacts: [], counts: { records, durationMs: 1000 } });
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({
      schemaVersion: 1,
      tool: { name: 'taxonomist', version: '0.0.0' },
      input: { path: join(dir, 'corpus.jsonl'), records },
      seed: 7,
      options: { engine: 'offline', goldField: 'intent' },
      models: {},
      stages: ['induce', 'label', 'distill', 'predict', 'report'].map(stage),
    }),
  );
  const matrix = labels.map(() => labels.map(() => 0));
  truth.forEach((t, i) => matrix[t]![predicted[i]!]!++);
  const agree = truth.filter((t, i) => t === predicted[i]).length / truth.length;
  writeFileSync(
    join(dir, 'distill-eval.json'),
    JSON.stringify({
      quality: {
        evaluatedOn: 'the training labels',
        n: truth.length,
        accuracy: agree,
        macroF1: agree,
        perLabel: labels.map((label, i) => ({ label, precision: agree, recall: agree, f1: agree, support: matrix[i]!.reduce((a, b) => a + b, 0) })),
        confusion: { labels, matrix },
      },
    }),
  );
  writeFileSync(join(dir, 'gold-eval.json'), JSON.stringify({ gold: { field: 'intent', n: records, nmi: 0.9, ari: 0.8, harmonicPurity: 0.85, goldClasses: Math.max(2, Math.floor(labelCount * 0.9)) } }));
  return { dir, labels, records };
}
