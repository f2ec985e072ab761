import type { Taxonomy } from '../schemas/taxonomy.js';
import type { IterationRecord } from './result.js';

/** Payload of the taxonomy:* observer hooks. */
export interface TaxonomyStepEvent {
  record: IterationRecord;
  taxonomy: Taxonomy;
  /** The step was replayed from the checkpoint, not asked again. */
  fromCheckpoint: boolean;
}

// The induction pipeline's progress hooks, added to the plugin host's observer hooks.
declare module '../plugins/types.js' {
  interface ObserverHooks {
    'taxonomy:generated': (e: TaxonomyStepEvent) => void | Promise<void>;
    'taxonomy:updated': (e: TaxonomyStepEvent) => void | Promise<void>;
    'taxonomy:reviewed': (e: TaxonomyStepEvent) => void | Promise<void>;
  }
}

/** Events given to `onProgress`, in order. */
export type InductionProgressEvent =
  | { type: 'sampled'; corpusRecords: number; training: number; validation: number }
  | { type: 'summarized'; done: number; total: number; summarizedByModel: number; fromCheckpoint: boolean }
  | ({ type: 'taxonomy:generated' | 'taxonomy:updated' | 'taxonomy:reviewed' } & TaxonomyStepEvent)
  | { type: 'judged'; a: number; b: number; aWins: number; bWins: number; ties: number }
  | { type: 'trial-chosen'; trial: number; scores: number[] }
  | { type: 'placed'; done: number; total: number }
  | { type: 'clustered'; k: number; namingFailures: number; /** Which k and why (chosen by silhouette, or given). */ kReason?: string }
  | { type: 'checkpoint'; path: string; completedSteps: number }
  | { type: 'done'; labels: number; steps: number; rejectedSteps: number; warnings?: string[] };
