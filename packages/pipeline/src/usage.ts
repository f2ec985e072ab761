import type { StageUsage, UsageReport } from '@taxonomist/core';

export const ZERO_USAGE: StageUsage = { calls: 0, cachedCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };

/** The manifest's StageUsage from a gateway-style usage report total. */
export function stageUsageOf(report: Pick<UsageReport, 'total'> | undefined): StageUsage {
  if (!report) return { ...ZERO_USAGE };
  const t = report.total;
  return { calls: t.calls, cachedCalls: t.cachedCalls, inputTokens: t.inputTokens, outputTokens: t.outputTokens, costUsd: t.costUsd };
}

/** Usage accumulated between two readings of a gateway's running totals (one gateway serves several stages). */
export function usageDelta(after: StageUsage, before: StageUsage): StageUsage {
  return {
    calls: after.calls - before.calls,
    cachedCalls: after.cachedCalls - before.cachedCalls,
    inputTokens: after.inputTokens - before.inputTokens,
    outputTokens: after.outputTokens - before.outputTokens,
    costUsd: Math.max(0, Number((after.costUsd - before.costUsd).toFixed(8))),
  };
}
