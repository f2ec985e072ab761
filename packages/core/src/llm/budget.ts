import { LlmError } from './errors.js';

/** What a budget has seen so far (USD). */
export interface BudgetState {
  limitUsd: number;
  /** Cost of every billed attempt so far (actual or estimated usage, like the usage report). */
  spentUsd: number;
  /** Estimated cost of the attempts in flight. */
  reservedUsd: number;
  /** Calls refused because they would have gone over the limit. */
  refusedCalls: number;
}

/**
 * Thrown (by the gateway) instead of making a call whose estimated cost would take the spend over the budget. The
 * call is not made. `kind` is 'budget', never retried; callers stop cleanly and can resume with a higher budget.
 */
export class BudgetExceededError extends LlmError {
  readonly limitUsd: number;
  readonly spentUsd: number;
  /** Estimated cost of the call that was refused. */
  readonly estimatedUsd: number;
  readonly stage: string;

  constructor(init: { stage: string; modelId: string; limitUsd: number; spentUsd: number; reservedUsd: number; estimatedUsd: number }) {
    super(
      `${init.stage} ${init.modelId}: budget of $${init.limitUsd} reached: $${round(init.spentUsd)} spent` +
        (init.reservedUsd > 0 ? ` and $${round(init.reservedUsd)} in flight` : '') +
        `; the next call (estimated $${round(init.estimatedUsd)}) would exceed it, so it was not made`,
      { kind: 'budget', retryable: false },
    );
    this.name = 'BudgetExceededError';
    this.limitUsd = init.limitUsd;
    this.spentUsd = init.spentUsd;
    this.estimatedUsd = init.estimatedUsd;
    this.stage = init.stage;
  }
}

export function isBudgetExceeded(err: unknown): err is BudgetExceededError {
  return err !== null && typeof err === 'object' && (err as { kind?: unknown }).kind === 'budget';
}

function round(usd: number): string {
  return usd.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
}

/**
 * One spending cap shared by every call through a gateway (summaries, taxonomy steps, judges, labeling, re-asks and
 * repairs alike). Before each attempt the gateway reserves the attempt's estimated cost (prompt tokens counted with
 * tiktoken + the request's maxTokens, or the gateway's documented default, as output); the attempt is refused when
 * spent + in flight + estimate would exceed the limit. A billed attempt's reservation is replaced by its cost;
 * reservations of attempts that failed unbilled are dropped when the call ends.
 */
export class SpendBudget {
  private spent = 0;
  private reserved = 0;
  private refused = 0;
  private inFlight = 0;

  constructor(readonly limitUsd: number) {
    if (!(limitUsd >= 0) || !Number.isFinite(limitUsd)) throw new RangeError(`budget must be a finite amount >= 0 USD, got ${limitUsd}`);
  }

  state(): BudgetState {
    return { limitUsd: this.limitUsd, spentUsd: this.spent, reservedUsd: this.reserved, refusedCalls: this.refused };
  }

  /** What is left for new calls (limit - spent - in flight), never below 0. */
  remaining(): number {
    return Math.max(0, this.limitUsd - this.spent - this.reserved);
  }

  /** A holder for the reservations of one logical call (its attempts run one after another). */
  open(stage: string, modelId: string): BudgetHold {
    return new BudgetHold(this, stage, modelId);
  }

  /** @internal */
  reserveFor(hold: BudgetHold, estimatedUsd: number): void {
    // A tiny epsilon keeps float noise from refusing a call that fits exactly.
    if (this.spent + this.reserved + estimatedUsd > this.limitUsd + 1e-12) {
      this.refused++;
      throw new BudgetExceededError({
        stage: hold.stage,
        modelId: hold.modelId,
        limitUsd: this.limitUsd,
        spentUsd: this.spent,
        reservedUsd: this.reserved,
        estimatedUsd,
      });
    }
    this.reserved += estimatedUsd;
    this.inFlight++;
  }

  /** @internal */
  settle(released: BudgetTicket | undefined, spentUsd: number): void {
    if (released !== undefined) {
      this.inFlight--;
      // With nothing in flight the sum is exactly 0 (not float residue of adding and removing estimates).
      this.reserved = this.inFlight === 0 ? 0 : Math.max(0, this.reserved - released.usd);
    }
    this.spent += spentUsd;
  }
}

/** One attempt's reservation. */
export interface BudgetTicket {
  readonly usd: number;
  settled: boolean;
}

export class BudgetHold {
  private readonly tickets: BudgetTicket[] = [];

  constructor(
    private readonly budget: SpendBudget,
    readonly stage: string,
    readonly modelId: string,
  ) {}

  /** Reserve the estimated cost of an attempt, or throw BudgetExceededError without reserving. */
  reserve(estimatedUsd: number): BudgetTicket {
    this.budget.reserveFor(this, estimatedUsd);
    const ticket: BudgetTicket = { usd: estimatedUsd, settled: false };
    this.tickets.push(ticket);
    return ticket;
  }

  /** The attempt was billed `costUsd`: its reservation becomes spend. */
  charge(ticket: BudgetTicket | undefined, costUsd: number): void {
    if (ticket === undefined || ticket.settled) {
      this.budget.settle(undefined, costUsd);
      return;
    }
    ticket.settled = true;
    this.budget.settle(ticket, costUsd);
  }

  /** The attempt failed unbilled: give its reservation back. */
  drop(ticket: BudgetTicket | undefined): void {
    if (ticket === undefined || ticket.settled) return;
    ticket.settled = true;
    this.budget.settle(ticket, 0);
  }

  /** The call is over: give back whatever is still reserved. */
  close(): void {
    for (const t of this.tickets) this.drop(t);
    this.tickets.length = 0;
  }
}
