import { hashString32 } from '@taxonomist/core';

/**
 * Deterministic "semantic-ish" embeddings without a model: each lower-cased word (and, with less weight, each
 * character trigram inside it) is hashed to a dimension and a sign, and the sum is L2-normalised. Texts sharing words
 * therefore get high cosine similarity, unrelated texts get near-zero similarity, and the same text always gets the
 * same vector on every platform. Good enough for clustering and nearest-neighbour tests; not a language model.
 */
export function hashedEmbedding(text: string, dimensions: number): number[] {
  if (!Number.isInteger(dimensions) || dimensions < 1) throw new RangeError(`dimensions must be a positive integer, got ${dimensions}`);
  const vec = new Array<number>(dimensions).fill(0);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const word of words) {
    add(vec, `w:${word}`, 1);
    if (word.length > 3) {
      for (let i = 0; i + 3 <= word.length; i++) add(vec, `t:${word.slice(i, i + 3)}`, 0.25);
    }
  }
  let norm = 0;
  for (const x of vec) norm += x * x;
  if (norm === 0) {
    // Empty / symbol-only text: a fixed unit vector, so cosine similarity stays defined.
    vec[0] = 1;
    return vec;
  }
  const inv = 1 / Math.sqrt(norm);
  return vec.map((x) => x * inv);
}

function add(vec: number[], feature: string, weight: number): void {
  const h = hashString32(feature);
  const index = h % vec.length;
  const sign = (h >>> 31) === 1 ? -1 : 1;
  vec[index]! += sign * weight;
}
