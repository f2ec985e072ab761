import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ClusterModel, openJsonlWriter, withFileLock, taxonomyIdOf, type CorpusRecord, type LabelAssignment, type Taxonomy } from '@taxonomist/core';
import { PipelineInputError } from './errors.js';
import { OUTCOME } from './outcome.js';
import type { Reporter } from './reporter.js';
import type { LabelStageResult } from './label-stage.js';
import { ZERO_USAGE } from './usage.js';

const BATCH = 2000;
export const CENTROID_MODEL_ID = 'cluster:nearest-centroid';

/**
 * Where the cluster model of an offline taxonomy is: the name recorded in the taxonomy's metadata (written by
 * `induce`), next to the taxonomy file.
 */
export function clusterModelPathFor(taxonomyPath: string, taxonomy: Taxonomy): string | undefined {
  const recorded = taxonomy.metadata?.clusterModel;
  const candidates = [
    ...(typeof recorded === 'string' ? [join(dirname(taxonomyPath), recorded)] : []),
    taxonomyPath.replace(/\.json$/i, '') + '.cluster.json',
  ];
  return candidates.find((p) => existsSync(p));
}

export async function loadClusterModel(path: string, taxonomy: Taxonomy): Promise<ClusterModel> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new PipelineInputError(`cannot read the cluster model: ${(err as Error).message}`, { location: { file: path } });
  }
  let model: ClusterModel;
  try {
    model = ClusterModel.fromJSON(json, path);
  } catch (err) {
    throw new PipelineInputError((err as Error).message, { location: { file: path }, hint: 're-create it with `taxonomist induce` (without --model)' });
  }
  const ids = new Set(taxonomy.labels.map((l) => l.id));
  const unknown = model.labels.filter((l) => !ids.has(l.id));
  if (unknown.length > 0) {
    throw new PipelineInputError(`the cluster model has label ids the taxonomy does not: ${unknown.map((l) => l.id).join(', ')}`, {
      location: { file: path },
      hint: 'the cluster model belongs to another taxonomy; re-run `taxonomist induce` offline to make a matching pair',
    });
  }
  return model;
}

/**
 * The offline labeler: every record gets the label of its nearest cluster centroid. Texts with no word the model
 * knows cannot be placed and become failed records (kind "input"), never a guessed label.
 */
export async function runCentroidLabelStage(args: { records: readonly CorpusRecord[]; taxonomy: Taxonomy; model: ClusterModel; out: string; ui: Reporter }): Promise<LabelStageResult> {
  // One writer per labels file, as for LLM labeling (see core's acquireFileLock).
  return withFileLock(args.out, { purpose: 'taxonomist label', onWarning: (m) => args.ui.warn(m) }, () => centroidLabelUnlocked(args));
}

async function centroidLabelUnlocked(args: Parameters<typeof runCentroidLabelStage>[0]): Promise<LabelStageResult> {
  const names = new Map(args.taxonomy.labels.map((l) => [l.id, l.name]));
  const taxonomyId = taxonomyIdOf(args.taxonomy);
  const writer = await openJsonlWriter(args.out, { append: false });
  const bar = args.ui.progress('label', args.records.length);
  let ok = 0;
  let failed = 0;
  try {
    for (let i = 0; i < args.records.length; i += BATCH) {
      const batch = args.records.slice(i, i + BATCH);
      const assigned = args.model.assign(batch.map((r) => r.text));
      const lines: LabelAssignment[] = batch.map((r, j) => {
        const a = assigned[j]!;
        if (r.text.trim() === '') {
          failed++;
          return { id: r.id, status: 'failed', model: CENTROID_MODEL_ID, taxonomyId, error: { kind: 'input', message: `field "text": ${r.text === '' ? 'is empty' : 'is only whitespace'}` } };
        }
        if (a.empty) {
          failed++;
          return { id: r.id, status: 'failed', model: CENTROID_MODEL_ID, taxonomyId, error: { kind: 'input', message: 'the text has no word the cluster model knows' } };
        }
        ok++;
        return { id: r.id, status: 'ok', label: names.get(a.labelId)!, labelId: a.labelId, model: CENTROID_MODEL_ID, taxonomyId };
      });
      await writer.writeMany(lines);
      bar.update({ done: Math.min(args.records.length, i + BATCH) });
    }
  } finally {
    await writer.close();
    bar.finish();
  }
  if (failed > 0) args.ui.warn(`${failed} record(s) have an empty text or no word the cluster model knows; written with status "failed" (kind "input")`);
  return {
    status: 'done',
    records: args.records.length,
    ok,
    failed,
    alreadyOk: 0,
    notAttempted: 0,
    failedByKind: failed > 0 ? { input: failed } : {},
    usage: { ...ZERO_USAGE },
    outcome: failed > 0 ? OUTCOME.PARTIAL : OUTCOME.OK,
  };
}
