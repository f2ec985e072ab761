import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  RUN_MANIFEST_SCHEMA_VERSION,
  RunManifestSchema,
  readJsonFile,
  writeJsonAtomic,
  type RunManifest,
  type RunStage,
  type StageUsage,
} from '@taxonomist/core';
import { changedOutputs, sameContents, type ContentHashes } from './stage-contents.js';

export const MANIFEST_FILE = 'manifest.json';

export interface ManifestInit {
  tool: { name: string; version: string };
  input: RunManifest['input'];
  seed: number;
  options: Record<string, unknown>;
  models: Record<string, string>;
  stages: readonly string[];
}

/**
 * out/manifest.json: what the run did, with which inputs and options, stage by stage, so a re-run knows what to
 * skip. A stage is reused only when it is `done`, its fingerprint (a hash of its options, chained from the stages
 * before it) is unchanged, the files it read (the artifacts of earlier stages) still have the content they had when
 * it started (sha256 in `inputs`) and its artifacts still exist. A stage whose fingerprint or inputs changed has its
 * artifacts removed before it runs again, so no stage ever resumes from output made for other inputs.
 * Written atomically after every change; holds no secrets (model ids and options only).
 */
export class RunManifestStore {
  private constructor(
    readonly dir: string,
    private manifest: RunManifest,
  ) {}

  get path(): string {
    return join(this.dir, MANIFEST_FILE);
  }

  /** Open the manifest of `dir` (or start a new one when absent or when `fresh`), updating its header. */
  static async open(dir: string, init: ManifestInit, fresh: boolean): Promise<RunManifestStore> {
    const path = join(dir, MANIFEST_FILE);
    let previous: RunManifest | undefined;
    if (!fresh && existsSync(path)) previous = await readJsonFile(path, RunManifestSchema);
    const stages: RunStage[] = init.stages.map((name) => previous?.stages.find((s) => s.name === name) ?? { name, status: 'pending', artifacts: [] });
    const prevFingerprints = (previous?.options.fingerprints ?? {}) as Record<string, string>;
    const manifest: RunManifest = {
      schemaVersion: RUN_MANIFEST_SCHEMA_VERSION,
      tool: init.tool,
      input: init.input,
      seed: init.seed,
      options: { ...init.options, fingerprints: { ...prevFingerprints } },
      models: init.models,
      stages,
    };
    const store = new RunManifestStore(dir, manifest);
    await store.save();
    return store;
  }

  get value(): RunManifest {
    return this.manifest;
  }

  stage(name: string): RunStage {
    const s = this.manifest.stages.find((x) => x.name === name);
    if (!s) throw new Error(`no stage "${name}" in the manifest`);
    return s;
  }

  private fingerprints(): Record<string, string> {
    return this.manifest.options.fingerprints as Record<string, string>;
  }

  /**
   * Whether the stage can be skipped: done before with the same fingerprint, from inputs of the same content, and
   * every artifact still there.
   */
  isDone(name: string, fingerprint: string, inputs: ContentHashes = {}): boolean {
    const s = this.stage(name);
    return (
      s.status === 'done' &&
      this.fingerprints()[name] === fingerprint &&
      sameContents(s.inputs, inputs) &&
      s.artifacts.every((a) => existsSync(join(this.dir, a)))
    );
  }

  /**
   * Mark the stage running. Returns 'resume' when an interrupted attempt with the same fingerprint and inputs left
   * work to continue, 'fresh' otherwise (stale artifacts of other options or inputs are deleted first).
   */
  async start(name: string, fingerprint: string, artifacts: readonly string[], inputs: ContentHashes = {}): Promise<'resume' | 'fresh'> {
    const s = this.stage(name);
    const same = this.fingerprints()[name] === fingerprint && sameContents(s.inputs, inputs);
    if (!same) {
      for (const a of new Set([...s.artifacts, ...artifacts])) await rm(join(this.dir, a), { force: true, recursive: true });
    }
    // Only an attempt that did not finish has work to continue; a done stage whose artifacts vanished starts over.
    const mode = same && (s.status === 'running' || s.status === 'failed' || s.status === 'stopped') ? 'resume' : 'fresh';
    this.fingerprints()[name] = fingerprint;
    Object.assign(s, { status: 'running', artifacts: [...artifacts], inputs: { ...inputs } });
    delete s.error;
    delete s.outputs;
    await this.save();
    return mode;
  }

  async finish(name: string, result: { artifacts?: string[]; usage?: StageUsage; counts?: Record<string, number>; outputs?: ContentHashes }): Promise<void> {
    const s = this.stage(name);
    s.status = 'done';
    if (result.artifacts) s.artifacts = result.artifacts;
    if (result.outputs) s.outputs = { ...result.outputs };
    if (result.usage) s.usage = result.usage;
    else delete s.usage;
    if (result.counts) s.counts = result.counts;
    delete s.error;
    await this.save();
  }

  /** Artifacts of a done stage whose content changed since it wrote them (hand edits, to validate and keep). */
  editedOutputs(name: string, current: ContentHashes): string[] {
    return changedOutputs(this.stage(name).outputs, current);
  }

  /** Keep the current content of a done stage's artifacts (validated edits): later stages see them as changed inputs. */
  async acceptOutputs(name: string, current: ContentHashes): Promise<void> {
    this.stage(name).outputs = { ...current };
    await this.save();
  }

  async stop(name: string, status: 'failed' | 'stopped', error: string, extra: { usage?: StageUsage; counts?: Record<string, number> } = {}): Promise<void> {
    const s = this.stage(name);
    s.status = status;
    s.error = error;
    if (extra.usage) s.usage = extra.usage;
    if (extra.counts) s.counts = extra.counts;
    await this.save();
  }

  async save(): Promise<void> {
    await writeJsonAtomic(this.path, this.manifest);
  }
}
