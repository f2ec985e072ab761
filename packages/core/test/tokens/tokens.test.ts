import { describe, it, expect } from 'vitest';
import { countTokens, countMessagesTokens, truncateToTokens, encodeTokens, decodeTokens } from '../../src/tokens/index.js';

describe('countTokens', () => {
  it('counts with o200k_base by default and cl100k_base on request', () => {
    expect(countTokens('')).toBe(0);
    expect(countTokens('hello world')).toBe(2);
    expect(countTokens('hello world', 'cl100k_base')).toBe(2);
    // The encodings differ on non-English text.
    const hindi = 'नमस्ते दुनिया, आप कैसे हैं?';
    expect(countTokens(hindi)).not.toBe(countTokens(hindi, 'cl100k_base'));
    expect(countTokens(hindi)).toBe(encodeTokens(hindi).length);
  });

  it('memoised counts equal fresh counts, long texts included', () => {
    const short = 'I want to check my card balance';
    expect(countTokens(short)).toBe(countTokens(short));
    expect(countTokens(short)).toBe(encodeTokens(short).length);
    const long = 'lorem ipsum dolor sit amet '.repeat(200);
    expect(countTokens(long)).toBe(encodeTokens(long).length);
  });

  it('treats special-token text as plain text instead of throwing', () => {
    expect(countTokens('before <|endoftext|> after')).toBeGreaterThan(3);
  });

  it('counts chat messages with per-message framing', () => {
    const m = [
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'hello world' },
    ];
    expect(countMessagesTokens(m)).toBe(3 + (3 + 1 + countTokens('You are helpful.')) + (3 + 1 + 2));
  });
});

describe('truncateToTokens', () => {
  it('leaves short texts alone', () => {
    expect(truncateToTokens('hello world', 5)).toEqual({ text: 'hello world', truncated: false, originalTokens: 2, keptTokens: 2 });
  });

  it('cuts on token boundaries and appends the marker within budget', () => {
    const text = 'one two three four five six seven eight nine ten';
    const r = truncateToTokens(text, 5);
    expect(r).toEqual({ text: 'one two three four five', truncated: true, originalTokens: 10, keptTokens: 5 });
    const m = truncateToTokens(text, 5, { marker: ' [...]' });
    expect(m.truncated).toBe(true);
    expect(countTokens(m.text)).toBeLessThanOrEqual(5);
    expect(m.text.endsWith(' [...]')).toBe(true);
    expect(text.startsWith(m.text.slice(0, -' [...]'.length))).toBe(true);
    expect(m.keptTokens).toBe(5 - countTokens(' [...]'));
  });

  it('never splits an emoji or a CJK character, at every budget', () => {
    for (const text of ['家族👨‍👩‍👧‍👦で東京へ行きました。🎉🎉 ok', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀😃😄 数学 한국어 텍스트']) {
      const total = encodeTokens(text).length;
      let backedOff = 0;
      for (let k = 0; k <= total; k++) {
        const r = truncateToTokens(text, k);
        expect(text.startsWith(r.text)).toBe(true);
        expect(r.text).not.toContain('\uFFFD');
        expect(r.keptTokens).toBeLessThanOrEqual(k);
        expect(countTokens(r.text)).toBeLessThanOrEqual(k);
        if (r.keptTokens < k && k < total) backedOff++;
        // No whole character was dropped needlessly: adding the next token either splits a character or exceeds k.
        if (k < total) {
          const next = decodeTokens(encodeTokens(text).slice(0, r.keptTokens + 1));
          expect(r.keptTokens + 1 > k || !text.startsWith(next)).toBe(true);
        }
      }
      // These texts contain multi-token characters, so some budgets must have backed off.
      expect(backedOff).toBeGreaterThan(0);
    }
  });

  it('keeps a U+FFFD that was in the input', () => {
    const text = 'bad \uFFFD byte and more words here';
    const r = truncateToTokens(text, 4);
    expect(text.startsWith(r.text)).toBe(true);
    expect(r.keptTokens).toBeGreaterThan(0);
  });

  it('handles zero budget and rejects a negative one', () => {
    expect(truncateToTokens('hello world', 0)).toEqual({ text: '', truncated: true, originalTokens: 2, keptTokens: 0 });
    expect(truncateToTokens('hello world', 0, { marker: '…' }).text).toBe('');
    expect(() => truncateToTokens('x', -1)).toThrow(RangeError);
  });
});
