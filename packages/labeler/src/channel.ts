/**
 * A single-consumer async queue with backpressure: `push` resolves once the queue is below `highWater`, so a slow
 * consumer of `label()` slows the producers down instead of letting results pile up in memory.
 */
export class Channel<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private closed = false;
  private error: unknown = undefined;
  private takeWaiter: (() => void) | undefined;
  private readonly pushWaiters: (() => void)[] = [];

  constructor(private readonly highWater: number) {}

  async push(item: T): Promise<void> {
    // Closed early when the consumer went away: the item is dropped (the run still writes it to the file).
    if (this.closed) return;
    this.items.push(item);
    this.wakeTaker();
    while (this.items.length > this.highWater && !this.closed) {
      await new Promise<void>((resolve) => this.pushWaiters.push(resolve));
    }
  }

  close(error?: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.error = error;
    this.wakeTaker();
    for (const w of this.pushWaiters.splice(0)) w();
  }

  private wakeTaker(): void {
    const w = this.takeWaiter;
    this.takeWaiter = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      if (this.items.length > 0) {
        const item = this.items.shift()!;
        if (this.items.length <= this.highWater) for (const w of this.pushWaiters.splice(0)) w();
        yield item;
        continue;
      }
      if (this.closed) {
        if (this.error !== undefined) throw this.error;
        return;
      }
      await new Promise<void>((resolve) => {
        this.takeWaiter = resolve;
      });
    }
  }
}

/** Counting semaphore. */
export class Limiter {
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  get inFlight(): number {
    return this.active;
  }

  async acquire(): Promise<void> {
    while (this.active >= this.limit) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.active++;
  }

  release(): void {
    this.active--;
    // Wake everyone: acquirers and idle() waiters re-check their own condition.
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves when nothing is in flight. */
  async idle(): Promise<void> {
    while (this.active > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}
