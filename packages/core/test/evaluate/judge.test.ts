import { describe, expect, it } from 'vitest';
import {
  judgeLabelAccuracy,
  judgeRelevance,
  normalQuantile,
  wilsonInterval,
  type LabeledRecord,
  type Taxonomy,
} from '../../src/index.js';
import { createFakeGateway, type FakeCall } from '../induce/fake-gateway.js';
import { topicOf, TOPICS } from '../induce/scenario.js';

const taxonomy: Taxonomy = {
  schemaVersion: 1,
  useCase: 'the intent of banking support chats',
  labels: [
    ...TOPICS.map((t, i) => ({ id: `L${i + 1}`, name: t.name, description: `About ${t.keyword}.` })),
    { id: 'L7', name: 'Urgent refunds', description: 'Refunds needed today.', parent: 'L3' },
    { id: 'L8', name: 'Routine refunds', description: 'Refunds without hurry.', parent: 'L3' },
  ],
};

/** 40 records: the first 30 carry their topic's label, the last 10 a wrong one (the next topic's). */
const records: LabeledRecord[] = Array.from({ length: 40 }, (_, i) => {
  const topic = TOPICS[i % 6]!;
  const label = i < 30 ? topic.name : TOPICS[(i + 1) % 6]!.name;
  return { id: `r${i}`, text: `${topic.text} (${i})`, label };
});

/** A judge that knows the topics: it picks the label matching the text's topic, else the first one shown. */
function labelJudge(call: FakeCall) {
  const user = call.messages.find((m) => m.role === 'user')!.content;
  const first = /First label:\n(.*)/.exec(user)![1]!;
  const second = /Second label:\n(.*)/.exec(user)![1]!;
  const topic = topicOf(user.split('\n\nText:\n')[1]!)!;
  const matches = (l: string) => l.startsWith(`${topic.name}:`);
  return { reason: `topic ${topic.name}`, choice: matches(second) && !matches(first) ? 'second' : 'first' };
}

describe('confidence intervals', () => {
  it('computes normal quantiles', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.005)).toBeCloseTo(-2.575829, 5);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });

  it('matches the Wilson score interval computed by hand', () => {
    // p = 0.8, n = 10, z = 1.96: centre 0.99208 / 1.38416, half-width 1.96 * sqrt(0.025604) / 1.38416.
    const ci = wilsonInterval(8, 10)!;
    expect(ci.low).toBeCloseTo(0.4902, 4);
    expect(ci.high).toBeCloseTo(0.9433, 4);
    expect(wilsonInterval(0, 20)!.low).toBe(0);
    expect(wilsonInterval(20, 20)!.high).toBe(1);
    expect(wilsonInterval(20, 20)!.low).toBeCloseTo(0.8389, 4);
    const wide = wilsonInterval(8, 10, 0.99)!;
    expect(wide.low).toBeLessThan(ci.low);
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});

describe('judgeLabelAccuracy', () => {
  it('compares each assigned label with a random rival in random positions and counts hits', async () => {
    const gateway = createFakeGateway(labelJudge);
    const report = await judgeLabelAccuracy(records, taxonomy, { gateway, model: 'fake:judge', seed: 3 });
    expect(report.n).toBe(40);
    expect(report.failed).toBe(0);
    // Correct labels always win; a wrong label wins only when its rival is not the right one either (then the
    // judge falls back to the first position).
    for (const d of report.decisions) {
      const i = Number(d.id.slice(1));
      const right = taxonomy.labels.find((l) => l.name === TOPICS[i % 6]!.name)!.id;
      const expectedHit = i < 30 ? true : d.otherId !== right && d.assignedFirst;
      expect(d.hit, d.id).toBe(expectedHit);
      expect(d.otherId).not.toBe(d.labelId);
      expect(Number(d.otherId.slice(1))).toBeLessThanOrEqual(6);
    }
    expect(report.hits).toBe(report.decisions.filter((d) => d.hit).length);
    expect(report.accuracy).toBe(report.hits / 40);
    expect(report.ci).toEqual(wilsonInterval(report.hits, 40));
    // Both positions are used for the assigned label.
    const firsts = report.decisions.filter((d) => d.assignedFirst).length;
    expect(firsts).toBeGreaterThan(8);
    expect(firsts).toBeLessThan(32);
    // What the judge saw matches the recorded order.
    const d0 = report.decisions[0]!;
    const call = gateway.calls.find((c) => c.messages[1]!.content.endsWith(`(${d0.id.slice(1)})"`))!;
    const shownFirst = /First label:\n(.*?):/.exec(call.messages[1]!.content)![1];
    const assigned = taxonomy.labels.find((l) => l.id === d0.labelId)!.name;
    expect(shownFirst === assigned).toBe(d0.assignedFirst);
    expect(call.promptId).toBe('judge-label');
    expect(call.schemaName).toBe('label_choice');
    expect(report.perLabel.reduce((n, l) => n + l.n, 0)).toBe(40);
    expect(report.usage.total.calls).toBe(40);
  });

  it('is deterministic for a seed, samples, and skips records it cannot judge with reasons', async () => {
    const extra = [
      ...records,
      { id: 'x1', text: 'whatever', label: 'Not a label' },
      { id: 'x2', text: '   ', label: 'Lost card' },
      { id: 'x3', text: 'urgent refund please', label: 'urgent REFUNDS' },
    ];
    const gateway = createFakeGateway(labelJudge);
    const a = await judgeLabelAccuracy(extra, taxonomy, { gateway, model: 'fake:judge', seed: 5 });
    const b = await judgeLabelAccuracy(extra, taxonomy, { gateway: createFakeGateway(labelJudge), model: 'fake:judge', seed: 5 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(a.skipped.byReason).toEqual({ label_not_in_taxonomy: 1, empty_text: 1 });
    expect(a.skipped.examples).toEqual({ label_not_in_taxonomy: ['x1'], empty_text: ['x2'] });
    // A sub-label is compared with its sibling level only.
    const x3 = a.decisions.find((d) => d.id === 'x3')!;
    expect(x3.labelId).toBe('L7');
    expect(x3.otherId).toBe('L8');
    const sampled = await judgeLabelAccuracy(extra, taxonomy, { gateway: createFakeGateway(labelJudge), model: 'fake:judge', sampleSize: 10, seed: 5 });
    expect(sampled.n + sampled.skipped.total).toBe(10);
  });

  it('counts records without a usable verdict as failed, not as misses', async () => {
    const gateway = createFakeGateway((c) => (c.messages[1]!.content.includes('(7)') ? { choice: 'maybe' } : labelJudge(c)));
    const report = await judgeLabelAccuracy(records, taxonomy, { gateway, model: 'fake:judge', maxAttempts: 2 });
    expect(report.failed).toBe(1);
    expect(report.n).toBe(39);
    expect(report.decisions.find((d) => d.id === 'r7')).toMatchObject({ hit: null, choice: null });
    expect(gateway.calls.filter((c) => c.messages[1]!.content.includes('(7)'))).toHaveLength(2);
  });
});

describe('judgeRelevance', () => {
  it('reports the share of assigned labels relevant to the use case, per label and with an interval', async () => {
    // The judge finds only money-related labels relevant to a "money matters" use case.
    const money = ['Refund requests', 'Exchange rates', 'Top-up problems', 'Transfer delays'];
    const gateway = createFakeGateway((c) => {
      const label = /Label:\n(.*?):/.exec(c.messages[1]!.content)![1]!;
      expect(c.messages[0]!.content).toContain('money matters');
      return { reason: 'x', relevant: money.includes(label) };
    });
    const report = await judgeRelevance(records, taxonomy, { gateway, model: 'fake:judge', useCase: 'money matters' });
    const expected = records.filter((r) => money.includes(r.label)).length;
    expect(report.relevant).toBe(expected);
    expect(report.n).toBe(40);
    expect(report.rate).toBe(expected / 40);
    expect(report.ci).toEqual(wilsonInterval(expected, 40));
    const refunds = report.perLabel.find((l) => l.name === 'Refund requests')!;
    expect(refunds).toMatchObject({ rate: 1, hits: refunds.n });
    expect(report.perLabel.find((l) => l.name === 'Lost card')!.rate).toBe(0);
    expect(gateway.calls[0]!.promptId).toBe('judge-relevance');
  });
});
