/**
 * Samples what a gateway's rate governor is doing during a benchmark run (requests in flight, waiting, paused, the
 * learnt pace and limits), to show where a provider's rate limit goes unused: too few requests in flight, pauses
 * after 429s, a pace under the limit, or the warm-up.
 */
import type { Gateway } from '@taxonomist/core';

interface Sample {
  at: number;
  inFlight: number;
  waiting: number;
  limit: number;
  paused: boolean;
  pace?: number;
}

const fmt = (n: number, d = 1) => n.toFixed(d);

export function sampleGovernor(gateway: Gateway, everyMs: number): { stop(): { describe(warmUpSeconds: number): string } } {
  const samples: Sample[] = [];
  const t0 = performance.now();
  const timer = setInterval(() => {
    const state = Object.values(gateway.rateLimits?.() ?? {})[0];
    if (!state) return;
    samples.push({
      at: (performance.now() - t0) / 1000,
      inFlight: state.inFlight,
      waiting: state.waiting,
      limit: state.limit,
      paused: state.pausedUntil > 0,
      ...(state.pacedPerSecond !== undefined ? { pace: state.pacedPerSecond } : {}),
    });
  }, everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      const last = Object.values(gateway.rateLimits?.() ?? {})[0];
      return {
        describe(warmUpSeconds: number): string {
          if (!last) return 'gateway: no governor (adaptiveConcurrency false)';
          const phase = (from: number, to: number): string => {
            const part = samples.filter((x) => x.at >= from && x.at < to);
            if (part.length === 0) return 'no samples';
            const mean = (f: (x: Sample) => number) => part.reduce((a, x) => a + f(x), 0) / part.length;
            const paced = part.filter((x) => x.pace !== undefined);
            return (
              `${fmt(mean((x) => x.inFlight))} in flight (limit ${fmt(mean((x) => x.limit))}), ${fmt(mean((x) => x.waiting))} waiting, ` +
              `paused ${fmt(100 * mean((x) => (x.paused ? 1 : 0)), 0)}% of the time` +
              (paced.length > 0 ? `, paced at ${fmt(paced.reduce((a, x) => a + x.pace!, 0) / paced.length, 2)} requests/s` : '')
            );
          };
          return (
            `gateway: warm-up [${phase(0, warmUpSeconds)}]; steady [${phase(warmUpSeconds, Number.POSITIVE_INFINITY)}]; ` +
            `${last.rateLimited} 429s seen, concurrency cut ${last.decreases} times, ending at ${last.limit} in flight` +
            (last.pacedPerSecond !== undefined ? `, paced at ${fmt(last.pacedPerSecond, 2)} requests/s` : ', not paced') +
            (last.statedLimits ? `, paced under the limits its 429s stated: ${JSON.stringify(last.statedLimits)}` : '')
          );
        },
      };
    },
  };
}
