/**
 * The README's picture of the report, taken from what a new user gets: renders the report.html that `npm start`
 * writes (out/report.html) in headless Chromium and saves docs/report-screenshot.png. `npm run screenshot` runs
 * `npm start` first; pass another report as the first argument to take its picture instead.
 *
 * Chromium: CHROMIUM=/path/to/chromium, default /usr/bin/chromium (Debian: apt-get install -y chromium).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '..');
const report = resolve(process.argv[2] ?? resolve(ROOT, 'out/report.html'));
const output = resolve(process.argv[3] ?? resolve(ROOT, 'docs/report-screenshot.png'));
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';

if (!existsSync(report)) {
  console.error(`report-screenshot: ${report} not found; run \`npm start\` first (or \`npm run screenshot\`, which does)`);
  process.exit(1);
}
if (!existsSync(executablePath)) {
  console.error(`report-screenshot: Chromium not found at ${executablePath}; install it (apt-get install -y chromium) or set CHROMIUM`);
  process.exit(1);
}
const browser = await chromium.launch({
  executablePath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1500 } });
  await page.goto(`file://${report}`);
  mkdirSync(dirname(output), { recursive: true });
  // The top of the page: summary, the map and the first labels, as the reader first sees them.
  await page.screenshot({ path: output });
  console.log(`report-screenshot: ${output} (from ${report})`);
} finally {
  await browser.close();
}
