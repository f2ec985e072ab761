import { describe, expect, it } from 'vitest';
import { createTokenSpans, registerTokenizer, tokenizeWhitespace, tokenizeWords, wordSpans } from '../../../src/vectors/sparse/index.js';

describe('tokenizeWords', () => {
  it('splits ASCII on non-word characters and keeps digits and underscores', () => {
    expect(tokenizeWords("I can't top-up my card_2 (urgent)!")).toEqual(['I', 'can', 't', 'top', 'up', 'my', 'card_2', 'urgent']);
  });

  it('drops tokens shorter than minLength (in code points)', () => {
    expect(tokenizeWords("I can't do it", 2)).toEqual(['can', 'do', 'it']);
    expect(tokenizeWords('é ab', 2)).toEqual(['ab']);
  });

  it('treats letters of any script and combining marks as word characters', () => {
    expect(tokenizeWords('Ça coûte 5€, привет мир')).toEqual(['Ça', 'coûte', '5', 'привет', 'мир']);
    // "e" + combining acute accent stays one token
    expect(tokenizeWords('cafe\u0301 ok')).toEqual(['cafe\u0301', 'ok']);
  });

  it('splits scripts written without spaces into one-character tokens', () => {
    expect(tokenizeWords('我的卡丢了 card')).toEqual(['我', '的', '卡', '丢', '了', 'card']);
    expect(tokenizeWords('カード')).toEqual(['カ', 'ー', 'ド']);
  });

  it('handles astral code points: letters kept whole, emoji are separators', () => {
    expect(tokenizeWords('a😀b 𝒳y')).toEqual(['a', 'b', '𝒳y']);
  });

  it('reuses the span buffer and grows it', () => {
    const spans = createTokenSpans(2);
    wordSpans('a b c d e f', spans);
    expect(spans.count).toBe(6);
    wordSpans('x', spans);
    expect(spans.count).toBe(1);
    expect([spans.starts[0], spans.ends[0]]).toEqual([0, 1]);
  });
});

describe('tokenizeWhitespace', () => {
  it('splits on any Unicode whitespace and keeps punctuation', () => {
    expect(tokenizeWhitespace(' hi,\tthere\u00a0you\u3000ok? ')).toEqual(['hi,', 'there', 'you', 'ok?']);
  });
});

describe('registerTokenizer', () => {
  it('refuses to replace a built-in tokenizer', () => {
    expect(() => registerTokenizer('unicode', (t) => [t])).toThrow(/built in/);
  });
});
