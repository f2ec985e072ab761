import type { UsageReport, UsageRow } from '../llm/types.js';
import type { StepUsage } from './result.js';

type Totals = Omit<UsageRow, 'stage' | 'model'>;

export function emptyStepUsage(modelId: string): StepUsage {
  return { modelId, calls: 0, cachedCalls: 0, failedCalls: 0, attempts: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
}

/**
 * The run's usage report, built from its own step records rather than from the gateway's counters: steps replayed
 * from a checkpoint count what they cost when they ran, so a resumed run reports the same as an uninterrupted one.
 */
export class UsageLedger {
  private readonly rows = new Map<string, UsageRow>();

  add(stage: string, usage: StepUsage): void {
    const key = `${stage}\u0000${usage.modelId}`;
    let row = this.rows.get(key);
    if (!row) {
      row = { stage, model: usage.modelId, ...zero() };
      this.rows.set(key, row);
    }
    addInto(row, usage);
  }

  report(): UsageReport {
    const rows = [...this.rows.values()]
      .map((r) => ({ ...r, costUsd: round(r.costUsd) }))
      .sort((a, b) => (a.stage === b.stage ? cmp(a.model, b.model) : cmp(a.stage, b.stage)));
    const byStage: Record<string, Totals> = {};
    const byModel: Record<string, Totals> = {};
    const total = zero();
    for (const r of rows) {
      addInto((byStage[r.stage] ??= zero()), r);
      addInto((byModel[r.model] ??= zero()), r);
      addInto(total, r);
    }
    for (const t of [...Object.values(byStage), ...Object.values(byModel), total]) t.costUsd = round(t.costUsd);
    return { rows, byStage, byModel, total };
  }
}

function zero(): Totals {
  return { calls: 0, cachedCalls: 0, failedCalls: 0, attempts: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
}

function addInto(into: Totals, u: Totals): void {
  into.calls += u.calls;
  into.cachedCalls += u.cachedCalls;
  into.failedCalls += u.failedCalls;
  into.attempts += u.attempts;
  into.inputTokens += u.inputTokens;
  into.outputTokens += u.outputTokens;
  into.costUsd += u.costUsd;
}

/** Cost sums are rounded to 1e-9 USD so float noise from summing order never shows in outputs. */
function round(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
