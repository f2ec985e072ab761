import { createRequire } from 'node:module';
import { Tiktoken, type TiktokenBPE } from 'js-tiktoken/lite';

/** Token encodings available offline (the rank tables ship inside js-tiktoken; nothing is downloaded). */
export type TokenEncodingName = 'o200k_base' | 'cl100k_base';

export const DEFAULT_ENCODING: TokenEncodingName = 'o200k_base';

// The rank tables (megabytes of data) are loaded on first use, synchronously, not when @taxonomist/core is imported:
// commands that never count tokens (distill, predict) do not pay for parsing them. They are plain data modules.
const requireRanks = createRequire(import.meta.url);
const RANKS: Record<TokenEncodingName, () => TiktokenBPE> = {
  o200k_base: () => requireRanks('js-tiktoken/ranks/o200k_base') as TiktokenBPE,
  cl100k_base: () => requireRanks('js-tiktoken/ranks/cl100k_base') as TiktokenBPE,
};

// Building an encoder parses the whole rank table (~0.9 s for o200k_base), so each one is built once, on first use.
const encoders = new Map<TokenEncodingName, Tiktoken>();

export function getEncoder(encoding: TokenEncodingName = DEFAULT_ENCODING): Tiktoken {
  let enc = encoders.get(encoding);
  if (!enc) {
    const ranks = Object.hasOwn(RANKS, encoding) ? RANKS[encoding] : undefined;
    if (!ranks) throw new Error(`unknown token encoding "${encoding}" (known: ${Object.keys(RANKS).join(', ')})`);
    enc = new Tiktoken(ranks());
    encoders.set(encoding, enc);
  }
  return enc;
}

/**
 * Token ids of a text. Special-token strings such as "<|endoftext|>" are encoded as plain text: corpus texts are
 * data, and js-tiktoken's default would throw on them.
 */
export function encodeTokens(text: string, encoding: TokenEncodingName = DEFAULT_ENCODING): number[] {
  return getEncoder(encoding).encode(text, [], []);
}

export function decodeTokens(tokens: number[], encoding: TokenEncodingName = DEFAULT_ENCODING): string {
  return getEncoder(encoding).decode(tokens);
}
