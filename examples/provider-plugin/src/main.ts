/**
 * Example: using a third-party provider plugin. The plugin (./provider, "taxonomist-provider-echo") adds the model
 * ids `echo:<model>`; once it is registered in a plugin host, every Taxonomist phase can use `echo:rules-v1` like
 * `openai:gpt-4o-mini`, through the same gateway (retries, limits, cache, token and cost accounting).
 *
 * Run: npm start -w examples/provider-plugin
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { cosine, createGateway, createPluginHost, readCorpusAll, type Clock, type UsageReport } from '@taxonomist/core';
import { echoPlugin } from './provider/index.js';
import { ECHO_CHAT_MODEL, ECHO_EMBEDDINGS_MODEL, startEchoService } from './echo-service.js';

export interface MainOptions {
  /** Ticket corpus (CSV with ticket_id,message). Default: the bundled sample. */
  tickets?: string;
  /** How many tickets to triage (default 24). */
  limit?: number;
  /** Clock for the gateway's backoff (tests pass a virtual one so nothing sleeps). */
  clock?: Clock;
  /** Where the printed lines go (default console.log). */
  log?: (line: string) => void;
}

export interface TriagedTicket {
  id: string;
  text: string;
  topic: string;
  urgent: boolean;
  note: string;
}

export interface MainResult {
  modelId: string;
  triaged: TriagedTicket[];
  /** The ticket most similar to the first one, by the provider's embeddings. */
  nearest: { to: string; id: string; similarity: number };
  usage: UsageReport;
  /** Requests the Echo service received: chat and embeddings, plus the retry of the one injected 429. */
  serviceRequests: number;
}

const DEFAULT_TICKETS = fileURLToPath(new URL('../../data/support-tickets.csv', import.meta.url));

/** What we ask the model for: zod validates the answer, and its JSON Schema is sent to the model. */
const Triage = z.object({
  topic: z.enum(['card', 'transfer', 'cash', 'top_up', 'exchange', 'account', 'other']),
  urgent: z.boolean(),
  note: z.string(),
});

export async function main(options: MainOptions = {}): Promise<MainResult> {
  const log = options.log ?? console.log;
  const apiKey = 'echo-local-key'; // a real key would come from ECHO_API_KEY

  // The vendor's service, simulated locally; it answers the 2nd chat request with a 429 + Retry-After to show
  // the gateway honouring it.
  const service = await startEchoService({ apiKey, faults: [{ fault: { kind: 'rate_limit', retryAfterMs: 250 }, at: 1 }] });
  try {
    // 1. Register the plugin. `ready()` runs plugins' setup() (none here, but always await it).
    const host = createPluginHost([echoPlugin({ baseURL: service.url, apiKey })]);
    await host.ready();

    // 2. A gateway that resolves "provider:model" ids through the host (and gets its prices and hooks).
    const gateway = createGateway({ resolver: host, maxConcurrency: 4, ...(options.clock ? { clock: options.clock } : {}) });
    const modelId = `echo:${ECHO_CHAT_MODEL}`;

    // 3. Use the model by id.
    const { records } = await readCorpusAll(options.tickets ?? DEFAULT_TICKETS, { textField: 'message', idField: 'ticket_id' });
    const tickets = records.slice(0, options.limit ?? 24);
    const triaged = await Promise.all(
      tickets.map(async (t): Promise<TriagedTicket> => {
        const { value } = await gateway.structured({
          stage: 'triage',
          model: modelId,
          schema: Triage,
          schemaName: 'ticket_triage',
          messages: [
            { role: 'system', content: 'Triage the support ticket of a bank customer.' },
            { role: 'user', content: t.text },
          ],
        });
        return { id: t.id, text: t.text, ...value };
      }),
    );

    // 4. The provider's embeddings, by id too.
    const { vectors } = await gateway.embed({ stage: 'embed', model: `echo:${ECHO_EMBEDDINGS_MODEL}`, texts: tickets.map((t) => t.text) });
    let nearest = { to: tickets[0]!.id, id: '', similarity: -Infinity };
    for (let i = 1; i < vectors.length; i++) {
      const similarity = cosine(vectors[0]!, vectors[i]!);
      if (similarity > nearest.similarity) nearest = { to: tickets[0]!.id, id: tickets[i]!.id, similarity };
    }

    const usage = gateway.usage();
    log(`Triaged ${triaged.length} tickets with ${modelId}:`);
    for (const t of triaged) log(`  ${t.topic.padEnd(9)} ${t.urgent ? 'URGENT' : '      '} ${t.text.slice(0, 70)}`);
    log(`Nearest to "${tickets[0]!.text}":\n  "${tickets.find((t) => t.id === nearest.id)!.text}" (cosine ${nearest.similarity.toFixed(2)})`);
    for (const row of usage.rows) {
      log(`  ${row.stage}/${row.model}: ${row.calls} calls, ${row.attempts} attempts, ${row.inputTokens}+${row.outputTokens} tokens, $${row.costUsd.toFixed(6)}`);
    }
    return { modelId, triaged, nearest, usage, serviceRequests: service.count() };
  } finally {
    await service.close();
  }
}

// Run when executed directly (npm start), not when imported by the test.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
