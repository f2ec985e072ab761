import { Tiktoken } from 'js-tiktoken/lite';
import o200kBase from 'js-tiktoken/ranks/o200k_base';
import cl100kBase from 'js-tiktoken/ranks/cl100k_base';

/** Token encodings available offline (the rank tables ship inside js-tiktoken; nothing is downloaded). */
export type TokenEncodingName = 'o200k_base' | 'cl100k_base';

export const DEFAULT_ENCODING: TokenEncodingName = 'o200k_base';

const RANKS = { o200k_base: o200kBase, cl100k_base: cl100kBase } as const;

// Building an encoder parses the whole rank table (~0.9 s for o200k_base), so each one is built once, on first use.
const encoders = new Map<TokenEncodingName, Tiktoken>();

export function getEncoder(encoding: TokenEncodingName = DEFAULT_ENCODING): Tiktoken {
  let enc = encoders.get(encoding);
  if (!enc) {
    const ranks = RANKS[encoding];
    if (!ranks) throw new Error(`unknown token encoding "${encoding}" (known: ${Object.keys(RANKS).join(', ')})`);
    enc = new Tiktoken(ranks);
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
