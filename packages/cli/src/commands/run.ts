import { join, resolve } from 'node:path';
import {
  acquireFileLock,
  type FileLock,
  TaxonomySchema,
  clusteringReport,
  hashValue,
  readJsonFile,
  readJsonl,
  taxonomyIdOf,
  writeJsonAtomic,
  LabelAssignmentSchema,
  type LabelAssignment,
  type StageUsage,
  type Taxonomy,
} from '@taxonomist/core';
import { ensureDir, writeTextAtomic } from '@taxonomist/core';
import { CliError, UsageError, toCliError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { safeUrl, setupModels } from '../model/setup.js';
import { ARTIFACTS } from '../pipeline/artifacts.js';
import { loadClusterModel, runCentroidLabelStage } from '../pipeline/centroid-label.js';
import { corpusFlags, loadCorpus, withText } from '../pipeline/corpus.js';
import { runDistillStage } from '../pipeline/distill-stage.js';
import { pluginDistillRegistry } from '../model/plugin-registry.js';
import { induceSettingsFromFlags, inductionExitCode, runInduceStage } from '../pipeline/induce-stage.js';
import { labelSettingsFromFlags, runLlmLabelStage, type LabelStageResult } from '../pipeline/label-stage.js';
import { keepEditedOutputs } from '../pipeline/edited-artifacts.js';
import { runActiveLabelStage } from '../pipeline/active-label-stage.js';
import { resolveRelabelModel, runRelabelStage } from '../pipeline/relabel-stage.js';
import { RunManifestStore } from '../pipeline/manifest.js';
import { MISSING, hashArtifacts, pipelineFiles, sha256File } from '../pipeline/stage-contents.js';
import { offlineNotice, warnIgnoredOffline } from '../pipeline/offline-notice.js';
import { runPredictStage } from '../pipeline/predict-stage.js';
import { sampleInOrder } from '../pipeline/sample.js';
import { ZERO_USAGE, stageUsageOf, usageDelta } from '../pipeline/usage.js';
import { bool, inputPath, num, seedOf, str } from '../pipeline/values.js';
import { collectReportData } from '../report/collect.js';
import { renderReportHtml } from '../report/html.js';
import { formatCost, formatCount, formatDuration, formatTokens } from '../ui/format.js';
import { renderTable } from '../ui/table.js';
import { cliVersion } from '../version.js';
import type { CommandContext } from './types.js';

const STAGES = ['induce', 'label', 'distill', 'predict', 'report'] as const;
type StageName = (typeof STAGES)[number];
const DEFAULT_LABEL_SAMPLE = 1000;
const DEFAULT_HOLDOUT = 0.2;

interface StageOutcome {
  artifacts: string[];
  usage?: StageUsage;
  counts?: Record<string, number>;
  /** Non-zero when the stage finished but not fully (failed records): the run goes on, the exit code says so. */
  exitCode?: ExitCode;
  /** One line for the summary (e.g. how many labels active learning bought and why it stopped). */
  note?: string;
}

interface SummaryRow {
  stage: StageName;
  status: 'done' | 'skipped' | 'failed' | 'stopped';
  records?: number;
  ms?: number;
  usage?: StageUsage;
  note?: string;
}

/**
 * `taxonomist run`: induce -> label a sample -> distill -> predict everything -> report, every artifact in
 * --out-dir, every stage recorded in manifest.json and skipped on a re-run when its inputs did not change.
 * One run per out-dir at a time: its lock covers every artifact in it.
 */
export async function execute(ctx: CommandContext): Promise<ExitCode> {
  const outDir = resolve(ctx.io.cwd, str(ctx.values, 'outDir') ?? 'out');
  let lock: FileLock;
  try {
    lock = await acquireFileLock(outDir, { lockPath: join(outDir, RUN_LOCK_FILE), purpose: 'taxonomist run', onWarning: (m) => ctx.ui.warn(m) });
  } catch (err) {
    if ((err as Error).name === 'FileLockedError') throw err;
    // --out-dir itself is unusable (under a file, unwritable): the run reports that with its own message.
    return executeUnlocked(ctx);
  }
  try {
    return await executeUnlocked(ctx);
  } finally {
    await lock.release();
  }
}

/** The out-dir lock file (kept out of the artifact list: it exists only while a run is going). */
export const RUN_LOCK_FILE = '.taxonomist-run.lock';

async function executeUnlocked(ctx: CommandContext): Promise<ExitCode> {
  const [corpusPath] = ctx.positionals as [string];
  const { values, ui, io } = ctx;
  const outDir = resolve(io.cwd, str(values, 'outDir') ?? 'out');
  await ensureDir(outDir); // not mkdir -p: it never returns for /proc/x
  const p = (name: string): string => join(outDir, name);
  const models = await setupModels(ctx, { cacheDir: p(ARTIFACTS.cache), summarize: true });
  if (!models.online) {
    offlineNotice(ui);
    warnIgnoredOffline(values, ui);
  }
  const seed = seedOf(values);
  const goldField = str(values, 'goldField');
  const flags = corpusFlags(values);
  // Empty texts are kept so the label sample and the predictions have one line per record (failed 'input' for
  // those); induction only sees records with a text.
  const corpus = await loadCorpus(inputPath(io.cwd, corpusPath), { ...flags, ...(goldField ? { labelField: goldField } : {}) }, ui, ctx.signal, { keepEmptyTexts: true, rejectsPath: join(outDir, 'rejects.jsonl') });
  const withTexts = corpus.emptyTexts > 0 ? withText(corpus.records) : corpus.records;
  const inputSha = (await sha256File(resolve(io.cwd, corpusPath))) ?? MISSING; // read just above: present

  const induceSettings = await induceSettingsFromFlags(values, models, seed, io.cwd);
  const labelSettings = labelSettingsFromFlags(values);
  const labelSample = num(values, 'labelSample') ?? DEFAULT_LABEL_SAMPLE;
  const holdout = num(values, 'holdout') ?? DEFAULT_HOLDOUT;
  // With a model, labels are bought by active learning unless --selection random (a seeded sample, as before).
  const selection = str(values, 'selection') ?? 'diverse';
  const activeLabeling = models.online && selection !== 'random';
  const labelBudget = num(values, 'labelBudget') ?? labelSample;
  const targetAgreement = num(values, 'targetAgreement');
  // --relabel / --relabel-model: re-ask the labels the audit disputes (pipeline/relabel-stage.ts).
  const relabelModel = str(values, 'relabelModel');
  const relabel = models.online && (bool(values, 'relabel') || relabelModel !== undefined);
  if (models.online && relabelModel !== undefined) await resolveRelabelModel(models, relabelModel, num(values, 'budget') !== undefined);
  if (activeLabeling) {
    const { createSelectionRegistry } = await import('@taxonomist/distill');
    const known = createSelectionRegistry(models.host).names();
    if (!known.includes(selection)) throw new UsageError(`--selection ${selection}: unknown selection strategy (known: ${known.join(', ')})`, { command: 'run' });
  }
  const engine = models.online ? 'llm' : 'offline';
  const modelIds: Record<string, string> = models.online
    ? { induce: models.model, summarize: models.summarizeModel, label: models.model }
    : { induce: 'offline:cluster', label: 'offline:nearest-centroid' };

  // The config plugins' classifiers and featurizers (distill --classifier / --featurizer, and loading the model).
  const withPluginRegistry = async () => {
    const registry = await pluginDistillRegistry(ctx, models.online ? models.host : undefined);
    return registry ? { registry } : {};
  };
  // Each stage's fingerprint chains the previous one: a change upstream redoes everything downstream.
  const fp: Record<StageName, string> = {} as Record<StageName, string>;
  fp.induce = hashValue({ inputSha, flags, induceSettings, engine, models: modelIds });
  fp.label = hashValue({ prev: fp.induce, labelSettings, labelSample, seed, ...(activeLabeling ? { selection, labelBudget, targetAgreement: targetAgreement ?? null } : {}), ...(relabel ? { relabel: relabelModel ?? 'self-consistency' } : {}) });
  fp.distill = hashValue({ prev: fp.label, holdout, seed, classifier: str(values, 'classifier') ?? null, ...(str(values, 'featurizer') ? { featurizer: str(values, 'featurizer') } : {}) });
  fp.predict = hashValue({ prev: fp.distill });
  fp.report = hashValue({ prev: fp.predict, goldField: goldField ?? null, version: cliVersion() });

  const store = await RunManifestStore.open(
    outDir,
    {
      tool: { name: 'taxonomist', version: cliVersion() },
      input: { path: corpusPath, sha256: inputSha, records: corpus.records.length },
      seed,
      options: {
        engine,
        useCase: induceSettings.useCase,
        corpus: flags,
        skippedInput: corpus.stats.skipped,
        labelSample,
        holdout,
        induce: { ...induceSettings, seedTaxonomy: induceSettings.seedTaxonomy ? '(given)' : undefined },
        label: labelSettings,
        ...(goldField ? { goldField } : {}),
        ...(typeof values.baseUrl === 'string' ? { baseUrl: safeUrl(values.baseUrl) } : {}),
      },
      models: modelIds,
      stages: STAGES,
    },
    bool(values, 'noResume'),
  );

  const rows: SummaryRow[] = [];
  let exitCode: ExitCode = EXIT.OK;
  const files = pipelineFiles(models.online);
  // `always`: cheap stages that read other artifacts (the report) are redone on every run.
  const stage = async (name: StageName, artifacts: string[], fn: (mode: 'resume' | 'fresh') => Promise<StageOutcome>, always = false): Promise<void> => {
    // Content of what the stage reads: a deleted, re-made or edited upstream artifact makes it run again.
    const inputs = await hashArtifacts(outDir, files[name].inputs);
    if (!always && store.isDone(name, fp[name], inputs)) {
      await keepEditedOutputs(store, name, outDir, files[name].outputs, ui);
      const s = store.stage(name);
      ui.info(`${name}: unchanged since the last run, skipped`);
      // The same outcome gives the same exit code on a re-run: a stage that finished partially stays partial.
      const recorded = s.counts?.exitCode as ExitCode | undefined;
      if (recorded !== undefined && recorded !== EXIT.OK) {
        ui.warn(`${name}: the last run of this stage finished with exit code ${recorded} (see its warnings then, or the stage's artifacts); use --no-resume to redo it`);
        if (exitCode === EXIT.OK) exitCode = recorded;
      }
      rows.push({ stage: name, status: 'skipped', ...(s.counts?.records !== undefined ? { records: s.counts.records } : {}) });
      return;
    }
    const mode = await store.start(name, fp[name], artifacts, inputs);
    if (mode === 'resume') ui.info(`${name}: resuming the interrupted stage`);
    const t0 = io.now();
    // What a failed or stopped stage spent is read off the gateway (its calls were billed all the same).
    const before = models.online ? stageUsageOf(models.gateway.usage()) : undefined;
    let outcome: StageOutcome;
    try {
      outcome = await fn(mode);
    } catch (err) {
      const e = toCliError(err);
      const stopped = e.exitCode === EXIT.BUDGET || e.exitCode === EXIT.INTERRUPTED;
      const usage = models.online && before ? usageDelta(stageUsageOf(models.gateway.usage()), before) : undefined;
      await store.stop(name, stopped ? 'stopped' : 'failed', e.message, usage ? { usage } : {});
      rows.push({ stage: name, status: stopped ? 'stopped' : 'failed', ms: io.now() - t0, note: e.message, ...(usage ? { usage } : {}) });
      printSummary(ctx, rows, outDir, e.exitCode);
      throw e;
    }
    const ms = Math.round(io.now() - t0);
    const partial: Record<string, number> = outcome.exitCode !== undefined && outcome.exitCode !== EXIT.OK ? { exitCode: outcome.exitCode } : {};
    const outputs = await hashArtifacts(outDir, files[name].outputs);
    await store.finish(name, { artifacts: outcome.artifacts, ...(outcome.usage ? { usage: outcome.usage } : {}), counts: { ...outcome.counts, durationMs: ms, ...partial }, outputs });
    rows.push({ stage: name, status: 'done', ms, ...(outcome.counts?.records !== undefined ? { records: outcome.counts.records } : {}), ...(outcome.usage ? { usage: outcome.usage } : {}), ...(outcome.note ? { note: outcome.note } : {}) });
    if (outcome.exitCode !== undefined && outcome.exitCode !== EXIT.OK && exitCode === EXIT.OK) exitCode = outcome.exitCode;
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
      signal: ctx.signal,
    });
    taxonomy = r.taxonomy;
    const artifacts = [ARTIFACTS.taxonomy, ARTIFACTS.taxonomyMarkdown, ARTIFACTS.induction, ...(r.result.clusterModel !== undefined ? [ARTIFACTS.clusterModel] : []), ...(models.online ? [ARTIFACTS.induceCheckpoint] : [])];
    return {
      artifacts,
      usage: r.usage,
      counts: { records: r.result.sample.trainingIds.length, labels: r.taxonomy.labels.length, steps: r.result.history.length, rejectedSteps: r.result.rejectedSteps, degradedSteps: r.result.degradedSteps ?? 0 },
      exitCode: inductionExitCode(r.result),
    };
  });
  taxonomy ??= await readJsonFile(p(ARTIFACTS.taxonomy), TaxonomySchema);
  const tax = taxonomy;

  // 2. label a seeded sample
  const sample = sampleInOrder(corpus.records, labelSample, seed, 'label-sample');
  let labelResult: LabelStageResult | undefined;
  let labelNote: string | undefined;
  await stage('label', [ARTIFACTS.labels, ...(activeLabeling ? [ARTIFACTS.activeRounds, ARTIFACTS.activeLearning] : []), ...(relabel ? [ARTIFACTS.relabel] : [])], async (mode) => {
    const labelStart = models.online ? stageUsageOf(models.gateway.usage()) : undefined;
    if (models.online && activeLabeling) {
      const budget = num(values, 'budget');
      const left = budget === undefined ? undefined : budget - models.gateway.usage().total.costUsd;
      if (left !== undefined && left <= 0) {
        throw new CliError(`label: the --budget of $${budget} was used up by induction`, { exitCode: EXIT.BUDGET, hint: 're-run with a higher --budget: the taxonomy is kept and labeling starts' });
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
        signal: ctx.signal,
      });
      labelResult = r;
      labelNote = r.active.summary;
    } else if (models.online) {
      // --budget caps this invocation: what induction just spent comes off the labeling budget.
      const budget = num(values, 'budget');
      const left = budget === undefined ? undefined : budget - models.gateway.usage().total.costUsd;
      if (left !== undefined && left <= 0) {
        throw new CliError(`label: the --budget of $${budget} was used up by induction`, { exitCode: EXIT.BUDGET, hint: 're-run with a higher --budget: the taxonomy is kept and labeling starts' });
      }
      labelResult = await runLlmLabelStage({ records: sample, taxonomy: tax, models, out: p(ARTIFACTS.labels), fresh: mode === 'fresh', values, seed, ui, signal: ctx.signal, ...(left !== undefined ? { budget: left } : {}) });
    } else {
      const model = await loadClusterModel(p(ARTIFACTS.clusterModel), tax);
      labelResult = await runCentroidLabelStage({ records: sample, taxonomy: tax, model, out: p(ARTIFACTS.labels), ui });
    }
    if (labelResult.exitCode === EXIT.BUDGET || labelResult.exitCode === EXIT.INTERRUPTED) {
      throw new CliError(labelResult.exitCode === EXIT.BUDGET ? `label: stopped at the --budget limit with ${labelResult.notAttempted} record(s) not labeled` : 'label: interrupted', {
        exitCode: labelResult.exitCode,
        hint: labelResult.exitCode === EXIT.BUDGET ? 're-run with a higher --budget: labeled records are kept and the run resumes' : 're-run the same command to resume',
      });
    }
    if (labelResult.stopError !== undefined) {
      // The provider was stopped (dead key, hanging server): distilling a partial sample would hide it.
      throw new CliError(`label: ${labelResult.stopError.message}; ${labelResult.notAttempted} record(s) not labeled`, {
        exitCode: EXIT.PROVIDER,
        hint: 'fix the cause (key, --base-url, --timeout) and re-run the same command: labeled records are kept and the run resumes',
      });
    }
    if (labelResult.ok === 0) {
      throw new CliError(`label: no record could be labeled (${Object.entries(labelResult.failedByKind).map(([k, n]) => `${n} ${k}`).join(', ')})`, {
        exitCode: labelResult.exitCode === EXIT.OK ? EXIT.PARTIAL : labelResult.exitCode,
        hint: `see the error field of the lines in ${p(ARTIFACTS.labels)}`,
      });
    }
    let relabelCounts: Record<string, number> = {};
    if (relabel && models.online) {
      const budget = num(values, 'budget');
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
        signal: ctx.signal,
      });
      labelNote = labelNote ? `${labelNote}; ${r.summary}` : r.summary;
      relabelCounts = { relabelFlagged: r.flagged, relabelAsked: r.asked, relabelChanged: r.changed, relabelFailed: r.failed };
      if (r.failed > 0 && labelResult.exitCode === EXIT.OK) labelResult.exitCode = EXIT.PARTIAL;
    }
    return {
      artifacts: [ARTIFACTS.labels, ...(activeLabeling ? [ARTIFACTS.activeRounds, ARTIFACTS.activeLearning] : []), ...(relabel ? [ARTIFACTS.relabel] : [])],
      usage: relabel && labelStart ? usageDelta(stageUsageOf(models.gateway.usage()), labelStart) : labelResult.usage,
      counts: { records: labelResult.records, ok: labelResult.ok, failed: labelResult.failed, ...relabelCounts },
      exitCode: labelResult.exitCode,
      ...(labelNote ? { note: labelNote } : {}),
    };
  });

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
      ...(str(values, 'classifier') ? { classifier: str(values, 'classifier') } : {}),
      ...(str(values, 'featurizer') ? { featurizer: str(values, 'featurizer') } : {}),
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
    const r = await runPredictStage({ model, corpus: corpus.records, corpusOptions: flags, out: p(ARTIFACTS.predictions), labelIds, total: corpus.records.length, ui, signal: ctx.signal });
    return {
      artifacts: [ARTIFACTS.predictions],
      usage: { ...ZERO_USAGE },
      counts: { records: r.records, ...(r.failed > 0 ? { failed: r.failed } : {}) },
      ...(r.failed > 0 ? { exitCode: EXIT.PARTIAL } : {}),
    };
  });

  // 5. report (+ agreement with gold classes when asked)
  await stage('report', [ARTIFACTS.report, ...(goldField ? [ARTIFACTS.goldEval] : [])], async () => {
    if (goldField) await writeGoldEval(p(ARTIFACTS.predictions), corpus.records, goldField, p(ARTIFACTS.goldEval), ui);
    const data = await collectReportData(outDir, { generator: `taxonomist ${cliVersion()}`, cwd: io.cwd });
    await writeTextAtomic(p(ARTIFACTS.report), renderReportHtml(data));
    return { artifacts: [ARTIFACTS.report, ...(goldField ? [ARTIFACTS.goldEval] : [])] };
  }, true);

  printSummary(ctx, rows, outDir, exitCode);
  return exitCode;
}

async function writeGoldEval(predictionsPath: string, records: readonly { id: string; label?: string }[], field: string, out: string, ui: CommandContext['ui']): Promise<void> {
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

function printSummary(ctx: CommandContext, rows: SummaryRow[], outDir: string, exitCode: ExitCode): void {
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
  ctx.ui.result(lines.join('\n'), { outDir, exitCode, stages: rows, report: join(outDir, ARTIFACTS.report) });
}
