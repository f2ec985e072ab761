/**
 * renderReport: a run directory's artifacts -> report.html, written atomically; the same artifacts give the same
 * page (a pure function of them and the options), and what it needs but cannot find is a clear error.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, collectReportData, renderReport, renderReportHtml } from '../src/index.js';
import { writeSyntheticRun } from './report-fixture.js';

describe('renderReport', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'report-render-'));
    writeSyntheticRun(join(dir, 'run'), 4, 10);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes report.html in the run directory and returns the page; the same artifacts give the same bytes', async () => {
    const first = await renderReport(join(dir, 'run'), { generator: 'test 1.0', cwd: dir });
    expect(first.path).toBe(join(dir, 'run', ARTIFACTS.report));
    expect(readFileSync(first.path, 'utf8')).toBe(first.html);
    expect(first.html).toMatch(/^<!doctype html>/i);
    expect(first.html).toContain('test 1.0');
    const again = await renderReport('run', { generator: 'test 1.0', cwd: dir });
    expect(again.html).toBe(first.html);
    // No temporary file left behind by the atomic write.
    expect(readdirSync(join(dir, 'run')).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('is collectReportData then renderReportHtml, with the title and the output path given', async () => {
    const r = await renderReport(join(dir, 'run'), { generator: 'test 1.0', cwd: dir, title: 'Tickets, March', out: join(dir, 'elsewhere.html') });
    expect(r.path).toBe(join(dir, 'elsewhere.html'));
    expect(existsSync(r.path)).toBe(true);
    expect(r.html).toContain('Tickets, March');
    const data = await collectReportData(join(dir, 'run'), { generator: 'test 1.0', cwd: dir, title: 'Tickets, March' });
    expect(renderReportHtml(data)).toBe(r.html);
  });

  it('a directory without a run (no manifest.json) is an error naming the file', async () => {
    await expect(renderReport(join(dir, 'nothing'))).rejects.toThrow(/manifest\.json/);
  });
});
