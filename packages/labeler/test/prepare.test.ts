import { describe, it, expect } from 'vitest';
import { countTokens } from '@taxonomist/core';
import { prepareRecord, recordTokens } from '../src/prepare.js';

const settings = { maxTextTokens: 20, truncationMarker: ' [...]' };

describe('prepareRecord: the token cap without encoding short texts', () => {
  it('leaves a text the byte bound proves under the cap uncounted, and recordTokens counts it exactly on demand', () => {
    const p = prepareRecord({ text: 'how do I top up my card?' }, 'a', 0, settings);
    expect(p.kind).toBe('ready');
    if (p.kind !== 'ready') return;
    expect(p.record.tokens).toBeUndefined();
    expect(p.record.truncated).toBeUndefined();
    expect(recordTokens(p.record)).toBe(countTokens('how do I top up my card?'));
    expect(p.record.tokens).toBe(countTokens('how do I top up my card?'));
  });

  it('counts exactly when the bound cannot decide: a long text under the cap is kept whole', () => {
    // 60 bytes but few tokens: the bound (60 > 20) does not prove it, the exact count does.
    const text = 'aaaaaaaaaa'.repeat(6);
    expect(countTokens(text)).toBeLessThanOrEqual(20);
    const p = prepareRecord({ text }, 'b', 1, settings);
    if (p.kind !== 'ready') throw new Error('expected ready');
    expect(p.record.text).toBe(text);
    expect(p.record.truncated).toBeUndefined();
  });

  it('truncates a text over the cap and records its counts', () => {
    const text = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
    const p = prepareRecord({ text }, 'c', 2, settings);
    if (p.kind !== 'ready') throw new Error('expected ready');
    expect(p.record.truncated?.originalTokens).toBe(countTokens(text));
    expect(p.record.truncated?.keptTokens).toBeLessThanOrEqual(20);
    expect(recordTokens(p.record)).toBe(countTokens(p.record.text));
  });
});
