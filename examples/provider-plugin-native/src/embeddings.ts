import { Embeddings, type EmbeddingsParams } from '@langchain/core/embeddings';
import { quillPost, type QuillConnection } from './wire.js';

export interface QuillEmbeddingsFields extends EmbeddingsParams, Partial<QuillConnection> {
  model: string;
  /** Vector size (Quill's `size`). */
  dimensions?: number;
}

/** Quill /v2/vectors as LangChain embeddings: one request per call, vectors in input order, no retries of its own. */
export class QuillEmbeddings extends Embeddings {
  readonly model: string;
  readonly dimensions: number | undefined;
  private readonly connection: QuillConnection;

  constructor(fields: QuillEmbeddingsFields) {
    const { baseURL, apiKey, timeoutMs, ...rest } = fields;
    super({ ...rest, maxRetries: 0 });
    if (!baseURL || !apiKey) throw new Error('QuillEmbeddings: baseURL and apiKey are required');
    this.model = fields.model;
    this.dimensions = fields.dimensions;
    this.connection = { baseURL, apiKey, ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
    Object.defineProperty(this, 'connection', { enumerable: false });
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    const body = { engine: this.model, texts, ...(this.dimensions !== undefined ? { size: this.dimensions } : {}) };
    const answer = await quillPost<{ vectors?: number[][] }>(this.connection, '/v2/vectors', body);
    if (!Array.isArray(answer.vectors) || answer.vectors.length !== texts.length) {
      const error = new Error(`Quill /v2/vectors: expected ${texts.length} vectors, got ${Array.isArray(answer.vectors) ? answer.vectors.length : 'none'}`);
      error.name = 'MalformedResponseError';
      throw error;
    }
    return answer.vectors;
  }

  async embedQuery(text: string): Promise<number[]> {
    return (await this.embedDocuments([text]))[0]!;
  }
}
