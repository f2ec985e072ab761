import type { Gateway, StructuredResult } from '@taxonomist/core';

/** Usage of one labeling run (the gateway's own report covers every stage and every run sharing it). */
export interface RunUsage {
  calls: number;
  cachedCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export function emptyUsage(): RunUsage {
  return { calls: 0, cachedCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
}

/**
 * Adds up the usage of successful calls. Calls that fail after their retries report no usage through the gateway
 * contract, so a run's spend can be slightly undercounted when many answers are invalid; the gateway's usage()
 * report has the authoritative totals.
 */
export class UsageTracker {
  readonly usage: RunUsage = emptyUsage();
  constructor(private readonly gateway: Gateway) {}

  add(result: StructuredResult<unknown>): number {
    const u = this.usage;
    u.calls += 1;
    if (result.cached) {
      u.cachedCalls += 1;
      return 0;
    }
    u.inputTokens += result.usage.inputTokens;
    u.outputTokens += result.usage.outputTokens;
    const cost = this.gateway.cost(result.modelId, result.usage);
    u.costUsd += cost;
    return cost;
  }
}
