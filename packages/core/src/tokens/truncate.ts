import { encodeTokens, decodeTokens, DEFAULT_ENCODING, type TokenEncodingName } from './encoders.js';

export interface TruncateOptions {
  /** Appended when the text is cut (e.g. " [...]"); its tokens count against maxTokens. */
  marker?: string;
  encoding?: TokenEncodingName;
}

export interface TruncateResult {
  text: string;
  truncated: boolean;
  originalTokens: number;
  /** Tokens of the original text kept (the marker's tokens not included). */
  keptTokens: number;
}

/**
 * Cut a text to at most maxTokens tokens on a token boundary. A token can end inside a multi-byte character (emoji,
 * CJK); decoding such a prefix yields U+FFFD, so we back off one token at a time until the decoded prefix is a true
 * prefix of the input.
 */
export function truncateToTokens(text: string, maxTokens: number, options: TruncateOptions = {}): TruncateResult {
  if (!Number.isInteger(maxTokens) || maxTokens < 0) {
    throw new RangeError(`maxTokens must be a non-negative integer, got ${maxTokens}`);
  }
  const encoding = options.encoding ?? DEFAULT_ENCODING;
  const tokens = encodeTokens(text, encoding);
  if (tokens.length <= maxTokens) {
    return { text, truncated: false, originalTokens: tokens.length, keptTokens: tokens.length };
  }
  const marker = options.marker ?? '';
  const markerTokens = marker ? encodeTokens(marker, encoding).length : 0;
  // When even the marker does not fit, drop it rather than exceed the budget.
  const useMarker = markerTokens <= maxTokens;
  let keep = useMarker ? maxTokens - markerTokens : maxTokens;
  let kept = decodeTokens(tokens.slice(0, keep), encoding);
  while (keep > 0 && !text.startsWith(kept)) {
    keep--;
    kept = decodeTokens(tokens.slice(0, keep), encoding);
  }
  if (keep === 0) kept = '';
  return {
    text: useMarker ? kept + marker : kept,
    truncated: true,
    originalTokens: tokens.length,
    keptTokens: keep,
  };
}
