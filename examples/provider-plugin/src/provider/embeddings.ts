import { Embeddings, type EmbeddingsParams } from '@langchain/core/embeddings';
import { postJson, type EchoConnection } from './http.js';

/**
 * LangChain embeddings for the Echo API. The gateway batches, dedupes, caches and retries embedding calls itself,
 * so this class only sends what it is given, in one request per `batchSize` texts, and returns the vectors in input
 * order. LangChain's `Embeddings` take no per-call options (no AbortSignal), which is why the gateway abandons a
 * timed-out batch rather than cancelling it; `timeoutMs` bounds how long such a request can linger.
 */

export interface EchoEmbeddingsFields extends EmbeddingsParams, Partial<EchoConnection> {
  /** Model name on the Echo API, e.g. "embed-v1". */
  model: string;
  /** Vector size to ask for (the API's default when absent). */
  dimensions?: number;
  /** Texts per request (default 128). */
  batchSize?: number;
}

interface EchoEmbeddingResponse {
  data: { index: number; embedding: number[] }[];
}

export class EchoEmbeddings extends Embeddings {
  readonly model: string;
  readonly dimensions: number | undefined;
  readonly batchSize: number;
  private readonly connection: EchoConnection;

  constructor(fields: EchoEmbeddingsFields) {
    const { baseURL, apiKey, timeoutMs, ...rest } = fields;
    super({ ...rest, maxRetries: 0 });
    if (!baseURL) throw new Error('EchoEmbeddings: baseURL is required');
    if (!apiKey) throw new Error('EchoEmbeddings: apiKey is required');
    this.model = fields.model;
    this.dimensions = fields.dimensions;
    this.batchSize = fields.batchSize ?? 128;
    this.connection = { baseURL, apiKey, ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
    Object.defineProperty(this, 'connection', { enumerable: false });
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    const out: number[][] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      const input = texts.slice(start, start + this.batchSize);
      const body = { model: this.model, input, encoding_format: 'float', ...(this.dimensions !== undefined ? { dimensions: this.dimensions } : {}) };
      const answer = await postJson<EchoEmbeddingResponse>(this.connection, '/embeddings', body);
      if (!Array.isArray(answer.data) || answer.data.length !== input.length) {
        throw new Error(`Echo API /embeddings: expected ${input.length} vectors, got ${Array.isArray(answer.data) ? answer.data.length : 'none'}`);
      }
      // The API may answer out of order; `index` says which input each vector belongs to.
      const vectors = [...answer.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
      out.push(...vectors);
    }
    return out;
  }

  async embedQuery(text: string): Promise<number[]> {
    const [vector] = await this.embedDocuments([text]);
    return vector!;
  }
}
