import { Embeddings } from '@langchain/core/embeddings';
import { hashedEmbedding } from './hashed-embedding.js';

export interface RecordedEmbeddingsCall {
  index: number;
  kind: 'documents' | 'query';
  texts: string[];
  error?: string;
}

export interface ScriptedEmbeddingsOptions {
  /** Vector size (default 64). */
  dimensions?: number;
  /** Custom vectors; default: deterministic hashed bag-of-words vectors (texts sharing words are similar). */
  embed?: (text: string, dimensions: number) => number[];
  /** Model name (the gateway derives the id from it). Default 'scripted-embeddings'. */
  id?: string;
  /** Errors to throw on given calls (by 0-based call index), e.g. transportErrors.rateLimit(). */
  errors?: Record<number, Error>;
}

/**
 * An in-process LangChain Embeddings model: deterministic vectors, every call recorded in `.calls`.
 */
export class ScriptedEmbeddings extends Embeddings {
  readonly calls: RecordedEmbeddingsCall[] = [];
  readonly model: string;
  readonly dimensions: number;
  private readonly embedFn: (text: string, dimensions: number) => number[];
  private readonly errors: Record<number, Error>;

  constructor(options: ScriptedEmbeddingsOptions = {}) {
    super({});
    this.dimensions = options.dimensions ?? 64;
    this.model = options.id ?? 'scripted-embeddings';
    this.embedFn = options.embed ?? hashedEmbedding;
    this.errors = options.errors ?? {};
  }

  /** Total number of texts embedded so far. */
  get textCount(): number {
    return this.calls.reduce((n, c) => n + (c.error === undefined ? c.texts.length : 0), 0);
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    return this.run('documents', texts);
  }

  async embedQuery(text: string): Promise<number[]> {
    const [vector] = this.run('query', [text]);
    return vector!;
  }

  private run(kind: 'documents' | 'query', texts: string[]): number[][] {
    const index = this.calls.length;
    const call: RecordedEmbeddingsCall = { index, kind, texts: [...texts] };
    this.calls.push(call);
    const error = this.errors[index];
    if (error) {
      call.error = error.message;
      throw error;
    }
    return texts.map((text) => {
      const v = this.embedFn(text, this.dimensions);
      if (v.length !== this.dimensions) {
        throw new Error(`scripted embeddings: embed() returned ${v.length} numbers for a ${this.dimensions}-dimension model`);
      }
      return v;
    });
  }
}

export function createScriptedEmbeddings(options: ScriptedEmbeddingsOptions = {}): ScriptedEmbeddings {
  return new ScriptedEmbeddings(options);
}
