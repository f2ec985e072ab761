import { ChatGoogleGenerativeAI, GoogleGenerativeAIEmbeddings } from '@langchain/google-genai';
import { AsyncLocalStorage } from 'node:async_hooks';
import { inspect } from 'node:util';
import type { BaseMessage } from '@langchain/core/messages';
import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import type { ChatResult } from '@langchain/core/outputs';
import { describeGoogleError, MalformedResponseError } from './errors.js';
import type { ResolvedGoogleSettings } from './settings.js';

type AnyObj = Record<string, unknown>;

/** The AbortSignal of the call in progress (see TaxonomistChatGoogle._generate). */
const callSignal = new AsyncLocalStorage<AbortSignal | undefined>();

/**
 * ChatGoogleGenerativeAI for Taxonomist: maxRetries 0 (the gateway retries), errors made classifiable (see
 * ./errors.ts), and the gateway's OpenAI-shaped tool_choice ({type:'function', function:{name}}) turned into the
 * function name, which @langchain/google-genai maps to functionCallingConfig mode ANY (it ignores the object form,
 * leaving the model free not to call the tool).
 *
 * Abort: @langchain/google-genai 2.3's non-streaming _generate calls completionWithRetry(request) WITHOUT the call
 * options, so the SDK never sees the AbortSignal and an aborted call leaves its HTTP request running (the conformance
 * suite's abort rule caught it). The signal is carried to completionWithRetry through AsyncLocalStorage.
 */
export class TaxonomistChatGoogle extends ChatGoogleGenerativeAI {
  override invocationParams(options?: this['ParsedCallOptions']): ReturnType<ChatGoogleGenerativeAI['invocationParams']> {
    const choice = (options as AnyObj | undefined)?.tool_choice as AnyObj | undefined;
    if (choice && typeof choice === 'object' && choice.type === 'function') {
      const name = (choice.function as AnyObj | undefined)?.name;
      return super.invocationParams({ ...options, tool_choice: typeof name === 'string' ? name : 'any' } as this['ParsedCallOptions']);
    }
    return super.invocationParams(options);
  }

  override async _generate(messages: BaseMessage[], options: this['ParsedCallOptions'], runManager?: CallbackManagerForLLMRun): Promise<ChatResult> {
    return callSignal.run(options.signal, () => super._generate(messages, options, runManager));
  }

  override async completionWithRetry(...args: Parameters<ChatGoogleGenerativeAI['completionWithRetry']>): ReturnType<ChatGoogleGenerativeAI['completionWithRetry']> {
    const [request, options] = args;
    const signal = options?.signal ?? callSignal.getStore();
    try {
      return await super.completionWithRetry(request, (signal ? { ...options, signal } : options) as typeof options);
    } catch (error) {
      throw describeGoogleError(error);
    }
  }

  [inspect.custom](): string {
    return `TaxonomistChatGoogle { model: ${JSON.stringify(this.model)} }`;
  }
}

/**
 * GoogleGenerativeAIEmbeddings turns a failed batch into empty vectors (Promise.allSettled then fill([])): a silent
 * loss. This subclass sends the same batchEmbedContents requests one after the other and throws on any failure or
 * short answer. It also keeps the key out of JSON.stringify / console.log (Embeddings are not LangChain-serialisable).
 */
export class TaxonomistGoogleEmbeddings extends GoogleGenerativeAIEmbeddings {
  protected override async _embedDocumentsContent(documents: string[]): Promise<number[][]> {
    // The client and request builder are private in the typings; they are what the parent uses for the same call.
    const self = this as unknown as { client: { batchEmbedContents(r: unknown): Promise<{ embeddings: { values?: number[] }[] }> }; _convertToContent(t: string): unknown };
    const out: number[][] = [];
    for (let start = 0; start < documents.length; start += this.maxBatchSize) {
      const chunk = documents.slice(start, start + this.maxBatchSize);
      let answer: { embeddings: { values?: number[] }[] };
      try {
        answer = await self.client.batchEmbedContents({ requests: chunk.map((d) => self._convertToContent(d)) });
      } catch (error) {
        throw describeGoogleError(error);
      }
      const vectors = Array.isArray(answer?.embeddings) ? answer.embeddings.map((e) => e.values ?? []) : [];
      if (vectors.length !== chunk.length || vectors.some((v) => v.length === 0)) {
        throw new MalformedResponseError(`Gemini batchEmbedContents: expected ${chunk.length} vectors, got ${vectors.filter((v) => v.length > 0).length}`);
      }
      out.push(...vectors);
    }
    return out;
  }

  protected override async _embedQueryContent(text: string): Promise<number[]> {
    const [vector] = await this._embedDocumentsContent([text]);
    return vector!;
  }

  toJSON(): AnyObj {
    return { type: 'GoogleGenerativeAIEmbeddings', model: this.model, outputDimensionality: this.outputDimensionality };
  }

  [inspect.custom](): string {
    return `TaxonomistGoogleEmbeddings { model: ${JSON.stringify(this.model)} }`;
  }
}

export function createGoogleChatModel(modelName: string, s: ResolvedGoogleSettings): TaxonomistChatGoogle {
  return new TaxonomistChatGoogle({
    model: modelName,
    apiKey: s.apiKey,
    baseUrl: s.baseURL,
    maxRetries: 0,
    ...(s.temperature !== undefined ? { temperature: s.temperature } : {}),
    ...(s.maxOutputTokens !== undefined ? { maxOutputTokens: s.maxOutputTokens } : {}),
  });
}

export function createGoogleEmbeddingsModel(modelName: string, s: ResolvedGoogleSettings): TaxonomistGoogleEmbeddings {
  return new TaxonomistGoogleEmbeddings({
    model: modelName,
    apiKey: s.apiKey,
    baseUrl: s.baseURL,
    maxRetries: 0,
    ...(s.dimensions !== undefined ? { outputDimensionality: s.dimensions } : {}),
  });
}
