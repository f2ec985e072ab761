import { join, resolve } from 'node:path';
import { writeTextAtomic } from '@taxonomist/core';
import { ARTIFACTS } from './artifacts.js';
import { collectReportData } from './collect.js';
import type { MapProjection } from './projection.js';
import { renderReportHtml } from './html.js';
import { reportVersion } from './version.js';

export interface RenderReportOptions {
  /** Where report.html goes (default: `<runDir>/report.html`). */
  out?: string;
  title?: string;
  /** Who made the report, shown in its footer (default: `@taxonomist/report <version>`). */
  generator?: string;
  /** Directory relative paths in the manifest were given from (default: the current directory). */
  cwd?: string;
  /** How the map places the documents (default 'umap'; 'pca' is the fallback). */
  projection?: MapProjection;
}

/**
 * (Re)render a run directory's report: read its artifacts, render one self-contained HTML page and write it
 * atomically (a reader never sees half a file). A pure function of the artifacts and the options.
 */
export async function renderReport(runDir: string, options: RenderReportOptions = {}): Promise<{ html: string; path: string }> {
  const cwd = options.cwd ?? process.cwd();
  const dir = resolve(cwd, runDir);
  const path = resolve(cwd, options.out ?? join(dir, ARTIFACTS.report));
  const data = await collectReportData(dir, {
    generator: options.generator ?? `@taxonomist/report ${reportVersion()}`,
    cwd,
    ...(options.title !== undefined ? { title: options.title } : {}),
    ...(options.projection !== undefined ? { projection: options.projection } : {}),
  });
  const html = renderReportHtml(data);
  await writeTextAtomic(path, html);
  return { html, path };
}
