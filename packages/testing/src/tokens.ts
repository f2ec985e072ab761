import { countPromptMessagesTokens, countPromptTokens, decodeTokens, encodeTokens } from '@taxonomist/core';

/**
 * Token counting for the scripted models and the local server, through @taxonomist/core's js-tiktoken encoders
 * (o200k_base, fully offline, deterministic). Sharing core's encoder matters: building one parses a large rank table,
 * and a test process that runs the gateway and the server then pays for it once. Never LangChain's getNumTokens,
 * which downloads ranks. Counts are exact; long texts (a static system prompt or JSON Schema sent with every
 * request) are memoised by core's prompt token memo, so the server does not re-tokenize them per request.
 */
export function countTextTokens(text: string): number {
  return countPromptTokens(text);
}

/** The answer split into its tokens' texts (used for logprobs). Concatenated they give back `text`. */
export function splitIntoTokens(text: string): string[] {
  if (text.length === 0) return [];
  const ids = encodeTokens(text);
  const out: string[] = [];
  // Decode incrementally so a multi-byte character split across tokens comes out whole on the token that completes
  // it (one token's bytes alone may not be valid UTF-8).
  let start = 0;
  for (let i = 1; i <= ids.length; i++) {
    const decoded = decodeTokens(ids.slice(start, i));
    if (decoded.includes('\uFFFD') && !text.includes('\uFFFD') && i < ids.length) continue;
    out.push(decoded);
    start = i;
  }
  return out;
}

/** Chat prompt tokens the way OpenAI bills them: content and role tokens + 3 per message + 3 for the reply priming. */
export function countChatPromptTokens(messages: { role: string; content: string }[]): number {
  return countPromptMessagesTokens(messages);
}
