import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS } from '@taxonomist/report';

/** sha256 (hex) of each file by artifact name; a missing file is recorded as MISSING. */
export type ContentHashes = Record<string, string>;
export const MISSING = 'missing';

export type PipelineStage = 'induce' | 'label' | 'distill' | 'predict' | 'report';

/** What a stage of `run` reads from the run directory and which of its artifacts are content others depend on. */
export interface StageFiles {
  /** Artifacts of earlier stages it reads: a change of their content re-runs it. */
  inputs: readonly string[];
  /** Artifacts later stages read (or users edit): hashed when it finishes, so an edit is noticed and validated. */
  outputs: readonly string[];
}

/**
 * The data flow of `run`, one way: corpus -> taxonomy -> labels -> model -> predictions. The corpus itself is in the
 * induce fingerprint (its sha256), chained into every later stage's. The report is redone on every run.
 */
export function pipelineFiles(online: boolean): Record<PipelineStage, StageFiles> {
  const taxonomyFiles = online ? [ARTIFACTS.taxonomy] : [ARTIFACTS.taxonomy, ARTIFACTS.clusterModel];
  return {
    induce: { inputs: [], outputs: taxonomyFiles },
    label: { inputs: taxonomyFiles, outputs: [ARTIFACTS.labels] },
    // The model records the taxonomy id; predictions carry label ids from the taxonomy.
    distill: { inputs: [ARTIFACTS.taxonomy, ARTIFACTS.labels], outputs: [ARTIFACTS.model] },
    predict: { inputs: [ARTIFACTS.taxonomy, ARTIFACTS.model], outputs: [ARTIFACTS.predictions] },
    report: { inputs: [], outputs: [] },
  };
}

/** sha256 of a file's bytes, streamed; undefined when it does not exist. */
export async function sha256File(path: string): Promise<string | undefined> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return hash.digest('hex');
}

/** Content hashes of artifacts of `dir`, by name. */
export async function hashArtifacts(dir: string, names: readonly string[]): Promise<ContentHashes> {
  const out: ContentHashes = {};
  for (const name of names) out[name] = (await sha256File(join(dir, name))) ?? MISSING;
  return out;
}

/**
 * Whether recorded hashes match the current ones. A stage recorded before content hashes existed (undefined) matches
 * only when it reads nothing.
 */
export function sameContents(recorded: ContentHashes | undefined, current: ContentHashes): boolean {
  const names = Object.keys(current);
  if (recorded === undefined) return names.length === 0;
  if (Object.keys(recorded).length !== names.length) return false;
  return names.every((n) => recorded[n] === current[n]);
}

/** Artifacts present now with another content than the stage wrote (edited by hand or by another tool). */
export function changedOutputs(recorded: ContentHashes | undefined, current: ContentHashes): string[] {
  if (recorded === undefined) return [];
  return Object.keys(current).filter((n) => current[n] !== MISSING && recorded[n] !== undefined && recorded[n] !== current[n]);
}
