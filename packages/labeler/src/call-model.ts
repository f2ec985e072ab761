import { classifyError, isProviderStopped } from '@taxonomist/core';
import type { AssignmentErrorKind, ChatModelRef, Gateway, StructuredRequest, StructuredResult } from '@taxonomist/core';
import type { z } from 'zod';
import { NONE_ANSWER } from './catalog.js';
import type { LabelCatalog } from './catalog.js';
import { packKeys } from './answer-schema.js';
import type { AnswerShape, ItemAnswer, PackedAnswer } from './answer-schema.js';
import { interpretAnswer } from './interpret.js';
import { matchPackedAnswers } from './packed-answer-match.js';
import { labelValueProbabilities } from './confidence.js';
import { buildMessages } from './prompt.js';
import type { FewShotSelector } from './few-shot.js';
import type { UsageTracker } from './usage.js';
import type { OkInterpretation } from './vote.js';

/** A corpus record ready to label (validated, truncated). */
export interface PreparedRecord {
  /** Position among the records labeled in this run (ordered mode emits by it). */
  seq: number;
  id: string;
  /** The text sent to the model (truncated when it was too long). */
  text: string;
  /** Tokens of `text`; absent until counted (see recordTokens: only cost estimates need it). */
  tokens?: number;
  truncated?: { originalTokens: number; keptTokens: number };
}

/** What one model said about one record. */
export type RecordOutcome =
  | { status: 'ok'; answer: OkInterpretation; modelId: string; confidence?: number }
  | {
      status: 'failed';
      kind: AssignmentErrorKind;
      message: string;
      raw?: string;
      modelId: string;
      /**
       * The gateway stopped calling the provider (auth/quota error, too many failures in a row): the record is
       * 'aborted' (not written, left for a resume) and the run stops, for this reason.
       */
      stop?: { kind: string; message: string };
    };

export interface ModelHandle {
  ref: ChatModelRef;
  id: string;
  supportsLogprobs: boolean;
}

/** Counters of how packed calls went (all records accounted for: re-asks are counted, not lost). */
export interface PackStats {
  packedCalls: number;
  /** Answers missing for a text of a pack. */
  missing: number;
  /** Texts of a pack answered more than once. */
  duplicated: number;
  /** Answers for ids that were not in the pack (ignored). */
  extra: number;
  /** Answers outside the taxonomy inside a pack. */
  outOfTaxonomy: number;
  /** Whole packs whose answer was unusable (invalid JSON/schema after repairs, refusal). */
  failedPacks: number;
  /** Texts re-asked individually for any of the reasons above. */
  reasked: number;
}

export function emptyPackStats(): PackStats {
  return { packedCalls: 0, missing: 0, duplicated: 0, extra: 0, outOfTaxonomy: 0, failedPacks: 0, reasked: 0 };
}

export interface CallEnv {
  gateway: Gateway;
  catalog: LabelCatalog;
  shape: AnswerShape;
  systemSingle: string;
  systemPacked: string;
  singleSchema: z.ZodType<ItemAnswer>;
  packedSchema(k: number): z.ZodType<PackedAnswer>;
  stage: string;
  maxRepairs?: number;
  maxTokens?: number;
  fewShot?: FewShotSelector;
  usage: UsageTracker;
  pack: PackStats;
  signal: AbortSignal;
  /** Called with the cost of every call, failed ones included (budget tracking). */
  onCost?(costUsd: number): void;
}

/**
 * One structured call through the gateway, its spend counted whatever the outcome: a failed call's answered
 * attempts (error.usage) were billed too, and the budget must see them.
 */
async function structuredCall<T>(env: CallEnv, model: ModelHandle, req: StructuredRequest<T>): Promise<StructuredResult<T>> {
  let result: StructuredResult<T>;
  try {
    result = await env.gateway.structured<T>(req);
  } catch (err) {
    env.onCost?.(env.usage.addFailed(model.id, err));
    throw err;
  }
  env.onCost?.(env.usage.add(result));
  return result;
}

/** Per-call settings: differ between the plain call and self-consistency samples. */
export interface CallSettings {
  temperature: number;
  logprobs: boolean;
  cacheSalt?: string;
}

function failed(modelId: string, kind: AssignmentErrorKind, message: string, raw?: string): RecordOutcome {
  return { status: 'failed', kind, message, modelId, ...(raw !== undefined ? { raw } : {}) };
}

/** Parse a raw answer leniently (it may be fenced or wrapped in prose) to tell out-of-taxonomy from bad JSON. */
function parseRawAnswer(raw: string | undefined): unknown {
  if (raw === undefined) return undefined;
  const candidates = [raw, raw.slice(raw.indexOf('{'), raw.lastIndexOf('}') + 1)];
  for (const c of candidates) {
    try {
      return JSON.parse(c);
    } catch {
      /* try the next form */
    }
  }
  return undefined;
}

function toFailure(env: CallEnv, modelId: string, err: unknown): RecordOutcome {
  if (isProviderStopped(err)) {
    return { status: 'failed', kind: 'aborted', message: err.message, modelId, stop: { kind: err.kind, message: err.message } };
  }
  const c = classifyError(err);
  const raw = typeof (err as { raw?: unknown })?.raw === 'string' ? (err as { raw: string }).raw : undefined;
  if (c.kind === 'invalid_output') {
    // The gateway gives up after its repairs. If the last answer was well-formed but named a label outside the
    // taxonomy (our validate() refused it), the record failed for THAT reason, and the raw answer is kept.
    const parsed = parseRawAnswer(raw);
    if (parsed !== null && typeof parsed === 'object') {
      const interp = interpretAnswer(env.catalog, env.shape, parsed as ItemAnswer);
      if (interp.kind === 'unknown' && interp.answers.length > 0) return failed(modelId, 'out_of_taxonomy', interp.message, raw);
    }
  }
  return failed(modelId, c.kind as AssignmentErrorKind, c.message, raw);
}

function allowedList(env: CallEnv): string {
  const ids = env.catalog.ids.join(', ');
  return env.shape.allowNone ? `${ids}, or "${NONE_ANSWER}"` : ids;
}

function confidenceFrom(env: CallEnv, result: StructuredResult<unknown>, count: number): (number | undefined)[] {
  if (result.logprobs === undefined || result.logprobs.length === 0) return new Array<undefined>(count).fill(undefined);
  return labelValueProbabilities(result.logprobs, env.shape.mode === 'multi' ? 'labels' : 'label', count);
}

/** One text, one call. The validate hook re-asks (within the gateway's repair budget) when a label is unknown. */
export async function labelOne(
  env: CallEnv,
  model: ModelHandle,
  record: PreparedRecord,
  settings: CallSettings,
): Promise<RecordOutcome> {
  try {
    const examples = env.fewShot ? await env.fewShot.select([record.text], env.signal) : [];
    const messages = buildMessages(env.systemSingle, env.catalog, [{ text: record.text }], examples);
    const result = await structuredCall<ItemAnswer>(env, model, {
      stage: env.stage,
      promptId: 'label',
      model: model.ref,
      messages,
      schema: env.singleSchema,
      schemaName: 'label_answer',
      temperature: settings.temperature,
      ...(env.maxTokens !== undefined ? { maxTokens: env.maxTokens } : {}),
      ...(env.maxRepairs !== undefined ? { maxRepairs: env.maxRepairs } : {}),
      ...(settings.logprobs ? { logprobs: true } : {}),
      ...(settings.cacheSalt !== undefined ? { cacheSalt: settings.cacheSalt } : {}),
      validate: (value) => {
        const interp = interpretAnswer(env.catalog, env.shape, value);
        return interp.kind === 'ok' ? [] : [`${interp.message}. Use only these label ids: ${allowedList(env)}.`];
      },
      signal: env.signal,
    });
    const interp = interpretAnswer(env.catalog, env.shape, result.value);
    if (interp.kind !== 'ok') return failed(result.modelId, 'out_of_taxonomy', interp.message, result.raw);
    const [confidence] = confidenceFrom(env, result, 1);
    return { status: 'ok', answer: interp, modelId: result.modelId, ...(confidence !== undefined ? { confidence } : {}) };
  } catch (err) {
    return toFailure(env, model.id, err);
  }
}

/**
 * Several texts in one call, keyed t1..tk; answers are matched back by key. A text whose answer is missing,
 * duplicated or outside the taxonomy is re-asked on its own, so a sloppy packed answer costs a few extra calls but
 * never loses or mislabels a record. A pack whose whole answer is unusable (invalid after repairs, refused) is
 * re-asked text by text; transport failures (after the gateway's retries) fail the records of the pack.
 */
export async function labelPack(
  env: CallEnv,
  model: ModelHandle,
  records: readonly PreparedRecord[],
  settings: CallSettings,
): Promise<RecordOutcome[]> {
  if (records.length === 1) return [await labelOne(env, model, records[0]!, settings)];
  const keys = packKeys(records.length);
  const out: (RecordOutcome | undefined)[] = new Array(records.length).fill(undefined);
  const reask: number[] = [];
  try {
    const examples = env.fewShot ? await env.fewShot.select(records.map((r) => r.text), env.signal) : [];
    const messages = buildMessages(
      env.systemPacked,
      env.catalog,
      records.map((r, i) => ({ key: keys[i]!, text: r.text })),
      examples,
    );
    env.pack.packedCalls += 1;
    const result = await structuredCall<PackedAnswer>(env, model, {
      stage: env.stage,
      promptId: 'label',
      model: model.ref,
      messages,
      schema: env.packedSchema(records.length),
      schemaName: 'label_answers',
      temperature: settings.temperature,
      ...(env.maxTokens !== undefined ? { maxTokens: env.maxTokens * records.length } : {}),
      ...(env.maxRepairs !== undefined ? { maxRepairs: env.maxRepairs } : {}),
      ...(settings.logprobs ? { logprobs: true } : {}),
      ...(settings.cacheSalt !== undefined ? { cacheSalt: settings.cacheSalt } : {}),
      signal: env.signal,
    });
    const answers = Array.isArray(result.value.answers) ? result.value.answers : [];
    const matched = matchPackedAnswers(env, keys, result.value, confidenceFrom(env, result, answers.length), result.modelId);
    matched.out.forEach((o, i) => {
      out[i] = o;
    });
    reask.push(...matched.reask);
  } catch (err) {
    const failure = toFailure(env, model.id, err);
    if (failure.status === 'failed' && (failure.kind === 'invalid_output' || failure.kind === 'refusal' || failure.kind === 'out_of_taxonomy')) {
      env.pack.failedPacks += 1;
      reask.push(...records.map((_, i) => i));
    } else {
      return records.map(() => failure);
    }
  }
  env.pack.reasked += reask.length;
  const again = await Promise.all(reask.map((i) => labelOne(env, model, records[i]!, settings)));
  reask.forEach((i, j) => {
    out[i] = again[j]!;
  });
  return out as RecordOutcome[];
}
