import { ChatOpenAI, ChatOpenAICompletions, OpenAIEmbeddings, type OpenAIClient } from '@langchain/openai';
import type { BaseMessage } from '@langchain/core/messages';
import { inspect } from 'node:util';
import type { ResolvedOpenAISettings } from './settings.js';
import { createHttpFetch } from './http-fetch.js';

// One transport (one keep-alive pool) for every model of the process: the gateway's per-call variants of a model
// are rebuilt from its fields and share it.
let sharedHttpFetch: typeof fetch | undefined;

/** The openai client's configuration: base URL, organization, and the HTTP transport. */
function clientConfiguration(s: ResolvedOpenAISettings): Record<string, unknown> {
  return {
    baseURL: s.baseURL,
    ...(s.organization ? { organization: s.organization } : {}),
    ...(s.transport === 'http' ? { fetch: (sharedHttpFetch ??= createHttpFetch()) } : {}),
  };
}

/**
 * @langchain/openai 1.5's Chat Completions converter drops `message.refusal`: a structured-output refusal arrives as
 * an AIMessage with empty content and nothing saying why. This subclass keeps it in `additional_kwargs.refusal`
 * (where the Responses API path and the Taxonomist gateway look), so a refusal is reported as a refusal instead of
 * an empty, "invalid" answer that gets re-asked.
 */
class RefusalPreservingCompletions extends ChatOpenAICompletions {
  protected override _convertCompletionsMessageToBaseMessage(
    message: OpenAIClient.ChatCompletionMessage,
    rawResponse: OpenAIClient.ChatCompletion,
  ): BaseMessage {
    const converted = super._convertCompletionsMessageToBaseMessage(message, rawResponse);
    if (typeof message.refusal === 'string' && message.refusal.length > 0) {
      converted.additional_kwargs = { ...converted.additional_kwargs, refusal: message.refusal };
    }
    return converted;
  }
}

type ChatOpenAIFields = NonNullable<ConstructorParameters<typeof ChatOpenAI>[0]> & Record<string, unknown>;

/**
 * ChatOpenAI that uses the refusal-preserving completions. The completions instance is rebuilt from the fields in
 * every constructor call (an instance passed in is ignored) because ChatOpenAI delegates generation to it: code that
 * derives a variant with `new model.constructor({ ...model.fields, logprobs: true })` (as the gateway does for
 * per-call temperature / logprobs) must get completions that carry the new fields too.
 */
export class TaxonomistChatOpenAI extends ChatOpenAI {
  constructor(fields: ChatOpenAIFields) {
    const { completions: _ignored, ...rest } = fields;
    super({ ...rest, completions: new RefusalPreservingCompletions(rest) });
  }

  /** console.log / util.inspect show the model, never the key the client holds. */
  [inspect.custom](): string {
    return `TaxonomistChatOpenAI { model: ${JSON.stringify(this.model)} }`;
  }
}

/**
 * OpenAIEmbeddings is not LangChain-serialisable, so JSON.stringify / console.log would print its apiKey and client
 * config. This subclass shows only safe fields.
 */
export class TaxonomistOpenAIEmbeddings extends OpenAIEmbeddings {
  toJSON(): Record<string, unknown> {
    return { type: 'OpenAIEmbeddings', model: this.model, dimensions: this.dimensions, batchSize: this.batchSize };
  }

  [inspect.custom](): string {
    return `TaxonomistOpenAIEmbeddings { model: ${JSON.stringify(this.model)} }`;
  }
}

/**
 * A ChatOpenAI for one model. maxRetries is 0 because retries belong to the Taxonomist gateway (two retry layers
 * would multiply attempts and ignore the gateway's Retry-After handling and fake clock).
 */
export function createOpenAIChatModel(modelName: string, s: ResolvedOpenAISettings): ChatOpenAI {
  return new TaxonomistChatOpenAI({
    model: modelName,
    apiKey: s.apiKey,
    configuration: clientConfiguration(s),
    maxRetries: 0,
    ...(s.temperature !== undefined ? { temperature: s.temperature } : {}),
    ...(s.timeoutMs !== undefined ? { timeout: s.timeoutMs } : {}),
    ...(s.logprobs ? { logprobs: true, ...(s.topLogprobs !== undefined ? { topLogprobs: s.topLogprobs } : {}) } : {}),
  });
}

export function createOpenAIEmbeddingsModel(modelName: string, s: ResolvedOpenAISettings): OpenAIEmbeddings {
  return new TaxonomistOpenAIEmbeddings({
    model: modelName,
    apiKey: s.apiKey,
    configuration: clientConfiguration(s),
    maxRetries: 0,
    ...(s.timeoutMs !== undefined ? { timeout: s.timeoutMs } : {}),
    ...(s.dimensions !== undefined ? { dimensions: s.dimensions } : {}),
    ...(s.batchSize !== undefined ? { batchSize: s.batchSize } : {}),
  });
}
