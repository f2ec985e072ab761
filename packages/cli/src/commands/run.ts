import { join, resolve } from 'node:path';
import { ARTIFACTS, PIPELINE_SETTING_NAMES, PipelineRunError, runPipeline, str, type PipelineEvent, type StageResult } from '@taxonomist/pipeline';
import { exitCodeOfOutcome, toCliError } from '../errors.js';
import type { ExitCode } from '../exit-codes.js';
import { setupModels } from '../model/setup.js';
import { pluginDistillRegistry } from '../model/plugin-registry.js';
import { formatCost, formatCount, formatDuration, formatTokens } from '../ui/format.js';
import type { ProgressBar } from '../ui/progress.js';
import { renderTable } from '../ui/table.js';
import type { Ui } from '../ui/ui.js';
import { cliVersion } from '../version.js';
import type { CommandContext } from './types.js';

/** The out-dir lock file (the pipeline's; re-exported for the CLI's tests). */
export { RUN_LOCK_FILE } from '@taxonomist/pipeline';

/**
 * `taxonomist run`: a shell over @taxonomist/pipeline's runPipeline (induce -> label a sample -> distill -> predict
 * everything -> report, resumable, all in --out-dir). Flags -> options, the pipeline's events -> status lines,
 * warnings and progress bars, its result -> the summary table and the exit code.
 */
export async function execute(ctx: CommandContext): Promise<ExitCode> {
  const [corpusPath] = ctx.positionals as [string];
  const { values, ui, io } = ctx;
  const outDir = resolve(io.cwd, str(values, 'outDir') ?? 'out');
  const models = await setupModels(ctx, { cacheDir: join(outDir, ARTIFACTS.cache), summarize: true });
  // Classifiers and featurizers of the config's plugins (online, the pipeline gets them from the model host).
  const registry = models.online ? undefined : await pluginDistillRegistry(ctx);
  // Exactly the run settings the pipeline knows, by their flag names.
  const settings = Object.fromEntries(PIPELINE_SETTING_NAMES.map((k) => [k, values[k]]).filter(([, v]) => v !== undefined));
  try {
    const result = await runPipeline(corpusPath, {
      ...settings,
      outDir,
      models,
      ...(registry ? { distillRegistry: registry } : {}),
      signal: ctx.signal,
      onEvent: eventsToUi(ui),
      cwd: io.cwd,
      now: () => io.now(),
      tool: { name: 'taxonomist', version: cliVersion() },
    });
    const exitCode = exitCodeOfOutcome(result.outcome);
    printSummary(ctx, result.order, outDir, exitCode);
    return exitCode;
  } catch (err) {
    if (err instanceof PipelineRunError) printSummary(ctx, err.result.order, outDir, toCliError(err).exitCode);
    throw err;
  }
}

/** The pipeline's events as the CLI shows them: status lines, warnings, once-per-process notices, progress bars. */
function eventsToUi(ui: Ui): (event: PipelineEvent) => void {
  const bars = new Map<number, ProgressBar>();
  return (e) => {
    switch (e.type) {
      case 'info':
        ui.info(e.message);
        break;
      case 'warning':
        ui.warn(e.message);
        break;
      case 'notice':
        ui.notice(e.key, e.message);
        break;
      case 'progress:start':
        bars.set(e.id, ui.progress(e.label, e.total));
        break;
      case 'progress':
        bars.get(e.id)?.update(e.state);
        break;
      case 'progress:end':
        bars.get(e.id)?.finish();
        bars.delete(e.id);
        break;
      default:
        break;
    }
  };
}

/** A stage as the summary table and the --json output show it. */
function summaryRow(r: StageResult): Record<string, unknown> {
  return {
    stage: r.stage,
    status: r.status,
    ...(r.records !== undefined ? { records: r.records } : {}),
    ...(r.ms !== undefined ? { ms: r.ms } : {}),
    ...(r.usage ? { usage: r.usage } : {}),
    ...(r.note !== undefined ? { note: r.note } : {}),
  };
}

function printSummary(ctx: CommandContext, rows: readonly StageResult[], outDir: string, exitCode: ExitCode): void {
  const total = rows.reduce((a, r) => a + (r.usage?.costUsd ?? 0), 0);
  const table = renderTable(
    [{ header: 'stage' }, { header: 'status' }, { header: 'records', align: 'right' }, { header: 'time', align: 'right' }, { header: 'calls', align: 'right' }, { header: 'tokens', align: 'right' }, { header: 'cost', align: 'right' }],
    rows.map((r) => [
      r.stage,
      r.status,
      r.records === undefined ? '' : formatCount(r.records),
      r.ms === undefined ? '' : formatDuration(r.ms),
      r.usage ? formatCount(r.usage.calls) : '',
      r.usage ? formatTokens(r.usage.inputTokens + r.usage.outputTokens) : '',
      r.usage ? formatCost(r.usage.costUsd) : '',
    ]),
  );
  const lines = [table + `total cost ${formatCost(total)}; artifacts in ${outDir}`];
  for (const r of rows) if (r.stage === 'label' && r.status === 'done' && r.note) lines.push(`labels: ${r.note}`);
  if (rows.some((r) => r.stage === 'report' && r.status !== 'failed')) lines.push(`report: ${join(outDir, ARTIFACTS.report)}`);
  ctx.ui.result(lines.join('\n'), { outDir, exitCode, stages: rows.map(summaryRow), report: join(outDir, ARTIFACTS.report) });
}
