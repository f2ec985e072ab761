import type { AssignmentErrorKind, BatchInfo, BatchResult, TokenUsage } from '@taxonomist/core';
import type { z } from 'zod';
import { packKeys } from './answer-schema.js';
import type { ItemAnswer, PackedAnswer } from './answer-schema.js';
import { interpretAnswer } from './interpret.js';
import { labelValueProbabilities } from './confidence.js';
import { matchPackedAnswers } from './packed-answer-match.js';
import type { PackStats, RecordOutcome } from './call-model.js';
import type { RunSetup } from './setup.js';

/** What a batch error code means for the record's failed line. */
function kindOfCode(code: string): AssignmentErrorKind {
  if (code === 'batch_expired') return 'timeout';
  if (code === 'batch_cancelled') return 'aborted';
  if (code === 'refusal') return 'refusal';
  if (code === 'invalid_output') return 'invalid_output';
  if (code === 'rate_limit' || code === 'rate_limit_exceeded' || code === 'http_429') return 'rate_limit';
  if (code === 'insufficient_quota' || code === 'quota') return 'quota';
  if (code === 'server_error' || /^http_5\d\d$/.test(code)) return 'server';
  if (code === 'invalid_api_key' || code === 'http_401' || code === 'auth') return 'auth';
  if (code === 'invalid_request' || code === 'invalid_request_error' || /^http_4\d\d$/.test(code)) return 'bad_request';
  return 'unknown';
}

function failed(modelId: string, kind: AssignmentErrorKind, message: string, raw?: string): RecordOutcome {
  return { status: 'failed', kind, message, modelId, ...(raw !== undefined ? { raw } : {}) };
}

function zodProblems(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

/**
 * The outcome of every record of one batch request, judged like an online answer: the text must be JSON that follows
 * the request's schema (the same zod schema the gateway validates with), then the labels must be in the taxonomy; a
 * packed answer is matched back by key. There are no re-asks in a batch: whatever online labeling would re-ask
 * (invalid JSON, schema-invalid, missing or out-of-taxonomy answers) fails the record with the reason.
 */
export function outcomesOfRequest(
  setup: RunSetup,
  modelId: string,
  recordCount: number,
  result: BatchResult | undefined,
  missingReason: string,
  pack: PackStats,
): RecordOutcome[] {
  const all = (o: RecordOutcome): RecordOutcome[] => new Array<RecordOutcome>(recordCount).fill(o);
  if (result === undefined) return all(failed(modelId, 'unknown', missingReason));
  if (result.status === 'error') return all(failed(modelId, kindOfCode(result.code), `${result.code}: ${result.message}`));
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.text);
  } catch {
    return all(failed(modelId, 'invalid_output', 'the answer is not valid JSON', result.text));
  }
  const wantLogprobs = setup.confidence === 'logprobs';
  const field = setup.shape.mode === 'multi' ? 'labels' : 'label';
  if (recordCount === 1) {
    const checked = setup.singleSchema.safeParse(parsed);
    if (!checked.success) return all(failed(modelId, 'invalid_output', `the answer does not follow the schema: ${zodProblems(checked.error)}`, result.text));
    const interp = interpretAnswer(setup.catalog, setup.shape, checked.data as ItemAnswer);
    if (interp.kind !== 'ok') return all(failed(modelId, 'out_of_taxonomy', interp.message, result.text));
    const [confidence] = wantLogprobs && result.logprobs?.length ? labelValueProbabilities(result.logprobs, field, 1) : [undefined];
    return [{ status: 'ok', answer: interp, modelId, ...(confidence !== undefined ? { confidence } : {}) }];
  }
  pack.packedCalls += 1;
  const checked = setup.packedSchema(recordCount).safeParse(parsed);
  if (!checked.success) {
    pack.failedPacks += 1;
    return all(failed(modelId, 'invalid_output', `the packed answer does not follow the schema: ${zodProblems(checked.error)}`, result.text));
  }
  const value = checked.data as PackedAnswer;
  const answers = Array.isArray(value.answers) ? value.answers : [];
  const confidences = wantLogprobs && result.logprobs?.length ? labelValueProbabilities(result.logprobs, field, answers.length) : [];
  const matched = matchPackedAnswers({ catalog: setup.catalog, shape: setup.shape, pack }, packKeys(recordCount), value, confidences, modelId);
  return matched.out.map((o, i) => {
    if (o !== undefined) return o;
    const why = matched.reasons.get(i) ?? { kind: 'invalid_output' as const, message: 'no usable answer' };
    return failed(modelId, why.kind, why.message, result.text);
  });
}

/** Why a request of a finished batch has no result line. */
export function missingResultReason(batchId: string, customId: string, info: BatchInfo): string {
  if (info.status === 'failed') {
    const errors = info.errors?.length ? `: ${info.errors.join('; ')}` : '';
    return `batch ${batchId} failed${errors}`;
  }
  return `batch ${batchId} (${info.status}) has no result for request ${customId}`;
}

/** Token usage of a result (ok answers, and errors the provider billed). */
export function resultUsage(result: BatchResult | undefined): TokenUsage | undefined {
  if (result === undefined) return undefined;
  return result.usage;
}
