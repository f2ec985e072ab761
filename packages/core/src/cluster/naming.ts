/**
 * Names and descriptions of clusters: from their distinctive terms (offline), or by an LLM from a seeded sample of
 * their members. Names are made unique and are never a catch-all ("Other", "Misc").
 */
import { z } from 'zod';
import type { ChatMessage, ChatModelRef, Gateway } from '../llm/types.js';
import { truncateToTokens } from '../tokens/truncate.js';
import { createRng, hashString32, sampleWithoutReplacement } from '../util/random.js';
import type { ClusterTerm } from './ctfidf.js';
import { clusterNamingMessages, type ClusterNamingPromptInput } from './prompts.js';
import { VAGUE_NAME_WORDS } from './stopwords.js';

export interface ClusterName {
  name: string;
  description: string;
  /** How the name was made. */
  source: 'terms' | 'llm';
}

/**
 * Two words are inflections of one another for naming purposes when they share a prefix of at least
 * max(4, shorter length - 2) characters: "currency"/"currencies", "withdraw"/"withdrawal", "card"/"cards", but not
 * "transfer"/"transaction" or "top"/"topup". A crude stemmer, language-agnostic and enough to avoid "card cards".
 */
export function sameStem(a: string, b: string): boolean {
  if (a === b) return true;
  const min = Math.min(a.length, b.length);
  let p = 0;
  while (p < min && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  return p >= Math.max(4, min - 2);
}

/** Up to `maxWords` words from the top terms, in rank order, skipping repeats and inflections ("card arrive delivery"). */
export function nameFromTerms(terms: readonly ClusterTerm[], maxWords = 3): string {
  const words: string[] = [];
  for (const { term } of terms) {
    if (words.length >= maxWords) break;
    const parts = term.split(' ');
    if (parts.some((w) => VAGUE_NAME_WORDS.has(w))) continue;
    const fresh = parts.filter((w) => !words.includes(w));
    if (fresh.length === 0 || words.length + fresh.length > maxWords) continue;
    if (fresh.some((w) => words.some((x) => sameStem(w, x)))) continue;
    words.push(...fresh);
  }
  return words.join(' ');
}

/** Description of a cluster from its size and top terms. */
export function describeFromTerms(terms: readonly ClusterTerm[], size: number, total: number, topN = 8): string {
  const pct = total === 0 ? 0 : (100 * size) / total;
  const shown = terms.slice(0, topN).map((t) => t.term);
  const termsText = shown.length > 0 ? `most distinctive terms: ${shown.join(', ')}` : 'no distinctive terms';
  return `Texts grouped by similarity (${size} of ${total}, ${pct.toFixed(1)}%); ${termsText}.`;
}

/** Case-insensitive comparison key of a name. */
function nameKey(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/**
 * Makes names unique, in order: a repeated name gets the next distinctive term of its cluster that is not in it yet,
 * and failing that the label id ("card payment C7").
 */
export function uniqueNames(names: readonly string[], ids: readonly string[], terms: readonly (readonly ClusterTerm[])[]): string[] {
  const taken = new Set<string>();
  return names.map((original, i) => {
    let name = original;
    const extra = (terms[i] ?? []).flatMap((t) => t.term.split(' ')).filter((w) => !VAGUE_NAME_WORDS.has(w));
    let e = 0;
    while (taken.has(nameKey(name))) {
      const words = nameKey(name).split(' ');
      while (e < extra.length && words.some((w) => sameStem(w, extra[e]!))) e++;
      if (e < extra.length) name = `${name} ${extra[e++]}`;
      else {
        name = `${original} ${ids[i]}`;
        break;
      }
    }
    taken.add(nameKey(name));
    return name;
  });
}

const LlmNameSchema = z.object({
  name: z.string().min(1).describe('Short label name'),
  description: z.string().min(1).describe('What belongs under the label'),
});

export interface LlmNamingOptions {
  gateway: Gateway;
  model: ChatModelRef;
  /** Member texts shown per cluster (default 20). */
  sampleSize?: number;
  /** Tokens kept of each shown text (default 80). */
  maxTextTokens?: number;
  maxNameWords?: number;
  maxDescriptionWords?: number;
  /** Parallel naming calls (default 4; the gateway also limits). */
  concurrency?: number;
  /** Appended to the prompt. */
  instructions?: string;
  /** Replace the prompt (same input, returns the messages). */
  prompt?: (input: ClusterNamingPromptInput) => ChatMessage[];
  /** On a failed call: 'fallback' to the term-based name and report it (default), or 'throw'. */
  onError?: 'fallback' | 'throw';
}

export interface LlmNamingFailure {
  labelId: string;
  message: string;
}

interface ClusterForNaming {
  labelId: string;
  memberTexts: readonly string[];
  terms: readonly ClusterTerm[];
}

/**
 * Names every cluster with the model, from a sample of its members chosen with a seed derived from (seed, label id),
 * so a cluster's prompt does not depend on the others. Failed calls fall back to the term-based name (reported).
 */
export async function nameClustersWithLlm(
  clusters: readonly ClusterForNaming[],
  fallback: readonly ClusterName[],
  opts: LlmNamingOptions & { useCase: string; seed: number; total: number; signal?: AbortSignal },
): Promise<{ names: ClusterName[]; failures: LlmNamingFailure[] }> {
  const maxNameWords = opts.maxNameWords ?? 5;
  const maxDescriptionWords = opts.maxDescriptionWords ?? 40;
  const sampleSize = opts.sampleSize ?? 20;
  const maxTextTokens = opts.maxTextTokens ?? 80;
  const build = opts.prompt ?? clusterNamingMessages;
  const names: ClusterName[] = fallback.map((n) => ({ ...n }));
  const failures: LlmNamingFailure[] = [];
  const validate = (v: { name: string; description: string }): string[] => {
    const problems: string[] = [];
    const words = v.name.trim().split(/\s+/u).filter((w) => w !== '');
    if (words.length === 0) problems.push('the name is empty');
    if (words.length > maxNameWords) problems.push(`the name has ${words.length} words; at most ${maxNameWords} are allowed`);
    if (words.length > 0 && words.every((w) => VAGUE_NAME_WORDS.has(w.toLowerCase().replace(/[^\p{L}]/gu, '')))) {
      problems.push(`"${v.name}" is a catch-all name; name what the texts have in common`);
    } else if (VAGUE_NAME_WORDS.has((words[0] ?? '').toLowerCase())) {
      problems.push(`a name starting with "${words[0]}" is a catch-all; name what the texts have in common`);
    }
    const dWords = v.description.trim().split(/\s+/u).filter((w) => w !== '').length;
    if (dWords > maxDescriptionWords) problems.push(`the description has ${dWords} words; at most ${maxDescriptionWords} are allowed`);
    return problems;
  };
  const one = async (i: number): Promise<void> => {
    const c = clusters[i]!;
    const rng = createRng(hashString32(`${opts.seed}:cluster-name:${c.labelId}`));
    const shown = sampleWithoutReplacement(c.memberTexts, sampleSize, rng).map((t) =>
      // A token is at least one UTF-8 byte: texts this short cannot exceed the budget (and skip loading the encoder).
      Buffer.byteLength(t, 'utf8') <= maxTextTokens ? t : truncateToTokens(t, maxTextTokens, { marker: ' [...]' }).text,
    );
    const messages = build({
      useCase: opts.useCase,
      texts: shown,
      terms: c.terms.slice(0, 10).map((t) => t.term),
      size: c.memberTexts.length,
      total: opts.total,
      maxNameWords,
      maxDescriptionWords,
      ...(opts.instructions !== undefined ? { instructions: opts.instructions } : {}),
    });
    try {
      const res = await opts.gateway.structured({
        stage: 'cluster',
        model: opts.model,
        messages,
        schema: LlmNameSchema,
        schemaName: 'cluster_label',
        temperature: 0,
        validate,
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      names[i] = { name: res.value.name.trim().replace(/\s+/gu, ' '), description: res.value.description.trim(), source: 'llm' };
    } catch (err) {
      if (opts.onError === 'throw' || opts.signal?.aborted) throw err;
      failures.push({ labelId: c.labelId, message: err instanceof Error ? err.message : String(err) });
    }
  };
  // Bounded parallelism; results land at their index, so the order of completion does not matter.
  const limit = Math.max(1, opts.concurrency ?? 4);
  let nextIndex = 0;
  const workers = Array.from({ length: Math.min(limit, clusters.length) }, async () => {
    while (nextIndex < clusters.length) await one(nextIndex++);
  });
  await Promise.all(workers);
  failures.sort((a, b) => clusters.findIndex((c) => c.labelId === a.labelId) - clusters.findIndex((c) => c.labelId === b.labelId));
  return { names, failures };
}
