/**
 * The report as a person sees it: a real `taxonomist run` (in-process, through the local OpenAI-compatible server
 * with a scripted model) writes out/report.html, headless Chromium renders it, the main sections must be visible,
 * and screenshots are saved to test-artifacts/ (gitignored). The README's picture comes from `npm run screenshot`
 * (scripts/report-screenshot.ts), i.e. from what `npm start` produces.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { main, type CliIO } from '@taxonomist/cli';
import { startOpenAIServer, type OpenAIServer } from '@taxonomist/testing';
import { scriptedLlm } from '../packages/cli/test/scripted-llm.js';
import { writeSyntheticRun } from '../packages/report/test/report-fixture.js';
import { collectReportData, renderReportHtml } from '@taxonomist/report';

const ROOT = resolve(import.meta.dirname, '..');
const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true';
if (!haveChromium && !inCi) {
  console.warn(`report-browser.test.ts: skipped, ${CHROMIUM} not found (apt-get install -y chromium); CI=true makes it mandatory`);
}

describe.skipIf(!haveChromium && !inCi)('report.html in headless Chromium', () => {
  let server: OpenAIServer;
  let browser: Browser;
  let reportPath: string;

  beforeAll(async () => {
    server = await startOpenAIServer({ script: scriptedLlm });
    const work = mkdtempSync(join(tmpdir(), 'taxonomist-report-'));
    copyFileSync(join(ROOT, 'examples/data/banking-sample.jsonl'), join(work, 'banking-sample.jsonl'));
    // A config file in the working directory: prices for the scripted model, so the cost section has figures.
    writeFileSync(join(work, 'taxonomist.config.json'), JSON.stringify({ prices: { 'test-model': { input: 0.15, output: 0.6 } } }));
    let stderr = '';
    const io: CliIO = {
      stdout: { write: () => true },
      stderr: { write: (s: string) => (stderr += s), isTTY: false },
      env: { OPENAI_API_KEY: 'test-key' },
      cwd: work,
      now: () => performance.now(),
    };
    const code = await main(
      ['run', 'banking-sample.jsonl', '--use-case', "the customer's intent in online-banking support queries", '--out-dir', 'out', '--model', 'openai:test-model', '--base-url', server.url, '--batch-size', '200', '--label-sample', '400', '--pack', '5', '--gold-field', 'label', '--quiet'],
      io,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    reportPath = join(work, 'out', 'report.html');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows every main section with its charts, loads nothing from the network, and is saved as a screenshot', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const external: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith('file:') && !req.url().startsWith('data:')) external.push(req.url());
    });
    await page.goto(`file://${reportPath}`);
    await expect.poll(() => page.title()).toBe('Taxonomist report');
    for (const [id, heading] of [
      ['taxonomy', 'Taxonomy'],
      ['distribution', 'Label distribution'],
      ['history', 'How the taxonomy changed'],
      ['quality', 'Distilled model: agreement with the training labels'],
      ['gold', 'Agreement with gold classes'],
      ['cost', 'Cost and tokens per stage'],
    ]) {
      const section = page.locator(`section#${id}`);
      expect(await section.isVisible(), id).toBe(true);
      expect(await section.locator('h2').innerText()).toBe(heading);
    }
    // six labels in the taxonomy table, six bars, a ratings line, a confusion heat map of 6 x 6 cells
    expect(await page.locator('#taxonomy tbody tr').count()).toBe(6);
    expect(await page.locator('#distribution svg rect').count()).toBe(6);
    expect(await page.locator('#history svg polyline').isVisible()).toBe(true);
    expect(await page.locator('#quality svg rect.cell').count()).toBe(36);
    const box = await page.locator('#distribution svg').boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(await page.locator('#history .edits').innerText()).toContain('merged');
    expect(external).toEqual([]);
    expect(await page.locator('#cost tr.total').innerText()).toMatch(/0\.0\d{3}/); // priced by the config file

    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'test-artifacts', 'report.png'), fullPage: true });
    expect(existsSync(join(ROOT, 'test-artifacts', 'report.png'))).toBe(true);
    await page.close();
  });
});

/** Largest overlap between two visible text boxes among `selector`, as a share of the smaller box's area. */
async function worstTextOverlap(page: import('playwright-core').Page, selector: string): Promise<{ share: number; pair: string[]; count: number }> {
  return page.evaluate((sel) => {
    // Runs in the page; the repo's tsconfig has no DOM lib, so the little of it used here is typed by hand.
    type Box = { left: number; right: number; top: number; bottom: number; width: number; height: number };
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<{ getBoundingClientRect(): Box; textContent: string | null }> } }).document;
    const boxes = [...doc.querySelectorAll(sel)]
      .map((e) => ({ r: e.getBoundingClientRect(), t: e.textContent ?? '' }))
      .filter((b) => b.r.width > 0 && b.r.height > 0);
    let worst = { share: 0, pair: [] as string[], count: boxes.length };
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!.r;
        const b = boxes[j]!.r;
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w <= 0 || h <= 0) continue;
        const share = (w * h) / Math.min(a.width * a.height, b.width * b.height);
        if (share > worst.share) worst = { share, pair: [boxes[i]!.t, boxes[j]!.t], count: boxes.length };
      }
    }
    return worst;
  }, selector);
}

/** Text smaller than this many CSS pixels on screen is not readable. */
const MIN_FONT_PX = 9;
/** Two label names may touch (antialiasing, descenders) but never cover more than this share of each other. */
const MAX_OVERLAP = 0.15;

describe.skipIf(!haveChromium && !inCi)('reports of 10, 77 and 150 labels in headless Chromium', () => {
  let browser: Browser;
  const shots = join(ROOT, 'test-artifacts');

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });
    mkdirSync(shots, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  for (const labels of [10, 77, 150]) {
    it(`${labels} labels: map, similarity view and label pages are visible and readable`, async () => {
      const run = writeSyntheticRun(mkdtempSync(join(tmpdir(), `taxonomist-report-${labels}-`)), labels);
      // UMAP (the default map) at 10 and 77 labels; PCA (--map pca) at 150, whose 3 600 points UMAP lays out slowly.
      const projection = labels > 100 ? 'pca' : 'umap';
      const html = renderReportHtml(await collectReportData(run.dir, { generator: 'test', projection }));
      const path = join(run.dir, 'report.html');
      writeFileSync(path, html);
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const external: string[] = [];
      page.on('request', (req) => {
        if (!req.url().startsWith('file:') && !req.url().startsWith('data:')) external.push(req.url());
      });
      await page.goto(`file://${path}`);
      for (const id of ['map', 'similarity', 'taxonomy', 'quality', 'gold']) expect(await page.locator(`section#${id}`).isVisible(), id).toBe(true);

      // Map: every sampled point drawn, names visible, none covering another, big enough to read; a point's hover
      // title is its label and text.
      expect(await page.locator('#map p').first().innerText()).toContain(projection === 'umap' ? 'placed by UMAP' : 'principal components');
      expect(await page.locator('#map svg circle').count()).toBe(run.records);
      expect(await page.locator('#map svg circle title').first().textContent()).toMatch(/^.+: please help, my /u);
      const mapBox = (await page.locator('#map svg').boundingBox())!;
      expect(mapBox.width).toBeGreaterThan(700);
      const names = page.locator('#map svg text.maplabel');
      expect(await names.count()).toBeGreaterThanOrEqual(Math.min(labels, 10));
      const mapOverlap = await worstTextOverlap(page, '#map svg text.maplabel');
      expect(mapOverlap.share, `map names ${mapOverlap.pair.join(' / ')}`).toBeLessThanOrEqual(MAX_OVERLAP);
      const nameHeight = (await names.first().boundingBox())!.height;
      expect(nameHeight).toBeGreaterThanOrEqual(MIN_FONT_PX);

      // Similarity view: one row name per label, readable, not overlapping.
      expect(await page.locator('#similarity svg text.simlabel').count()).toBe(labels);
      expect(await page.locator('#similarity svg rect.cell').count()).toBe(labels * labels);
      const simOverlap = await worstTextOverlap(page, '#similarity svg text.simlabel');
      expect(simOverlap.share, `similarity names ${simOverlap.pair.join(' / ')}`).toBeLessThanOrEqual(MAX_OVERLAP);
      expect((await page.locator('#similarity svg text.simlabel').first().boundingBox())!.height).toBeGreaterThanOrEqual(MIN_FONT_PX);

      // Label pages: one row per label with phrases and examples; the first label's row is on screen when linked.
      expect(await page.locator('#taxonomy tbody tr').count()).toBe(labels);
      await page.goto(`file://${path}#label-L1`);
      expect(await page.locator('#label-L1').isVisible()).toBe(true);
      expect(await page.locator('#label-L1 .phrase').count()).toBeGreaterThan(0);
      expect(await page.locator('#label-L1 ul.examples li').count()).toBeGreaterThan(0);
      expect(await page.locator('#label-L1 ul.disagree li').count()).toBeGreaterThan(0);

      // Label rows readable: no two label names in the table overlap.
      const rowOverlap = await worstTextOverlap(page, '#taxonomy td.name');
      expect(rowOverlap.count).toBe(labels);
      expect(rowOverlap.share, `label names ${rowOverlap.pair.join(' / ')}`).toBeLessThanOrEqual(MAX_OVERLAP);

      // Search (the one inline script): typing a label's name leaves the labels whose row holds every word, marks
      // the matching examples, and clearing it shows every label again.
      await page.goto(`file://${path}`);
      const search = page.locator('#label-search input');
      expect(await search.isVisible()).toBe(true);
      const firstName = (await page.locator('#label-L1 td.name').innerText()).replace(/^L1\s+/u, '');
      const words = firstName.toLowerCase().split(/\s+/u).slice(0, 2);
      await search.fill(words.join(' '));
      const visible = page.locator('#taxonomy table.labels tbody tr:visible');
      const shown = await visible.count();
      expect(shown).toBeGreaterThanOrEqual(1);
      if (labels > 2) expect(shown).toBeLessThan(labels);
      expect(await page.locator('#label-L1').isVisible()).toBe(true);
      for (const text of await visible.allInnerTexts()) for (const w of words) expect(text.toLowerCase()).toContain(w);
      expect(await page.locator('#label-L1 ul.examples li.hit').count()).toBeGreaterThan(0);
      expect(await page.locator('#label-search .count').innerText()).toBe(`${shown} of ${labels} labels match`);
      const searchBox = (await page.locator('#label-search').boundingBox())!;
      const firstRow = (await visible.first().boundingBox())!;
      expect(searchBox.y + searchBox.height).toBeLessThanOrEqual(firstRow.y + 1); // the box never covers a row
      await search.fill('');
      expect(await visible.count()).toBe(labels);

      // Small taxonomies keep the matrix; big ones list the top confusions (no tiny unreadable matrix).
      if (labels <= 30) expect(await page.locator('#quality svg.heatmap').count()).toBe(1);
      else {
        expect(await page.locator('#quality svg.heatmap').count()).toBe(0);
        expect(await page.locator('#quality table.confusions tbody tr').count()).toBeGreaterThan(0);
      }
      // Honest wording: no accuracy card against the engine's own labels.
      expect(await page.locator('#summary .card .k').allInnerTexts()).not.toContain('distilled accuracy');
      expect(external).toEqual([]);

      // Without script the page reads the same, every label shown, and no dead search box.
      const noJs = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
      const plain = await noJs.newPage();
      await plain.goto(`file://${path}`);
      expect(await plain.locator('#label-search').isVisible()).toBe(false);
      expect(await plain.locator('#taxonomy table.labels tbody tr:visible').count()).toBe(labels);
      await noJs.close();

      await page.goto(`file://${path}`);
      await page.screenshot({ path: join(shots, `report-${labels}-labels.png`), fullPage: false });
      await page.locator('#map').screenshot({ path: join(shots, `report-${labels}-labels-map.png`) });
      await page.locator('#similarity').screenshot({ path: join(shots, `report-${labels}-labels-similarity.png`) });
      expect(existsSync(join(shots, `report-${labels}-labels-map.png`))).toBe(true);
      await page.close();
    }, 240_000);
  }
});
