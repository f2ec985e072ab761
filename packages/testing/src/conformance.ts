import { describe, it, beforeAll, afterAll, beforeEach } from 'vitest';
import { z } from 'zod';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Embeddings } from '@langchain/core/embeddings';
import { createGateway, createManualClock, isLlmError, type StructuredMethod } from '@taxonomist/core';
import { asFakeProviderServer, startOpenAIFakeServer } from './fake-server/openai-adapter.js';
import type { FakeProviderServer, NeutralRequest } from './fake-server/types.js';
import { extractJsonSchemaFromText } from './extract-schema.js';
import type { OpenAIServer } from './openai-server/types.js';

/** What the factories get: where the local fake server is, which key to send, which model to ask for. */
export interface ConformanceContext {
  /** Base URL of the fake server, as its protocol's client wants it (the OpenAI server's ends in /v1). */
  baseURL: string;
  /** The key the server expects (it answers its protocol's auth error to anything else). */
  apiKey: string;
  modelName: string;
}

type Method = Exclude<StructuredMethod, 'auto'>;

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
  structuredMethods?: Method[];
  /** Whether the provider returns token logprobs (tested when true). */
  supportsLogprobs?: boolean;
  /**
   * The fake server speaking the provider's wire protocol: a running one, or a function starting one (the suite
   * closes what it started). Built-ins: startOpenAIFakeServer, startAnthropicServer, startOllamaServer,
   * startGoogleServer; any other protocol: startFakeProviderServer(yourWireProtocol). Default: the OpenAI server.
   */
  fakeServer?: FakeProviderServer | (() => Promise<FakeProviderServer>);
  /** @deprecated use fakeServer. A running OpenAI server to use (the suite resets it and sets its faults). */
  server?: OpenAIServer;
  /** Chat model name passed to the factory and expected on the wire (default 'gpt-4o-mini'). */
  chatModelName?: string;
  /** @deprecated alias of chatModelName. */
  modelName?: string;
  /** Embeddings model name (default 'text-embedding-3-small'). */
  embeddingModelName?: string;
  /** Embedding size to ask for (default 32). */
  embeddingDimensions?: number;
  /**
   * Extra request checks of your own, per structured method: return a failure text (it is reported with the rule
   * name) or undefined when the request is right.
   */
  checkRequest?(method: Method, request: NeutralRequest): string | undefined;
}

/** A failed conformance rule: says which rule, what was seen, and how to fix it. */
export class ConformanceError extends Error {
  constructor(
    readonly rule: string,
    detail: string,
    fix: string,
  ) {
    super(`conformance rule "${rule}" failed: ${detail}\n  how to fix: ${fix}`);
    this.name = 'ConformanceError';
  }
}

function rule(ok: boolean, name: string, detail: () => string, fix: string): void {
  if (!ok) throw new ConformanceError(name, detail(), fix);
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
const FIX_SHAPE =
  "bind the method the way the provider's API expects it; if the provider cannot do it, remove it from structuredMethods. " +
  "If the wire request is right but recorded wrongly, fix the fake server's WireProtocol.parseChat (it must report the neutral 'via').";

/** The neutral request-shape rule of each structured method; undefined when the request is right. */
export function structuredShapeProblem(method: Method, request: NeutralRequest): string | undefined {
  const s = request.structured ?? { via: 'none', schemaSent: false };
  const seen = `the server recorded via '${s.via}'${s.field ? ` (field ${s.field})` : ''}, schemaSent ${s.schemaSent}`;
  switch (method) {
    case 'jsonSchema':
      return s.via === 'native_schema' && s.schemaSent ? undefined : `method 'jsonSchema' must send the JSON Schema in the provider's native structured-output field; ${seen}`;
    case 'functionCalling':
      return s.via === 'tool' && s.schemaSent ? undefined : `method 'functionCalling' must send the schema as a tool the model is made to call; ${seen}`;
    case 'jsonMode':
      return s.via === 'json_mode' ? undefined : `method 'jsonMode' must ask the provider for JSON output without a schema; ${seen}`;
    case 'prompt': {
      if (s.via !== 'none') return `method 'prompt' must send nothing structured on the wire (no tool, no schema field); ${seen}`;
      const text = (request.messages ?? []).map((m) => m.content).join('\n');
      return extractJsonSchemaFromText(text) ? undefined : "method 'prompt' must put the JSON Schema in the prompt text; none was found in the messages the server received";
    }
  }
}

/**
 * Register a vitest describe block proving that a provider works through the Taxonomist gateway against a fake
 * server speaking its wire protocol: structured output with every method it claims (request shape checked in the
 * neutral form), the model name sent as given, usage reporting, error mapping (429 with and without a retry hint,
 * the provider's overload status, 500, 401), transport faults (reset, malformed and truncated bodies) retried,
 * abort closing the HTTP request, no key in the model's JSON, logprobs (if claimed) and embeddings (if given).
 * Every failure names the rule and how to fix it. Call it at the top level of a test file:
 *
 *   runProviderConformance({ name: 'x', fakeServer: () => startOllamaServer(), chatModelName: 'llama3.1', createChatModel: ... });
 */
export function runProviderConformance(options: ProviderConformanceOptions): void {
  const methods = options.structuredMethods ?? ['jsonSchema'];
  const modelName = options.chatModelName ?? options.modelName ?? 'gpt-4o-mini';
  const embeddingModelName = options.embeddingModelName ?? 'text-embedding-3-small';
  const dimensions = options.embeddingDimensions ?? 32;

  describe(`provider conformance: ${options.name}`, () => {
    let server: FakeProviderServer;
    let ownServer = false;
    let ctx: ConformanceContext;

    beforeAll(async () => {
      if (typeof options.fakeServer === 'function') {
        server = await options.fakeServer();
        ownServer = true;
      } else if (options.fakeServer) server = options.fakeServer;
      else if (options.server) server = asFakeProviderServer(options.server);
      else {
        server = await startOpenAIFakeServer({ apiKey: API_KEY, seed: 1 });
        ownServer = true;
      }
      ctx = { baseURL: server.url, apiKey: server.apiKey ?? API_KEY, modelName };
    });
    afterAll(async () => {
      if (ownServer) await server.close();
    });
    beforeEach(() => {
      server.reset();
      server.setFaults([]);
      server.setScript(undefined);
    });

    const setup = async (method: Method = methods[0]!) => {
      const clock = createManualClock();
      const gateway = createGateway({ clock, retry: { maxAttempts: 3, jitter: false, baseDelayMs: 100 }, seed: 1 });
      const chat = await options.createChatModel(ctx);
      const model = { id: `conformance:${modelName}`, model: chat, structuredMethod: method };
      return { clock, gateway, model, chat };
    };
    const ask = (g: Awaited<ReturnType<typeof setup>>, signal?: AbortSignal) =>
      g.gateway.structured({ stage: 'conformance', model: g.model, messages: MESSAGES, schema: Ticket, schemaName: 'ticket', ...(signal ? { signal } : {}) });
    const chats = () => server.requests.filter((r) => r.kind === 'chat');

    for (const method of methods) {
      it(`returns schema-valid structured output with method '${method}'`, async () => {
        const g = await setup(method);
        const result = await ask(g);
        rule(Ticket.safeParse(result.value).success, 'structured-valid', () => `the value ${JSON.stringify(result.value)} does not follow the schema`, 'read the answer from where the provider puts it (tool call arguments or text)');
        rule(result.attempts === 1 && chats().length === 1, 'one-request-per-call', () => `${chats().length} chat requests and ${result.attempts} attempts for one call without faults`, 'set maxRetries 0 on the client and do not re-send');
        const req = chats()[0]!;
        const problem = structuredShapeProblem(method, req) ?? options.checkRequest?.(method, req);
        rule(problem === undefined, `request-shape:${method}`, () => problem!, FIX_SHAPE);
        rule(req.model === modelName, 'model-name', () => `asked for model ${JSON.stringify(modelName)}, the server got ${JSON.stringify(req.model)}`, 'send the model name the factory was given, unchanged');
      });
    }

    it('reports the token usage the server sent', async () => {
      const g = await setup();
      const result = await ask(g);
      const sent = chats()[0]!.usage!;
      rule(!(result.usage.estimated ?? false), 'usage-reported', () => 'the gateway had to estimate usage: the model reported none', "put the provider's token counts in the AIMessage usage_metadata");
      rule(
        result.usage.inputTokens === sent.inputTokens && result.usage.outputTokens === sent.outputTokens,
        'usage-exact',
        () => `server sent ${sent.inputTokens} in / ${sent.outputTokens} out, the gateway saw ${result.usage.inputTokens} / ${result.usage.outputTokens}`,
        "map the provider's usage fields to usage_metadata.input_tokens / output_tokens without changing them",
      );
    });

    it("maps 429 with the provider's retry hint to rate_limit and waits as told", async () => {
      server.setFaults([{ fault: { kind: 'rate_limit', retryAfterSeconds: 2 }, at: 0 }]);
      const g = await setup();
      const result = await ask(g);
      rule(result.attempts === 2 && chats().length === 2, 'rate-limit-retried', () => `${result.attempts} attempts, ${chats().length} requests (expected 2)`, 'surface the HTTP status (error.status = 429) so the gateway retries it');
      const expected = server.retryHint ? 2000 : 100;
      rule(
        g.clock.sleeps.length === 1 && g.clock.sleeps[0] === expected,
        'rate-limit-retry-hint',
        () => `the gateway slept ${JSON.stringify(g.clock.sleeps)}, expected [${expected}] (${server.retryHint ? "the server's hint" : 'its own backoff; this protocol has no retry hint'})`,
        server.retryHint
          ? "keep the response headers on the error (error.headers with retry-after), or translate the provider's own hint into a retry-after-ms header"
          : 'do not invent a wait: the gateway backs off by itself',
      );
    });

    it('maps 429 without a retry hint to rate_limit with backoff', async () => {
      server.setFaults([{ fault: { kind: 'rate_limit' }, at: 0 }]);
      const g = await setup();
      const result = await ask(g);
      rule(result.attempts === 2 && g.clock.sleeps.length === 1 && g.clock.sleeps[0] === 100, 'rate-limit-backoff', () => `${result.attempts} attempts, sleeps ${JSON.stringify(g.clock.sleeps)} (expected 2 attempts, [100])`, 'surface status 429 on the error and no retry hint when the server gave none');
    });

    const transport: [string, Parameters<FakeProviderServer['setFaults']>[0][number]['fault'], string][] = [
      ['overload', { kind: 'server_error', status: 0 }, "surface the provider's overload status on the error (error.status)"],
      ['server-500', { kind: 'server_error', status: 500 }, 'surface the status on the error (error.status = 500)'],
      ['connection-reset', { kind: 'reset' }, "let the network error through (or keep it as the error's cause): it is classified as network and retried"],
      ['malformed-body', { kind: 'malformed_body' }, 'throw on a body that is not the protocol\'s JSON (a SyntaxError or an error named MalformedResponseError), never return an empty answer'],
      ['truncated-body', { kind: 'truncated_body' }, 'throw when the body or stream ends early (check the final chunk arrived), never return the partial answer'],
    ];
    for (const [name, fault, fix] of transport) {
      it(`retries after a transport fault: ${name}`, async () => {
        const f = fault.kind === 'server_error' && fault.status === 0 ? { ...fault, status: server.overloadStatus } : fault;
        server.setFaults([{ fault: f, at: 0 }]);
        const g = await setup();
        const result = await ask(g).catch((e: unknown) => e);
        rule(!(result instanceof Error), name, () => `the call failed: ${String(result)}`, fix);
        const ok = result as Awaited<ReturnType<typeof ask>>;
        rule(ok.attempts === 2 && chats().length === 2, name, () => `${ok.attempts} transport attempts and ${chats().length} requests (expected a retry: 2 and 2)`, fix);
      });
    }

    it('maps an auth failure to auth and does not retry', async () => {
      server.setFaults([{ fault: { kind: 'auth' } }]);
      const g = await setup();
      const error = await ask(g).catch((e: unknown) => e);
      rule(isLlmError(error) && error.kind === 'auth' && error.attempts === 1, 'auth-not-retried', () => `got ${isLlmError(error) ? `an LlmError of kind ${error.kind} after ${error.attempts} attempts` : String(error)}`, "surface status 401 (or 403) on the error; translate the provider's own bad-key answer to it if it uses another status");
      rule(chats().length === 1 && g.clock.sleeps.length === 0, 'auth-not-retried', () => `${chats().length} requests, sleeps ${JSON.stringify(g.clock.sleeps)}`, 'set maxRetries 0 on the client');
    });

    it('closes the HTTP request when the caller aborts', async () => {
      server.setFaults([{ fault: { kind: 'hang' } }]);
      const g = await setup();
      const controller = new AbortController();
      const pending = ask(g, controller.signal);
      while (chats().length === 0) await new Promise((r) => setImmediate(r));
      controller.abort();
      const error = await pending.catch((e: unknown) => e);
      rule(isLlmError(error) && error.kind === 'aborted', 'abort-reported', () => `got ${String(error)}`, 'throw an AbortError when the signal fires');
      // The socket close travels through the kernel: give it a moment of real time (the only real wait in the suite).
      const deadline = Date.now() + 2000;
      while (!chats()[0]!.closedBeforeResponse && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      rule(chats()[0]!.closedBeforeResponse, 'abort-closes-request', () => 'the call returned but the HTTP request stayed open on the server', "pass options.signal to the HTTP client (fetch's signal) so an abort closes the connection");
    });

    it('never shows the API key in the JSON of the model', async () => {
      const g = await setup();
      await ask(g);
      const json = JSON.stringify(g.chat);
      rule(!json.includes(ctx.apiKey), 'key-not-serialised', () => 'JSON.stringify(model) contains the API key', 'keep the key in a non-enumerable field or a secret LangChain serialises by name');
      rule(!JSON.stringify(server.requests.map((r) => r.body)).includes(ctx.apiKey), 'key-not-in-body', () => 'a request body contains the API key', 'send the key only in the auth header');
    });

    if (options.supportsLogprobs) {
      it('returns token logprobs when asked', async () => {
        const g = await setup();
        const result = await g.gateway.structured({ stage: 'conformance', model: g.model, messages: MESSAGES, schema: Ticket, logprobs: true });
        rule((result.logprobs?.length ?? 0) > 0 && result.logprobs!.map((t) => t.token).join('') === result.raw, 'logprobs', () => `got ${result.logprobs?.length ?? 0} tokens`, 'put logprobs in response_metadata.logprobs.content, one per answer token');
        rule(chats()[0]!.logprobs === true, 'logprobs-asked', () => 'the request did not ask for logprobs', 'send the logprobs flag when the gateway asks for it');
      });
    }

    if (options.createEmbeddings) {
      const embedSetup = async () => {
        const gateway = createGateway({ clock: createManualClock(), retry: { maxAttempts: 3, jitter: false, baseDelayMs: 100 }, seed: 1 });
        const model = { id: 'conformance:embeddings', model: await options.createEmbeddings!({ ...ctx, modelName: embeddingModelName, dimensions }) };
        return { gateway, model };
      };
      const texts = ['refund my double charge', 'the app crashes on start', 'refund my double charge please'];
      const embeds = () => server.requests.filter((r) => r.kind === 'embed');

      it('embeds texts into vectors of the requested size', async () => {
        const { gateway, model } = await embedSetup();
        const result = await gateway.embed({ stage: 'conformance', model, texts });
        rule(result.vectors.length === 3 && result.vectors.every((v) => v.length === dimensions), 'embed-size', () => `got ${result.vectors.length} vectors of sizes ${result.vectors.map((v) => v.length).join(',')}`, 'send the requested dimensions and return one vector per text, in order');
        rule(embeds().length > 0 && embeds().every((r) => r.model === embeddingModelName), 'embed-model-name', () => `models on the wire: ${JSON.stringify(embeds().map((r) => r.model))}`, 'send the embeddings model name the factory was given');
        const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
        // The server's vectors are deterministic bag-of-words hashes: decoding them wrongly or out of order breaks this.
        rule(cos(result.vectors[0]!, result.vectors[2]!) > cos(result.vectors[0]!, result.vectors[1]!), 'embed-order', () => 'similar texts got dissimilar vectors', 'decode vectors exactly and keep the input order');
      });

      it('retries an embeddings request after a 5xx', async () => {
        server.setFaults([{ fault: { kind: 'server_error', status: 500 }, endpoint: 'embeddings', at: 0 }]);
        const { gateway, model } = await embedSetup();
        const result = await gateway.embed({ stage: 'conformance', model, texts: texts.slice(0, 2) }).catch((e: unknown) => e);
        rule(!(result instanceof Error), 'embed-retried', () => `the call failed: ${String(result)}`, 'surface the status on the error and set maxRetries 0 on the client');
        rule(embeds().length === 2, 'embed-retried', () => `${embeds().length} embed requests (expected 2)`, 'set maxRetries 0 on the client: the gateway retries');
      });
    }
  });
}
