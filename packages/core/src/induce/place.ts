import type { TaxonomyLabel } from '../schemas/taxonomy.js';
import { AssignAnswerSchema, SCHEMA_NAMES, type AssignAnswer } from './answers.js';
import { formatBatch, makeBatches, type BatchItem } from './batch.js';
import { mapLimit } from './concurrency.js';
import { memoAsk, type RunContext } from './context.js';
import { renderPrompt } from './prompt-render.js';
import { formatLabelLine } from './text.js';
import { resolveId } from './validate.js';

export interface Placement {
  /** Record id -> label id, or null when the model said no label fits. Records of failed batches are absent. */
  byRecord: Map<string, string | null>;
  /** Records in batches without a valid answer within maxAttempts. */
  failed: number;
}

/**
 * Ask the model which label each item belongs to (stage 'assign', in minibatches, in parallel). Used to find the
 * records under each top label when growing sub-labels, and to pick example texts for labels.
 */
export async function placeItems(
  ctx: RunContext,
  items: readonly BatchItem[],
  labels: readonly TaxonomyLabel[],
  keyPrefix: string,
): Promise<Placement> {
  const { settings } = ctx;
  const batches = makeBatches(items, settings.batchSize, settings.batchTokenBudget);
  const taxonomyText = labels.map(formatLabelLine).join('\n');
  let done = 0;
  const outcomes = await mapLimit(batches, settings.concurrency, async (batch, b) => {
    const outcome = await memoAsk<AssignAnswer>(ctx, `${keyPrefix}/b${b}`, AssignAnswerSchema, async () => ({
      stage: 'assign',
      promptId: 'assign',
      model: ctx.models.judge.ref,
      modelId: ctx.models.judge.id,
      messages: renderPrompt(
        'assign',
        { useCase: settings.useCase, taxonomyText, dataText: formatBatch(batch), itemCount: batch.length },
        ctx.prompts,
      ),
      schema: AssignAnswerSchema,
      schemaName: SCHEMA_NAMES.assign,
      temperature: settings.temperatures.assign,
      temperatureStep: settings.temperatureStep,
      maxAttempts: settings.maxAttempts,
      check: (a) => checkPlacements(a, batch.length, labels),
      // About 16 tokens per placement ({"item":12,"labelId":"L3"}): far over the default for large batches.
      expectedOutputTokens: 100 + 16 * batch.length,
      subject: 'list of placements',
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    }));
    done += batch.length;
    await ctx.progress({ type: 'placed', done, total: items.length });
    return outcome;
  });
  const byRecord = new Map<string, string | null>();
  let failed = 0;
  outcomes.forEach((outcome, b) => {
    ctx.ledger.add('assign', outcome.usage);
    const batch = batches[b]!;
    if (outcome.value === null) {
      failed += batch.length;
      return;
    }
    for (const p of outcome.value.placements) {
      const id = isNone(p.labelId) ? null : resolveId(p.labelId, labels)!;
      byRecord.set(batch[p.item - 1]!.id, id);
    }
  });
  await ctx.store.flush();
  return { byRecord, failed };
}

function isNone(labelId: string): boolean {
  return labelId.trim().toLowerCase() === 'none';
}

/** Every item 1..n exactly once, each with a label id of the taxonomy or "none". */
export function checkPlacements(answer: AssignAnswer, n: number, labels: readonly TaxonomyLabel[]): string[] {
  const problems: string[] = [];
  const count = new Map<number, number>();
  const unknown = new Set<string>();
  const outOfRange = new Set<number>();
  for (const p of answer.placements) {
    if (p.item < 1 || p.item > n) outOfRange.add(p.item);
    else count.set(p.item, (count.get(p.item) ?? 0) + 1);
    if (!isNone(p.labelId) && resolveId(p.labelId, labels) === undefined) unknown.add(p.labelId);
  }
  const missing: number[] = [];
  const twice: number[] = [];
  for (let i = 1; i <= n; i++) {
    const c = count.get(i) ?? 0;
    if (c === 0) missing.push(i);
    else if (c > 1) twice.push(i);
  }
  if (missing.length) problems.push(`no placement for text${missing.length > 1 ? 's' : ''} ${list(missing)}.`);
  if (twice.length) problems.push(`more than one placement for text${twice.length > 1 ? 's' : ''} ${list(twice)}; give one label each.`);
  if (outOfRange.size) problems.push(`there are only texts 1 to ${n}; ${list([...outOfRange])} do not exist.`);
  if (unknown.size) {
    problems.push(`${[...unknown].map((u) => `"${u}"`).join(', ')} ${unknown.size > 1 ? 'are not label ids' : 'is not a label id'}; use one of ${labels.map((l) => l.id).join(', ')} or "none".`);
  }
  return problems;
}

function list(xs: number[]): string {
  return xs.length > 12 ? `${xs.slice(0, 12).join(', ')} and ${xs.length - 12} more` : xs.join(', ');
}
