import type { z } from 'zod';
import { askValid } from '../induce/ask.js';
import { mapLimit } from '../induce/concurrency.js';
import { renderPrompt } from '../induce/prompt-render.js';
import type { PromptId, PromptVars } from '../induce/prompts.js';
import { UsageLedger } from '../induce/usage.js';
import type { UsageReport } from '../llm/types.js';
import type { Taxonomy, TaxonomyLabel } from '../schemas/taxonomy.js';
import { truncateToTokens } from '../tokens/index.js';
import { createRng, sampleWithoutReplacement } from '../util/random.js';
import { addSkip, emptySkips, resolveRecordLabel, type JudgeEvaluationOptions, type JudgeInputRecord, type JudgeSkips } from './judge.js';

/** What a judge evaluation asks about one record. */
export interface JudgeTask<V, K extends PromptId> {
  promptId: K;
  schema: z.ZodType<V>;
  schemaName: string;
  /** Build the prompt variables, or return a skip reason. */
  prepare(record: JudgeInputRecord, label: TaxonomyLabel, text: string): { vars: PromptVars[K] } | { skip: string };
}

export interface JudgedRecord<V> {
  record: JudgeInputRecord;
  label: TaxonomyLabel;
  vars: unknown;
  /** Null when no usable answer came back within maxAttempts. */
  value: V | null;
}

/**
 * Draw the records (seeded), resolve their labels, and ask the judge about each (in parallel, results in draw
 * order). Records whose label is not in the taxonomy or whose text is empty are skipped and counted.
 */
export async function judgeRecords<V, K extends PromptId>(
  records: readonly JudgeInputRecord[],
  taxonomy: Taxonomy,
  options: JudgeEvaluationOptions,
  task: JudgeTask<V, K>,
): Promise<{ judged: JudgedRecord<V>[]; skipped: JudgeSkips; usage: UsageReport }> {
  const seed = options.seed ?? 0;
  const drawn =
    options.sampleSize !== undefined && options.sampleSize < records.length
      ? sampleWithoutReplacement(records, options.sampleSize, createRng(seed))
      : records.slice();
  const skipped = emptySkips();
  const prepared: { record: JudgeInputRecord; label: TaxonomyLabel; vars: PromptVars[K] }[] = [];
  for (const record of drawn) {
    if (typeof record.text !== 'string' || record.text.trim() === '') {
      addSkip(skipped, 'empty_text', record.id);
      continue;
    }
    const label = resolveRecordLabel(record.label, taxonomy);
    if (!label) {
      addSkip(skipped, 'label_not_in_taxonomy', record.id);
      continue;
    }
    const text = truncateToTokens(record.text, options.maxTextTokens ?? 1000, { marker: ' [...]' }).text;
    const p = task.prepare(record, label, text);
    if ('skip' in p) addSkip(skipped, p.skip, record.id);
    else prepared.push({ record, label, vars: p.vars });
  }

  const modelId = (await options.gateway.resolveChatModel(options.model)).id;
  const sources = {
    ...(options.prompts ? { overrides: options.prompts } : {}),
    ...(options.host ? { host: options.host } : {}),
    ...(options.instructions !== undefined ? { instructions: options.instructions } : {}),
  };
  const outcomes = await mapLimit(prepared, options.concurrency ?? 8, (p) =>
    askValid<V>(options.gateway, {
      stage: 'judge',
      promptId: task.promptId,
      model: options.model,
      modelId,
      messages: renderPrompt(task.promptId, p.vars, sources),
      schema: task.schema,
      schemaName: task.schemaName,
      temperature: options.temperature ?? 0,
      temperatureStep: 0.1,
      maxAttempts: options.maxAttempts ?? 3,
      check: () => [],
      subject: 'answer',
      ...(options.signal ? { signal: options.signal } : {}),
    }),
  );
  const ledger = new UsageLedger();
  outcomes.forEach((o) => ledger.add('judge', o.usage));
  return {
    judged: prepared.map((p, i) => ({ record: p.record, label: p.label, vars: p.vars, value: outcomes[i]!.value })),
    skipped,
    usage: ledger.report(),
  };
}
