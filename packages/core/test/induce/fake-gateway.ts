import type { ChatMessage, Gateway, StructuredRequest, UsageReport } from '../../src/index.js';

/** One structured call as the fake gateway saw it. */
export interface FakeCall {
  stage: string;
  promptId: string | undefined;
  schemaName: string | undefined;
  messages: ChatMessage[];
  temperature: number | undefined;
  cacheSalt: string | undefined;
}

export type Script = (call: FakeCall) => unknown;

/**
 * A Gateway for unit tests: answers come from a script (a pure function of the call), are validated with the
 * request's schema like the real gateway does (a schema-invalid answer throws an LlmError-like 'invalid_output'),
 * and usage is counted deterministically (characters / 4).
 */
export function createFakeGateway(script: Script, options: { modelId?: string } = {}): Gateway & { calls: FakeCall[] } {
  const calls: FakeCall[] = [];
  const modelIdOf = (ref: unknown): string =>
    typeof ref === 'string' ? ref : ((ref as { id?: string } | undefined)?.id ?? options.modelId ?? 'fake:model');
  const emptyReport: UsageReport = {
    rows: [],
    byStage: {},
    byModel: {},
    total: { calls: 0, cachedCalls: 0, failedCalls: 0, attempts: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 },
  };
  return {
    calls,
    async structured<T>(req: StructuredRequest<T>) {
      const call: FakeCall = {
        stage: req.stage,
        promptId: req.promptId,
        schemaName: req.schemaName,
        messages: req.messages.map((m) => ({ ...m })),
        temperature: req.temperature,
        cacheSalt: req.cacheSalt,
      };
      calls.push(call);
      req.signal?.throwIfAborted();
      const answer = await script(call);
      if (answer instanceof Error) throw answer;
      const raw = JSON.stringify(answer);
      const parsed = req.schema.safeParse(answer);
      if (!parsed.success) {
        throw Object.assign(new Error(`schema-invalid answer: ${parsed.error.issues[0]?.message}`), {
          kind: 'invalid_output',
          raw,
          attempts: 1,
        });
      }
      const inputChars = req.messages.reduce((n, m) => n + m.content.length, 0);
      return {
        value: parsed.data,
        usage: { inputTokens: Math.ceil(inputChars / 4), outputTokens: Math.ceil(raw.length / 4) },
        raw,
        modelId: modelIdOf(req.model),
        attempts: 1,
        repairs: 0,
        cached: false,
      };
    },
    async text() {
      throw new Error('fake gateway: text() is not used by induction');
    },
    async embed() {
      throw new Error('fake gateway: embed() is not used by induction');
    },
    async resolveChatModel(ref) {
      return { id: modelIdOf(ref), model: {} as never, structuredMethod: 'jsonSchema', supportsLogprobs: false };
    },
    async resolveEmbeddings() {
      throw new Error('fake gateway: no embeddings');
    },
    usage: () => emptyReport,
    // $1 per 1M input tokens, $2 per 1M output tokens.
    cost: (_modelId, usage) => (usage.inputTokens * 1 + usage.outputTokens * 2) / 1e6,
  };
}
