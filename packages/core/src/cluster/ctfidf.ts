/**
 * Class-based TF-IDF (c-TF-IDF, as in BERTopic): all texts of a cluster are one "document"; a term's weight in
 * cluster c is tf(t, c) x log(1 + A / f(t)), with tf(t, c) its frequency in c normalised by the cluster's term count,
 * A the mean number of terms per cluster and f(t) the term's frequency over all clusters. Terms frequent in one
 * cluster and rare elsewhere rank first: the words that tell this cluster apart.
 */
import { createTokenSpans, wordSpans } from '../vectors/sparse/tokenize.js';
import { ENGLISH_STOPWORDS, PHRASAL_PARTICLES } from './stopwords.js';

export interface CtfidfOptions {
  /** Words never counted (default: a short English function-word list). */
  stopwords?: ReadonlySet<string>;
  /** Also count two-word phrases of adjacent kept words (default true). */
  bigrams?: boolean;
  /** Stopwords that make a bigram with the kept word right before them ("top up"; default PHRASAL_PARTICLES). */
  particles?: ReadonlySet<string>;
  /** Terms kept per cluster (default 20). */
  topN?: number;
  /** A term must occur at least this often in a cluster of 3+ texts to be ranked there (default 2): one-off words and typos say little. */
  minCount?: number;
}

export interface ClusterTerm {
  term: string;
  score: number;
  count: number;
}

/** Apostrophe look-alikes typed in contractions and possessives ("isn’t", "isnʼt", "isn`t"): read as "'". */
const APOSTROPHES = /[\u2019\u2018\u02BC\u00B4\u0060\u2032]/gu;
/** Endings of English contractions: "n't", "'ll", "'ve", "'re", "'d", "'m". The word they make is a function word. */
const CLITICS = new Set(['ll', 've', 're', 'd', 'm']);

/**
 * The term a word joined across apostrophes stands for, or undefined for a function word. The shared word tokenizer
 * splits at apostrophes, which would leave the halves of "isn't" ("isn", "t") to be counted as words; so the parts
 * are joined again and read as one word: a listed stopword ("isn't") or any contraction ("should've") is dropped,
 * a possessive stands for its base ("visa's" -> "visa", but "it's" is dropped), a one-letter elision its second
 * part ("l'argent" -> "argent"), and anything else ("rock'n'roll") is kept whole.
 */
function apostropheWord(parts: readonly string[], stopwords: ReadonlySet<string>): string | undefined {
  const whole = parts.join("'");
  if (stopwords.has(whole)) return undefined;
  const last = parts[parts.length - 1]!;
  const base = parts.slice(0, -1).join("'");
  if (CLITICS.has(last) || (last === 't' && base.endsWith('n'))) return undefined;
  if (last === 's') return stopwords.has(base) ? undefined : base;
  if (parts.length === 2 && [...base].length === 1) return last;
  return whole;
}

/**
 * Word tokens of a lowercased text for c-TF-IDF: the shared Unicode word tokenizer, with words it split at a single
 * apostrophe ("isn't" -> "isn", "t") joined again and resolved by `apostropheWord`. A dropped word is `undefined`,
 * so it still breaks bigrams like any other stopword.
 */
function termTokens(text: string, stopwords: ReadonlySet<string>): (string | undefined)[] {
  const src = text.toLowerCase().replace(APOSTROPHES, "'");
  const spans = wordSpans(src, createTokenSpans());
  const out: (string | undefined)[] = [];
  for (let i = 0; i < spans.count; i++) {
    const parts = [src.slice(spans.starts[i], spans.ends[i])];
    while (i + 1 < spans.count && spans.starts[i + 1] === spans.ends[i]! + 1 && src[spans.ends[i]!] === "'") {
      i++;
      parts.push(src.slice(spans.starts[i], spans.ends[i]));
    }
    out.push(parts.length === 1 ? parts[0] : apostropheWord(parts, stopwords));
  }
  return out;
}

/**
 * Terms of a text for c-TF-IDF: lowercase word tokens with a letter, 2+ characters, not stopwords (contractions
 * included, whatever apostrophe they are typed with); plus bigrams of adjacent kept words, and of a kept word and
 * the phrasal particle right after it ("top up"), the particle alone not being a term.
 */
export function ctfidfTerms(
  text: string,
  stopwords: ReadonlySet<string>,
  bigrams: boolean,
  particles: ReadonlySet<string> = PHRASAL_PARTICLES,
): string[] {
  const out: string[] = [];
  let prev: string | undefined;
  for (const tok of termTokens(text, stopwords)) {
    const keep = tok !== undefined && tok.length >= 2 && /\p{L}/u.test(tok) && !stopwords.has(tok);
    if (!keep) {
      if (bigrams && prev !== undefined && tok !== undefined && particles.has(tok)) out.push(`${prev} ${tok}`);
      prev = undefined;
      continue;
    }
    out.push(tok);
    if (bigrams && prev !== undefined) out.push(`${prev} ${tok}`);
    prev = tok;
  }
  return out;
}

/**
 * Ranked distinctive terms of each cluster. `labels[i]` is the cluster (0..k-1) of `texts[i]`.
 * Ties are broken by term text so the result never depends on Map iteration order.
 */
export function clusterTerms(texts: readonly string[], labels: ArrayLike<number>, k: number, opts: CtfidfOptions = {}): ClusterTerm[][] {
  if (texts.length !== labels.length) throw new RangeError(`clusterTerms: ${texts.length} texts but ${labels.length} labels`);
  const stop = opts.stopwords ?? ENGLISH_STOPWORDS;
  const bigrams = opts.bigrams ?? true;
  const particles = opts.particles ?? PHRASAL_PARTICLES;
  const topN = opts.topN ?? 20;
  const minCount = opts.minCount ?? 2;
  const termIndex = new Map<string, number>();
  const terms: string[] = [];
  const perCluster: Map<number, number>[] = Array.from({ length: k }, () => new Map());
  const clusterTotals = new Float64Array(k);
  const sizes = new Int32Array(k);
  const overall: number[] = [];
  texts.forEach((text, i) => {
    const c = labels[i]!;
    if (!(c >= 0 && c < k)) throw new RangeError(`clusterTerms: label ${c} of text ${i} is outside [0, ${k})`);
    sizes[c]!++;
    for (const t of ctfidfTerms(text, stop, bigrams, particles)) {
      let ti = termIndex.get(t);
      if (ti === undefined) {
        ti = terms.push(t) - 1;
        termIndex.set(t, ti);
        overall.push(0);
      }
      overall[ti]!++;
      clusterTotals[c]!++;
      const m = perCluster[c]!;
      m.set(ti, (m.get(ti) ?? 0) + 1);
    }
  });
  let totalTerms = 0;
  for (const t of clusterTotals) totalTerms += t;
  const meanPerCluster = totalTerms / k;
  return perCluster.map((m, c) => {
    const ranked: ClusterTerm[] = [];
    const floor = sizes[c]! >= 3 ? minCount : 1;
    for (const [ti, count] of m) {
      if (count < floor) continue;
      const tf = count / clusterTotals[c]!;
      ranked.push({ term: terms[ti]!, score: tf * Math.log(1 + meanPerCluster / overall[ti]!), count });
    }
    ranked.sort((a, b) => b.score - a.score || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0));
    return ranked.slice(0, topN);
  });
}
