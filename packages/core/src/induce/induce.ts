import type { Gateway } from '../llm/types.js';
import { createGateway } from '../llm/gateway.js';
import { TAXONOMY_SCHEMA_VERSION, type Taxonomy, type TaxonomyLabel } from '../schemas/taxonomy.js';
import { hashValue } from '../util/hash.js';
import { createRng, hashString32, shuffle } from '../util/random.js';
import type { BatchItem } from './batch.js';
import { runChain } from './chain.js';
import { CHECKPOINT_VERSION, StepStore } from './checkpoint.js';
import { runClusterStrategy } from './cluster-strategy.js';
import type { RunContext } from './context.js';
import { normalizeTaxonomy } from './export.js';
import { growSubLabels, withPlacedExamples } from './hierarchy.js';
import { judgeCandidates } from './judge-trials.js';
import { InductionError, parseInduceOptions, type InduceOptions, type InduceRuntimeOptions, type InduceSettings } from './options.js';
import { placeItems } from './place.js';
import type { InductionProgressEvent } from './progress.js';
import type { HierarchyInfo, InductionResult, IterationRecord, TrialsInfo } from './result.js';
import { IdAllocator } from './revision.js';
import { sampleCorpus, sampleInfo, type CorpusInput } from './sample.js';
import { summarizeRecords } from './summarize.js';
import { UsageLedger } from './usage.js';
import type { LabelRules } from './validate.js';

/**
 * Induce a label taxonomy from unlabeled texts (TnT-LLM phase 1): sample, summarize, generate a taxonomy on the
 * first minibatch, update it on every following one, review it; optionally several trials judged pairwise, and a
 * second level of sub-labels. With `strategy: 'cluster'` (the default when no model is given) the clustering
 * baseline produces the same result type.
 *
 * Deterministic: the same corpus, options, seed and (scripted) model answers give byte-identical results, also
 * when the run is resumed from its checkpoint after a crash.
 */
export async function induceTaxonomy(corpus: CorpusInput, options: InduceOptions): Promise<InductionResult> {
  const parsed = parseInduceOptions(options);
  const { settings } = parsed;
  // One host passed once: a gateway created with the plugin host carries it to this stage.
  const runtime = parsed.runtime.host === undefined && parsed.runtime.gateway?.host !== undefined ? { ...parsed.runtime, host: parsed.runtime.gateway.host } : parsed.runtime;
  const strategy = settings.strategy ?? (runtime.model !== undefined ? 'llm' : 'cluster');
  const progress = makeProgress(runtime);
  runtime.signal?.throwIfAborted();

  if (strategy === 'cluster') {
    const sample = await sampleCorpus(corpus, settings);
    await progress({ type: 'sampled', corpusRecords: sample.corpusRecords, training: sample.training.length, validation: sample.validation.length });
    return runClusterStrategy(sample, settings, runtime, progress);
  }

  if (runtime.model === undefined) throw new InductionError('the llm strategy needs a chat model: pass options.model');
  if (settings.trials > 1 && settings.validationFraction === 0) {
    throw new InductionError('trials > 1 needs validation records for the judge: set validationFraction above 0');
  }
  const gateway: Gateway =
    runtime.gateway ?? createGateway({ ...(runtime.host ? { resolver: runtime.host } : {}), ...runtime.gatewayOptions });
  const resolve = async (ref: NonNullable<InduceRuntimeOptions['model']>) => ({ ref, id: (await gateway.resolveChatModel(ref)).id });
  const main = await resolve(runtime.model);
  const models = {
    main,
    summarize: runtime.summarizeModel !== undefined ? await resolve(runtime.summarizeModel) : main,
    judge: runtime.judgeModel !== undefined ? await resolve(runtime.judgeModel) : main,
  };

  const sample = await sampleCorpus(corpus, settings);
  await progress({ type: 'sampled', corpusRecords: sample.corpusRecords, training: sample.training.length, validation: sample.validation.length });
  if (sample.training.length === 0) throw new InductionError('the corpus has no non-empty texts to induce a taxonomy from');

  const optionsHash = hashValue({
    pipeline: CHECKPOINT_VERSION,
    settings,
    models: { main: models.main.id, summarize: models.summarize.id, judge: models.judge.id },
  });
  const store = await StepStore.open(runtime.checkpoint, { optionsHash, seed: settings.seed, corpusHash: sample.corpusHash });
  const history: IterationRecord[] = [];
  const ledger = new UsageLedger();
  const ctx: RunContext = {
    settings,
    gateway,
    models,
    prompts: {
      ...(runtime.prompts ? { overrides: runtime.prompts } : {}),
      ...(runtime.host ? { host: runtime.host } : {}),
      ...(settings.instructions !== undefined ? { instructions: settings.instructions } : {}),
    },
    store,
    ledger,
    history,
    warnings: [],
    ...(runtime.signal ? { signal: runtime.signal } : {}),
    progress,
  };

  // Summaries: the training records, plus the validation records the trial judge will look at.
  const judged = settings.trials > 1 ? sample.validation.slice(0, settings.judgeSampleSize) : [];
  const summaries = await summarizeRecords(ctx, [...judged, ...sample.training]);
  store.describe({ summaries });
  const itemOf = new Map(summaries.map((s) => [s.id, { id: s.id, text: s.summary } satisfies BatchItem]));
  const trainingItems = sample.training.map((r) => itemOf.get(r.id)!);
  const judgeItems = judged.map((r) => itemOf.get(r.id)!);

  const { start, rules } = startingPoint(settings);
  const candidates: { trial: number; seed: number; labels: TaxonomyLabel[]; lastRating: number | null; ids: IdAllocator }[] = [];
  for (let trial = 0; trial < settings.trials; trial++) {
    const trialSeed = trial === 0 ? settings.seed : hashString32(`${settings.seed}:trial:${trial}`);
    const items = trial === 0 ? trainingItems : shuffle(trainingItems, createRng(trialSeed));
    const ids = IdAllocator.after(start ?? []);
    const chain = await runChain(ctx, {
      trial,
      level: 1,
      keyPrefix: `t${trial}/top`,
      items,
      seed: trialSeed,
      ...(start ? { start } : {}),
      ids,
      rules,
      ...(trial > 0 ? { cacheSalt: `trial-${trial}` } : {}),
    });
    candidates.push({ trial, seed: trialSeed, labels: chain.labels!, lastRating: chain.lastRating, ids });
  }

  let chosen = 0;
  let trials: TrialsInfo | undefined;
  if (candidates.length > 1) {
    if (judgeItems.length === 0) throw new InductionError('no validation records to judge the trials on (the sample is too small)');
    const judged = await judgeCandidates(ctx, candidates.map((c) => c.labels), judgeItems);
    chosen = judged.chosen;
    trials = {
      candidates: candidates.map((c) => ({
        trial: c.trial,
        seed: c.seed,
        taxonomy: llmTaxonomy(settings, c.labels),
        lastRating: c.lastRating,
      })),
      comparisons: judged.comparisons,
      scores: judged.scores,
      chosen,
      firstPositionRate: judged.firstPositionRate,
    };
    await progress({ type: 'trial-chosen', trial: chosen, scores: judged.scores });
  }
  const best = candidates[chosen]!;

  let labels = best.labels;
  let hierarchy: HierarchyInfo | undefined;
  if (settings.levels === 2) {
    const grown = await growSubLabels(ctx, best.labels, trainingItems, best.ids, {
      trial: best.trial,
      seed: best.seed,
      rules,
      ...(best.trial > 0 ? { cacheSalt: `trial-${best.trial}` } : {}),
    });
    labels = grown.labels;
    hierarchy = grown.info;
  } else if (settings.examplesPerLabel > 0) {
    const placement = await placeItems(ctx, trainingItems, labels, 'place/top');
    labels = withPlacedExamples(labels, trainingItems, placement, settings.examplesPerLabel);
  }

  const taxonomy = normalizeTaxonomy({
    ...llmTaxonomy(settings, labels),
    metadata: { seed: settings.seed, model: models.main.id, levels: settings.levels, trials: settings.trials, chosenTrial: best.trial },
  });
  store.describe({ history, complete: true });
  await store.flush();
  const result: InductionResult = {
    taxonomy,
    strategy: 'llm',
    seed: settings.seed,
    sample: sampleInfo(sample),
    summaries,
    history,
    rejectedSteps: history.filter((h) => h.status === 'rejected').length,
    degradedSteps: history.filter((h) => h.degraded !== undefined).length,
    warnings: [...ctx.warnings],
    ...(trials ? { trials } : {}),
    ...(hierarchy ? { hierarchy } : {}),
    usage: ledger.report(),
    ...(runtime.checkpoint !== undefined ? { checkpointPath: runtime.checkpoint } : {}),
  };
  await progress({ type: 'done', labels: taxonomy.labels.length, steps: history.length, rejectedSteps: result.rejectedSteps, warnings: result.warnings ?? [] });
  return result;
}

function llmTaxonomy(settings: InduceSettings, labels: TaxonomyLabel[]): Taxonomy {
  return { schemaVersion: TAXONOMY_SCHEMA_VERSION, useCase: settings.useCase, labels, method: 'llm' };
}

/** The seed taxonomy's top labels (if any) and the label rules of the top level. */
function startingPoint(settings: InduceSettings): { start?: TaxonomyLabel[]; rules: LabelRules } {
  const base = {
    minLabels: 2,
    maxLabels: settings.maxLabels,
    maxNameWords: settings.maxNameWords,
    maxDescriptionWords: settings.maxDescriptionWords,
    ...(settings.language !== undefined ? { language: settings.language } : {}),
  };
  const seed = settings.seedTaxonomy;
  if (!seed) return { rules: { ...base, locked: [] } };
  if (seed.labels.some((l) => l.parent !== undefined)) {
    throw new InductionError('seedTaxonomy: only flat taxonomies can be a starting point (labels with a parent found); pass the top labels');
  }
  if (seed.labels.length === 0) throw new InductionError('seedTaxonomy has no labels');
  const start = seed.labels.map((l) => ({ id: l.id, name: l.name, description: l.description }));
  const locked = settings.lockedLabels.map((key) => {
    const l = start.find((x) => x.id === key) ?? start.find((x) => x.name === key)!;
    return { id: l.id, name: l.name };
  });
  return { start, rules: { ...base, locked } };
}

function makeProgress(runtime: InduceRuntimeOptions): (e: InductionProgressEvent) => Promise<void> {
  return async (event) => {
    runtime.onProgress?.(event);
    if (runtime.host && (event.type === 'taxonomy:generated' || event.type === 'taxonomy:updated' || event.type === 'taxonomy:reviewed')) {
      await runtime.host.emit(event.type, { record: event.record, taxonomy: event.taxonomy, fromCheckpoint: event.fromCheckpoint });
    }
  };
}
