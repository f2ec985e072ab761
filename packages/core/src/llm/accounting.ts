import type { UsageReport, UsageRow, TokenUsage } from './types.js';
import type { PriceBook } from './prices.js';

type Totals = Omit<UsageRow, 'stage' | 'model'>;

const zero = (): Totals => ({
  calls: 0,
  cachedCalls: 0,
  failedCalls: 0,
  attempts: 0,
  inputTokens: 0,
  outputTokens: 0,
  estimatedCalls: 0,
  costUsd: 0,
});

export interface CallRecord {
  stage: string;
  modelId: string;
  cached: boolean;
  failed: boolean;
  attempts: number;
  usage: TokenUsage;
  /**
   * Multiplier on the list price (a provider batch API's discount, e.g. 0.5); default 1. Calls at another price
   * factor get a row of their own (same stage and model, `priceFactor` set).
   */
  priceFactor?: number;
}

/**
 * Per stage x model counters. `calls` counts every logical call (cached and failed ones included); tokens and cost
 * come only from real requests, including the tokens of failed and repaired attempts the provider billed.
 */
export class UsageLedger {
  private readonly rows = new Map<string, UsageRow>();

  constructor(private readonly prices: PriceBook) {}

  record(r: CallRecord): void {
    const factor = r.priceFactor ?? 1;
    const key = JSON.stringify(factor === 1 ? [r.stage, r.modelId] : [r.stage, r.modelId, factor]);
    let row = this.rows.get(key);
    if (!row) {
      row = { stage: r.stage, model: r.modelId, ...zero(), ...(factor !== 1 ? { priceFactor: factor } : {}) };
      this.rows.set(key, row);
    }
    row.calls++;
    if (r.cached) row.cachedCalls++;
    if (r.failed) row.failedCalls++;
    row.attempts += r.attempts;
    if (!r.cached) {
      row.inputTokens += r.usage.inputTokens;
      row.outputTokens += r.usage.outputTokens;
      if (r.usage.estimated) row.estimatedCalls = (row.estimatedCalls ?? 0) + 1;
    }
  }

  report(): UsageReport {
    const rows = [...this.rows.values()]
      .map((r) => ({ ...r, costUsd: this.prices.cost(r.model, r) * (r.priceFactor ?? 1) }))
      .sort((a, b) => (a.stage === b.stage ? a.model.localeCompare(b.model) || (a.priceFactor ?? 1) - (b.priceFactor ?? 1) : a.stage.localeCompare(b.stage)));
    const byStage: Record<string, Totals> = {};
    const byModel: Record<string, Totals> = {};
    const total = zero();
    for (const r of rows) {
      add((byStage[r.stage] ??= zero()), r);
      add((byModel[r.model] ??= zero()), r);
      add(total, r);
    }
    return { rows, byStage, byModel, total };
  }
}

function add(into: Totals, r: Totals): void {
  into.calls += r.calls;
  into.cachedCalls += r.cachedCalls;
  into.failedCalls += r.failedCalls;
  into.attempts += r.attempts;
  into.inputTokens += r.inputTokens;
  into.outputTokens += r.outputTokens;
  into.estimatedCalls = (into.estimatedCalls ?? 0) + (r.estimatedCalls ?? 0);
  into.costUsd += r.costUsd;
}
