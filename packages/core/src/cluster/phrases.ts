/**
 * Names a person would write: a cluster is named by one of its own frequent contiguous phrases ("card not arrived",
 * "exchange rate"), never by a bag of top words that may not belong together. Candidates are the n-grams that occur
 * in the cluster's texts, in their original word order, inside one clause (punctuation ends a phrase); each is scored
 * by coverage (share of the cluster's texts that contain it) x distinctiveness (share of all texts containing it that
 * sit in this cluster); the best one grows into a longer phrase holding it when enough of its texts say that.
 */
import { createTokenSpans, wordSpans } from '../vectors/sparse/tokenize.js';
import { sameStem } from './naming.js';
import { ENGLISH_STOPWORDS, PHRASAL_PARTICLES, VAGUE_NAME_WORDS, WEAK_NAME_WORDS } from './stopwords.js';

/** Apostrophe look-alikes read as "'" (as in c-TF-IDF terms). */
const APOSTROPHES = /[\u2019\u2018\u02BC\u00B4\u0060\u2032]/gu;
/** What may sit between two words of one phrase: spaces, a hyphen ("top-up") or a joining apostrophe. */
const JOINER = /^[\s\-'\u2010\u2011]*$/u;
/** Negations: a phrase may start with one ("not working"), so an intent keeps its polarity. */
const NEGATIONS: ReadonlySet<string> = new Set(['not', 'no', 'never', 'cannot', "can't", "won't", "didn't", "doesn't", "don't", "hasn't", "haven't", "isn't", "wasn't", "aren't", "cant", 'didnt', 'doesnt', 'dont', 'hasnt', 'havent', 'isnt', 'wasnt']);

/**
 * Word runs of a text for phrases: lowercase word tokens (words split at one apostrophe joined again: "hasn't"),
 * cut into runs wherever anything but spaces, hyphens or apostrophes separates two words, so a phrase never spans
 * a comma or a sentence end.
 */
export function phraseRuns(text: string): string[][] {
  const src = text.toLowerCase().replace(APOSTROPHES, "'");
  const spans = wordSpans(src, createTokenSpans());
  const runs: string[][] = [];
  let run: string[] = [];
  let prevEnd = -1;
  for (let i = 0; i < spans.count; i++) {
    let end = spans.ends[i]!;
    let word = src.slice(spans.starts[i], end);
    while (i + 1 < spans.count && spans.starts[i + 1] === end + 1 && src[end] === "'") {
      i++;
      end = spans.ends[i]!;
      word = `${word}'${src.slice(spans.starts[i], end)}`;
    }
    const start = end - word.length;
    if (prevEnd >= 0 && !JOINER.test(src.slice(prevEnd, start)) && run.length > 0) {
      runs.push(run);
      run = [];
    }
    run.push(word);
    prevEnd = end;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/** Whether `phrase` (words) occurs as a contiguous phrase in `text`, read as `phraseRuns` reads it. */
export function containsPhrase(text: string, phrase: readonly string[]): boolean {
  if (phrase.length === 0) return false;
  for (const run of phraseRuns(text)) {
    for (let i = 0; i + phrase.length <= run.length; i++) {
      let j = 0;
      while (j < phrase.length && run[i + j] === phrase[j]) j++;
      if (j === phrase.length) return true;
    }
  }
  return false;
}

export interface ClusterPhrase {
  phrase: string;
  /** Texts of the cluster (of those read) that contain it. */
  count: number;
  /** count / texts of the cluster read. */
  coverage: number;
  /** Share of all texts containing the phrase that belong to this cluster. */
  precision: number;
  /** coverage x precision. */
  score: number;
}

export interface ClusterPhraseOptions {
  /** Longest phrase, in words (default 4). */
  maxWords?: number;
  /** Function words: a phrase neither starts nor ends with one (negations may start it, particles end it). */
  stopwords?: ReadonlySet<string>;
  /** Content-poor words: a phrase never starts with one, and needs a word that is none of these, a stopword or a catch-all word. */
  weakWords?: ReadonlySet<string>;
  /** Particles a phrase may end with after a content word ("top up"). */
  particles?: ReadonlySet<string>;
  /** Texts read per cluster, nearest its centroid first (default 1000): bounds time and memory on large corpora. */
  maxTexts?: number;
  /** Phrases kept per cluster, best first (default 30). */
  topN?: number;
}

/**
 * Ranked candidate phrases of every cluster. `members[c]` lists the indices of cluster c's texts, most typical first
 * (only the first `maxTexts` are read). A phrase must occur in 2+ texts of a cluster of 3+ texts.
 */
export function clusterPhrases(texts: readonly string[], members: readonly (readonly number[])[], opts: ClusterPhraseOptions = {}): ClusterPhrase[][] {
  const maxWords = opts.maxWords ?? 4;
  const stop = opts.stopwords ?? ENGLISH_STOPWORDS;
  const weak = opts.weakWords ?? WEAK_NAME_WORDS;
  const particles = opts.particles ?? PHRASAL_PARTICLES;
  const maxTexts = opts.maxTexts ?? 1000;
  const topN = opts.topN ?? 30;
  const content = (w: string): boolean => w.length >= 2 && /\p{L}/u.test(w) && !stop.has(w) && !weak.has(w) && !VAGUE_NAME_WORDS.has(w);
  const canStart = (w: string): boolean => ((!stop.has(w) && !weak.has(w)) || NEGATIONS.has(w)) && /\p{L}/u.test(w);
  const canEnd = (w: string, n: number): boolean => (!stop.has(w) || (n > 1 && particles.has(w))) && /\p{L}/u.test(w) && !NEGATIONS.has(w);

  // Texts per cluster containing each phrase; every text is in one cluster, so the sums are the corpus counts.
  const perCluster = members.map((m) => {
    const counts = new Map<string, number>();
    for (const i of m.slice(0, maxTexts)) {
      const seen = new Set<string>();
      for (const run of phraseRuns(texts[i]!)) {
        for (let a = 0; a < run.length; a++) {
          if (!canStart(run[a]!)) continue;
          let hasContent = false;
          for (let b = a; b < Math.min(run.length, a + maxWords); b++) {
            const w = run[b]!;
            if (VAGUE_NAME_WORDS.has(w)) break;
            hasContent ||= content(w);
            // A phrasal verb is not cut before its particle ("limit to top" of "limit to top up").
            const cut = b + 1 < run.length && particles.has(run[b + 1]!) && !stop.has(w);
            if (hasContent && !cut && canEnd(w, b - a + 1)) seen.add(run.slice(a, b + 1).join(' '));
          }
        }
      }
      for (const p of seen) counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    return counts;
  });
  const overall = new Map<string, number>();
  for (const counts of perCluster) for (const [p, n] of counts) overall.set(p, (overall.get(p) ?? 0) + n);
  return perCluster.map((counts, c) => {
    const read = Math.min(members[c]!.length, maxTexts);
    const floor = read >= 3 ? 2 : 1;
    const ranked: ClusterPhrase[] = [];
    for (const [phrase, count] of counts) {
      if (count < floor) continue;
      const coverage = count / read;
      const precision = count / overall.get(phrase)!;
      ranked.push({ phrase, count, coverage, precision, score: coverage * precision });
    }
    ranked.sort((a, b) => b.score - a.score || b.count - a.count || (a.phrase < b.phrase ? -1 : a.phrase > b.phrase ? 1 : 0));
    return ranked.slice(0, topN);
  });
}

/** Whether `inner` (words) occurs contiguously in `outer` (words), a word matching any inflection of itself. */
function holds(outer: readonly string[], inner: readonly string[]): boolean {
  for (let i = 0; i + inner.length <= outer.length; i++) {
    let j = 0;
    while (j < inner.length && sameStem(outer[i + j]!, inner[j]!)) j++;
    if (j === inner.length) return true;
  }
  return false;
}

export interface PhraseNamingOptions {
  /**
   * A longer phrase holding the head phrase (or an inflection: "stolen" -> "someone stole") names the cluster when
   * it occurs in at least this share of the texts the head occurs in (default 0.1)...
   */
  extendShare?: number;
  /** ...and is at least as distinctive as the head, or this distinctive (precision; default 0.5). */
  extendPrecision?: number;
  /** Content-poor words a longer phrase may not start with ("think someone", "tried to buy"; default WEAK_NAME_WORDS). */
  weakWords?: ReadonlySet<string>;
}

/**
 * The name a head phrase (a cluster's best) grows into: its best-scoring longer phrase that holds it, is common
 * enough among the texts using the head and as distinctive ("declined" -> "transfer was declined", "long" -> "long does
 * it take"), so a name reads as an intent rather than a keyword; the head itself when no such phrase exists.
 */
function grow(head: ClusterPhrase, phrases: readonly ClusterPhrase[], opts: PhraseNamingOptions): string {
  const share = opts.extendShare ?? 0.1;
  const minPrecision = Math.min(opts.extendPrecision ?? 0.5, head.precision);
  const weak = opts.weakWords ?? WEAK_NAME_WORDS;
  const words = head.phrase.split(' ');
  let best: ClusterPhrase | undefined;
  for (const p of phrases) {
    const pw = p.phrase.split(' ');
    if (pw.length <= words.length || weak.has(pw[0]!) || p.count < Math.max(2, share * head.count) || p.precision < minPrecision) continue;
    if (!holds(pw, words)) continue;
    if (best === undefined || p.score > best.score || (p.score === best.score && pw.length < best.phrase.split(' ').length)) best = p;
  }
  return (best ?? head).phrase;
}

/** Whether two names say the same (same words up to inflection, in order). */
function sameName(a: string, b: string): boolean {
  const x = a.split(' ');
  const y = b.split(' ');
  return x.length === y.length && x.every((w, i) => sameStem(w, y[i]!));
}

/**
 * A unique phrase name per cluster, or undefined where a cluster has no phrase left. Clusters whose best phrase is
 * strongest choose first; a cluster whose phrase is taken (or an inflection of a taken one) takes its next best.
 */
export function namesFromPhrases(phrases: readonly (readonly ClusterPhrase[])[], opts: PhraseNamingOptions = {}): (string | undefined)[] {
  const order = phrases.map((_, c) => c).sort((a, b) => (phrases[b]![0]?.score ?? 0) - (phrases[a]![0]?.score ?? 0) || a - b);
  const taken: string[] = [];
  const out: (string | undefined)[] = phrases.map(() => undefined);
  for (const c of order) {
    for (const head of phrases[c]!) {
      const name = grow(head, phrases[c]!, opts);
      if (taken.some((t) => sameName(t, name))) continue;
      taken.push(name);
      out[c] = name;
      break;
    }
  }
  return out;
}

/**
 * What a cluster's texts have in common: its name and the share of its texts that say it, then the shares saying each
 * of its next most distinctive phrases (used by 5%+ of its texts, 20%+ of their uses in this cluster, no word shown
 * before), its size, and its most typical text:
 * `Texts about "card not arrived": 35% say it, 20% "delivery", 8% "tracking" (40 of 3080, 1.3%). Most typical: "..."`.
 */
export function describeFromPhrases(
  name: string,
  phrases: readonly ClusterPhrase[],
  size: number,
  total: number,
  opts: { typical?: string; shown?: number } = {},
): string {
  const pct = total === 0 ? 0 : (100 * size) / total;
  const shownMax = opts.shown ?? 3;
  const used = name.split(' ');
  const own = phrases.find((p) => p.phrase === name);
  const shown: string[] = own ? [`${Math.round(100 * own.coverage)}% say it`] : [];
  for (const p of [...phrases].sort((a, b) => b.coverage - a.coverage || b.score - a.score)) {
    if (shown.length >= shownMax + (own ? 1 : 0)) break;
    const words = p.phrase.split(' ');
    if (p.precision < 0.2 || p.coverage < 0.05 || words.some((w) => used.some((u) => sameStem(u, w)))) continue;
    used.push(...words);
    shown.push(`${Math.round(100 * p.coverage)}%${shown.length === 0 ? ' say' : ''} "${p.phrase}"`);
  }
  const common = `Texts about "${name}"${shown.length > 0 ? `: ${shown.join(', ')}` : ''}`;
  const typical = opts.typical !== undefined && opts.typical !== '' ? ` Most typical: "${opts.typical}"` : '';
  return `${common} (${size} of ${total}, ${pct.toFixed(1)}%).${typical}`;
}
