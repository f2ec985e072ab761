import { withFileLock, writeJsonAtomic } from '@taxonomist/core';
import type { DistillRegistry, LabeledExample, TrainOptions } from '@taxonomist/distill';
import { PipelineInputError, PipelineUsageError } from './errors.js';
import type { ReportData } from '@taxonomist/report';
import type { Reporter } from './reporter.js';
import { splitInOrder } from './sample.js';

export interface DistillStageResult {
  examples: number;
  labels: number;
  quality?: NonNullable<ReportData['quality']>;
  classifier: string;
}

/**
 * Train the distilled classifier. With a holdout fraction, a first model is trained on the rest and measured on the
 * held-out records (that is the quality the report shows); the saved model is then trained on every example.
 */
export async function runDistillStage(args: Parameters<typeof distillUnlocked>[0]): Promise<DistillStageResult> {
  // One writer per model file: a second distill into the same file fails at once instead of racing the first.
  return withFileLock(args.modelPath, { purpose: 'taxonomist distill', onWarning: (m) => args.ui.warn(m) }, () => distillUnlocked(args));
}

async function distillUnlocked(args: {
  examples: readonly LabeledExample[];
  holdout: number;
  seed: number;
  taxonomyId?: string;
  /** Label name -> id in the taxonomy, recorded in the model so that its predictions carry labelId. */
  labelIds?: Record<string, string>;
  classifier?: string;
  /** Featurizer kind (built-in or registered by a plugin). */
  featurizer?: string;
  /** Registry with the plugins' classifiers and featurizers (default: the package's built-ins). */
  registry?: DistillRegistry;
  multiLabel?: boolean;
  modelPath: string;
  evalPath?: string;
  /** Describes what the examples are, for the report ("LLM labels of the sample"). */
  source: string;
  ui: Reporter;
}): Promise<DistillStageResult> {
  const { ui } = args;
  const distinct = new Set(args.examples.map((e) => e.label));
  if (distinct.size < 2) {
    throw new PipelineInputError(`cannot train a classifier on ${args.examples.length} example(s) with ${distinct.size} distinct label(s)`, {
      hint: 'a classifier needs at least 2 labels with examples: label more records (--label-sample) or check why labeling failed',
    });
  }
  const distill = await import('@taxonomist/distill');
  const { evaluate, saveClassifier } = distill;
  const train = (examples: readonly LabeledExample[], options: TrainOptions): ReturnType<typeof distill.train> => distill.train(examples, options).catch((err: unknown) => {
    throw classifierUsageError(err) ?? err;
  });
  const options: TrainOptions = {
    seed: args.seed,
    ...(args.taxonomyId !== undefined ? { taxonomyId: args.taxonomyId } : {}),
    ...(args.labelIds !== undefined ? { labelIds: args.labelIds } : {}),
    ...(args.classifier !== undefined ? { classifier: { type: args.classifier } } : {}),
    ...(args.featurizer !== undefined ? { featurizer: { type: args.featurizer } } : {}),
    ...(args.registry !== undefined ? { registry: args.registry } : {}),
    ...(args.multiLabel ? { multiLabel: true } : {}),
  };
  let quality: DistillStageResult['quality'];
  const { train: trainPart, holdout } = splitInOrder(args.examples, args.holdout, args.seed);
  if (holdout.length > 0 && new Set(trainPart.map((e) => e.label)).size >= 2) {
    ui.info(`distill: measuring on ${holdout.length} held-out records (trained on ${trainPart.length})`);
    const { model } = await train(trainPart, options);
    const report = await evaluate(model, holdout);
    quality = {
      evaluatedOn: `${Math.round(args.holdout * 100)}% of the ${args.source} held out (model trained on the other ${trainPart.length}; the saved model is trained on all ${args.examples.length})`,
      n: report.n,
      accuracy: report.accuracy,
      macroF1: report.macroF1,
      kappa: report.kappa,
      perLabel: report.perLabel.map((p) => ({ label: p.label, precision: p.precision, recall: p.recall, f1: p.f1, support: p.support })),
      confusion: report.confusion,
    };
  }
  ui.info(`distill: training on ${args.examples.length} examples, ${distinct.size} labels`);
  const { model, report } = await train(args.examples, options);
  await saveClassifier(model, args.modelPath);
  if (args.evalPath) await writeJsonAtomic(args.evalPath, quality ? { quality } : {});
  return { examples: args.examples.length, labels: distinct.size, ...(quality ? { quality } : {}), classifier: String(report.classifier.type) };
}

/** A --classifier the registry does not have (or that cannot do this data) is a usage error, not a bug. */
function classifierUsageError(err: unknown): PipelineUsageError | undefined {
  // A classifier / featurizer name nobody registered is a usage mistake, not a bug: say where names come from.
  const message = err instanceof Error ? err.message : '';
  const m = /^(?:unknown (classifier|featurizer)|(classifier) ")/.exec(message);
  if (!m) return undefined;
  const flag = m[1] ?? m[2]!;
  return new PipelineUsageError(`--${flag}: ${message}`, { hint: `--${flag} takes a built-in name (see --help) or one a config plugin registers (registries.${flag}s)` });
}
