import { describe, expect, it } from 'vitest';
import {
  charNgramStrings,
  charWbNgramStrings,
  createKeyBuffer,
  createTokenSpans,
  emitCharNgrams,
  emitCharWbNgrams,
  emitWordNgrams,
  hashFeatureString,
  whitespaceSpans,
  wordNgramStrings,
  wordSpans,
  tokenizeWhitespace,
  tokenizeWords,
} from '../../../src/vectors/sparse/index.js';

const keysOf = (buf: { count: number; keys: Uint32Array }) => Array.from(buf.keys.subarray(0, buf.count));

describe('n-gram emission', () => {
  it('word n-grams are the tokens joined by a space, in order', () => {
    expect(wordNgramStrings(['a', 'b', 'c'], 1, 2)).toEqual(['a', 'a b', 'b', 'b c', 'c']);
    expect(wordNgramStrings(['a', 'b', 'c'], 2, 3)).toEqual(['a b', 'a b c', 'b c']);
  });

  it('char_wb n-grams pad each word with spaces (scikit-learn char_wb)', () => {
    expect(charWbNgramStrings(['ab'], 2, 3)).toEqual([' a', ' ab', 'ab', 'ab ', 'b ']);
  });

  it('hot-path keys equal the hash of the n-gram strings (word, char_wb, char, with astral characters)', () => {
    for (const text of ['how do i top up my card?', 'naïve café 😀 ok', '我的卡 丢了', '𝒳𝒴z a']) {
      const buf = createKeyBuffer(4);
      emitWordNgrams(text, wordSpans(text, createTokenSpans()), 1, 3, buf);
      expect(keysOf(buf)).toEqual(wordNgramStrings(tokenizeWords(text), 1, 3).map((s) => hashFeatureString(s)));

      buf.count = 0;
      emitCharWbNgrams(text, whitespaceSpans(text, createTokenSpans()), 1, 5, buf);
      expect(keysOf(buf)).toEqual(charWbNgramStrings(tokenizeWhitespace(text), 1, 5).map((s) => hashFeatureString(s)));

      buf.count = 0;
      emitCharNgrams(text, 2, 4, buf);
      expect(keysOf(buf)).toEqual(charNgramStrings(text, 2, 4).map((s) => hashFeatureString(s)));
    }
  });

  it('never splits a surrogate pair', () => {
    const grams = charNgramStrings('a😀', 1, 2);
    expect(grams).toEqual(['a', 'a😀', '😀']);
  });

  it('different n-grams get different keys', () => {
    const keys = new Set(['ab', 'ba', 'a b', ' ab', 'ab ', 'abc'].map((s) => hashFeatureString(s)));
    expect(keys.size).toBe(6);
  });
});
