/**
 * The report as a person sees it: a real `taxonomist run` (in-process, through the local OpenAI-compatible server
 * with a scripted model) writes out/report.html, headless Chromium renders it, the main sections must be visible,
 * and screenshots are saved (test-artifacts/report.png, and docs/report-screenshot.png for the README when UPDATE_DOCS_SCREENSHOT=1).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { main, type CliIO } from '@taxonomist/cli';
import { startOpenAIServer, type OpenAIServer } from '@taxonomist/testing';
import { scriptedLlm } from '../packages/cli/test/scripted-llm.js';

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
      ['quality', 'Distilled model quality'],
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
    // The README's picture is refreshed only on request, so a test run never dirties the work tree.
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1') {
      mkdirSync(join(ROOT, 'docs'), { recursive: true });
      await page.screenshot({ path: join(ROOT, 'docs', 'report-screenshot.png') });
    }
    expect(existsSync(join(ROOT, 'test-artifacts', 'report.png'))).toBe(true);
    await page.close();
  });
});
