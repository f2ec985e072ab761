import type { ReportDataInput } from '../src/report/data.js';

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
