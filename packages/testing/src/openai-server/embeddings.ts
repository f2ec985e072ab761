import { hashedEmbedding } from '../hashed-embedding.js';
import { countTextTokens } from '../tokens.js';
import { BadRequest } from './chat-completions.js';
import type { OpenAIServerOptions } from './types.js';

/** Float32 little-endian bytes, base64: what the openai client asks for by default and decodes. */
export function encodeBase64Float32(vector: number[]): string {
  const buf = Buffer.alloc(vector.length * 4);
  vector.forEach((x, i) => buf.writeFloatLE(x, i * 4));
  return buf.toString('base64');
}

function inputTexts(input: unknown): string[] {
  if (typeof input === 'string') return [input];
  if (Array.isArray(input)) {
    if (input.length === 0) throw new BadRequest("'input' must not be empty");
    if (input.every((x) => typeof x === 'string')) return input as string[];
    // Token-id input (number[] or number[][]): embed a stable text form of the ids.
    if (input.every((x) => typeof x === 'number')) return [`tokens:${input.join(',')}`];
    if (input.every((x) => Array.isArray(x) && x.every((y) => typeof y === 'number'))) {
      return (input as number[][]).map((ids) => `tokens:${ids.join(',')}`);
    }
  }
  throw new BadRequest("'input' must be a string, an array of strings, or token ids");
}

export function embeddingsBody(body: Record<string, unknown>, options: OpenAIServerOptions): Record<string, unknown> {
  if (typeof body.model !== 'string' || body.model.length === 0) throw new BadRequest("'model' must be a non-empty string");
  const texts = inputTexts(body.input);
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') throw new BadRequest(`encoding_format must be 'float' or 'base64', got ${JSON.stringify(format)}`);
  const dimensions = typeof body.dimensions === 'number' ? body.dimensions : (options.embeddingDimensions ?? 64);
  if (!Number.isInteger(dimensions) || dimensions < 1) throw new BadRequest(`dimensions must be a positive integer, got ${dimensions}`);
  const embed = options.embed ?? hashedEmbedding;
  let tokens = 0;
  const data = texts.map((text, index) => {
    tokens += countTextTokens(text);
    const vector = embed(text, dimensions);
    return { object: 'embedding', index, embedding: format === 'base64' ? encodeBase64Float32(vector) : vector };
  });
  return { object: 'list', data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}
