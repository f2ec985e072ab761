import { describe, expect, it } from 'vitest';
import { LabelAssignmentSchema } from '@taxonomist/core';
import { relabelSuspicious, resolveRelabel, withRelabel, type RelabelItem, type RelabelOutcome } from '../src/index.js';
import { syntheticExamples } from './helpers.js';

// 240 synthetic examples, 24 of them given a wrong label (the next topic in the list), as a confused LLM would.
const clean = syntheticExamples(240, 11);
const LABELS = ['card_lost', 'refund', 'top_up'];
const flippedIds = new Set(clean.filter((_, i) => i % 10 === 3).map((e) => e.id!));
const noisy = clean.map((e) => (flippedIds.has(e.id!) ? { ...e, label: LABELS[(LABELS.indexOf(e.label) + 1) % 3]! } : e));
const gold = new Map(clean.map((e) => [e.id!, e.label]));

describe('re-labeling suspicious labels', () => {
  it('majority of the original and the re-asks; a tie keeps the original; second opinion overrides', () => {
    expect(resolveRelabel('a', ['b', 'b'], 'majority')).toBe('b');
    expect(resolveRelabel('a', ['b', 'a'], 'majority')).toBe('a');
    expect(resolveRelabel('a', ['b', 'c'], 'majority')).toBe('a');
    expect(resolveRelabel('a', ['b', null], 'majority')).toBe('a');
    expect(resolveRelabel('a', ['b'], 'second-opinion')).toBe('b');
    expect(resolveRelabel('a', [null], 'second-opinion')).toBe('a');
  });

  it('re-asks the audited labels, fixes wrong ones, keeps provenance and resumes without asking twice', async () => {
    const asked: RelabelItem[] = [];
    const ask = async (items: RelabelItem[]) => {
      asked.push(...items);
      return items.map((it) => ({ answers: [gold.get(it.id)!, gold.get(it.id)!], model: 'scripted' }));
    };
    const persisted: RelabelOutcome[] = [];
    const res = await relabelSuspicious(noisy, { ask, seed: 1, max: 40, batchSize: 16, onOutcomes: (o) => void persisted.push(...o) });
    expect(res.asked).toBe(asked.length);
    expect(res.outcomes).toHaveLength(asked.length);
    expect(persisted.map((o) => o.id)).toEqual(res.outcomes.map((o) => o.id));
    // The audit puts flipped labels first: most of the re-asked records were wrong, and those are now right.
    const fixed = res.outcomes.filter((o) => o.changed);
    expect(res.changed).toBe(fixed.length);
    expect(fixed.length).toBeGreaterThanOrEqual(15);
    expect(fixed.every((o) => flippedIds.has(o.id) && o.to === gold.get(o.id))).toBe(true);
    const o = fixed[0]!;
    expect(o).toMatchObject({ policy: 'majority', model: 'scripted', from: noisy.find((e) => e.id === o.id)!.label });
    expect(o.answers).toEqual([gold.get(o.id), gold.get(o.id)]);
    // On the label line: the resolution and its provenance, valid against the assignment schema (nothing stripped).
    const line = withRelabel({ id: o.id, status: 'ok', label: o.from, labelId: 'L1', model: 'first-llm' }, o);
    expect(LabelAssignmentSchema.parse(JSON.parse(JSON.stringify(line)))).toEqual({
      id: o.id,
      status: 'ok',
      label: o.to,
      model: 'first-llm',
      relabel: { from: o.from, policy: 'majority', answers: o.answers, changed: true, model: 'scripted' },
    });
    const wrongBefore = noisy.filter((e) => e.label !== gold.get(e.id!)).length;
    const wrongAfter = res.examples.filter((e) => e.label !== gold.get(e.id!)).length;
    expect(wrongAfter).toBe(wrongBefore - fixed.length);
    // Resume: outcomes already persisted are reused, nothing asked again, same result.
    const again: RelabelItem[] = [];
    const resumed = await relabelSuspicious(noisy, {
      ask: async (items) => {
        again.push(...items);
        return items.map(() => ({ answers: [] }));
      },
      seed: 1,
      max: 40,
      done: new Map(persisted.map((p) => [p.id, p])),
    });
    expect(again).toEqual([]);
    expect(resumed.examples).toEqual(res.examples);
  });

  it('a self-consistent but wrong LLM changes nothing; a bad answer shape is an error', async () => {
    const same = await relabelSuspicious(noisy, { seed: 1, max: 10, ask: async (items) => items.map((it) => ({ answers: [it.label, it.label] })) });
    expect(same.changed).toBe(0);
    expect(same.examples).toEqual(noisy);
    await expect(relabelSuspicious(noisy, { seed: 1, max: 5, ask: async () => [] })).rejects.toThrow(/returned 0 answers for 5 records/);
  });
});
