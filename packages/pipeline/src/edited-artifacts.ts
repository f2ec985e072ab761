import { join } from 'node:path';
import { LabelAssignmentSchema, TaxonomySchema, readJsonFile, readJsonl } from '@taxonomist/core';
import { PipelineInputError } from './errors.js';
import type { Reporter } from './reporter.js';
import { ARTIFACTS } from '@taxonomist/report';
import { loadClusterModel } from './centroid-label.js';
import type { RunManifestStore } from './manifest.js';
import { hashArtifacts } from './stage-contents.js';

/**
 * Read an artifact of a run directory with the loader the pipeline reads it with, so that a bad hand edit fails
 * here, naming the file, instead of deep inside a later stage.
 */
export async function validateArtifact(dir: string, name: string): Promise<void> {
  const path = join(dir, name);
  try {
    switch (name) {
      case ARTIFACTS.taxonomy:
        await readJsonFile(path, TaxonomySchema);
        return;
      case ARTIFACTS.clusterModel:
        await loadClusterModel(path, await readJsonFile(join(dir, ARTIFACTS.taxonomy), TaxonomySchema));
        return;
      case ARTIFACTS.labels:
      case ARTIFACTS.predictions:
        for await (const _ of readJsonl(path, { schema: LabelAssignmentSchema, strict: true })) {
          /* every line must be a valid assignment */
        }
        return;
      case ARTIFACTS.model:
        await (await import('@taxonomist/distill')).loadClassifier(path);
        return;
      default:
        return;
    }
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new PipelineInputError(`${path} was changed since the run wrote it and is not valid: ${reason}`, {
      location: { file: path },
      hint: 'fix the file, or delete it to have its stage write it again',
      cause: err,
    });
  }
}

/**
 * For a stage that is otherwise reusable: artifacts whose content changed since it wrote them are hand edits. They are
 * validated and kept (the new hashes are recorded), and the stages that read them see a changed input and run again.
 * Returns the edited artifact names.
 */
export async function keepEditedOutputs(store: RunManifestStore, stage: string, dir: string, names: readonly string[], ui: Reporter): Promise<string[]> {
  const current = await hashArtifacts(dir, names);
  const edited = store.editedOutputs(stage, current);
  if (edited.length === 0) return [];
  for (const name of edited) await validateArtifact(dir, name);
  await store.acceptOutputs(stage, current);
  ui.warn(`${stage}: ${edited.join(', ')} changed since the run wrote ${edited.length === 1 ? 'it' : 'them'}; valid, so kept as edited: the stages that read ${edited.length === 1 ? 'it' : 'them'} run again`);
  return edited;
}
