import type { CorpusRecord } from '../schemas/corpus.js';
import { truncateToTokens } from '../tokens/index.js';
import { SCHEMA_NAMES, SummaryAnswerSchema, type SummaryAnswer } from './answers.js';
import { mapLimit } from './concurrency.js';
import { memoAsk, type RunContext } from './context.js';
import { renderPrompt } from './prompt-render.js';
import type { SummaryRecord } from './result.js';
import { countWords } from './text.js';

/** Marker appended to texts cut to maxTextTokens (so the model knows the text goes on). */
export const TRUNCATION_MARKER = ' [...]';

/**
 * Summarize each record for the use case (stage 'summarize', the summarize model). Texts are first cut to
 * maxTextTokens on token boundaries. With summarize 'auto' only texts longer than summaryTokenThreshold are sent
 * to the model; short ones are used as they are. Output order = input order.
 */
export async function summarizeRecords(ctx: RunContext, records: readonly CorpusRecord[]): Promise<SummaryRecord[]> {
  const { settings } = ctx;
  const prepared = records.map((r) => {
    const cut = truncateToTokens(r.text, settings.maxTextTokens, { marker: TRUNCATION_MARKER });
    const wanted = settings.summarize === true || (settings.summarize === 'auto' && cut.originalTokens > settings.summaryTokenThreshold);
    return { record: r, cut, wanted };
  });
  const out: SummaryRecord[] = new Array(prepared.length);
  const total = prepared.length;
  let done = 0;
  let byModel = 0;
  // Chunks bound the work lost to a crash: the checkpoint is written after each.
  const chunkSize = Math.max(1, settings.concurrency * 4);
  for (let start = 0; start < prepared.length; start += chunkSize) {
    const chunk = prepared.slice(start, start + chunkSize);
    const outcomes = await mapLimit(chunk, settings.concurrency, async ({ record, cut, wanted }) => {
      if (!wanted) return undefined;
      return memoAsk<SummaryAnswer>(ctx, `sum/${record.id}`, SummaryAnswerSchema, async () => ({
        stage: 'summarize',
        promptId: 'summarize',
        model: ctx.models.summarize.ref,
        modelId: ctx.models.summarize.id,
        messages: renderPrompt(
          'summarize',
          {
            useCase: settings.useCase,
            summaryWords: settings.summaryWords,
            languageText: settings.language ? `Write the summary in the language "${settings.language}".` : '',
            text: cut.text,
          },
          ctx.prompts,
        ),
        schema: SummaryAnswerSchema,
        schemaName: SCHEMA_NAMES.summarize,
        temperature: settings.temperatures.summarize,
        temperatureStep: settings.temperatureStep,
        maxAttempts: settings.maxAttempts,
        check: (a) => checkSummary(a, settings.summaryWords),
        subject: 'summary',
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      }));
    });
    let fromCheckpoint = true;
    chunk.forEach(({ record, cut }, i) => {
      const outcome = outcomes[i];
      const base = { id: record.id, originalTokens: cut.originalTokens, truncated: cut.truncated };
      if (outcome === undefined) {
        out[start + i] = { ...base, summary: cut.text, source: 'text' };
        return;
      }
      if (!outcome.fromCheckpoint) fromCheckpoint = false;
      ctx.ledger.add('summarize', outcome.usage);
      if (outcome.value !== null) {
        byModel++;
        out[start + i] = { ...base, summary: outcome.value.summary.trim(), note: outcome.value.note.trim(), source: 'model' };
      } else {
        out[start + i] = {
          ...base,
          summary: cut.text,
          source: 'text',
          error: `no valid summary in ${outcome.attempts} attempts: ${(outcome.violations.at(-1) ?? []).join(' ')}`,
        };
      }
    });
    done += chunk.length;
    await ctx.store.flush();
    await ctx.progress({ type: 'summarized', done, total, summarizedByModel: byModel, fromCheckpoint });
  }
  return out;
}

function checkSummary(a: SummaryAnswer, words: number): string[] {
  const problems: string[] = [];
  const n = countWords(a.summary);
  if (n === 0) problems.push('the summary is empty.');
  // Generous bound: the target is a guide, a summary twice as long defeats the purpose.
  else if (n > Math.max(2 * words, words + 20)) problems.push(`the summary has ${n} words; keep it to about ${words}.`);
  return problems;
}
