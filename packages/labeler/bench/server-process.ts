/**
 * The benchmark's local OpenAI-compatible server, run as a CHILD process (forked by bench-server.ts) so that the
 * benchmark's own process measures only the client side (labeler, gateway, ChatOpenAI, openai client), as it would
 * against a real provider. Not meant to be run by hand:
 *   node --conditions=source --import tsx packages/labeler/bench/server-process.ts --records 20000 --latency 50
 *
 * Optional: --jitter <ms> (uniform extra latency, seeded), --rpm / --tpm (the provider's rate limit: 429 + retry-after,
 * and OpenAI's x-ratelimit-* headers unless --no-ratelimit-headers).
 *
 * IPC protocol (process.send): child -> parent { type: 'ready', url } once listening; parent -> child
 * { type: 'reset' } (drop recorded requests), { type: 'stats', id } (answered by { type: 'stats', id, stats }),
 * { type: 'close' } (close the server and exit).
 */
import { startOpenAIServer } from '@taxonomist/testing';
import { goldScript, loadBenchCorpus } from './corpus.js';
import type { ServerProcessMessage, ServerProcessStats } from './bench-server.js';

function arg(name: string, fallback?: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 && fallback !== undefined) return fallback;
  const v = Number(process.argv[i + 1]);
  if (i < 0 || !Number.isFinite(v) || v < 0) throw new Error(`server-process: --${name} needs a number, got ${process.argv[i + 1]}`);
  return v;
}

const send = (message: ServerProcessMessage): void => {
  process.send!(message);
};

async function main(): Promise<void> {
  if (!process.send) throw new Error('server-process: must be forked with an IPC channel (see bench-server.ts)');
  const { gold } = await loadBenchCorpus(arg('records'));
  const [rpm, tpm] = [arg('rpm', 0), arg('tpm', 0)];
  const server = await startOpenAIServer({
    latencyMs: arg('latency'),
    latencyJitterMs: arg('jitter', 0),
    seed: 15,
    script: goldScript(gold),
    ...(rpm > 0 || tpm > 0
      ? {
          rateLimit: {
            ...(rpm > 0 ? { requestsPerMinute: rpm } : {}),
            ...(tpm > 0 ? { tokensPerMinute: tpm } : {}),
            headers: !process.argv.includes('--no-ratelimit-headers'),
          },
        }
      : {}),
  });
  const close = async (): Promise<void> => {
    await server.close();
    process.disconnect();
  };
  process.on('message', (message: ServerProcessMessage) => {
    if (message.type === 'reset') server.reset();
    else if (message.type === 'stats') {
      const cpu = process.cpuUsage();
      const stats: ServerProcessStats = {
        cpuMs: (cpu.user + cpu.system) / 1000,
        peakRssBytes: process.resourceUsage().maxRSS * 1024,
        chatRequests: server.count('chat'),
        ...(server.stats().rateLimit ? { rateLimit: server.stats().rateLimit } : {}),
      };
      send({ type: 'stats', id: message.id, stats });
    } else if (message.type === 'close') void close();
  });
  // The benchmark died without saying goodbye: do not linger as an orphan.
  process.on('disconnect', () => void server.close().then(() => process.exit(0)));
  send({ type: 'ready', url: server.url });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
