import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { z } from 'zod';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Embeddings } from '@langchain/core/embeddings';
import { createGateway, createManualClock, isLlmError, type StructuredMethod } from '@taxonomist/core';
import { startOpenAIServer } from './openai-server/server.js';
import type { OpenAIServer } from './openai-server/types.js';

/** What the factories get: where the local server is and which key to send. */
export interface ConformanceContext {
  /** Base URL of the local OpenAI-compatible server (ends in /v1). */
  baseURL: string;
  /** The key the server expects (it answers 401 to anything else). */
  apiKey: string;
  modelName: string;
}

export interface ProviderConformanceOptions {
  /** Shown in the describe block: `provider conformance: <name>`. */
  name: string;
  /**
   * A chat model of the provider, pointed at `ctx.baseURL` with `ctx.apiKey`, with the client's own retries OFF
   * (maxRetries 0): the suite checks that the gateway's retries are the only ones.
   */
  createChatModel(ctx: ConformanceContext): BaseChatModel | Promise<BaseChatModel>;
  /** The provider's embeddings model, pointed at the server (optional). */
  createEmbeddings?(ctx: ConformanceContext & { dimensions: number }): Embeddings | Promise<Embeddings>;
  /** Structured-output methods the provider claims to support (default ['jsonSchema']); each is tested. */
  structuredMethods?: Exclude<StructuredMethod, 'auto'>[];
  /** Whether the provider returns token logprobs (tested when true). */
  supportsLogprobs?: boolean;
  /**
   * A running server to use instead of starting one (any object implementing the OpenAIServer interface, so a
   * provider with another wire protocol can bring a compatible fake). The suite resets it and sets its faults.
   */
  server?: OpenAIServer;
  /** Model name passed to the factories (default 'gpt-4o-mini'). */
  modelName?: string;
  /** Embedding size to ask for (default 32). */
  embeddingDimensions?: number;
}

const Ticket = z.object({
  category: z.enum(['billing', 'technical', 'account']),
  urgent: z.boolean(),
  summary: z.string(),
  tags: z.array(z.string()).min(1).max(3),
});

const MESSAGES = [
  { role: 'system' as const, content: 'Classify the support ticket.' },
  { role: 'user' as const, content: 'I was charged twice for my subscription this month, please refund one.' },
];

const API_KEY = 'sk-conformance-test-key';

/** What the request body must look like for each structured method, as seen by the server. */
function expectRequestShape(body: Record<string, unknown>, method: Exclude<StructuredMethod, 'auto'>): void {
  const rf = body.response_format as { type?: string } | undefined;
  switch (method) {
    case 'jsonSchema':
      expect(rf?.type, 'jsonSchema should send response_format.type = json_schema').toBe('json_schema');
      break;
    case 'jsonMode':
      expect(rf?.type, 'jsonMode should send response_format.type = json_object').toBe('json_object');
      break;
    case 'functionCalling':
      expect(Array.isArray(body.tools) && body.tools.length > 0, 'functionCalling should send tools').toBe(true);
      break;
    case 'prompt':
      expect(body.tools, 'prompt method should send no tools').toBeUndefined();
      expect(rf, 'prompt method should send no response_format').toBeUndefined();
      break;
  }
}

/**
 * Register a vitest describe block proving that a provider works through the Taxonomist gateway: structured output
 * with every method it claims, usage reporting, error mapping (429 retried honouring Retry-After, 500 retried,
 * 401 not retried), abort, logprobs (if claimed) and embeddings (if given). Call it at the top level of a test file:
 *
 *   runProviderConformance({ name: 'openai', createChatModel: ({ baseURL, apiKey, modelName }) => new ChatOpenAI(...) });
 */
export function runProviderConformance(options: ProviderConformanceOptions): void {
  const methods = options.structuredMethods ?? ['jsonSchema'];
  const modelName = options.modelName ?? 'gpt-4o-mini';
  const dimensions = options.embeddingDimensions ?? 32;

  describe(`provider conformance: ${options.name}`, () => {
    let server: OpenAIServer;
    let ownServer = false;
    let ctx: ConformanceContext;

    beforeAll(async () => {
      if (options.server) server = options.server;
      else {
        server = await startOpenAIServer({ apiKey: API_KEY, seed: 1 });
        ownServer = true;
      }
      ctx = { baseURL: server.url, apiKey: API_KEY, modelName };
    });
    afterAll(async () => {
      if (ownServer) await server.close();
    });
    beforeEach(() => {
      server.reset();
      server.setFaults([]);
      server.setScript(undefined);
    });

    const setup = async (method: Exclude<StructuredMethod, 'auto'> = methods[0]!) => {
      const clock = createManualClock();
      const gateway = createGateway({ clock, retry: { maxAttempts: 3, jitter: false, baseDelayMs: 100 }, seed: 1 });
      const model = { id: `conformance:${modelName}`, model: await options.createChatModel(ctx), structuredMethod: method };
      return { clock, gateway, model };
    };

    for (const method of methods) {
      it(`returns schema-valid structured output with method '${method}'`, async () => {
        const { gateway, model } = await setup(method);
        const result = await gateway.structured({ stage: 'conformance', model, messages: MESSAGES, schema: Ticket, schemaName: 'ticket' });
        expect(Ticket.safeParse(result.value).success).toBe(true);
        expect(result.attempts).toBe(1);
        expect(server.count('chat')).toBe(1);
        expectRequestShape(server.requests[0]!.body as Record<string, unknown>, method);
      });
    }

    it('reports the token usage the server sent', async () => {
      const { gateway, model } = await setup();
      const result = await gateway.structured({ stage: 'conformance', model, messages: MESSAGES, schema: Ticket });
      const sent = server.requests[0]!.usage!;
      expect(result.usage.estimated ?? false).toBe(false);
      expect(result.usage).toMatchObject({ inputTokens: sent.promptTokens, outputTokens: sent.completionTokens });
      expect(gateway.usage().total.inputTokens).toBe(sent.promptTokens);
    });

    it('maps 429 to rate_limit and retries after the server-given Retry-After', async () => {
      server.setFaults([{ fault: { kind: 'rate_limit', retryAfterMs: 1500 }, at: 0 }]);
      const { gateway, model, clock } = await setup();
      const result = await gateway.structured({ stage: 'conformance', model, messages: MESSAGES, schema: Ticket });
      expect(result.attempts).toBe(2);
      expect(server.count('chat')).toBe(2);
      expect(clock.sleeps).toEqual([1500]);
    });

    it('maps 500 to a retried server error', async () => {
      server.setFaults([{ fault: { kind: 'server_error', status: 500 }, at: 0 }]);
      const { gateway, model, clock } = await setup();
      const result = await gateway.structured({ stage: 'conformance', model, messages: MESSAGES, schema: Ticket });
      expect(result.attempts).toBe(2);
      expect(clock.sleeps).toEqual([100]);
    });

    it('maps 401 to auth and does not retry', async () => {
      server.setFaults([{ fault: { kind: 'auth' } }]);
      const { gateway, model, clock } = await setup();
      const error = await gateway.structured({ stage: 'conformance', model, messages: MESSAGES, schema: Ticket }).catch((e: unknown) => e);
      expect(isLlmError(error), `expected an LlmError, got ${String(error)}`).toBe(true);
      expect(error).toMatchObject({ kind: 'auth', attempts: 1 });
      expect(server.count('chat')).toBe(1);
      expect(clock.sleeps).toEqual([]);
    });

    it('stops at once when the caller aborts', async () => {
      server.setFaults([{ fault: { kind: 'hang' } }]);
      const { gateway, model } = await setup();
      const controller = new AbortController();
      const pending = gateway.structured({ stage: 'conformance', model, messages: MESSAGES, schema: Ticket, signal: controller.signal });
      // Abort once the request is at the server (which never answers); no timers involved.
      while (server.count('chat') === 0) await new Promise((r) => setImmediate(r));
      controller.abort();
      const error = await pending.catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: 'aborted' });
      expect(server.count('chat')).toBe(1);
    });

    if (options.supportsLogprobs) {
      it('returns token logprobs when asked', async () => {
        const { gateway, model } = await setup();
        const result = await gateway.structured({ stage: 'conformance', model, messages: MESSAGES, schema: Ticket, logprobs: true });
        expect(result.logprobs?.length ?? 0).toBeGreaterThan(0);
        expect(result.logprobs!.map((t) => t.token).join('')).toBe(result.raw);
        expect((server.requests[0]!.body as Record<string, unknown>).logprobs).toBe(true);
      });
    }

    if (options.createEmbeddings) {
      it('embeds texts into vectors of the requested size', async () => {
        const gateway = createGateway({ clock: createManualClock(), seed: 1 });
        const model = { id: 'conformance:embeddings', model: await options.createEmbeddings!({ ...ctx, modelName: 'text-embedding-3-small', dimensions }) };
        const texts = ['refund my double charge', 'the app crashes on start', 'refund my double charge please'];
        const result = await gateway.embed({ stage: 'conformance', model, texts });
        expect(result.vectors).toHaveLength(3);
        for (const v of result.vectors) expect(v).toHaveLength(dimensions);
        expect(server.count('embeddings')).toBeGreaterThan(0);
        const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
        // The server's vectors are deterministic bag-of-words hashes: decoding them wrongly would break this.
        expect(cos(result.vectors[0]!, result.vectors[2]!)).toBeGreaterThan(cos(result.vectors[0]!, result.vectors[1]!));
      });
    }
  });
}
