/**
 * The benchmark's local server, either forked into its own process (default: the benchmark process then measures
 * the client side alone, as against a real provider) or started in the benchmark's own process (`--in-process`,
 * how the benchmark used to run: client and server then share the CPU and the figures mix both).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startOpenAIServer, type RateLimitStats } from '@taxonomist/testing';
import { goldScript, type BenchCorpus } from './corpus.js';

export interface ServerProcessStats {
  /** CPU time (user + system) used by the server process so far. */
  cpuMs: number;
  /** Peak resident set size of the server process so far. */
  peakRssBytes: number;
  chatRequests: number;
  /** With a rate limit: requests answered 429 and requests/tokens admitted, since the server started. */
  rateLimit?: RateLimitStats;
}

export type ServerProcessMessage =
  | { type: 'ready'; url: string }
  | { type: 'reset' }
  | { type: 'stats'; id: number; stats?: ServerProcessStats }
  | { type: 'close' };

export interface BenchServer {
  url: string;
  /** Where the server runs: 'child process' or 'in-process'. */
  where: string;
  /** Drop the requests the server recorded (it keeps every body otherwise). */
  reset(): void;
  /** Server process figures; undefined in-process (its CPU and memory are the benchmark's own). */
  stats(): Promise<ServerProcessStats | undefined>;
  close(): Promise<void>;
}

const SERVER_SCRIPT = fileURLToPath(new URL('./server-process.ts', import.meta.url));

/** Fork server-process.ts under `node --conditions=source --import tsx` and wait until it listens. */
export async function forkBenchServer(opts: {
  records: number;
  latencyMs: number;
  jitterMs?: number;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  /** With a rate limit: send OpenAI's x-ratelimit-* headers (default true). */
  rateLimitHeaders?: boolean;
}): Promise<BenchServer> {
  const extra = [
    ...(opts.rateLimitHeaders === false ? ['--no-ratelimit-headers'] : []),
    ...(opts.jitterMs ? ['--jitter', String(opts.jitterMs)] : []),
    ...(opts.requestsPerMinute ? ['--rpm', String(opts.requestsPerMinute)] : []),
    ...(opts.tokensPerMinute ? ['--tpm', String(opts.tokensPerMinute)] : []),
  ];
  const child: ChildProcess = fork(SERVER_SCRIPT, ['--records', String(opts.records), '--latency', String(opts.latencyMs), ...extra], {
    // tsx resolved from this file, so the benchmark works from any working directory (npm run bench -w ...).
    // BENCH_SERVER_NODE_ARGS adds node flags to the server process only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
    // (node refuses --cpu-prof in NODE_OPTIONS).
    execArgv: ['--conditions=source', '--import', import.meta.resolve('tsx'), ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean)],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: ServerProcessMessage) => (m.type === 'ready' ? resolve(m.url) : reject(new Error(`server process: unexpected ${m.type}`))));
    void exited.then((code) => reject(new Error(`server process exited with code ${code} before listening`)));
  });
  let nextId = 0;
  const pending = new Map<number, (s: ServerProcessStats) => void>();
  child.on('message', (m: ServerProcessMessage) => {
    if (m.type === 'stats' && m.stats) {
      pending.get(m.id)?.(m.stats);
      pending.delete(m.id);
    }
  });
  const send = (m: ServerProcessMessage): void => {
    if (child.connected) child.send(m);
  };
  return {
    url,
    where: `child process (pid ${child.pid})`,
    reset: () => send({ type: 'reset' }),
    stats: () =>
      new Promise<ServerProcessStats>((resolve, reject) => {
        if (!child.connected) return reject(new Error('server process is gone'));
        const id = nextId++;
        pending.set(id, resolve);
        send({ type: 'stats', id });
      }),
    close: async () => {
      send({ type: 'close' });
      const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000).unref())]);
      if (code === 'timeout') child.kill();
    },
  };
}

/** The same server in this process (for comparison with how the benchmark used to run). */
export async function inProcessBenchServer(corpus: BenchCorpus, latencyMs: number): Promise<BenchServer> {
  const server = await startOpenAIServer({ latencyMs, script: goldScript(corpus.gold) });
  return {
    url: server.url,
    where: 'in-process',
    reset: () => server.reset(),
    stats: async () => undefined,
    close: () => server.close(),
  };
}
