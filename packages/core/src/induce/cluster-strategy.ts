import { CLUSTER_NAMING_PROMPT_ID, clusterTaxonomy, type ClusterNamingPromptInput } from '../cluster/index.js';
import type { ChatMessage } from '../llm/types.js';
import { normalizeTaxonomy } from './export.js';
import type { InduceRuntimeOptions, InduceSettings } from './options.js';
import { InductionError } from './options.js';
import type { InductionProgressEvent } from './progress.js';
import type { InductionResult } from './result.js';
import { sampleInfo, type CorpusSample } from './sample.js';
import { UsageLedger } from './usage.js';

/**
 * The clustering baseline behind the same interface: k-means over the sampled training texts (built-in offline
 * vectors, or `embeddings`), clusters named by the model when one is given, else by their distinctive terms.
 */
export async function runClusterStrategy(
  sample: CorpusSample,
  settings: InduceSettings,
  runtime: InduceRuntimeOptions,
  progress: (e: InductionProgressEvent) => Promise<void>,
): Promise<InductionResult> {
  if (sample.training.length === 0) throw new InductionError('the corpus has no non-empty texts to cluster');
  if (runtime.model !== undefined && runtime.gateway === undefined) {
    throw new InductionError('naming clusters with a model needs options.gateway');
  }
  // A run-level or plugin override of the cluster naming prompt (id 'cluster.name'), like the other prompts.
  const override = runtime.prompts?.[CLUSTER_NAMING_PROMPT_ID] ?? runtime.host?.prompt(CLUSTER_NAMING_PROMPT_ID);
  const namingPrompt = override
    ? (input: ClusterNamingPromptInput): ChatMessage[] => override(input as unknown as Record<string, unknown>)
    : undefined;
  const out = await clusterTaxonomy(sample.training, {
    useCase: settings.useCase,
    seed: settings.seed,
    ...(settings.cluster?.k !== undefined ? { k: settings.cluster.k } : {}),
    ...(settings.cluster?.kRange !== undefined ? { kRange: settings.cluster.kRange } : {}),
    ...(runtime.embeddings !== undefined ? { embeddings: runtime.embeddings } : {}),
    ...(runtime.gateway !== undefined ? { gateway: runtime.gateway } : {}),
    ...(runtime.model !== undefined && runtime.gateway !== undefined
      ? {
          nameWith: {
            gateway: runtime.gateway,
            model: runtime.model,
            maxNameWords: settings.maxNameWords,
            maxDescriptionWords: settings.maxDescriptionWords,
            concurrency: settings.concurrency,
            ...(settings.instructions !== undefined ? { instructions: settings.instructions } : {}),
            ...(namingPrompt ? { prompt: namingPrompt } : {}),
          },
        }
      : {}),
    ...(runtime.signal ? { signal: runtime.signal } : {}),
  });

  await progress({ type: 'clustered', k: out.k, namingFailures: out.naming.failures.length, kReason: out.kChoice.reason });
  const taxonomy = normalizeTaxonomy({
    ...out.taxonomy,
    method: 'cluster',
    metadata: { ...(out.taxonomy.metadata ?? {}), seed: settings.seed, k: out.k },
  });
  const result: InductionResult = {
    taxonomy,
    strategy: 'cluster',
    seed: settings.seed,
    sample: sampleInfo(sample),
    summaries: [],
    history: [],
    rejectedSteps: 0,
    cluster: {
      k: out.k,
      inertia: out.inertia,
      ...(out.silhouette !== undefined ? { silhouette: out.silhouette } : {}),
      naming: out.naming.source,
      // Clusters the model could not name keep their term-based names; counted rather than hidden.
      namingFailures: out.naming.failures.length,
      unvectorized: out.unvectorized,
      assignments: out.assignments.map((a) => ({ id: a.id, labelId: a.labelId, distance: a.distance })),
    },
    usage: runtime.gateway ? runtime.gateway.usage() : new UsageLedger().report(),
    clusterModel: out.model,
  };
  await progress({ type: 'done', labels: taxonomy.labels.length, steps: 0, rejectedSteps: 0 });
  return result;
}
