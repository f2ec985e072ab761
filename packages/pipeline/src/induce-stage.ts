import { basename } from 'node:path';
import {
  TaxonomySchema,
  induceTaxonomy,
  normalizeTaxonomy,
  readJsonFile,
  taxonomyToMarkdown,
  writeJsonAtomic,
  type CorpusRecord,
  type InduceOptions,
  type InductionProgressEvent,
  type InductionResult,
  type StageUsage,
  type Taxonomy,
} from '@taxonomist/core';
import { writeTextAtomic } from '@taxonomist/core';
import { PipelineError, PipelineInputError, PipelineUsageError } from './errors.js';
import { OUTCOME } from './outcome.js';
import type { StageValues } from './values.js';
import type { ModelSetup } from './models.js';
import type { ProgressHandle } from './reporter.js';
import type { Reporter } from './reporter.js';
import { offlineNotice } from './offline-notice.js';
import { stageUsageOf } from './usage.js';
import { defined, inputPath, list, num, str } from './values.js';

export interface InducePaths {
  taxonomy: string;
  /** InductionResult without the cluster model: history, summaries, sample, usage (for audits and the report). */
  induction?: string;
  markdown?: string;
  /** Where the offline engine's cluster model goes (nearest-centroid labeling of new texts). */
  clusterModel: string;
  checkpoint?: string;
}

export interface InduceStageResult {
  taxonomy: Taxonomy;
  result: InductionResult;
  usage: StageUsage;
  strategy: 'llm' | 'cluster';
}

/** The induction settings the flags ask for (part of the run fingerprint, so only serialisable values). */
export async function induceSettingsFromFlags(
  values: StageValues,
  models: ModelSetup,
  seed: number,
  cwd: string,
  /** A command that has no --strategy (estimate: always the LLM pipeline). */
  fixedStrategy?: 'llm' | 'cluster',
): Promise<Omit<InduceOptions, keyof import('@taxonomist/core').InduceRuntimeOptions>> {
  const strategy = fixedStrategy ?? (str(values, 'strategy') as 'llm' | 'cluster' | undefined) ?? (models.online ? 'llm' : 'cluster');
  if (strategy === 'llm' && !models.online) {
    throw new PipelineUsageError('--strategy llm needs a model', { hint: 'add --model openai:gpt-4o-mini (with OPENAI_API_KEY) or drop --strategy to use the offline clustering engine' });
  }
  const useCase = str(values, 'useCase');
  if (useCase === undefined && strategy === 'llm') {
    throw new PipelineUsageError('missing --use-case <text>', { hint: 'say what the taxonomy is for, e.g. --use-case "the customer\'s intent in support chats"' });
  }
  const seedTaxonomyPath = str(values, 'seedTaxonomy');
  const seedTaxonomy = seedTaxonomyPath === undefined ? undefined : await readJsonFile(inputPath(cwd, seedTaxonomyPath), TaxonomySchema);
  const k = num(values, 'labels');
  const locked = list(values, 'lock');
  return defined({
    useCase: useCase ?? 'the main topics of these texts',
    strategy,
    seed,
    sampleSize: num(values, 'induceSample'),
    batchSize: num(values, 'batchSize'),
    maxLabels: num(values, 'maxLabels'),
    epochs: num(values, 'epochs'),
    trials: num(values, 'trials'),
    levels: num(values, 'levels') as 1 | 2 | undefined,
    instructions: str(values, 'instructions'),
    seedTaxonomy,
    lockedLabels: locked.length ? locked : undefined,
    cluster: k !== undefined ? { k } : undefined,
  });
}

/**
 * Induce a taxonomy (LLM or offline clustering) and write it: taxonomy.json (+ Markdown), the induction record,
 * and for the offline engine the cluster model that labels new texts by nearest centroid.
 */
export async function runInduceStage(args: {
  records: readonly CorpusRecord[];
  settings: Awaited<ReturnType<typeof induceSettingsFromFlags>>;
  models: ModelSetup;
  paths: InducePaths;
  ui: Reporter;
  signal: AbortSignal;
}): Promise<InduceStageResult> {
  const { settings, models, paths, ui } = args;
  if (!models.online) offlineNotice(ui);
  const bars = new InduceProgress(ui);
  let result: InductionResult;
  try {
    result = await induceTaxonomy([...args.records], {
      ...settings,
      ...(models.online
        ? { model: models.model, summarizeModel: models.summarizeModel, gateway: models.gateway, host: models.host, ...(paths.checkpoint ? { checkpoint: paths.checkpoint } : {}) }
        : {}),
      signal: args.signal,
      onProgress: (e) => bars.on(e, models),
    });
  } catch (err) {
    throw classifyInductionError(err);
  } finally {
    bars.finish();
  }
  // Rejected rounds and degraded steps: the taxonomy is usable, but not what was asked for (outcome partial, see inductionOutcome).
  for (const w of result.warnings ?? []) ui.warn(`induce: ${w}`);
  let taxonomy = result.taxonomy;
  if (result.clusterModel !== undefined) {
    const model = result.clusterModel as { toJSON(): unknown };
    await writeJsonAtomic(paths.clusterModel, model.toJSON());
    // Recorded so `taxonomist label` finds the model next to the taxonomy (metadata does not change the taxonomy id).
    taxonomy = normalizeTaxonomy({ ...taxonomy, metadata: { ...(taxonomy.metadata ?? {}), clusterModel: basename(paths.clusterModel) } });
  }
  await writeJsonAtomic(paths.taxonomy, normalizeTaxonomy(taxonomy));
  if (paths.markdown) await writeTextAtomic(paths.markdown, taxonomyToMarkdown(taxonomy));
  if (paths.induction) {
    const { clusterModel: _omit, ...record } = result;
    await writeJsonAtomic(paths.induction, { ...record, taxonomy });
  }
  return { taxonomy, result: { ...result, taxonomy }, usage: stageUsageOf(result.usage), strategy: result.strategy };
}

/** Outcome of a finished induction: partial when a round was rejected or a step had to be degraded. */
export function inductionOutcome(result: Pick<InductionResult, 'rejectedSteps' | 'degradedSteps'>): typeof OUTCOME.OK | typeof OUTCOME.PARTIAL {
  return result.rejectedSteps > 0 || (result.degradedSteps ?? 0) > 0 ? OUTCOME.PARTIAL : OUTCOME.OK;
}

function classifyInductionError(err: unknown): unknown {
  const e = err as Error;
  if ((err as { kind?: unknown })?.kind === 'budget') {
    return new PipelineError(`induce: ${e.message}`, { kind: 'budget', hint: 're-run with a higher --budget: completed induction steps are kept in the checkpoint and the run resumes from them', cause: err });
  }
  if (e?.name === 'ClusterError') return new PipelineInputError(e.message.replace(/; pass k$/, ''), { hint: 'give the number of labels with --labels <n> (or add records)', cause: err });
  if (e?.name !== 'InductionError') return err;
  if (/^invalid induction options/.test(e.message)) return new PipelineUsageError(e.message.replace(/\n\s*/g, '; '));
  if (/generation failed/.test(e.message)) {
    return new PipelineError(e.message, { kind: 'rules', hint: 'the model answered, but kept breaking the taxonomy rules; try a stronger --model or raise --max-labels', cause: err });
  }
  return new PipelineInputError(e.message, { cause: err });
}

/** Progress of an induction: a bar for summaries, then one line per taxonomy step with the model's rating. */
class InduceProgress {
  private bar: ProgressHandle | undefined;
  private barKind = '';
  private steps = 0;
  constructor(private readonly ui: Reporter) {}

  on(e: InductionProgressEvent, models: ModelSetup): void {
    const usage = models.online ? models.gateway.usage().total : undefined;
    const money = usage ? { tokens: usage.inputTokens + usage.outputTokens, costUsd: usage.costUsd } : {};
    switch (e.type) {
      case 'sampled':
        this.ui.info(`induce: ${e.training} records sampled for induction (${e.validation} held for validation) of ${e.corpusRecords}`);
        break;
      case 'summarized':
        this.use('summarize', e.total).update({ done: e.done, total: e.total, ...money });
        break;
      case 'taxonomy:generated':
      case 'taxonomy:updated':
      case 'taxonomy:reviewed': {
        this.steps++;
        const r = e.record;
        this.use('induce').update({ done: this.steps, ...money, note: `${e.type.slice(9)} ${r.batch ?? ''}: ${e.taxonomy.labels.length} labels${r.rating !== null ? `, rating ${r.rating}` : ''}` });
        break;
      }
      case 'clustered':
        this.ui.info(`induce: ${e.k} clusters${e.kReason !== undefined && !e.kReason.endsWith(': given') ? ` (${e.kReason})` : ''}`);
        break;
      case 'done':
        this.finish();
        break;
      default:
        break;
    }
  }

  private use(kind: string, total?: number): ProgressHandle {
    if (this.bar === undefined || this.barKind !== kind) {
      this.bar?.finish();
      this.bar = this.ui.progress(kind, total);
      this.barKind = kind;
    }
    return this.bar;
  }

  finish(): void {
    this.bar?.finish();
    this.bar = undefined;
  }
}
