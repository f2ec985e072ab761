import { encodeTokens, DEFAULT_ENCODING, type TokenEncodingName } from './encoders.js';

// Corpora repeat many short texts (intents, titles, labels); a bounded memo makes recounting them a map lookup.
const MEMO_MAX_TEXT = 256;
const MEMO_MAX_ENTRIES = 50_000;
const memos = new Map<TokenEncodingName, Map<string, number>>();

/** Number of tokens of a text under an encoding (default o200k_base, the GPT-4o / GPT-4.1 encoding). */
export function countTokens(text: string, encoding: TokenEncodingName = DEFAULT_ENCODING): number {
  if (text.length === 0) return 0;
  if (text.length > MEMO_MAX_TEXT) return encodeTokens(text, encoding).length;
  let memo = memos.get(encoding);
  if (!memo) {
    memo = new Map();
    memos.set(encoding, memo);
  }
  const hit = memo.get(text);
  if (hit !== undefined) return hit;
  const n = encodeTokens(text, encoding).length;
  if (memo.size >= MEMO_MAX_ENTRIES) memo.clear();
  memo.set(text, n);
  return n;
}

/**
 * An upper bound on the tokens of a text under any byte-level BPE encoding we ship (o200k_base, cl100k_base), without
 * encoding it: its UTF-8 byte length. Why it holds: tiktoken encodes the UTF-8 bytes of the text, every token stands
 * for a non-empty byte string, and the tokens of a text concatenate back to exactly its bytes (special tokens are
 * never produced: encodeTokens disallows them), so a text of B bytes has at most B tokens. The check is cheaper
 * still for ASCII-length texts: a UTF-16 code unit is at most 3 UTF-8 bytes (a surrogate pair, 2 units, is 4 bytes).
 */
export function tokenUpperBound(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Whether a text has at most `cap` tokens; exact, but counts with tiktoken only when the byte bound
 * (tokenUpperBound) cannot prove it. Corpus texts are mostly far under a 1,000-token cap, so they skip encoding.
 */
export function withinTokenCap(text: string, cap: number, encoding: TokenEncodingName = DEFAULT_ENCODING): boolean {
  if (text.length * 3 <= cap) return true;
  if (tokenUpperBound(text) <= cap) return true;
  return countTokens(text, encoding) <= cap;
}

/** Anything with a role and string content (gateway ChatMessage or a plain object). */
export interface CountableMessage {
  role: string;
  content: string;
}

/**
 * Tokens of a chat prompt, following OpenAI's accounting for chat models: each message costs its content and role
 * plus 3 tokens of framing, and every reply is primed with 3 more.
 */
export function countMessagesTokens(
  messages: readonly CountableMessage[],
  encoding: TokenEncodingName = DEFAULT_ENCODING,
): number {
  let total = 3;
  for (const m of messages) total += 3 + countTokens(m.role, encoding) + countTokens(m.content, encoding);
  return total;
}
