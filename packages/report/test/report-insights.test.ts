import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IterationRecord } from '@taxonomist/core';
import { collectReportData, historyOf } from '../src/collect.js';
import { averageLinkageOrder } from '../src/geometry.js';
import { renderReportHtml, topConfusions } from '../src/html.js';
import { sampleReport, writeSyntheticRun } from './report-fixture.js';

/** "accuracy" left in the page once the sentences that say what it is not are taken out. */
function accuracyClaims(html: string): string[] {
  const text = html.replace(/not accuracy|Accuracy needs gold labels|accuracy-like/g, '');
  return text.match(/[^<>]{0,40}accuracy[^<>]{0,40}/gi) ?? [];
}

describe('report wording', () => {
  it('calls agreement with the engine/LLM labels agreement, never accuracy, without gold', () => {
    const data = sampleReport();
    delete data.gold;
    const html = renderReportHtml(data);
    expect(accuracyClaims(html)).toEqual([]);
    expect(html).toContain('<div class="k">agreement with the training labels</div><div class="v">80.0%</div>');
    expect(html).toContain('Accuracy needs gold labels: run with <code>--gold-field</code>');
    expect(html).not.toContain('distilled accuracy');
  });

  it('with gold, shows the gold measures in the summary and the labels x gold table', () => {
    const data = sampleReport();
    data.goldTable = [{ label: 'Refunds', n: 10, gold: [{ name: 'refund_request', count: 7 }, { name: 'card_arrival', count: 3 }] }];
    const html = renderReportHtml(data);
    expect(html).toContain('<div class="k">NMI with gold (label)</div><div class="v">0.610</div>');
    expect(html).toContain('<tr><td>Refunds</td><td class="num">10</td><td class="num">70.0%</td><td>refund_request (7), card_arrival (3)</td></tr>');
    expect(accuracyClaims(html)).toEqual([]);
  });

  it('shows the "none of these" rate and every rejected, degraded or retried round with its reason', () => {
    const data = sampleReport();
    data.coverage = { none: 5, labeled: 100 };
    data.history!.rounds[1] = { ...data.history!.rounds[1]!, status: 'rejected', retries: 2, reason: 'label count 14 above the cap 10' };
    data.history!.rounds[2] = { ...data.history!.rounds[2]!, retries: 1, reason: 'unknown label id L9' };
    data.induction = { rejectedSteps: 1, degradedSteps: 0, warnings: ['step t0/top/e0/b1 rejected after 3 attempts'] };
    const html = renderReportHtml(data);
    expect(html).toContain('<div class="k">&quot;none of these&quot; rate</div><div class="v">5.0%</div>');
    expect(html).toContain('4 rounds: 1 rejected (taxonomy kept), 0 forced to fit by a fallback, 2 retried after an invalid answer');
    expect(html).toContain('<td>rejected, 2 retries</td>');
    expect(html).toContain('<div class="reason">label count 14 above the cap 10</div>');
    expect(html).toContain('<li>step t0/top/e0/b1 rejected after 3 attempts</li>');
  });
});

describe('top confusions', () => {
  it('orders off-diagonal cells by count, then share, ignoring agreement', () => {
    const labels = ['a', 'b', 'c'];
    const matrix = [
      [50, 3, 1],
      [3, 10, 0],
      [0, 7, 2],
    ];
    expect(topConfusions(labels, matrix, 3)).toEqual([
      { from: 'c', to: 'b', count: 7, share: 7 / 9 },
      { from: 'b', to: 'a', count: 3, share: 3 / 13 },
      { from: 'a', to: 'b', count: 3, share: 3 / 54 },
    ]);
  });
});

describe('label similarity order', () => {
  it('puts similar labels next to each other', () => {
    // 0~2 and 1~3 are close pairs; the order must keep each pair adjacent.
    const sim = [
      [1, 0.1, 0.9, 0.2],
      [0.1, 1, 0.2, 0.8],
      [0.9, 0.2, 1, 0.1],
      [0.2, 0.8, 0.1, 1],
    ];
    const order = averageLinkageOrder(sim);
    expect([...order].sort()).toEqual([0, 1, 2, 3]);
    expect(Math.abs(order.indexOf(0) - order.indexOf(2))).toBe(1);
    expect(Math.abs(order.indexOf(1) - order.indexOf(3))).toBe(1);
  });
});

describe('report data from a run directory', () => {
  it('gathers map, similarity, phrases, disagreements, confidence and the labels x gold table, deterministically', async () => {
    const run = writeSyntheticRun(mkdtempSync(join(tmpdir(), 'taxonomist-insights-')), 12);
    const data = await collectReportData(run.dir, { generator: 'test' });
    expect(data.map!.points).toHaveLength(run.records);
    expect(data.map!.centroids).toHaveLength(12);
    expect([...data.similarity!.order].sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
    // Each label's own words lead its phrases ("lolo milo" for the first label).
    expect(data.phrases!.L1![0]!.text).toMatch(/lolo|milo/);
    expect(data.disagreements!.L1!.length).toBeGreaterThan(0);
    expect(data.disagreements!.L1![0]!.predicted).toBe(run.labels[1]);
    expect(data.confidence!.L1).toBeCloseTo(0.6);
    expect(data.goldTable!.find((r) => r.label === run.labels[0])!.gold[0]!.name).toBe('gold_0');
    expect(renderReportHtml(await collectReportData(run.dir, { generator: 'test' }))).toBe(renderReportHtml(data));
  }, 60_000);
});

describe('per-label top phrases', () => {
  it("shows the clustering engine's own phrases (those its names were chosen from) with their scores, when the taxonomy has them", async () => {
    const run = writeSyntheticRun(mkdtempSync(join(tmpdir(), 'taxonomist-phrases-')), 4);
    const path = join(run.dir, 'taxonomy.json');
    const taxonomy = JSON.parse(readFileSync(path, 'utf8'));
    const own = { phrase: 'the engine said so', count: 9, coverage: 0.75, precision: 0.8, score: 0.6 };
    taxonomy.metadata = { cluster: { phrases: { L1: [own, { ...own, phrase: 'second phrase', score: 0.5 }], L9: [own] } } };
    writeFileSync(path, JSON.stringify(taxonomy));
    const data = await collectReportData(run.dir, { generator: 'test' });
    expect(data.phrasesSource).toBe('taxonomy');
    // as recorded (labels the taxonomy does not have are left out), not read again from the labeled texts
    expect(data.phrases).toEqual({ L1: [{ text: 'the engine said so', score: 0.6, coverage: 0.75 }, { text: 'second phrase', score: 0.5, coverage: 0.75 }] });
    const html = renderReportHtml(data);
    expect(html).toContain(`<span class="phrase" title="75.0% of the label's texts say it">the engine said so <small>0.600</small></span>`);
    expect(html).toContain('the phrases the clustering engine chose the names from');
  }, 60_000);

  it('reads phrases from the labeled texts, as the engine would, when the taxonomy has none (an LLM taxonomy)', async () => {
    const run = writeSyntheticRun(mkdtempSync(join(tmpdir(), 'taxonomist-phrases-')), 4);
    const data = await collectReportData(run.dir, { generator: 'test' });
    expect(data.phrasesSource).toBe('labels');
    // label 1's records say "<w0> <w1> is broken": its phrase, said by most of its texts and by no other label's
    const first = data.phrases!.L1![0]!;
    expect(first.text).toMatch(/lolo|milo/);
    expect(first.coverage).toBeGreaterThan(0.5);
    expect(first.score).toBeGreaterThan(0.5);
    expect(renderReportHtml(data)).toContain('records, read as the clustering engine reads them for names');
  }, 60_000);
});

describe('cost per stage', () => {
  it('keeps a failed stage, its usage and its reason, in the rows and the total', async () => {
    const run = writeSyntheticRun(mkdtempSync(join(tmpdir(), 'taxonomist-cost-')), 4);
    const path = join(run.dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(path, 'utf8'));
    manifest.stages[0].usage = { calls: 3, cachedCalls: 0, inputTokens: 1000, outputTokens: 200, costUsd: 0.25 };
    manifest.stages[1] = { ...manifest.stages[1], status: 'failed', error: 'provider error: 429 after 5 attempts', usage: { calls: 7, cachedCalls: 1, inputTokens: 5000, outputTokens: 900, costUsd: 0.5 } };
    writeFileSync(path, JSON.stringify(manifest));
    const data = await collectReportData(run.dir, { generator: 'test' });
    expect(data.usage!.find((u) => u.stage === 'label')).toMatchObject({ status: 'failed', error: 'provider error: 429 after 5 attempts', calls: 7, costUsd: 0.5 });
    const html = renderReportHtml(data);
    expect(html).toContain('<tr><td>label</td><td>failed<div class="reason">provider error: 429 after 5 attempts</div></td>');
    expect(html).toMatch(/<tr class="total"><td>total<\/td>.*<td class="num">0\.7500<\/td>/u);
    expect(html).toContain('<div class="k">cost</div><div class="v">$0.7500</div>');
  }, 60_000);
});

describe('update rounds from the induction history', () => {
  const usage = { modelId: 'm', calls: 1, cachedCalls: 0, failedCalls: 0, attempts: 1, inputTokens: 1, outputTokens: 1, costUsd: 0 };
  const taxonomy = (names: string[]) => ({ schemaVersion: 1 as const, useCase: 'u', labels: names.map((name, i) => ({ id: `L${i + 1}`, name, description: '' })) });
  const step = (over: Partial<IterationRecord>): IterationRecord => ({
    step: 0,
    key: 'k',
    kind: 'update',
    trial: 0,
    level: 1,
    epoch: 0,
    batch: 1,
    records: 10,
    taxonomy: taxonomy(['a', 'b']),
    rating: 70,
    explanation: '',
    suggestions: [],
    mapping: [],
    status: 'accepted',
    attempts: 1,
    violations: [],
    usage,
    ...over,
  });

  it('keeps rejected, degraded and retried steps with the reason', () => {
    const { rounds } = historyOf([
      step({ kind: 'generate', batch: 0, rating: null }),
      step({ status: 'rejected', attempts: 3, violations: [['14 labels, cap 10'], ['14 labels, cap 10'], ['unknown id L9']], note: 'kept the previous taxonomy after 3 invalid answers' }),
      step({ attempts: 2, violations: [['unknown id L9']] }),
      step({ degraded: 'merge-down', note: 'merged down to 10 labels' }),
    ]);
    expect(rounds.map((r) => r.status)).toEqual(['accepted', 'rejected', 'accepted', 'degraded']);
    expect(rounds.map((r) => r.retries)).toEqual([0, 2, 1, 0]);
    expect(rounds[1]!.reason).toBe('kept the previous taxonomy after 3 invalid answers');
    expect(rounds[2]!.reason).toBe('unknown id L9');
    expect(rounds[3]!.reason).toBe('merged down to 10 labels');
  });
});
