/**
 * Class-based TF-IDF (c-TF-IDF, as in BERTopic): all texts of a cluster are one "document"; a term's weight in
 * cluster c is tf(t, c) x log(1 + A / f(t)), with tf(t, c) its frequency in c normalised by the cluster's term count,
 * A the mean number of terms per cluster and f(t) the term's frequency over all clusters. Terms frequent in one
 * cluster and rare elsewhere rank first: the words that tell this cluster apart.
 */
import { tokenizeWords } from '../vectors/sparse/tokenize.js';
import { ENGLISH_STOPWORDS } from './stopwords.js';

export interface CtfidfOptions {
  /** Words never counted (default: a short English function-word list). */
  stopwords?: ReadonlySet<string>;
  /** Also count two-word phrases of adjacent kept words (default true). */
  bigrams?: boolean;
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

/** Terms of a text for c-TF-IDF: lowercase word tokens with a letter, 2+ characters, not stopwords; plus bigrams. */
export function ctfidfTerms(text: string, stopwords: ReadonlySet<string>, bigrams: boolean): string[] {
  const tokens = tokenizeWords(text.toLowerCase());
  const out: string[] = [];
  let prev: string | undefined;
  for (const tok of tokens) {
    const keep = tok.length >= 2 && /\p{L}/u.test(tok) && !stopwords.has(tok);
    if (!keep) {
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
    for (const t of ctfidfTerms(text, stop, bigrams)) {
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
