import type { z } from 'zod';
import type { ChatMessage, ChatModelRef, Gateway, TokenUsage } from '../llm/types.js';
import type { StepUsage } from './result.js';
import { emptyStepUsage } from './usage.js';

export interface AskSpec<T> {
  stage: string;
  /** Prompt id (handed to the gateway for 'prompt:messages' transforms). */
  promptId: string;
  model: ChatModelRef;
  /** Stable id of `model` (for usage rows when no call succeeds). */
  modelId: string;
  messages: ChatMessage[];
  schema: z.ZodType<T>;
  schemaName: string;
  temperature: number;
  /** Added to the temperature on every re-ask. */
  temperatureStep: number;
  maxAttempts: number;
  /** Rule violations of an answer (empty = valid). */
  check: (value: T) => string[];
  /** What to call the thing being asked for in the re-ask message ("taxonomy", "summary"). */
  subject: string;
  cacheSalt?: string;
  /** Output tokens the answer may take, for the gateway's budget estimate (not sent; see StructuredRequest). */
  expectedOutputTokens?: number;
  signal?: AbortSignal;
}

/** The outcome of asking until the answer is valid. `value` is null when no attempt gave a valid answer. */
export interface AskOutcome<T> {
  value: T | null;
  attempts: number;
  /** The violations of each invalid attempt, in order. */
  violations: string[][];
  usage: StepUsage;
  /**
   * When no attempt was valid: the last answer that matched the schema but broke the rules (kept for the
   * deterministic fallbacks, e.g. merging an overshooting taxonomy down to the cap).
   */
  candidate?: T;
}

/** Highest temperature re-asks climb to (or the base temperature when that is already higher). */
const MAX_REASK_TEMPERATURE = 1;

/**
 * Ask the model and check its answer against the rules; on violations ask again with the violations stated and
 * the previous answer shown, a little hotter each time, at most `maxAttempts` times. The gateway's own repairs
 * handle malformed JSON; when it gives up (LlmError 'invalid_output') that counts as one failed attempt here.
 * Other errors (rate limits beyond retries, auth, abort) propagate.
 */
export async function askValid<T>(gateway: Gateway, spec: AskSpec<T>): Promise<AskOutcome<T>> {
  const usage = emptyStepUsage(spec.modelId);
  const violations: string[][] = [];
  let feedback: ChatMessage[] = [];
  let candidate: T | undefined;
  for (let attempt = 0; attempt < spec.maxAttempts; attempt++) {
    spec.signal?.throwIfAborted();
    const temperature =
      attempt === 0 ? spec.temperature : Math.min(Math.max(spec.temperature, MAX_REASK_TEMPERATURE), spec.temperature + attempt * spec.temperatureStep);
    let raw: string;
    let problems: string[];
    let value: T | undefined;
    try {
      const res = await gateway.structured({
        stage: spec.stage,
        promptId: spec.promptId,
        model: spec.model,
        messages: [...spec.messages, ...feedback],
        schema: spec.schema,
        schemaName: spec.schemaName,
        temperature: round(temperature),
        ...(spec.cacheSalt !== undefined ? { cacheSalt: spec.cacheSalt } : {}),
        ...(spec.expectedOutputTokens !== undefined ? { expectedOutputTokens: spec.expectedOutputTokens } : {}),
        ...(spec.signal ? { signal: spec.signal } : {}),
      });
      usage.modelId = res.modelId;
      usage.calls++;
      usage.attempts += res.attempts;
      // Like the gateway's own report: a cached answer costs nothing and uses no tokens.
      if (res.cached) {
        usage.cachedCalls++;
      } else {
        usage.inputTokens += res.usage.inputTokens;
        usage.outputTokens += res.usage.outputTokens;
        usage.costUsd += gateway.cost(res.modelId, res.usage);
      }
      raw = res.raw;
      value = res.value;
      problems = spec.check(res.value);
    } catch (err) {
      if (!isInvalidOutput(err)) throw err;
      usage.calls++;
      usage.failedCalls++;
      usage.attempts += Math.max(1, (err as { attempts?: number }).attempts ?? 1);
      // The invalid answers were billed: the gateway puts their tokens on the error.
      const billed = (err as { usage?: TokenUsage }).usage;
      if (billed !== undefined) {
        usage.inputTokens += billed.inputTokens;
        usage.outputTokens += billed.outputTokens;
        usage.costUsd += gateway.cost(usage.modelId, billed);
      }
      raw = (err as { raw?: string }).raw ?? '';
      problems = [`the answer did not match the required JSON format: ${(err as Error).message}`];
    }
    if (problems.length === 0) return { value: value as T, attempts: attempt + 1, violations, usage };
    if (value !== undefined) candidate = value;
    violations.push(problems);
    feedback = [
      ...(raw ? [{ role: 'assistant' as const, content: raw }] : []),
      {
        role: 'user' as const,
        content:
          `That ${spec.subject} breaks these rules:\n${problems.map((p) => `- ${p}`).join('\n')}\n` +
          `Answer again with the complete corrected ${spec.subject}.`,
      },
    ];
  }
  return { value: null, attempts: spec.maxAttempts, violations, usage, ...(candidate !== undefined ? { candidate } : {}) };
}

function isInvalidOutput(err: unknown): boolean {
  return err !== null && typeof err === 'object' && (err as { kind?: unknown }).kind === 'invalid_output';
}

function round(t: number): number {
  return Math.round(t * 1000) / 1000;
}
