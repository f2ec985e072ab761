import { describe, it, beforeAll, afterAll, beforeEach } from 'vitest';
import { FINAL_BATCH_STATUSES, type BatchClient, type BatchRequest } from '@taxonomist/core';
import { startOpenAIServer } from './openai-server/server.js';
import type { OpenAIServer } from './openai-server/types.js';
import { ConformanceError } from './conformance.js';

/** Where the local batch server is, which key to send, which model to ask for. */
export interface BatchConformanceContext {
  baseURL: string;
  apiKey: string;
  modelName: string;
}

export interface BatchConformanceOptions {
  /** Shown in the describe block: `batch conformance: <name>`. */
  name: string;
  /** The provider's batch client (ProviderDefinition.batch), pointed at `ctx.baseURL` with `ctx.apiKey`. */
  createBatchClient(ctx: BatchConformanceContext): BatchClient | Promise<BatchClient>;
  /** Chat model name passed to the factory (default 'gpt-4o-mini'). */
  modelName?: string;
}

function rule(ok: boolean, name: string, detail: () => string, fix: string): void {
  if (!ok) throw new ConformanceError(name, detail(), fix);
}

const API_KEY = 'sk-batch-conformance-key-0123';
const SCHEMA = {
  type: 'object',
  properties: { category: { type: 'string', enum: ['billing', 'technical'] } },
  required: ['category'],
  additionalProperties: false,
};

function requests(n: number): BatchRequest[] {
  return Array.from({ length: n }, (_, i) => ({
    customId: `c${i}`,
    messages: [
      { role: 'system' as const, content: 'Classify the ticket.' },
      { role: 'user' as const, content: `ticket ${i}: I was charged twice` },
    ],
    schema: SCHEMA,
    schemaName: 'ticket',
    temperature: 0,
  }));
}

/**
 * Register a vitest describe block proving that a provider's `batch` capability (BatchClient) works against the testing
 * kit's emulation of OpenAI's files + batches endpoints: submit records every batch through onSubmitted, poll reaches
 * a final status, results come back one per request by custom id (answers, per-request errors, expired lines),
 * cancel works, and no error shows the key. For clients speaking OpenAI's batch protocol (the emulated one).
 */
export function runBatchConformance(options: BatchConformanceOptions): void {
  const modelName = options.modelName ?? 'gpt-4o-mini';
  describe(`batch conformance: ${options.name}`, () => {
    let server: OpenAIServer;
    let client: BatchClient;
    beforeAll(async () => {
      server = await startOpenAIServer({ apiKey: API_KEY, batchPollsPerStep: 0, seed: 1 });
      client = await options.createBatchClient({ baseURL: server.url, apiKey: API_KEY, modelName });
    });
    afterAll(() => server.close());
    beforeEach(() => {
      server.reset();
      server.setBatchFaults([]);
    });

    const untilFinal = async (id: string): Promise<string> => {
      for (let i = 0; i < 30; i++) {
        const info = await client.poll(id);
        if (FINAL_BATCH_STATUSES.has(info.status)) return info.status;
      }
      throw new ConformanceError('batch-final', `batch ${id} did not reach a final status in 30 polls`, 'map the provider status to BatchStatus (validating, in_progress, finalizing, completed, failed, expired, cancelling, cancelled)');
    };

    it('submits, records each batch through onSubmitted, polls to completion and returns one result per request', async () => {
      rule(client.priceFactor > 0 && client.priceFactor <= 1, 'batch-price-factor', () => `priceFactor ${client.priceFactor}`, 'give the batch price as a fraction of the list price (0.5 = half price)');
      const seen: { id: string; customIds: string[] }[] = [];
      const ids = await client.submit(requests(3), { onSubmitted: (b) => void seen.push(b) });
      rule(ids.length === 1 && seen.length === 1 && seen[0]!.id === ids[0], 'batch-on-submitted', () => `ids ${JSON.stringify(ids)}, onSubmitted ${JSON.stringify(seen)}`, 'call onSubmitted (and await it) right after each batch is created');
      rule(JSON.stringify(seen[0]?.customIds) === JSON.stringify(['c0', 'c1', 'c2']), 'batch-on-submitted', () => `customIds ${JSON.stringify(seen[0]?.customIds)}`, 'report the custom ids of the requests the batch holds, in order');
      rule(server.batches.length === 1, 'batch-submitted-once', () => `${server.batches.length} batches created`, 'create one batch per chunk of requests');
      const status = await untilFinal(ids[0]!);
      rule(status === 'completed', 'batch-status', () => `final status ${status}`, 'map the provider status to BatchStatus');
      const results = await client.fetchResults(ids[0]!);
      const byId = new Map(results.map((r) => [r.customId, r]));
      rule(results.length === 3 && ['c0', 'c1', 'c2'].every((c) => byId.get(c)?.status === 'ok'), 'batch-results', () => JSON.stringify(results).slice(0, 300), 'read the output file and return one ok result per answered request, by custom id');
      const first = byId.get('c0');
      const value = first?.status === 'ok' ? (JSON.parse(first.text) as { category?: string }) : undefined;
      rule(value?.category === 'billing' || value?.category === 'technical', 'batch-structured', () => `answer ${first?.status === 'ok' ? first.text : '(none)'}`, "send the request's JSON schema as structured output and return the answer text");
      rule(first?.status === 'ok' && first.usage.inputTokens > 0, 'batch-usage', () => JSON.stringify(first), 'report the token usage of each answer');
    });

    it('returns per-request errors by custom id, and the unanswered requests of an expired batch', async () => {
      server.setBatchFaults([{ at: 0, fault: { kind: 'partial', lines: [1] } }, { at: 1, fault: { kind: 'expired', completed: 1 } }]);
      const [partial] = await client.submit(requests(3));
      await untilFinal(partial!);
      const p = await client.fetchResults(partial!);
      rule(p.find((r) => r.customId === 'c1')?.status === 'error' && p.filter((r) => r.status === 'ok').length === 2, 'batch-error-file', () => JSON.stringify(p).slice(0, 300), 'read the error file too and return its lines as error results');
      const [expired] = await client.submit(requests(3));
      const status = await untilFinal(expired!);
      rule(status === 'expired', 'batch-expired', () => `status ${status}`, "map the provider's expired status");
      const e = await client.fetchResults(expired!);
      rule(e.filter((r) => r.status === 'error').length === 2, 'batch-expired', () => JSON.stringify(e).slice(0, 300), 'return the requests an expired batch did not run as error results');
    });

    it('cancels a batch', async () => {
      const [id] = await client.submit(requests(2));
      const info = await client.cancel(id!);
      rule(info.status === 'cancelling' || info.status === 'cancelled', 'batch-cancel', () => `status after cancel: ${info.status}`, 'POST the cancel and return the batch status');
      rule((await untilFinal(id!)) === 'cancelled', 'batch-cancel', () => 'not cancelled', 'map the cancelled status');
    });

    it('never shows the key in an error', async () => {
      const err = await client.poll('batch_missing').then(
        () => undefined,
        (e: unknown) => e,
      );
      rule(err instanceof Error, 'batch-unknown-id', () => 'polling an unknown batch did not fail', 'throw on HTTP errors');
      rule(!String((err as Error).message).includes(API_KEY), 'batch-no-key', () => 'the key is in the error message', 'redact error messages (@taxonomist/core/redact)');
    });
  });
}
