import { countTokens, type CountableMessage } from '../tokens/index.js';

/**
 * Token counts of chat prompts, memoised per long message text. A run sends the same long static prompt (the
 * instructions, a whole taxonomy: thousands of tokens) with every call, and counting it again each time (for the
 * tokens-per-minute budget, for usage a provider did not report, in the test server's usage) cost more CPU than
 * the rest of the call. core's countTokens memoises only short texts (corpora repeat those); this memo holds the
 * long ones, least recently used first out, within an entry and a character budget, so texts seen once (the
 * variable part of each prompt) pass through it without growing it without bound. Counts are exact: a hit returns
 * what tiktoken returned for the same text.
 */
const LONG_TEXT = 256;
const MAX_ENTRIES = 256;
const MAX_CHARS = 4_000_000;

const memo = new Map<string, number>();
let memoChars = 0;

/** Tokens of a text (o200k_base), with long texts memoised. */
export function countPromptTokens(text: string): number {
  if (text.length <= LONG_TEXT) return countTokens(text);
  const hit = memo.get(text);
  if (hit !== undefined) {
    // Refresh: Map iteration order is insertion order, so the first key is the least recently used.
    memo.delete(text);
    memo.set(text, hit);
    return hit;
  }
  const n = countTokens(text);
  if (text.length > MAX_CHARS / 4) return n; // a huge one-off text would evict everything else
  memo.set(text, n);
  memoChars += text.length;
  for (const key of memo.keys()) {
    if (memo.size <= MAX_ENTRIES && memoChars <= MAX_CHARS) break;
    memo.delete(key);
    memoChars -= key.length;
  }
  return n;
}

/**
 * Tokens of a chat prompt the way OpenAI bills chat models, exactly as core's countMessagesTokens counts them (each
 * message: its content and role plus 3 tokens of framing; the reply is primed with 3 more), with long contents
 * memoised.
 */
export function countPromptMessagesTokens(messages: readonly CountableMessage[]): number {
  let total = 3;
  for (const m of messages) total += 3 + countTokens(m.role) + countPromptTokens(m.content);
  return total;
}

/** Entries and characters held by the memo (for tests). */
export function promptTokenMemoSize(): { entries: number; chars: number } {
  return { entries: memo.size, chars: memoChars };
}
