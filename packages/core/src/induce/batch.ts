import { encodePromptData } from '../llm/prompt-data.js';
import { countTokens } from '../tokens/index.js';
import { oneLine } from './text.js';

/** A text as it goes into a minibatch: its record id and the summary (or text) shown to the model. */
export interface BatchItem {
  id: string;
  text: string;
}

/** Tokens a line costs beyond its encoded text: the number, punctuation, newline. */
const LINE_OVERHEAD = 4;

/** An item's text as a batch line shows it: on one line, JSON-encoded (see llm/prompt-data.ts). */
function encodeItem(item: BatchItem): string {
  return encodePromptData(oneLine(item.text));
}

/** Tokens an item costs in a batch prompt. */
export function itemTokens(item: BatchItem): number {
  return countTokens(encodeItem(item)) + LINE_OVERHEAD;
}

/**
 * Cut items into minibatches of at most `batchSize` items and at most `tokenBudget` tokens of data, in order. The
 * last batch is whatever is left (never padded). An item larger than the budget alone gets a batch of its own
 * (callers truncate texts to less than the budget beforehand).
 */
export function makeBatches<T extends BatchItem>(items: readonly T[], batchSize: number, tokenBudget: number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let tokens = 0;
  for (const item of items) {
    const cost = itemTokens(item);
    if (current.length > 0 && (current.length >= batchSize || tokens + cost > tokenBudget)) {
      batches.push(current);
      current = [];
      tokens = 0;
    }
    current.push(item);
    tokens += cost;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * The numbered list of a batch as prompts show it: `1. "text"`, one text per line, each a JSON string, so a text
 * (or a summary of one) cannot end the list or pose as instructions; the prompts say so (DATA_RULE).
 */
export function formatBatch(items: readonly BatchItem[]): string {
  return items.map((item, i) => `${i + 1}. ${encodeItem(item)}`).join('\n');
}
