import type { UsageLedger } from './accounting.js';
import type { SpendBudget } from './budget.js';
import type { PriceBook } from './prices.js';
import type { BatchAccount, TokenUsage } from './types.js';

/**
 * Batch API calls in a gateway's books. They do not go through the gateway's chat path (a batch client submits them),
 * so the batch labeler reports them here: the estimate of what it is about to submit is reserved against the same
 * SpendBudget as every chat call (refused when it does not fit, before anything is submitted), and what each
 * collected batch billed goes into the usage ledger at the batch price (its own rows, `priceFactor` set) and into
 * the budget's spend. One account per labeling run; `close` gives back the reservations.
 */
export function createBatchAccount(init: { ledger: UsageLedger; prices: PriceBook; budget: SpendBudget | undefined; stage: string; modelId: string; priceFactor: number }): BatchAccount {
  const { ledger, prices, budget, stage, modelId, priceFactor } = init;
  const hold = budget?.open(stage, modelId);
  return {
    reserve(estimatedUsd: number): void {
      hold?.reserve(estimatedUsd);
    },
    remaining(): number {
      return budget === undefined ? Infinity : budget.remaining();
    },
    record({ calls, failedCalls, usage }: { calls: number; failedCalls: number; usage: TokenUsage }): void {
      const answered = calls + failedCalls;
      // One ledger entry per request, the tokens on the first: the row's counts are the batch's, its cost is exact.
      for (let i = 0; i < answered; i++) {
        ledger.record({ stage, modelId, cached: false, failed: i >= calls, attempts: 1, usage: i === 0 ? usage : { inputTokens: 0, outputTokens: 0 }, priceFactor });
      }
      if (answered === 0 && usage.inputTokens + usage.outputTokens > 0) ledger.record({ stage, modelId, cached: false, failed: true, attempts: 0, usage, priceFactor });
      hold?.charge(undefined, prices.cost(modelId, usage) * priceFactor);
    },
    close(): void {
      hold?.close();
    },
  };
}
