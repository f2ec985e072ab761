/**
 * Options of `activeDistill`: the serialisable part is a zod schema (it also fingerprints the round log, so a resume
 * with different settings is refused instead of silently mixing two runs); runtime hooks are typed beside it.
 */
import { z } from 'zod';
import type { DistillRegistry } from '../registry.js';
import type { DistilledClassifier } from '../model.js';
import type { ActiveRound } from './round-log.js';
import type { SelectionRegistry } from './strategy-registry.js';

export const ActiveOptionsSchema = z.object({
  seed: z.number().int().default(0),
  /** Selection strategy name (see SelectionRegistry): 'random', 'margin', 'entropy', 'diverse', 'balanced', 'diverse-balanced' (default) or a plugin's. */
  strategy: z.string().min(1).default('diverse-balanced'),
  /** Records in the seed batch, spread over the pool's strata (offline clusters). */
  seedSize: z.number().int().min(0).default(100),
  /** Records per later round (holdout draws included). */
  batchSize: z.number().int().positive().default(100),
  /** Stop once this many records were sent to the LLM (seed, holdout and batches; the last batch is cut to fit). */
  labelBudget: z.number().int().positive().optional(),
  /** Stop once `spentUsd()` reaches this (the next batch is cut to the labels the rest is expected to buy). */
  budgetUsd: z.number().positive().optional(),
  /** Stop once the held-out agreement with the LLM reaches this. */
  targetAgreement: z.number().gt(0).max(1).optional(),
  /** Which figure must reach the target: the Wilson interval's lower bound (default, conservative) or the point estimate. */
  targetOn: z.enum(['lower', 'point']).default('lower'),
  /** Fewest held-out labels before the target may stop the loop. */
  targetMinHoldout: z.number().int().positive().default(30),
  /** Confidence level of the held-out interval. */
  confidenceLevel: z.number().gt(0).lt(1).default(0.95),
  /** Share of the records bought that are drawn uniformly at random and kept out of training, to measure agreement. */
  holdoutFraction: z.number().min(0).lt(1).default(0.1),
  /** Stop when the best held-out agreement of the last `rounds` rounds beats the best before them by < minGain. */
  plateau: z.union([z.literal(false), z.object({ rounds: z.number().int().positive().default(3), minGain: z.number().min(0).default(0.005) })]).default(false),
  /** Number of strata (k-means clusters of the pool) for the seed batch and the 'diverse' strategy. */
  strata: z.number().int().positive().optional(),
  maxRounds: z.number().int().positive().optional(),
  featurizer: z.looseObject({ type: z.string().min(1) }).optional(),
  classifier: z.looseObject({ type: z.string().min(1) }).optional(),
});
export type ActiveConfig = z.output<typeof ActiveOptionsSchema>;

/**
 * An LLM answer for one record: a label; null when the LLM answered but gave no usable label (failed, "none"),
 * which is not asked again in this run.
 */
export type ActiveAnswer = string | null;

export interface PoolRecord {
  id: string;
  text: string;
}

export type ActiveOptions = z.input<typeof ActiveOptionsSchema> & {
  /** Labels the records (sent in pool order) and resolves to one answer per record, in the same order. */
  labelBatch(records: PoolRecord[]): Promise<readonly ActiveAnswer[]>;
  /** Cumulative USD spent on labels (for `budgetUsd`). */
  spentUsd?(): number;
  /**
   * Answers already bought (e.g. the labeler's resumable JSONL output after a crash): a pick found here is taken from
   * it instead of being sent to `labelBatch`, so no label is bought twice.
   */
  known?: ReadonlyMap<string, ActiveAnswer>;
  /** JSONL file of rounds: resumes from it when it exists (same settings and pool), created otherwise. */
  roundLog?: string;
  /** Start a new round log even if one exists. */
  fresh?: boolean;
  /** Stratum (offline cluster) per pool position, instead of computing k-means on LSA vectors of the pool. */
  clusters?: ArrayLike<number>;
  registry?: DistillRegistry;
  strategies?: SelectionRegistry;
  signal?: AbortSignal;
  /**
   * After every round (restored ones included, with `restored: true`), with the round's classifier when there is one.
   * For new rounds `extra.fitAll()` trains the classifier the loop would return if it stopped here (every usable label
   * bought, held-out ones included), e.g. to score what a user with this budget gets.
   */
  onRound?(round: ActiveRound, model: DistilledClassifier | undefined, extra?: { fitAll(): Promise<DistilledClassifier | undefined> }): void | Promise<void>;
  /** Size of the batch of round `round` (>= 1) given the records bought so far (default: batchSize). */
  batchSizeAt?(round: number, bought: number): number;
};
