import { countTokens } from '@taxonomist/core';
import type { CorpusRecord, Taxonomy } from '@taxonomist/core';
import { createRunSetup } from './setup.js';
import { callTokens, MULTI_LABELS_ESTIMATE, RATIONALE_TOKENS_ESTIMATE } from './cost-model.js';
import { prepareRecord, recordId, recordTokens } from './prepare.js';
import { readResumeState } from './resume.js';
import { openCorpusFile } from './corpus-file.js';
import type { CorpusInput, LabelOptions } from './options.js';

export interface ModelEstimate {
  model: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface LabelEstimate {
  /** Records a run would label (already-ok ids of `out` and bad records excluded). */
  records: number;
  /** Ids already labeled ok in `out` (a resumed run skips them). */
  alreadyOk: number;
  /** Records that would fail as bad input (no call). */
  badInput: number;
  /** Records that would be truncated. */
  truncated: number;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  perModel: ModelEstimate[];
  /** Texts and tokens embedded for few-shot similarity selection (embedding cost not in costUsd). */
  embeddings?: { texts: number; tokens: number };
  /** What the figures assume, in words. */
  assumptions: string[];
}

/**
 * What a run would cost, before running it: calls, input tokens (tiktoken o200k_base counts of the exact prompts
 * the run would build, texts truncated as the run would truncate them), output tokens (from the answer schema) and
 * cost from the gateway's price table. A lower bound on calls: re-asks of invalid or incomplete answers and
 * transport retries are not predictable and not included. Nothing is sent to any model.
 */
export async function estimate(corpus: CorpusInput, taxonomy: Taxonomy, options: LabelOptions): Promise<LabelEstimate> {
  const setup = await createRunSetup(taxonomy, options);
  const resume = options.out !== undefined && !(options.overwrite ?? false) ? await readResumeState(options.out) : undefined;
  try {
    return await estimateRest(corpus, options, setup, resume?.okIds ?? new Set<string>());
  } finally {
    resume?.close();
  }
}

async function estimateRest(
  corpus: CorpusInput,
  options: LabelOptions,
  setup: Awaited<ReturnType<typeof createRunSetup>>,
  okIds: { has(id: string): boolean },
): Promise<LabelEstimate> {
  const { opts } = setup;
  const source: AsyncIterable<unknown> | Iterable<unknown> =
    typeof corpus === 'string' ? openCorpusFile(corpus, options.corpusOptions).reader : (corpus as AsyncIterable<CorpusRecord>);
  const samples = setup.confidence === 'self-consistency' ? opts.samples : 1;
  let records = 0;
  let alreadyOk = 0;
  let badInput = 0;
  let truncated = 0;
  let packs = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  let embedTokens = 0;
  let pack: number[] = [];
  const seen = new Set<string>();
  const flush = (): void => {
    if (pack.length === 0) return;
    const t = callTokens(setup.tokens, pack);
    packs++;
    inputTokens += t.inputTokens;
    outputTokens += t.outputTokens;
    pack = [];
  };
  let index = 0;
  for await (const raw of source as AsyncIterable<unknown>) {
    const id = recordId(raw, index++);
    if (seen.has(id)) continue;
    seen.add(id);
    if (okIds.has(id)) {
      alreadyOk++;
      continue;
    }
    const p = prepareRecord(raw, id, 0, opts);
    if (p.kind === 'bad') {
      badInput++;
      continue;
    }
    records++;
    if (p.record.truncated) truncated++;
    if (setup.fewShot !== undefined && options.fewShot?.embeddings !== undefined) embedTokens += countTokens(p.record.text);
    pack.push(recordTokens(p.record));
    if (pack.length >= opts.pack) flush();
  }
  flush();
  const perModel: ModelEstimate[] = setup.models.map((m) => {
    const usage = { inputTokens: inputTokens * samples, outputTokens: outputTokens * samples };
    return { model: m.id, calls: packs * samples, ...usage, costUsd: opts.gateway.cost(m.id, usage) };
  });
  const sum = (f: (m: ModelEstimate) => number): number => perModel.reduce((s, m) => s + f(m), 0);
  const assumptions = [
    'token counts: tiktoken o200k_base on the exact prompts (providers with other tokenizers differ a little)',
    'calls exclude re-asks of invalid/incomplete answers and transport retries',
  ];
  if (opts.rationale) assumptions.push(`rationale: about ${RATIONALE_TOKENS_ESTIMATE} output tokens per answer`);
  if (opts.mode !== 'primary') assumptions.push(`multi-label answers list about ${MULTI_LABELS_ESTIMATE} labels`);
  if (setup.fewShot !== undefined && options.fewShot?.embeddings !== undefined) {
    assumptions.push('few-shot examples: prompt size measured with the first examples of the pool');
  }
  return {
    records,
    alreadyOk,
    badInput,
    truncated,
    calls: sum((m) => m.calls),
    inputTokens: sum((m) => m.inputTokens),
    outputTokens: sum((m) => m.outputTokens),
    costUsd: sum((m) => m.costUsd),
    perModel,
    ...(embedTokens > 0 ? { embeddings: { texts: records, tokens: embedTokens } } : {}),
    assumptions,
  };
}
