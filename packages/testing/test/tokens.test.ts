import { describe, it, expect } from 'vitest';
import { splitIntoTokens, countTextTokens, countChatPromptTokens } from '@taxonomist/testing';

describe('token helpers', () => {
  it('split answers into tokens that concatenate back to the text, multi-byte characters whole', () => {
    for (const text of ['Hello world', 'héllo 😀 世界 — naïve café', '🇫🇷🏳️‍🌈 emoji flags', '']) {
      const tokens = splitIntoTokens(text);
      expect(tokens.join('')).toBe(text);
      for (const t of tokens) expect(t).not.toContain('\uFFFD');
    }
  });

  it('count deterministically with o200k_base and OpenAI chat framing', () => {
    expect(countTextTokens('Hello world')).toBe(2);
    expect(countTextTokens('')).toBe(0);
    // 3 priming + (3 + role + content) per message.
    expect(countChatPromptTokens([{ role: 'user', content: 'Hello world' }])).toBe(3 + 3 + countTextTokens('user') + 2);
    expect(countTextTokens('<|endoftext|>')).toBeGreaterThan(1);
  });
});
