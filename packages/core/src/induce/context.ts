import type { z } from 'zod';
import type { ChatModelRef, Gateway } from '../llm/types.js';
import { isBudgetExceeded } from '../llm/budget.js';
import { askValid, type AskOutcome, type AskSpec } from './ask.js';
import type { StepStore } from './checkpoint.js';
import type { InduceSettings } from './options.js';
import { InductionError } from './options.js';
import type { PromptSources } from './prompt-render.js';
import type { InductionProgressEvent } from './progress.js';
import type { IterationRecord } from './result.js';
import type { UsageLedger } from './usage.js';

export interface ModelChoice {
  ref: ChatModelRef;
  /** Stable id from the gateway (enters the options hash and usage rows). */
  id: string;
}

/** Everything the stages of one run share. */
export interface RunContext {
  settings: InduceSettings;
  gateway: Gateway;
  models: { main: ModelChoice; summarize: ModelChoice; judge: ModelChoice };
  prompts: PromptSources;
  store: StepStore;
  ledger: UsageLedger;
  history: IterationRecord[];
  /** Rejected and degraded steps in words, in step order (rebuilt identically when a run resumes). */
  warnings: string[];
  signal?: AbortSignal;
  /** Report progress to onProgress and (for taxonomy:* events) to the plugin hooks. */
  progress(event: InductionProgressEvent): Promise<void>;
}

/**
 * Run one model step once: a step already in the store (from this run or the checkpoint) is returned as stored,
 * otherwise it is asked (with re-asks) and recorded. `build` is only called when the model must be asked.
 */
export async function memoAsk<T>(
  ctx: RunContext,
  key: string,
  schema: z.ZodType<T>,
  build: () => Promise<AskSpec<T>>,
): Promise<AskOutcome<T> & { fromCheckpoint: boolean }> {
  const stored = ctx.store.get(key);
  if (stored) {
    let value: T | null = null;
    if (stored.value !== null && stored.value !== undefined) {
      const parsed = schema.safeParse(stored.value);
      if (!parsed.success) {
        throw new InductionError(`checkpoint step "${key}" does not hold a valid answer (${parsed.error.issues[0]?.message}); delete the checkpoint to start over`);
      }
      value = parsed.data;
    }
    const candidate = stored.candidate === undefined ? undefined : schema.safeParse(stored.candidate);
    return {
      value,
      attempts: stored.attempts,
      violations: stored.violations,
      usage: stored.usage,
      ...(candidate?.success ? { candidate: candidate.data } : {}),
      fromCheckpoint: true,
    };
  }
  const spec = await build();
  let outcome: AskOutcome<T>;
  try {
    outcome = await askValid(ctx.gateway, spec);
  } catch (err) {
    await saveOnStop(ctx, err);
    throw err;
  }
  ctx.store.set(key, {
    stage: spec.stage,
    value: outcome.value,
    attempts: outcome.attempts,
    violations: outcome.violations,
    usage: outcome.usage,
    ...(outcome.candidate !== undefined ? { candidate: outcome.candidate } : {}),
  });
  // After a stop, steps still in flight (concurrent summaries, judges) are saved as they finish, not lost.
  if (stopped.has(ctx.store)) await ctx.store.flush();
  return { ...outcome, fromCheckpoint: false };
}

const stopped = new WeakSet<StepStore>();
const annotated = new WeakSet<object>();

/**
 * A step failed (budget reached, provider failure, abort): write what was completed so a rerun resumes from it,
 * and say so on a budget stop (once per error).
 */
async function saveOnStop(ctx: RunContext, err: unknown): Promise<void> {
  stopped.add(ctx.store);
  await ctx.store.flush().catch(() => undefined);
  if (isBudgetExceeded(err) && !annotated.has(err)) {
    annotated.add(err);
    err.message +=
      ctx.store.path !== undefined
        ? `; induction stopped: ${ctx.store.size} completed step(s) are saved in the checkpoint ${ctx.store.path}; run again with a higher budget to resume`
        : '; induction stopped (no checkpoint path was given, so a rerun starts over)';
  }
}
