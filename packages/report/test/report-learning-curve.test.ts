/**
 * The report's learning curve table: one row per round with the held-out agreement and its interval, and the cost of
 * the labels bought so far from the label stage's cost per label (absent when no cost was recorded).
 */
import { describe, expect, it } from 'vitest';
import { renderReportHtml } from '../src/html.js';
import { sampleReport } from './report-fixture.js';

const learning = {
  strategy: 'diverse',
  bought: 300,
  stopReason: 'label budget reached',
  rounds: [
    { bought: 100, n: 10, agreement: null, low: null, high: null },
    { bought: 200, n: 20, agreement: 0.75, low: 0.53, high: 0.89 },
    { bought: 300, n: 30, agreement: 0.9, low: 0.74, high: 0.97 },
  ],
};

describe('report: learning curve table', () => {
  it('lists every round with agreement, interval and the cost of the labels bought so far', () => {
    const data = sampleReport();
    data.learning = learning;
    data.usage = [{ stage: 'label', calls: 300, cachedCalls: 0, inputTokens: 1000, outputTokens: 100, costUsd: 0.6 }];
    const html = renderReportHtml(data);
    expect(html).toContain('Labeling cost $0.6000 for 300 labels bought ($0.00200 a label');
    expect(html).toContain('<tr><td class="num">1</td><td class="num">200</td><td class="num">20</td><td class="num">75.0%</td><td class="num">53.0% – 89.0%</td><td class="num">0.4000</td></tr>');
    expect(html).toContain('<tr><td class="num">0</td><td class="num">100</td><td class="num">10</td><td class="num"></td><td class="num"></td><td class="num">0.2000</td></tr>');
  });

  it('has no cost column when no labeling cost was recorded', () => {
    const data = sampleReport();
    data.learning = learning;
    data.usage = [{ stage: 'label', calls: 300, cachedCalls: 300, inputTokens: 0, outputTokens: 0, costUsd: 0 }];
    const html = renderReportHtml(data);
    expect(html).toContain('No labeling cost was recorded');
    expect(html).toContain('<tr><td class="num">0</td><td class="num">100</td><td class="num">10</td><td class="num"></td><td class="num"></td></tr>');
    expect(html).toContain('<td class="num">90.0%</td><td class="num">74.0% – 97.0%</td></tr>');
  });
});
