import { sha256 } from '@taxonomist/core';
import { CONTENT_FAULTS, type Fault, type FaultRule, type RecordedRequest } from './types.js';

/**
 * Decides which fault (if any) a request gets. Rules are checked in order; the first that fires wins. Probabilistic
 * rules draw from a hash of (seed, rule index, body hash, occurrence of that body) rather than a shared stream, so the
 * outcome does not depend on the arrival order of concurrent requests and a retry of the same body draws anew.
 */
export class FaultScheduler {
  private rules: FaultRule[] = [];
  private fired: number[] = [];
  private readonly seen = new Map<string, number>();

  constructor(
    rules: FaultRule[],
    private readonly seed: number,
  ) {
    this.setRules(rules);
  }

  setRules(rules: FaultRule[]): void {
    for (const [i, rule] of rules.entries()) {
      if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1)) {
        throw new RangeError(`fault rule #${i} (${rule.fault.kind}): probability must be in [0, 1], got ${rule.probability}`);
      }
      if (rule.endpoint === 'embeddings' && CONTENT_FAULTS.has(rule.fault.kind)) {
        throw new Error(`fault rule #${i}: '${rule.fault.kind}' is a chat content fault and cannot target embeddings`);
      }
    }
    this.rules = rules;
    this.fired = rules.map(() => 0);
  }

  reset(): void {
    this.fired = this.rules.map(() => 0);
    this.seen.clear();
  }

  pick(request: RecordedRequest, rawBody: string): Fault | undefined {
    if (request.endpoint !== 'chat' && request.endpoint !== 'embeddings') return undefined;
    const bodyHash = sha256(`${request.endpoint}\n${rawBody}`);
    const occurrence = this.seen.get(bodyHash) ?? 0;
    this.seen.set(bodyHash, occurrence + 1);
    for (const [i, rule] of this.rules.entries()) {
      const endpoint = rule.endpoint ?? 'chat';
      if (endpoint !== 'any' && endpoint !== request.endpoint) continue;
      if (request.endpoint !== 'chat' && CONTENT_FAULTS.has(rule.fault.kind)) continue;
      if (rule.times !== undefined && this.fired[i]! >= rule.times) continue;
      if (rule.at !== undefined) {
        const at = Array.isArray(rule.at) ? rule.at : [rule.at];
        if (!at.includes(request.endpointIndex)) continue;
      }
      if (rule.when && !rule.when(request)) continue;
      if (rule.probability !== undefined) {
        const u = parseInt(sha256(`${this.seed}:${i}:${bodyHash}:${occurrence}`).slice(0, 8), 16) / 4294967296;
        if (u >= rule.probability) continue;
      }
      this.fired[i]!++;
      return rule.fault;
    }
    return undefined;
  }
}
