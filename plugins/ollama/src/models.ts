import { ChatOllama, OllamaEmbeddings } from '@langchain/ollama';
import type { BaseMessage } from '@langchain/core/messages';
import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import type { ChatResult } from '@langchain/core/outputs';
import { inspect } from 'node:util';
import type { ResolvedOllamaSettings } from './settings.js';
import { MalformedResponseError, ollamaFetch, withOllamaCall } from './transport.js';

/**
 * ChatOllama for Taxonomist: the call's signal reaches the HTTP request, errors carry `status`, and an answer whose
 * stream ended without the closing `done: true` chunk is an error (ollama-js skips lines that are not JSON and ends
 * quietly on a cut-off stream, which would otherwise look like an empty or partial answer).
 */
export class TaxonomistChatOllama extends ChatOllama {
  /** The gateway's 'jsonMode' binds OpenAI's response_format {type:'json_object'}; Ollama's form is format: 'json'. */
  override invocationParams(options?: this['ParsedCallOptions']): ReturnType<ChatOllama['invocationParams']> {
    const params = super.invocationParams(options);
    const rf = (options as { response_format?: { type?: string } } | undefined)?.response_format;
    if (params.format === undefined && rf?.type === 'json_object') return { ...params, format: 'json' };
    return params;
  }

  override async _generate(messages: BaseMessage[], options: this['ParsedCallOptions'], runManager?: CallbackManagerForLLMRun): Promise<ChatResult> {
    const result = await withOllamaCall(options.signal, () => super._generate(messages, options, runManager));
    const meta = result.generations[0]?.message.response_metadata as Record<string, unknown> | undefined;
    if (meta?.done !== true) {
      throw new MalformedResponseError('Ollama /api/chat: the answer ended without its closing chunk (done: true): the stream was cut off or was not NDJSON');
    }
    return result;
  }

  [inspect.custom](): string {
    return `TaxonomistChatOllama { model: ${JSON.stringify(this.model)}, baseUrl: ${JSON.stringify(this.baseUrl)} }`;
  }
}

export class TaxonomistOllamaEmbeddings extends OllamaEmbeddings {
  override async embedDocuments(texts: string[]): Promise<number[][]> {
    return withOllamaCall(undefined, () => super.embedDocuments(texts));
  }

  override async embedQuery(text: string): Promise<number[]> {
    return withOllamaCall(undefined, () => super.embedQuery(text));
  }

  [inspect.custom](): string {
    return `TaxonomistOllamaEmbeddings { model: ${JSON.stringify(this.model)} }`;
  }
}

/** maxRetries 0: the gateway owns retries (LangChain's caller would retry embeddings 6 times by default). */
export function createOllamaChatModel(modelName: string, s: ResolvedOllamaSettings): TaxonomistChatOllama {
  return new TaxonomistChatOllama({
    model: modelName,
    baseUrl: s.baseURL,
    maxRetries: 0,
    fetch: ollamaFetch({ ...(s.apiKey !== undefined ? { apiKey: s.apiKey } : {}), ...(s.timeoutMs !== undefined ? { timeoutMs: s.timeoutMs } : {}) }),
    ...(s.temperature !== undefined ? { temperature: s.temperature } : {}),
    ...(s.numCtx !== undefined ? { numCtx: s.numCtx } : {}),
    ...(s.keepAlive !== undefined ? { keepAlive: s.keepAlive } : {}),
  });
}

export function createOllamaEmbeddingsModel(modelName: string, s: ResolvedOllamaSettings): TaxonomistOllamaEmbeddings {
  return new TaxonomistOllamaEmbeddings({
    model: modelName,
    baseUrl: s.baseURL,
    maxRetries: 0,
    fetch: ollamaFetch({ ...(s.apiKey !== undefined ? { apiKey: s.apiKey } : {}), ...(s.timeoutMs !== undefined ? { timeoutMs: s.timeoutMs } : {}) }),
    ...(s.dimensions !== undefined ? { dimensions: s.dimensions } : {}),
    ...(s.keepAlive !== undefined ? { keepAlive: s.keepAlive } : {}),
  });
}
