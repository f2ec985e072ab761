import { writeTextAtomic } from '@taxonomist/core';
import { join, resolve } from 'node:path';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { ARTIFACTS } from '../pipeline/artifacts.js';
import { str } from '../pipeline/values.js';
import { collectReportData } from '../report/collect.js';
import { renderReportHtml } from '../report/html.js';
import type { MapProjection } from '../report/projection.js';
import { cliVersion } from '../version.js';
import type { CommandContext } from './types.js';

/** `taxonomist report <out-dir>`: (re)render report.html from a run directory's artifacts. */
export async function execute(ctx: CommandContext): Promise<ExitCode> {
  const dir = resolve(ctx.io.cwd, ctx.positionals[0]!);
  const out = resolve(ctx.io.cwd, str(ctx.values, 'out') ?? join(dir, ARTIFACTS.report));
  const title = str(ctx.values, 'title');
  const projection = str(ctx.values, 'map') as MapProjection | undefined;
  const data = await collectReportData(dir, { generator: `taxonomist ${cliVersion()}`, cwd: ctx.io.cwd, ...(title ? { title } : {}), ...(projection ? { projection } : {}) });
  await writeTextAtomic(out, renderReportHtml(data));
  ctx.ui.result(`wrote ${out}`, { report: out });
  return EXIT.OK;
}
