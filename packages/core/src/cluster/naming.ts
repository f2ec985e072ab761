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
import { PHRASAL_PARTICLES, VAGUE_NAME_WORDS, WEAK_NAME_WORDS } from './stopwords.js';

export interface ClusterName {
  name: string;
  description: string;
  /** How the name was made. */
  source: 'terms' | 'llm';
}

/**
 * Two words are one for naming purposes when one is the other plus "s" or "es" ("up"/"ups"), when they share a prefix
 * of at least max(4, shorter length - 2) characters ("currency"/"currencies", "withdraw"/"withdrawal", "card"/"cards",
 * but not "transfer"/"transaction" or "top"/"topup"), or when both have 8+ characters and differ by one edit (the
 * typo "beneficiery"). A crude stemmer, language-agnostic and enough to avoid "card cards".
 */
export function sameStem(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (long === `${short}s` || long === `${short}es`) return true;
  let p = 0;
  while (p < short.length && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  if (p >= Math.max(4, short.length - 2)) return true;
  return short.length >= 8 && oneEditApart(short, long);
}

/** Whether `short` becomes `long` (no shorter) by one substitution or one insertion. */
function oneEditApart(short: string, long: string): boolean {
  if (long.length - short.length > 1) return false;
  let i = 0;
  while (i < short.length && short[i] === long[i]) i++;
  const skip = long.length > short.length ? 1 : 0;
  return short.slice(i + 1 - skip) === long.slice(i + 1);
}

export interface NameFromTermsOptions {
  /** Content-poor words, never a name word on their own (default WEAK_NAME_WORDS). */
  weakWords?: ReadonlySet<string>;
  /** Phrasal particles: a name word only in a phrase ("top up"; default PHRASAL_PARTICLES). */
  particles?: ReadonlySet<string>;
  /**
   * A word is named by its phrase when the phrase holds at least this share of the word's occurrences ("rate" ->
   * "exchange rate", "top" -> "top up"); a particle phrase needs it to be used at all (default 0.5).
   */
  phraseShare?: number;
  /** Terms scoring below this share of the first name term's score are not used (default 0.2): tails are noise. */
  minScoreShare?: number;
}

/**
 * A name of up to `maxWords` words from a cluster's ranked terms (c-TF-IDF, best first), in rank order:
 * - a content word is taken, or rather the phrase it mostly occurs in ("rate" -> "exchange rate"); when that phrase
 *   does not fit, the word is left out rather than shown as half a phrase ("google" without "pay");
 * - a phrase of two content words is taken ("direct debit"), and a word with the particle after it when that is how
 *   the word is mostly used ("top up", "go through");
 * - weak words ("need", "tried", "today"), catch-all words ("other") and particles are never taken alone, nor
 *   repeats or inflections of a name word ("card cards"), nor terms scoring far below the first one taken.
 * When that leaves nothing (every term is weak), the name is made of the best terms as they are; it is empty only
 * when every term is a catch-all word.
 */
export function nameFromTerms(terms: readonly ClusterTerm[], maxWords = 3, opts: NameFromTermsOptions = {}): string {
  const weak = opts.weakWords ?? WEAK_NAME_WORDS;
  const particles = opts.particles ?? PHRASAL_PARTICLES;
  const share = opts.phraseShare ?? 0.5;
  const minScoreShare = opts.minScoreShare ?? 0.2;
  const isContent = (w: string): boolean => !weak.has(w) && !particles.has(w) && !VAGUE_NAME_WORDS.has(w);
  const countOf = new Map<string, number>();
  for (const t of terms) if (!countOf.has(t.term)) countOf.set(t.term, t.count);
  /** Whether `phrase` is how `word` is mostly used (an unknown word's count counts as infinite). */
  const dominant = (phrase: ClusterTerm, word: string): boolean => phrase.count >= share * (countOf.get(word) ?? Infinity);

  const words: string[] = [];
  const clashes = (w: string): boolean => words.some((x) => sameStem(w, x));
  /**
   * Adds a word or a two-word phrase when its new words fit, none repeats or inflects a name word, and a phrase
   * sharing a word with the name joins it in order ("rate" + "exchange rate" -> "exchange rate").
   */
  const add = (parts: readonly string[]): boolean => {
    const fresh = parts.filter((w) => !words.includes(w));
    if (fresh.length === 0 || words.length + fresh.length > maxWords || fresh.some(clashes)) return false;
    if (fresh.length === parts.length) {
      words.push(...fresh);
      return true;
    }
    // One new word: it joins its partner when the partner is at the matching end of the name, so no other phrase is
    // split ("apple pay" + "apple watch" must not make "apple watch pay"); a word on its own is appended.
    const before = parts[0] === fresh[0];
    const partner = before ? parts[1]! : parts[0]!;
    if (before && words[0] === partner) words.unshift(fresh[0]!);
    else if (!before && words[words.length - 1] === partner) words.push(fresh[0]!);
    else if (parts.length === 1) words.push(fresh[0]!);
    else return false;
    return true;
  };
  /** The phrase `word` mostly occurs in, with a content partner or a particle after it: most frequent, then best ranked. */
  const phraseOf = (word: string): string[] | undefined => {
    let best: ClusterTerm | undefined;
    for (const t of terms) {
      const parts = t.term.split(' ');
      if (parts.length !== 2 || parts[0] === parts[1] || !parts.includes(word) || !dominant(t, word)) continue;
      const other = parts[0] === word ? parts[1]! : parts[0]!;
      if (!(isContent(other) || (particles.has(other) && parts[1] === other))) continue;
      if (best === undefined || t.count > best.count) best = t;
    }
    return best?.term.split(' ');
  };
  /** Whether a phrase term can be taken for a name (see above). */
  const namePhrase = (t: ClusterTerm, parts: readonly string[]): boolean => {
    const [a, b] = parts as [string, string];
    if (VAGUE_NAME_WORDS.has(a) || VAGUE_NAME_WORDS.has(b)) return false;
    if (particles.has(b)) return !particles.has(a) && !words.includes(b) && dominant(t, a);
    return isContent(a) && isContent(b);
  };

  let minScore = -Infinity;
  for (const t of terms) {
    if (words.length >= maxWords || t.score < minScore) break;
    const parts = t.term.split(' ');
    const before = words.length;
    if (parts.length === 1) {
      if (!isContent(t.term) || words.includes(t.term) || clashes(t.term)) continue;
      const phrase = phraseOf(t.term);
      // A word mostly used in a phrase that cannot be added is left out; unless its partner is already named.
      if (phrase === undefined || (!add(phrase) && phrase.some((w) => w !== t.term && words.includes(w)))) add(parts);
    } else if (parts.length === 2 && namePhrase(t, parts)) {
      add(parts);
    }
    if (before === 0 && words.length > 0) minScore = minScoreShare * t.score;
  }
  if (words.length === 0) {
    // Nothing but weak words and particles: a plain name from them rather than none.
    for (const { term } of terms) {
      if (words.length >= maxWords) break;
      const parts = term.split(' ');
      if (!parts.some((w) => VAGUE_NAME_WORDS.has(w))) add(parts);
    }
  }
  return words.join(' ');
}

/**
 * Description of a cluster: what its texts have in common (its distinctive phrases first, then words not already in
 * a phrase), its size, and its most typical text (the member nearest its centroid) when given.
 */
export function describeFromTerms(
  terms: readonly ClusterTerm[],
  size: number,
  total: number,
  opts: { typical?: string; topN?: number } = {},
): string {
  const pct = total === 0 ? 0 : (100 * size) / total;
  const topN = opts.topN ?? 6;
  const top = terms.slice(0, 2 * topN);
  const phrases = top.filter((t) => t.term.includes(' ')).map((t) => t.term);
  const inPhrase = new Set(phrases.flatMap((p) => p.split(' ')));
  const words = top.filter((t) => !t.term.includes(' ') && !inPhrase.has(t.term)).map((t) => t.term);
  const shown = [...phrases.slice(0, Math.ceil(topN / 2)).map((p) => `"${p}"`), ...words].slice(0, topN);
  const common = shown.length > 0 ? `Texts that mention ${shown.join(', ')}` : 'Texts grouped by similarity';
  const typical = opts.typical !== undefined && opts.typical !== '' ? ` Most typical: "${opts.typical}"` : '';
  return `${common} (${size} of ${total}, ${pct.toFixed(1)}%).${typical}`;
}

/** Case-insensitive comparison key of a name. */
function nameKey(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/**
 * Makes names unique, in order: a repeated name gets the next distinctive content word of its cluster that is not in
 * it yet, and failing that the label id ("card payment C7").
 */
export function uniqueNames(
  names: readonly string[],
  ids: readonly string[],
  terms: readonly (readonly ClusterTerm[])[],
  weakWords: ReadonlySet<string> = WEAK_NAME_WORDS,
): string[] {
  const taken = new Set<string>();
  return names.map((original, i) => {
    let name = original;
    // Only content words tell two names apart ("card payment declined", not "card payment need").
    const extra = (terms[i] ?? [])
      .flatMap((t) => t.term.split(' '))
      .filter((w) => !VAGUE_NAME_WORDS.has(w) && !weakWords.has(w) && !PHRASAL_PARTICLES.has(w));
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
