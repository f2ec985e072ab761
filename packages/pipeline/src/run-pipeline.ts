import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  acquireFileLock,
  type FileLock,
  TaxonomySchema,
  clusteringReport,
  ensureDir,
  hashValue,
  readJsonFile,
  readJsonl,
  taxonomyIdOf,
  writeJsonAtomic,
  writeTextAtomic,
  writeShardManifest,
  formatShard,
  LabelAssignmentSchema,
  type LabelAssignment,
  type StageUsage,
  type Taxonomy,
} from '@taxonomist/core';
import type { DistillRegistry } from '@taxonomist/distill';
import { ARTIFACTS, renderReport } from '@taxonomist/report';
import { loadClusterModel, runCentroidLabelStage } from './centroid-label.js';
import { corpusFlags, loadCorpus, withText } from './corpus.js';
import { runDistillStage } from './distill-stage.js';
import { keepEditedOutputs } from './edited-artifacts.js';
import { PipelineError, PipelineInputError, PipelineUsageError, toPipelineError, type PipelineErrorKind } from './errors.js';
import { eventReporter, type PipelineEvent } from './events.js';
import { induceSettingsFromFlags, inductionOutcome, runInduceStage } from './induce-stage.js';
import { labelSettingsFromFlags, runLlmLabelStage, type LabelStageResult } from './label-stage.js';
import { resolveRelabelModel, runRelabelStage } from './relabel-stage.js';
import { runBatchLabelStage } from './batch-label-stage.js';
import { runActiveLabelStage } from './active-label-stage.js';
import { RunManifestStore } from './manifest.js';
import { safeUrl, type ModelSetup } from './models.js';
import { offlineNotice, warnIgnoredOffline } from './offline-notice.js';
import { PipelineOptionsSchema, PIPELINE_SETTING_NAMES, type PipelineOptions, type PipelineSettings } from './options.js';
import { OUTCOME, outcomeOfRecordedCode, recordedCodeOf, type Outcome } from './outcome.js';
import { runPredictStage } from './predict-stage.js';
import type { Reporter } from './reporter.js';
import { STAGES, type PipelineResult, type StageName, type StageResult } from './result.js';
import { sampleInOrder } from './sample.js';
import { labelsCoverage, removeShardManifest, runShardOf, shardShare } from './shard-run.js';
import { MISSING, hashArtifacts, pipelineFiles, sha256File } from './stage-contents.js';
import { ZERO_USAGE, stageUsageOf, usageDelta } from './usage.js';
import { inputPath, seedOf } from './values.js';
import { pipelineVersion } from './version.js';

const DEFAULT_LABEL_SAMPLE = 1000;
const DEFAULT_HOLDOUT = 0.2;

/** The out-dir lock file (kept out of the artifact list: it exists only while a run is going). */
export const RUN_LOCK_FILE = '.taxonomist-run.lock';

/** Where a corpus given as records is written (the stages, the manifest and the report read a file). */
export const RECORDS_FILE = 'corpus.jsonl';

/** A record given in memory: without an id, one is derived from the text (as for a file). */
export interface PipelineRecord {
  id?: string;
  text: string;
  /** A gold class, read when `goldField` is 'label'. */
  label?: string;
}

interface StageOutcome {
  artifacts: string[];
  usage?: StageUsage;
  counts?: Record<string, number>;
  /** Not ok when the stage finished but not fully (failed records): the run goes on, the result says so. */
  outcome?: Outcome;
  /** One line for the summary (e.g. how many labels active learning bought and why it stopped). */
  note?: string;
}

/**
 * A run that ended early: the error's kind, message and hint, plus what the stages did up to the failure (for a
 * summary). Its cause is the original error.
 */
export class PipelineRunError extends PipelineError {
  readonly result: PipelineResult;
  constructor(error: PipelineError, result: PipelineResult) {
    super(error.message, { kind: error.kind, ...(error.hint !== undefined ? { hint: error.hint } : {}), ...(error.location ? { location: error.location } : {}), cause: error.cause ?? error });
    this.name = 'PipelineRunError';
    this.result = result;
  }
}

/**
 * The whole run: induce -> label a sample (or buy labels by active learning) -> distill -> predict every record ->
 * report, every artifact in `outDir`, every stage recorded in manifest.json and skipped on a re-run when its inputs
 * did not change (content hashes of the artifacts it reads, fingerprints of its settings). One run per out-dir at a
 * time: its lock covers every artifact in it. Never writes to stdout and never exits: progress goes to
 * `onEvent`, failures are thrown as PipelineError (PipelineRunError once a stage started, with the stages so far).
 *
 * @param corpus path of the corpus (JSONL, CSV or plain text), relative to `cwd`; or the records themselves,
 *   written to `<outDir>/corpus.jsonl` first (one JSON line each, in the order given) and read from there.
 */
export async function runPipeline(corpus: string | readonly PipelineRecord[], options: PipelineOptions): Promise<PipelineResult> {
  const parsed = PipelineOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PipelineUsageError(`runPipeline options: ${issue.path.join('.') || '(options)'}: ${issue.message}`, { hint: 'see PipelineOptionsSchema in @taxonomist/pipeline' });
  }
  const o = parsed.data;
  const cwd = o.cwd ?? process.cwd();
  const emit = o.onEvent ?? (() => {});
  const ui = eventReporter(emit);
  const outDir = resolve(cwd, o.outDir);
  const tool = o.tool ?? { name: '@taxonomist/pipeline', version: pipelineVersion() };
  if (typeof corpus !== 'string' && !Array.isArray(corpus)) throw new PipelineUsageError('runPipeline: corpus must be a path or an array of records ({ id?, text, label? })');
  let lock: FileLock;
  try {
    lock = await acquireFileLock(outDir, { lockPath: join(outDir, RUN_LOCK_FILE), purpose: `${tool.name} run`, onWarning: (m) => ui.warn(m) });
  } catch (err) {
    if ((err as Error).name === 'FileLockedError') throw toPipelineError(err);
    // The out-dir itself is unusable (under a file, unwritable): the run reports that with its own message.
    return classified(() => runUnlocked(corpus, o, { cwd, outDir, tool, ui, emit }));
  }
  try {
    return await classified(() => runUnlocked(corpus, o, { cwd, outDir, tool, ui, emit }));
  } finally {
    await lock.release();
  }
}

/** Whatever a run throws reaches the caller as a PipelineError (a kind to branch on, the original as its cause). */
async function classified<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toPipelineError(err);
  }
}

interface RunContext {
  cwd: string;
  outDir: string;
  tool: { name: string; version: string };
  ui: Reporter;
  emit: (event: PipelineEvent) => void;
}

async function runUnlocked(corpusInput: string | readonly PipelineRecord[], o: ReturnType<typeof PipelineOptionsSchema.parse>, { cwd, outDir, tool, ui, emit }: RunContext): Promise<PipelineResult> {
  // The settings as flag-named values: the stage helpers read them by name (as the CLI's commands do).
  const values: PipelineSettings = Object.fromEntries(PIPELINE_SETTING_NAMES.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
  const models: ModelSetup = o.models ?? { online: false };
  const signal = o.signal ?? new AbortController().signal;
  const now = o.now ?? (() => performance.now());
  await ensureDir(outDir); // not mkdir -p: it never returns for /proc/x
  const p = (name: string): string => join(outDir, name);
  const corpusPath = typeof corpusInput === 'string' ? corpusInput : await writeRecords(corpusInput, p(RECORDS_FILE));
  if (!models.online) {
    offlineNotice(ui);
    warnIgnoredOffline(values, ui);
  }
  const seed = seedOf(values);
  const goldField = values.goldField;
  const flags = corpusFlags(values);
  // Empty texts are kept so the label sample and the predictions have one line per record (failed 'input' for
  // those); induction only sees records with a text.
  const corpus = await loadCorpus(inputPath(cwd, corpusPath), { ...flags, ...(goldField ? { labelField: goldField } : {}) }, ui, signal, { keepEmptyTexts: true, rejectsPath: join(outDir, 'rejects.jsonl') });
  const withTexts = corpus.emptyTexts > 0 ? withText(corpus.records) : corpus.records;
  const inputSha = (await sha256File(resolve(cwd, corpusPath))) ?? MISSING; // read just above: present

  const induceSettings = await induceSettingsFromFlags(values, models, seed, cwd);
  const labelSettings = labelSettingsFromFlags(values);
  const labelSample = values.labelSample ?? DEFAULT_LABEL_SAMPLE;
  const holdout = values.holdout ?? DEFAULT_HOLDOUT;
  // With a model, labels are bought by active learning unless selection is 'random' (a seeded sample, as before).
  const batch = models.online && values.batch === true;
  const selection = values.selection ?? (batch ? 'random' : 'diverse-balanced');
  if (batch && selection !== 'random') {
    throw new PipelineUsageError(`--batch labels a seeded sample in batch jobs; --selection ${selection} (active learning) needs its answers round by round`, {
      hint: 'drop --selection (random is the default with --batch), or drop --batch',
    });
  }
  const shard = runShardOf(values, models.online, selection);
  const activeLabeling = models.online && selection !== 'random';
  const labelBudget = values.labelBudget ?? labelSample;
  const targetAgreement = values.targetAgreement;
  // relabel / relabelModel: re-ask the labels the audit disputes (relabel-stage.ts).
  const relabelModel = values.relabelModel;
  const relabel = models.online && (values.relabel === true || relabelModel !== undefined);
  if (models.online && relabelModel !== undefined) await resolveRelabelModel(models, relabelModel, values.budget !== undefined);
  if (activeLabeling) {
    const { createSelectionRegistry } = await import('@taxonomist/distill');
    const known = createSelectionRegistry(models.host).names();
    if (!known.includes(selection)) throw new PipelineUsageError(`--selection ${selection}: unknown selection strategy (known: ${known.join(', ')})`);
  }
  const engine = models.online ? 'llm' : 'offline';
  const modelIds: Record<string, string> = models.online
    ? { induce: models.model, summarize: models.summarizeModel, label: models.model }
    : { induce: 'offline:cluster', label: 'offline:nearest-centroid' };

  // The plugins' classifiers and featurizers (classifier / featurizer, and loading the model).
  const withPluginRegistry = async (): Promise<{ registry?: DistillRegistry }> => {
    if (o.distillRegistry !== undefined) return { registry: o.distillRegistry };
    if (!models.online) return {};
    const { createDistillRegistry } = await import('@taxonomist/distill');
    return { registry: createDistillRegistry(models.host) };
  };
  // Each stage's fingerprint chains the previous one: a change upstream redoes everything downstream.
  const fp: Record<StageName, string> = {} as Record<StageName, string>;
  fp.induce = hashValue({ inputSha, flags, induceSettings, engine, models: modelIds });
  // A shard's induce is the whole run's (so an out-dir that has done it can be copied to every machine); the stages
  // after it do the shard's share.
  fp.label = hashValue({ prev: fp.induce, labelSettings, labelSample, seed, ...(shard ? { shard: formatShard(shard) } : {}), ...(activeLabeling ? { selection, labelBudget, targetAgreement: targetAgreement ?? null } : {}), ...(relabel ? { relabel: relabelModel ?? 'self-consistency' } : {}) });
  fp.distill = hashValue({ prev: fp.label, holdout, seed, classifier: values.classifier ?? null, ...(values.featurizer ? { featurizer: values.featurizer } : {}) });
  fp.predict = hashValue({ prev: fp.distill });
  fp.report = hashValue({ prev: fp.predict, goldField: goldField ?? null, version: tool.version });

  const store = await RunManifestStore.open(
    outDir,
    {
      tool,
      input: { path: corpusPath, sha256: inputSha, records: corpus.records.length },
      seed,
      options: {
        engine,
        useCase: induceSettings.useCase,
        corpus: flags,
        skippedInput: corpus.stats.skipped,
        labelSample,
        holdout,
        ...(shard ? { shard: formatShard(shard) } : {}),
        induce: { ...induceSettings, seedTaxonomy: induceSettings.seedTaxonomy ? '(given)' : undefined },
        label: labelSettings,
        ...(goldField ? { goldField } : {}),
        ...(values.baseUrl !== undefined ? { baseUrl: safeUrl(values.baseUrl) } : {}),
      },
      models: modelIds,
      stages: STAGES,
    },
    values.noResume === true,
  );

  const order: StageResult[] = [];
  let runOutcome: Outcome = OUTCOME.OK;
  const resultNow = (): PipelineResult => ({ outDir, outcome: runOutcome, stages: Object.fromEntries(order.map((r) => [r.stage, r])), order: [...order], report: p(ARTIFACTS.report) });
  const ended = (r: StageResult): void => {
    order.push(r);
    emit({ type: 'stage:end', stage: r.stage, result: r });
  };
  const files = pipelineFiles(models.online);
  // `always`: cheap stages that read other artifacts (the report) are redone on every run.
  const forced = new Set(o.force ?? []);
  const last = STAGES.indexOf(o.until ?? 'report');
  const stage = async (name: StageName, artifacts: string[], fn: (mode: 'resume' | 'fresh') => Promise<StageOutcome>, always = false): Promise<void> => {
    if (STAGES.indexOf(name) > last) return;
    // Content of what the stage reads: a deleted, re-made or edited upstream artifact makes it run again.
    const inputs = await hashArtifacts(outDir, files[name].inputs);
    if (forced.has(name)) {
      // Redone from nothing: no checkpoint or partial output of the last run is reused.
      for (const a of new Set([...store.stage(name).artifacts, ...artifacts])) await rm(join(outDir, a), { force: true, recursive: true });
    } else if (!always && store.isDone(name, fp[name], inputs)) {
      await keepEditedOutputs(store, name, outDir, files[name].outputs, ui);
      const s = store.stage(name);
      ui.info(`${name}: unchanged since the last run, skipped`);
      // The same outcome on a re-run: a stage that finished partially stays partial.
      const recorded = s.counts?.exitCode;
      const recordedOutcome = outcomeOfRecordedCode(recorded) ?? OUTCOME.OK;
      if (recordedOutcome !== OUTCOME.OK) {
        ui.warn(`${name}: the last run of this stage finished with exit code ${recorded} (see its warnings then, or the stage's artifacts); use --no-resume to redo it`);
        if (runOutcome === OUTCOME.OK) runOutcome = recordedOutcome;
      }
      ended({ stage: name, status: 'skipped', artifacts: [], outcome: recordedOutcome, ...(s.counts?.records !== undefined ? { records: s.counts.records } : {}) });
      return;
    }
    const mode = await store.start(name, fp[name], artifacts, inputs);
    emit({ type: 'stage:start', stage: name, mode });
    if (mode === 'resume') ui.info(`${name}: resuming the interrupted stage`);
    const t0 = now();
    // What a failed or stopped stage spent is read off the gateway (its calls were billed all the same).
    const before = models.online ? stageUsageOf(models.gateway.usage()) : undefined;
    let outcome: StageOutcome;
    try {
      outcome = await fn(mode);
    } catch (err) {
      const e = toPipelineError(err);
      const stopped = e.kind === 'budget' || e.kind === 'interrupted';
      const usage = models.online && before ? usageDelta(stageUsageOf(models.gateway.usage()), before) : undefined;
      await store.stop(name, stopped ? 'stopped' : 'failed', e.message, usage ? { usage } : {});
      ended({ stage: name, status: stopped ? 'stopped' : 'failed', artifacts: [], outcome: outcomeOfKind(e.kind), error: { kind: e.kind, message: e.message }, ms: now() - t0, note: e.message, ...(usage ? { usage } : {}) });
      throw new PipelineRunError(e, resultNow());
    }
    const ms = Math.round(now() - t0);
    const stageOutcome = outcome.outcome ?? OUTCOME.OK;
    const partial: Record<string, number> = stageOutcome !== OUTCOME.OK ? { exitCode: recordedCodeOf(stageOutcome) } : {};
    const outputs = await hashArtifacts(outDir, files[name].outputs);
    const counts = { ...outcome.counts, durationMs: ms, ...partial };
    await store.finish(name, { artifacts: outcome.artifacts, ...(outcome.usage ? { usage: outcome.usage } : {}), counts, outputs });
    ended({
      stage: name,
      status: 'done',
      artifacts: outcome.artifacts,
      outcome: stageOutcome,
      ms,
      counts,
      ...(outcome.counts?.records !== undefined ? { records: outcome.counts.records } : {}),
      ...(outcome.usage ? { usage: outcome.usage } : {}),
      ...(outcome.note ? { note: outcome.note } : {}),
    });
    if (stageOutcome !== OUTCOME.OK && runOutcome === OUTCOME.OK) runOutcome = stageOutcome;
  };

  // 1. induce
  let taxonomy: Taxonomy | undefined;
  await stage('induce', [ARTIFACTS.taxonomy, ARTIFACTS.taxonomyMarkdown, ARTIFACTS.induction, ...(models.online ? [] : [ARTIFACTS.clusterModel])], async () => {
    const r = await runInduceStage({
      records: withTexts,
      settings: induceSettings,
      models,
      paths: {
        taxonomy: p(ARTIFACTS.taxonomy),
        markdown: p(ARTIFACTS.taxonomyMarkdown),
        induction: p(ARTIFACTS.induction),
        clusterModel: p(ARTIFACTS.clusterModel),
        checkpoint: p(ARTIFACTS.induceCheckpoint),
      },
      ui,
      signal,
    });
    taxonomy = r.taxonomy;
    const artifacts = [ARTIFACTS.taxonomy, ARTIFACTS.taxonomyMarkdown, ARTIFACTS.induction, ...(r.result.clusterModel !== undefined ? [ARTIFACTS.clusterModel] : []), ...(models.online ? [ARTIFACTS.induceCheckpoint] : [])];
    return {
      artifacts,
      usage: r.usage,
      counts: { records: r.result.sample.trainingIds.length, labels: r.taxonomy.labels.length, steps: r.result.history.length, rejectedSteps: r.result.rejectedSteps, degradedSteps: r.result.degradedSteps ?? 0 },
      outcome: inductionOutcome(r.result),
    };
  });
  if (last < STAGES.indexOf('label')) return resultNow();
  taxonomy ??= await readJsonFile(p(ARTIFACTS.taxonomy), TaxonomySchema);
  const tax = taxonomy;

  // 2. label a seeded sample
  const sample = sampleInOrder(corpus.records, labelSample, seed, 'label-sample');
  // Sharded: the sample is drawn from the whole corpus as unsharded, then each machine labels its share of it.
  const toLabel = shard ? shardShare(sample, shard) : sample;
  // Pass 2 of a sharded run: labels.jsonl was replaced by the merge of every shard's share, as documented. That is
  // the expected edit (not a hand edit to warn about): accepted as the label stage's output, distill runs on it.
  if (shard && store.isDone('label', fp.label, await hashArtifacts(outDir, files.label.inputs))) {
    const current = await hashArtifacts(outDir, files.label.outputs);
    if (store.editedOutputs('label', current).length > 0 && (await labelsCoverage(p(ARTIFACTS.labels), sample, shard)) === 'all') {
      await store.acceptOutputs('label', current);
      ui.info(`label: ${p(ARTIFACTS.labels)} holds the merged labels of all ${shard.count} shards: distilling on them and predicting shard ${formatShard(shard)}`);
    }
  }
  let labelResult: LabelStageResult | undefined;
  let labelNote: string | undefined;
  await stage('label', [ARTIFACTS.labels, ...(activeLabeling ? [ARTIFACTS.activeRounds, ARTIFACTS.activeLearning] : []), ...(relabel ? [ARTIFACTS.relabel] : [])], async (mode) => {
    const labelStart = models.online ? stageUsageOf(models.gateway.usage()) : undefined;
    if (shard) await removeShardManifest(p(ARTIFACTS.labels));
    if (models.online && activeLabeling) {
      const budget = values.budget;
      const left = budget === undefined ? undefined : budget - models.gateway.usage().total.costUsd;
      if (left !== undefined && left <= 0) {
        throw new PipelineError(`label: the --budget of $${budget} was used up by induction`, { kind: 'budget', hint: 're-run with a higher --budget: the taxonomy is kept and labeling starts' });
      }
      const r = await runActiveLabelStage({
        records: withTexts,
        taxonomy: tax,
        models,
        out: p(ARTIFACTS.labels),
        roundLog: p(ARTIFACTS.activeRounds),
        summaryPath: p(ARTIFACTS.activeLearning),
        fresh: mode === 'fresh',
        values,
        seed,
        strategy: selection,
        labelBudget,
        ...(targetAgreement !== undefined ? { targetAgreement } : {}),
        ...(left !== undefined ? { budget: left } : {}),
        ui,
        signal,
      });
      labelResult = r;
      labelNote = r.active.summary;
    } else if (models.online) {
      // The budget caps this invocation: what induction just spent comes off the labeling budget.
      const budget = values.budget;
      const left = budget === undefined ? undefined : budget - models.gateway.usage().total.costUsd;
      if (left !== undefined && left <= 0) {
        throw new PipelineError(`label: the --budget of $${budget} was used up by induction`, { kind: 'budget', hint: 're-run with a higher --budget: the taxonomy is kept and labeling starts' });
      }
      const args = { records: toLabel, taxonomy: tax, models, out: p(ARTIFACTS.labels), fresh: mode === 'fresh', values, seed, ui, signal, ...(left !== undefined ? { budget: left } : {}) };
      // Batch or chat endpoint: the same prompts and the same labels.jsonl (so not part of the stage's fingerprint).
      labelResult = batch ? await runBatchLabelStage(args) : await runLlmLabelStage(args);
    } else {
      const model = await loadClusterModel(p(ARTIFACTS.clusterModel), tax);
      labelResult = await runCentroidLabelStage({ records: toLabel, taxonomy: tax, model, out: p(ARTIFACTS.labels), ui });
    }
    if (labelResult.outcome === OUTCOME.BUDGET || labelResult.outcome === OUTCOME.INTERRUPTED) {
      throw new PipelineError(labelResult.outcome === OUTCOME.BUDGET ? `label: stopped at the --budget limit with ${labelResult.notAttempted} record(s) not labeled` : 'label: interrupted', {
        kind: labelResult.outcome,
        hint: labelResult.outcome === OUTCOME.BUDGET ? 're-run with a higher --budget: labeled records are kept and the run resumes' : 're-run the same command to resume',
      });
    }
    if (labelResult.stopError !== undefined) {
      // The provider was stopped (dead key, hanging server): distilling a partial sample would hide it.
      throw new PipelineError(`label: ${labelResult.stopError.message}; ${labelResult.notAttempted} record(s) not labeled`, {
        kind: 'provider',
        hint: 'fix the cause (key, --base-url, --timeout) and re-run the same command: labeled records are kept and the run resumes',
      });
    }
    if (labelResult.ok === 0 && toLabel.length > 0) {
      throw new PipelineError(`label: no record could be labeled (${Object.entries(labelResult.failedByKind).map(([k, n]) => `${n} ${k}`).join(', ')})`, {
        kind: labelResult.outcome === OUTCOME.OK ? 'partial' : labelResult.outcome,
        hint: `see the error field of the lines in ${p(ARTIFACTS.labels)}`,
      });
    }
    let relabelCounts: Record<string, number> = {};
    if (relabel && models.online) {
      const budget = values.budget;
      const r = await runRelabelStage({
        labelsPath: p(ARTIFACTS.labels),
        answersPath: p(ARTIFACTS.relabel),
        records: withTexts,
        taxonomy: tax,
        models,
        ...(relabelModel !== undefined ? { relabelModel } : {}),
        fresh: mode === 'fresh',
        values,
        seed,
        ...(budget !== undefined ? { budget: budget - models.gateway.usage().total.costUsd } : {}),
        ui,
        signal,
      });
      labelNote = labelNote ? `${labelNote}; ${r.summary}` : r.summary;
      relabelCounts = { relabelFlagged: r.flagged, relabelAsked: r.asked, relabelChanged: r.changed, relabelFailed: r.failed };
      if (r.failed > 0 && labelResult.outcome === OUTCOME.OK) labelResult.outcome = OUTCOME.PARTIAL;
    }
    if (shard) {
      await writeShardManifest(p(ARTIFACTS.labels), { schemaVersion: 1, kind: 'labels', shard, taxonomyId: taxonomyIdOf(tax), model: modelIds.label!, records: labelResult.records, sampleSize: sample.length });
      labelNote = `shard ${formatShard(shard)}: ${labelResult.records} of the ${sample.length} sample records`;
    }
    return {
      artifacts: [ARTIFACTS.labels, ...(activeLabeling ? [ARTIFACTS.activeRounds, ARTIFACTS.activeLearning] : []), ...(relabel ? [ARTIFACTS.relabel] : [])],
      usage: relabel && labelStart ? usageDelta(stageUsageOf(models.gateway.usage()), labelStart) : labelResult.usage,
      counts: { records: labelResult.records, ok: labelResult.ok, failed: labelResult.failed, ...relabelCounts },
      outcome: labelResult.outcome,
      ...(labelNote ? { note: labelNote } : {}),
    };
  });

  // A shard goes on only once labels.jsonl holds the whole sample (the n shards' labels merged into it).
  if (shard && last >= STAGES.indexOf('distill') && (await labelsCoverage(p(ARTIFACTS.labels), sample, shard)) === 'share') {
    ui.info(
      `label: shard ${formatShard(shard)} labeled its share of the sample; distill needs all of it: join the ${shard.count} shards' labels.jsonl with ` +
        `\`taxonomist merge <their labels.jsonl> --corpus <corpus> --out ${p(ARTIFACTS.labels)}\` and run the same command again to distill and predict this shard`,
    );
    return resultNow();
  }
  // Merged labels: the shard's own manifest no longer describes the file.
  if (shard) await removeShardManifest(p(ARTIFACTS.labels));

  // 3. distill on the labeled sample (texts joined by id)
  await stage('distill', [ARTIFACTS.model, ARTIFACTS.distillEval], async () => {
    // Active labeling buys labels anywhere in the corpus, not only in the seeded sample.
    const byId = new Map((activeLabeling ? corpus.records : sample).map((r) => [r.id, r.text]));
    const assignments: LabelAssignment[] = [];
    for await (const a of readJsonl<LabelAssignment>(p(ARTIFACTS.labels), { schema: LabelAssignmentSchema })) assignments.push(a);
    // In sample (corpus) order whatever the order of the lines: the holdout split and training depend on it.
    // distill's loader refuses labels outside the taxonomy (a hand-edited labels.jsonl) with file and field.
    const { examplesFromAssignments } = await import('@taxonomist/distill');
    const { examples } = examplesFromAssignments(assignments, byId, { skipMissingText: true, source: p(ARTIFACTS.labels), taxonomyLabels: tax.labels.map((l) => l.name) });
    const r = await runDistillStage({
      examples,
      holdout,
      seed,
      taxonomyId: taxonomyIdOf(tax),
      labelIds: Object.fromEntries(tax.labels.map((l) => [l.name, l.id])),
      ...(values.classifier ? { classifier: values.classifier } : {}),
      ...(values.featurizer ? { featurizer: values.featurizer } : {}),
      ...(await withPluginRegistry()),
      modelPath: p(ARTIFACTS.model),
      evalPath: p(ARTIFACTS.distillEval),
      source: models.online ? 'LLM-labeled sample' : 'centroid-labeled sample',
      ui,
    });
    return { artifacts: [ARTIFACTS.model, ARTIFACTS.distillEval], usage: { ...ZERO_USAGE }, counts: { records: r.examples, labels: r.labels, ...(r.quality ? { heldOutAccuracy: r.quality.accuracy } : {}) } };
  });

  // 4. predict the whole corpus
  await stage('predict', [ARTIFACTS.predictions], async () => {
    const { loadClassifier } = await import('@taxonomist/distill');
    const model = await loadClassifier(p(ARTIFACTS.model), await withPluginRegistry());
    const labelIds = new Map(tax.labels.map((l) => [l.name, l.id]));
    if (shard) await removeShardManifest(p(ARTIFACTS.predictions));
    const records = shard ? shardShare(corpus.records, shard) : corpus.records;
    const r = await runPredictStage({ model, corpus: records, corpusOptions: flags, out: p(ARTIFACTS.predictions), labelIds, total: records.length, ui, signal });
    if (shard) {
      const { classifierModelId } = await import('@taxonomist/distill');
      await writeShardManifest(p(ARTIFACTS.predictions), { schemaVersion: 1, kind: 'predictions', shard, taxonomyId: taxonomyIdOf(tax), model: classifierModelId(model), records: r.records });
    }
    return {
      artifacts: [ARTIFACTS.predictions],
      usage: { ...ZERO_USAGE },
      counts: { records: r.records, ...(r.failed > 0 ? { failed: r.failed } : {}) },
      ...(r.failed > 0 ? { outcome: OUTCOME.PARTIAL } : {}),
    };
  });

  if (shard) {
    ui.info(`report: shard ${formatShard(shard)} predicted its share; the report is made from all predictions: merge them (\`taxonomist merge\`) and run \`taxonomist report\``);
    return resultNow();
  }

  // 5. report (+ agreement with gold classes when asked)
  await stage(
    'report',
    [ARTIFACTS.report, ...(goldField ? [ARTIFACTS.goldEval] : [])],
    async () => {
      if (goldField) await writeGoldEval(p(ARTIFACTS.predictions), corpus.records, goldField, p(ARTIFACTS.goldEval), ui);
      await renderReport(outDir, { generator: `${tool.name} ${tool.version}`, cwd });
      return { artifacts: [ARTIFACTS.report, ...(goldField ? [ARTIFACTS.goldEval] : [])] };
    },
    true,
  );

  return resultNow();
}

/** Records given in memory, as the JSONL file the stages read (same records, same bytes: a re-run skips). */
async function writeRecords(records: readonly PipelineRecord[], path: string): Promise<string> {
  const lines = records.map((r, i) => {
    if (typeof r !== 'object' || r === null || typeof r.text !== 'string') throw new PipelineInputError(`record ${i + 1}: text must be a string`, { location: { field: 'text' } });
    return JSON.stringify({ ...(r.id !== undefined ? { id: r.id } : {}), text: r.text, ...(r.label !== undefined ? { label: r.label } : {}) });
  });
  await writeTextAtomic(path, lines.length > 0 ? lines.join('\n') + '\n' : '');
  return path;
}

/** A failed or stopped stage's outcome, as far as a summary needs one. */
function outcomeOfKind(kind: PipelineErrorKind): Outcome {
  return kind === 'budget' || kind === 'interrupted' || kind === 'provider' || kind === 'partial' ? kind : OUTCOME.PARTIAL;
}

async function writeGoldEval(predictionsPath: string, records: readonly { id: string; label?: string }[], field: string, out: string, ui: Reporter): Promise<void> {
  const gold = new Map(records.filter((r) => r.label !== undefined).map((r) => [r.id, r.label!]));
  const g: string[] = [];
  const pr: string[] = [];
  for await (const a of readJsonl<LabelAssignment>(predictionsPath, { schema: LabelAssignmentSchema })) {
    const label = gold.get(a.id);
    if (label !== undefined && a.status === 'ok' && a.label !== undefined) {
      g.push(label);
      pr.push(a.label);
    }
  }
  if (g.length === 0) {
    ui.warn(`--gold-field ${field}: no record has that field; no gold agreement computed`);
    await writeJsonAtomic(out, {});
    return;
  }
  const r = clusteringReport(g, pr);
  await writeJsonAtomic(out, { gold: { field, n: r.n, nmi: r.nmi, ari: r.ari, harmonicPurity: r.harmonicPurity, goldClasses: r.goldClasses } });
}
