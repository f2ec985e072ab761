import type { Gateway, StructuredResult, TokenUsage } from '@taxonomist/core';

/** Usage of one labeling run (the gateway's own report covers every stage and every run sharing it). */
export interface RunUsage {
  /** Calls that returned an answer (cache hits included). */
  calls: number;
  cachedCalls: number;
  /** Calls that ended in an error (after the gateway's retries and re-asks); their billed tokens are counted below. */
  failedCalls: number;
  /** Tokens of every billed attempt: answered calls, their re-asks, and the answered attempts of failed calls. */
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export function emptyUsage(): RunUsage {
  return { calls: 0, cachedCalls: 0, failedCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
}

/**
 * Adds up what a run's calls cost. A successful call's usage covers its re-asks; a failed call (invalid answers after
 * the re-asks, a refusal, an abort between re-asks) still spent the tokens of the attempts the model answered, which
 * the gateway puts on the error (`error.usage`): they count here and in the budget like any other spend.
 */
export class UsageTracker {
  readonly usage: RunUsage = emptyUsage();
  constructor(private readonly gateway: Gateway) {}

  /** Count an answered call; returns its cost (0 for a cache hit). */
  add(result: StructuredResult<unknown>): number {
    const u = this.usage;
    u.calls += 1;
    if (result.cached) {
      u.cachedCalls += 1;
      return 0;
    }
    return this.spend(result.modelId, result.usage);
  }

  /** Count a call that threw; returns the cost of its answered attempts (0 when none was answered). */
  addFailed(modelId: string, err: unknown): number {
    this.usage.failedCalls += 1;
    const usage = billedUsage(err);
    return usage === undefined ? 0 : this.spend(modelId, usage);
  }

  private spend(modelId: string, usage: { inputTokens: number; outputTokens: number }): number {
    const u = this.usage;
    u.inputTokens += usage.inputTokens;
    u.outputTokens += usage.outputTokens;
    const cost = this.gateway.cost(modelId, usage);
    u.costUsd += cost;
    return cost;
  }
}

/** `error.usage` as the gateway sets it on an LlmError (read structurally: any copy of core's LlmError will do). */
function billedUsage(err: unknown): TokenUsage | undefined {
  const u = (err as { usage?: Partial<TokenUsage> } | null | undefined)?.usage;
  if (u === undefined || u === null || typeof u !== 'object') return undefined;
  const { inputTokens, outputTokens } = u;
  if (typeof inputTokens !== 'number' || typeof outputTokens !== 'number') return undefined;
  if (!Number.isFinite(inputTokens) || !Number.isFinite(outputTokens) || inputTokens < 0 || outputTokens < 0) return undefined;
  return { inputTokens, outputTokens };
}
