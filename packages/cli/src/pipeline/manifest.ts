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
 * skip. A stage is reused only when it is `done`, its fingerprint (a hash of its inputs and options, chained from
 * the stages before it) is unchanged and its artifacts still exist. A stage whose fingerprint changed has its
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

  /** Whether the stage can be skipped: done before with the same fingerprint and every artifact still there. */
  isDone(name: string, fingerprint: string): boolean {
    const s = this.stage(name);
    return s.status === 'done' && this.fingerprints()[name] === fingerprint && s.artifacts.every((a) => existsSync(join(this.dir, a)));
  }

  /**
   * Mark the stage running. Returns 'resume' when an interrupted attempt with the same fingerprint left work to
   * continue, 'fresh' otherwise (stale artifacts of another fingerprint are deleted first).
   */
  async start(name: string, fingerprint: string, artifacts: readonly string[]): Promise<'resume' | 'fresh'> {
    const s = this.stage(name);
    const same = this.fingerprints()[name] === fingerprint;
    if (!same) {
      for (const a of new Set([...s.artifacts, ...artifacts])) await rm(join(this.dir, a), { force: true, recursive: true });
    }
    // Only an attempt that did not finish has work to continue; a done stage whose artifacts vanished starts over.
    const mode = same && (s.status === 'running' || s.status === 'failed' || s.status === 'stopped') ? 'resume' : 'fresh';
    this.fingerprints()[name] = fingerprint;
    Object.assign(s, { status: 'running', artifacts: [...artifacts] });
    delete s.error;
    await this.save();
    return mode;
  }

  async finish(name: string, result: { artifacts?: string[]; usage?: StageUsage; counts?: Record<string, number> }): Promise<void> {
    const s = this.stage(name);
    s.status = 'done';
    if (result.artifacts) s.artifacts = result.artifacts;
    if (result.usage) s.usage = result.usage;
    else delete s.usage;
    if (result.counts) s.counts = result.counts;
    delete s.error;
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
