import { z } from 'zod';
import {
  GenerateAnswerSchema,
  InduceSettingsSchema,
  RevisionAnswerSchema,
  SummaryAnswerSchema,
  countMessagesTokens,
  countTokens,
  formatBatch,
  makeBatches,
  renderPrompt,
  sampleCorpus,
  truncateToTokens,
  type CorpusRecord,
  type Gateway,
  type InduceSettingsInput,
} from '@taxonomist/core';

export interface StepEstimate {
  stage: string;
  model: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface InduceEstimate {
  sampled: number;
  summarized: number;
  batches: number;
  steps: StepEstimate[];
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  assumptions: string[];
}

const schemaTokens = (schema: z.ZodType): number => countTokens(JSON.stringify(z.toJSONSchema(schema)));
/** Filler of n words (~1 token each) standing in for text the model will write. */
const words = (n: number): string => Array.from({ length: Math.max(1, Math.round(n)) }, () => 'word').join(' ');

/**
 * What an LLM induction would cost, without calling anything: the same seeded sample the run would draw, the real
 * prompt templates filled with the real batches, and the taxonomy the model writes assumed to be `maxLabels`
 * labels with names and descriptions at 60% of their word limits. A lower bound on calls: re-asks after invalid
 * answers, retries and a second level are not predictable and not included.
 */
export async function estimateInduce(records: readonly CorpusRecord[], input: InduceSettingsInput, models: { main: string; summarize: string }, gateway: Pick<Gateway, 'cost'>): Promise<InduceEstimate> {
  const s = InduceSettingsSchema.parse({ ...input, strategy: 'llm' });
  const sample = await sampleCorpus(records, s);
  const sources = s.instructions ? { instructions: s.instructions } : {};
  const steps = new Map<string, StepEstimate>();
  const add = (stage: string, model: string, inputTokens: number, outputTokens: number): void => {
    const row = steps.get(stage) ?? { stage, model, calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
    row.calls++;
    row.inputTokens += inputTokens;
    row.outputTokens += outputTokens;
    steps.set(stage, row);
  };

  // Summaries: texts over the threshold (or all / none), truncated as the run truncates them.
  const summaryOut = countTokens(JSON.stringify({ summary: words(s.summaryWords), note: words(12) }));
  const summarySchema = schemaTokens(SummaryAnswerSchema);
  let summarized = 0;
  const items = sample.training.map((r) => {
    const tokens = countTokens(r.text);
    const due = s.summarize === true || (s.summarize === 'auto' && tokens > s.summaryTokenThreshold);
    const text = tokens > s.maxTextTokens ? truncateToTokens(r.text, s.maxTextTokens).text : r.text;
    if (!due) return { id: r.id, text };
    summarized++;
    const messages = renderPrompt('summarize', { useCase: s.useCase, summaryWords: s.summaryWords, languageText: '', text }, sources);
    add('summarize', models.summarize, countMessagesTokens(messages) + summarySchema, summaryOut);
    return { id: r.id, text: words(s.summaryWords) };
  });

  const batches = makeBatches(items, s.batchSize, s.batchTokenBudget);
  const labelLine = (i: number): string => `- [L${i + 1}] ${words(s.maxNameWords * 0.6)}: ${words(s.maxDescriptionWords * 0.6)}`;
  const taxonomyText = Array.from({ length: s.maxLabels }, (_, i) => labelLine(i)).join('\n');
  const labelsJson = (fromIds: boolean): string =>
    JSON.stringify(Array.from({ length: s.maxLabels }, (_, i) => ({ name: words(s.maxNameWords * 0.6), description: words(s.maxDescriptionWords * 0.6), ...(fromIds ? { fromIds: [`L${i + 1}`] } : {}) })));
  const generateOut = countTokens(`{"labels":${labelsJson(false)},"explanation":"${words(60)}"}`);
  const revisionOut = countTokens(`{"rating":80,"explanation":"${words(60)}","suggestions":["${words(15)}","${words(15)}"],"labels":${labelsJson(true)}}`);
  const rulesText = words(120);
  const stepVars = (taxonomy: string, data: string, itemCount: number) => ({ useCase: s.useCase, rulesText, parentText: '', taxonomyText: taxonomy, dataText: data, itemCount });
  const genSchema = schemaTokens(GenerateAnswerSchema);
  const revSchema = schemaTokens(RevisionAnswerSchema);

  for (let trial = 0; trial < s.trials; trial++) {
    for (let epoch = 0; epoch < s.epochs; epoch++) {
      batches.forEach((batch, b) => {
        const data = formatBatch(batch);
        if (epoch === 0 && b === 0 && s.seedTaxonomy === undefined) {
          add('generate', models.main, countMessagesTokens(renderPrompt('generate', stepVars('', data, batch.length), sources)) + genSchema, generateOut);
        } else {
          add('update', models.main, countMessagesTokens(renderPrompt('update', stepVars(taxonomyText, data, batch.length), sources)) + revSchema, revisionOut);
        }
      });
    }
    if (s.review) add('review', models.main, countMessagesTokens(renderPrompt('review', stepVars(taxonomyText, '', 0), sources)) + revSchema, revisionOut);
  }
  if (s.trials > 1) {
    const pairs = (s.trials * (s.trials - 1)) / 2;
    const n = Math.min(s.judgeSampleSize, sample.validation.length) * pairs * (s.judgeBothOrders ? 2 : 1);
    for (let i = 0; i < n; i++) add('judge', models.main, 2 * countTokens(taxonomyText) + 300, 80);
  }
  const rows = [...steps.values()];
  for (const r of rows) r.costUsd = gateway.cost(r.model, { inputTokens: r.inputTokens, outputTokens: r.outputTokens });
  const sum = (k: 'calls' | 'inputTokens' | 'outputTokens' | 'costUsd'): number => rows.reduce((a, r) => a + r[k], 0);
  return {
    sampled: sample.training.length + sample.validation.length,
    summarized,
    batches: batches.length,
    steps: rows,
    calls: sum('calls'),
    inputTokens: sum('inputTokens'),
    outputTokens: sum('outputTokens'),
    costUsd: sum('costUsd'),
    assumptions: [
      `the taxonomy the model writes has ${s.maxLabels} labels (names and descriptions at 60% of their word limits)`,
      'no re-asks after invalid answers and no transport retries (a lower bound on calls)',
      ...(s.levels === 2 ? ['the second level (placement and sub-label chains) is not included'] : []),
      'tokens counted with tiktoken o200k_base, including the JSON Schema sent with each structured call',
    ],
  };
}
