import { labelPack } from './call-model.js';
import type { CallEnv, ModelHandle, PreparedRecord, RecordOutcome } from './call-model.js';
import { majorityVote, voteKey } from './vote.js';
import type { EnsembleAgreement } from './ensemble-agreement.js';

export type ConfidenceMethod = 'none' | 'logprobs' | 'self-consistency' | 'vote';

/** The combined answer for a record, ready to become an output line. */
export type FinalOutcome =
  | (Extract<RecordOutcome, { status: 'ok' }> & { confidenceMethod?: 'logprobs' | 'self-consistency' | 'vote' })
  | Extract<RecordOutcome, { status: 'failed' }>;

export interface LabelingPlan {
  models: ModelHandle[];
  /** Method actually used (after resolving 'auto'). */
  confidence: ConfidenceMethod;
  temperature: number;
  samples: number;
  sampleTemperature: number;
  /** Ensemble agreement accumulator (ensembles only). */
  agreement?: EnsembleAgreement;
}

function aborted(outcomes: readonly RecordOutcome[]): RecordOutcome | undefined {
  return outcomes.find((o) => o.status === 'failed' && o.kind === 'aborted');
}

/**
 * Vote over several outcomes for one record. Failures do not vote; when nothing succeeded the first failure (in
 * sample/model order) is the record's failure. An aborted part makes the whole record aborted (it is not written
 * and will be labeled by the next run).
 */
function vote(outcomes: readonly RecordOutcome[], modelId: string, method: 'self-consistency' | 'vote'): FinalOutcome {
  const stop = aborted(outcomes);
  if (stop) return stop as FinalOutcome;
  const ok = outcomes.filter((o): o is Extract<RecordOutcome, { status: 'ok' }> => o.status === 'ok');
  if (ok.length === 0) return outcomes[0] as FinalOutcome;
  const v = majorityVote(ok.map((o) => o.answer));
  return { status: 'ok', answer: v.winner, modelId, confidence: v.share, confidenceMethod: method };
}

/** Label records with one model under the plan's confidence method. */
async function withOneModel(
  env: CallEnv,
  plan: LabelingPlan,
  model: ModelHandle,
  records: readonly PreparedRecord[],
): Promise<FinalOutcome[]> {
  if (plan.confidence === 'self-consistency') {
    const samples = await Promise.all(
      Array.from({ length: plan.samples }, (_, s) =>
        labelPack(env, model, records, { temperature: plan.sampleTemperature, logprobs: false, cacheSalt: `self-consistency:${s}` }),
      ),
    );
    return records.map((_, r) => vote(samples.map((sample) => sample[r]!), model.id, 'self-consistency'));
  }
  const logprobs = plan.confidence === 'logprobs';
  const outcomes = await labelPack(env, model, records, { temperature: plan.temperature, logprobs });
  return outcomes.map((o) => {
    if (o.status === 'ok' && logprobs && o.confidence !== undefined) return { ...o, confidenceMethod: 'logprobs' as const };
    if (o.status === 'ok') {
      // No logprobs came back (or none were asked): no confidence rather than a made-up one.
      const { confidence: _drop, ...rest } = o;
      return rest;
    }
    return o;
  });
}

/**
 * Label a batch of records (one pack) under the plan: one model, self-consistency samples, or an ensemble whose
 * models vote (confidence = share of models agreeing with the winner; ties go to the earliest-listed model).
 */
export async function labelBatch(env: CallEnv, plan: LabelingPlan, records: readonly PreparedRecord[]): Promise<FinalOutcome[]> {
  if (plan.models.length === 1) return withOneModel(env, plan, plan.models[0]!, records);
  const perModel = await Promise.all(
    plan.models.map((m) => labelPack(env, m, records, { temperature: plan.temperature, logprobs: false })),
  );
  const ensembleId = plan.models.map((m) => m.id).join('+');
  return records.map((_, r) => {
    const outcomes = perModel.map((list) => list[r]!);
    if (!aborted(outcomes)) {
      plan.agreement?.add(outcomes.map((o) => (o.status === 'ok' ? voteKey(o.answer) : undefined)));
    }
    const v = vote(outcomes, ensembleId, 'vote');
    if (plan.confidence === 'none' && v.status === 'ok') {
      // Asked for no confidence: the vote still decides, its share is not reported.
      const { confidence: _c, confidenceMethod: _m, ...rest } = v;
      return rest;
    }
    return v;
  });
}
