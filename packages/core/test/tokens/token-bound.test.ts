import { describe, it, expect } from 'vitest';
import { countTokens, tokenUpperBound, withinTokenCap } from '../../src/tokens/index.js';
import type { TokenEncodingName } from '../../src/tokens/index.js';

// Texts that stress the bound: ASCII, accents (2 bytes), CJK (3 bytes), emoji (4 bytes, surrogate pairs),
// runs of spaces and digits, special-token strings (encoded as plain text), random bytes of a seeded generator.
function seededText(seed: number, length: number): string {
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
  const pools = ['abc xyz ', 'éàü ß', '中文字符', '😀🎉👍', '0123456789', '   \n\t', '<|endoftext|>', '\u0000\u007f'];
  let out = '';
  while (out.length < length) {
    const pool = pools[next() % pools.length]!;
    out += pool[next() % pool.length]!;
    if (pool === '😀🎉👍') out = out.slice(0, -1) + [...pool][next() % 3]!;
  }
  return out;
}

const TEXTS = [
  'hello world',
  'a'.repeat(400),
  ' '.repeat(300),
  '1234567890'.repeat(40),
  'naïve café résumé',
  '中文字符测试',
  '😀🎉👍 emoji',
  '<|endoftext|> is a special-token string',
  ...Array.from({ length: 40 }, (_, i) => seededText(i + 1, 20 + i * 7)),
];

describe('tokenUpperBound (UTF-8 bytes bound the token count)', () => {
  for (const encoding of ['o200k_base', 'cl100k_base'] as TokenEncodingName[]) {
    it(`is never below the exact count under ${encoding}`, () => {
      for (const text of TEXTS) expect(countTokens(text, encoding)).toBeLessThanOrEqual(tokenUpperBound(text));
    });
  }

  it('counts UTF-8 bytes, not UTF-16 units', () => {
    expect(tokenUpperBound('é')).toBe(2);
    expect(tokenUpperBound('中')).toBe(3);
    expect(tokenUpperBound('😀')).toBe(4);
  });
});

describe('withinTokenCap', () => {
  it('agrees with the exact count on either side of the cap', () => {
    for (const encoding of ['o200k_base', 'cl100k_base'] as TokenEncodingName[]) {
      for (const text of TEXTS) {
        const n = countTokens(text, encoding);
        for (const cap of [Math.max(0, n - 1), n, n + 1, 1000]) {
          expect(withinTokenCap(text, cap, encoding), `${JSON.stringify(text.slice(0, 20))} cap ${cap}`).toBe(n <= cap);
        }
      }
    }
  });
});
