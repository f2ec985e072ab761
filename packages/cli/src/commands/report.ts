import { resolve } from 'node:path';
import { renderReport } from '@taxonomist/report';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { str } from '@taxonomist/pipeline';
import type { MapProjection } from '@taxonomist/report';
import { cliVersion } from '../version.js';
import type { CommandContext } from './types.js';

/** `taxonomist report <out-dir>`: (re)render report.html from a run directory's artifacts (@taxonomist/report). */
export async function execute(ctx: CommandContext): Promise<ExitCode> {
  const out = str(ctx.values, 'out');
  const title = str(ctx.values, 'title');
  const projection = str(ctx.values, 'map') as MapProjection | undefined;
  const { path } = await renderReport(resolve(ctx.io.cwd, ctx.positionals[0]!), {
    generator: `taxonomist ${cliVersion()}`,
    cwd: ctx.io.cwd,
    ...(out !== undefined ? { out } : {}),
    ...(title !== undefined ? { title } : {}),
    ...(projection !== undefined ? { projection } : {}),
  });
  ctx.ui.result(`wrote ${path}`, { report: path });
  return EXIT.OK;
}
