/**
 * The memoised prompt token counts: exactly what core's tiktoken counting gives, for short and long texts, on hits
 * and misses, and the memo stays within its bounds whatever goes through it.
 */
import { describe, it, expect } from 'vitest';
import { countPromptMessagesTokens, countPromptTokens, promptTokenMemoSize } from '../../src/llm/prompt-tokens.js';
import { countMessagesTokens, countTokens, encodeTokens } from '../../src/tokens/index.js';
import { createGateway } from '../../src/llm/index.js';
import { FakeChatModel, answer, recordingClock } from './fakes.js';

const longSystem = [
  'You label texts with a fixed taxonomy of labels.',
  ...Array.from({ length: 80 }, (_, i) => `L${i + 1}: label_${i + 1} - Messages about topic ${i + 1}, émojis 🚀 and 中文 too.`),
].join('\n');

describe('countPromptTokens', () => {
  it('counts exactly like tiktoken, on the first count and on memo hits', () => {
    for (const text of ['', 'short text', 'x'.repeat(257), longSystem, `${longSystem}\n<|endoftext|> is data`]) {
      const expected = text.length === 0 ? 0 : encodeTokens(text).length;
      expect(countPromptTokens(text)).toBe(expected);
      expect(countPromptTokens(text)).toBe(expected);
      expect(countPromptTokens(text)).toBe(countTokens(text));
    }
  });

  it('counts chat prompts exactly like countMessagesTokens', () => {
    const lists = [
      [],
      [{ role: 'user', content: 'hi' }],
      [
        { role: 'system', content: longSystem },
        { role: 'user', content: `Text to label:\n${JSON.stringify({ text: 'my card was declined' })}` },
      ],
      [
        { role: 'system', content: longSystem },
        { role: 'user', content: 'a'.repeat(1000) },
        { role: 'assistant', content: '{"label":"L3"}' },
        { role: 'user', content: 'Your previous answer was invalid.' },
      ],
    ];
    for (const messages of lists) {
      expect(countPromptMessagesTokens(messages)).toBe(countMessagesTokens(messages));
      expect(countPromptMessagesTokens(messages)).toBe(countMessagesTokens(messages));
    }
  });

  it('stays within its entry and character budget while many distinct long texts pass through', () => {
    for (let i = 0; i < 600; i++) countPromptTokens(`${i} ${'long variable part of a prompt '.repeat(20)}`);
    const size = promptTokenMemoSize();
    expect(size.entries).toBeLessThanOrEqual(256);
    expect(size.chars).toBeLessThanOrEqual(4_000_000);
    // A text used on every call is still counted right after the churn.
    expect(countPromptTokens(longSystem)).toBe(encodeTokens(longSystem).length);
  });

  it('does not keep a huge one-off text', () => {
    const before = promptTokenMemoSize();
    const huge = 'word '.repeat(250_000); // 1.25 M characters, above a quarter of the budget
    expect(countPromptTokens(huge)).toBe(encodeTokens(huge).length);
    expect(promptTokenMemoSize().chars).toBeLessThanOrEqual(Math.max(before.chars, 4_000_000));
    expect(promptTokenMemoSize().chars - before.chars).toBeLessThan(huge.length);
  });
});

describe('gateway token estimates use the exact counts', () => {
  it('usage a model did not report is estimated with countMessagesTokens of the long prompt, call after call', async () => {
    const model = new FakeChatModel([], { fallback: answer('{"label":"L1"}', { input_tokens: 0, output_tokens: 0 }) });
    const gw = createGateway({ clock: recordingClock(), tokensPerMinute: 1_000_000 });
    const messages = [
      { role: 'system' as const, content: longSystem },
      { role: 'user' as const, content: 'my card was declined' },
    ];
    for (let i = 0; i < 3; i++) {
      const res = await gw.text({ stage: 's', model, messages });
      expect(res.usage).toEqual({ inputTokens: countMessagesTokens(messages), outputTokens: countTokens('{"label":"L1"}'), estimated: true });
    }
  });
});
