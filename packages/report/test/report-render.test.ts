import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { renderReportHtml } from '../src/html.js';
import { SEARCH_SCRIPT } from '../src/search.js';
import { sampleReport } from './report-fixture.js';

describe('report.html rendering', () => {
  const html = renderReportHtml(sampleReport());

  it('has every main section', () => {
    for (const id of ['summary', 'taxonomy', 'distribution', 'history', 'quality', 'gold', 'cost']) expect(html).toContain(`id="${id}"`);
  });

  it('is self-contained: no external resource, and no script but the search box, allowed by its hash alone', () => {
    expect(html.match(/<script/gi)).toHaveLength(1);
    expect(html).toContain(`<script>${SEARCH_SCRIPT}</script>`);
    const digest = createHash('sha256').update(SEARCH_SCRIPT, 'utf8').digest('base64');
    expect(html).toContain(`script-src 'sha256-${digest}'">`);
    expect(html).not.toMatch(/unsafe-eval|script-src[^"]*unsafe-inline/);
    // the page reads without script: the box is hidden until the script shows it
    expect(html).toMatch(/<div id="label-search" class="search" hidden>/);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*"(https?:)?\/\//i);
    expect(html).not.toMatch(/url\(|@import|<link/i);
    expect(html).toContain("default-src 'none'");
  });

  it('escapes corpus text', () => {
    expect(html).toContain('I want a refund &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert(1)</script>');
  });

  it('shows labels with descriptions, examples, counts and hierarchy', () => {
    expect(html).toMatch(/<tr class="depth-0" id="label-L1">\s*<td class="name"><span class="swatch"[^>]*><\/span><span class="lid">L1<\/span> Card delivery<\/td>/);
    expect(html).toMatch(/<tr class="depth-1" id="label-L3">\s*<td class="name"><span class="swatch"[^>]*><\/span><span class="lid">L3<\/span> Top-up problems/);
    expect(html).toContain('<li>When will my card arrive?</li>');
    expect(html).toContain('<td class="num">60</td>');
  });

  it('draws one bar per label plus failed records', () => {
    const distribution = html.slice(html.indexOf('id="distribution"'), html.indexOf('id="history"'));
    expect(distribution.match(/<rect /g)).toHaveLength(4);
    expect(distribution).toContain('60 (50.0%)');
    expect(distribution).toContain('(failed)');
  });

  it('charts the ratings and lists merges and renames but not kept labels', () => {
    const history = html.slice(html.indexOf('id="history"'), html.indexOf('id="quality"'));
    expect(history.match(/<circle /g)).toHaveLength(2); // two rated rounds
    expect(history).toContain('<polyline');
    expect(history).toContain('1 merged, 1 renamed');
    expect(history).toContain('<td>L4, L2</td><td>L2</td>');
    expect(history).not.toContain('edit-kept');
  });

  it('shows per-label F1 and a confusion heat map with one cell per pair', () => {
    const quality = html.slice(html.indexOf('id="quality"'), html.indexOf('id="gold"'));
    expect(quality).toContain('80.0%');
    expect(quality).toContain('<td class="num">0.874</td>');
    expect(quality.match(/class="cell"/g)).toHaveLength(9);
    expect(quality).toContain('Card delivery → Refunds: 1');
  });

  it('totals cost and tokens per stage', () => {
    const cost = html.slice(html.indexOf('id="cost"'));
    expect(cost).toContain('<td class="num">0.0174</td>'); // 0.0078 + 0.0096
    expect(cost).toContain('<td class="num">100,000</td>'); // input tokens
  });

  it('is deterministic', () => {
    expect(renderReportHtml(sampleReport())).toBe(html);
  });

  it('explains missing parts instead of leaving them empty (offline cluster run)', () => {
    const data = sampleReport();
    data.engine = 'offline';
    data.taxonomy.method = 'cluster';
    delete data.history;
    delete data.quality;
    delete data.gold;
    data.usage = [];
    data.notes = ['These results come from the offline baseline.'];
    const offline = renderReportHtml(data);
    expect(offline).toContain('no update rounds');
    expect(offline).toContain('No evaluation was recorded');
    expect(offline).not.toContain('id="gold"');
    expect(offline).toContain('<p class="note">These results come from the offline baseline.</p>');
  });

  it('shows the learning curve of active labeling when there is one', () => {
    expect(html).not.toContain('id="learning"');
    const data = sampleReport();
    data.learning = {
      strategy: 'diverse',
      bought: 300,
      stopReason: 'label budget reached',
      rounds: [
        { bought: 100, n: 10, agreement: null, low: null, high: null },
        { bought: 200, n: 20, agreement: 0.75, low: 0.53, high: 0.89 },
        { bought: 300, n: 30, agreement: 0.9, low: 0.74, high: 0.97 },
      ],
    };
    const withCurve = renderReportHtml(data);
    expect(withCurve).toContain('<h2>Learning curve</h2>');
    expect(withCurve).toContain('300 LLM labels bought by active learning (<code>diverse</code>), stopped: label budget reached');
    expect(withCurve).toContain('aria-label="learning curve"');
    expect(withCurve).toContain('<a href="#learning">Learning curve</a>');
  });

  it('lists the top confusions instead of a matrix above 30 labels', () => {
    const data = sampleReport();
    const labels = Array.from({ length: 31 }, (_, i) => `label ${i}`);
    data.quality!.confusion = { labels, matrix: labels.map((_, i) => labels.map((_, j) => (i === j ? 60 - i : j === (i + 1) % 31 ? i % 5 : 0))) };
    const big = renderReportHtml(data);
    const quality = big.slice(big.indexOf('id="quality"'), big.indexOf('id="gold"'));
    expect(quality).not.toContain('class="cell"');
    expect(quality).toContain('<h3>Top confusions</h3>');
    expect(quality).toContain('<tr><td>label 4</td><td>label 5</td><td class="num">4</td>');
    data.quality!.confusion = { labels: labels.slice(0, 30), matrix: labels.slice(0, 30).map((_, i) => labels.slice(0, 30).map((_, j) => (i === j ? 5 : 1))) };
    expect(renderReportHtml(data).match(/class="cell"/g)).toHaveLength(30 * 30);
  });

  it('rejects malformed data with the field named', () => {
    const data = sampleReport() as unknown as Record<string, unknown>;
    data.corpus = { path: 'x', records: -1 };
    expect(() => renderReportHtml(data as never)).toThrow(/records/);
  });
});
