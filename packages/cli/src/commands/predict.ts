import { resolve } from 'node:path';
import { rm } from 'node:fs/promises';
import { rejectsPathFor, shardManifestPath, writeShardManifest } from '@taxonomist/core';
import { shardFlag } from '../args/shard.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { corpusFlags, runPredictStage, inputPath, str } from '@taxonomist/pipeline';
import { pluginDistillRegistry } from '../model/plugin-registry.js';
import { formatCount, formatDuration, formatRate } from '../ui/format.js';
import type { CommandContext } from './types.js';

/** `taxonomist predict model.json corpus`: one prediction line per record (failed for an empty text), streaming, no LLM. */
export async function execute(ctx: CommandContext): Promise<ExitCode> {
  const [modelPath, corpusPath] = ctx.positionals.map((p) => inputPath(ctx.io.cwd, p)) as [string, string];
  const out = resolve(ctx.io.cwd, str(ctx.values, 'out') ?? 'predictions.jsonl');
  const shard = shardFlag(ctx.values, 'predict');
  const { loadClassifier, classifierModelId } = await import('@taxonomist/distill');
  // A model trained with a plugin's featurizer or classifier loads through the config's plugins.
  const registry = await pluginDistillRegistry(ctx);
  const model = await loadClassifier(modelPath, registry ? { registry } : {});
  const t0 = ctx.io.now();
  // A shard manifest marks a complete shard output: never left from an earlier run while this one writes.
  await rm(shardManifestPath(out), { force: true });
  const corpusOptions = { ...corpusFlags(ctx.values), ...(shard ? { shard } : {}) };
  const result = await runPredictStage({ model, corpus: corpusPath, corpusOptions, out, ui: ctx.ui, signal: ctx.signal, rejectsPath: rejectsPathFor(out) });
  if (shard) {
    const taxonomyId = model.taxonomyId;
    await writeShardManifest(out, { schemaVersion: 1, kind: 'predictions', shard, ...(taxonomyId !== undefined ? { taxonomyId } : {}), model: classifierModelId(model), records: result.records });
  }
  const ms = ctx.io.now() - t0;
  ctx.ui.result(
    `predicted ${formatCount(result.records)} records in ${formatDuration(ms)} (${formatRate((result.records / Math.max(ms, 1)) * 1000)})` +
      `${result.failed ? `, ${result.failed} failed (empty text)` : ''}${result.skippedInput ? `, ${result.skippedInput} input lines skipped` : ''}; wrote ${out}`,
    { out, records: result.records, ok: result.ok, failed: result.failed, skippedInput: result.skippedInput, counts: result.counts },
  );
  // One line per record either way; failed lines make the outcome partial, as for `label`.
  return result.failed > 0 ? EXIT.PARTIAL : EXIT.OK;
}
