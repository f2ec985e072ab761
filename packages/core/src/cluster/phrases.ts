/**
 * Names a person would write: a cluster is named by one of its own frequent contiguous phrases ("card not arrived",
 * "exchange rate"), never by a bag of top words that may not belong together. Candidates are the n-grams that occur
 * in the cluster's texts, in their original word order, inside one clause (punctuation ends a phrase); each is scored
 * by coverage (share of the cluster's texts that contain it) x distinctiveness (share of all texts containing it that
 * sit in this cluster); the best one grows into a longer phrase holding it when enough of its texts say that.
 */
import { z } from 'zod';
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
  /** The phrase as the cluster's texts most often write it ("cancel my transaction"): what a name or a report shows. */
  phrase: string;
  /**
   * Its content words in order, function words left out ("cancel transaction"): the phrase's identity, so "cancel my
   * transaction" and "cancel the transaction" count as one phrase.
   */
  words: string;
  /** Texts of the cluster (of those read) that contain it. */
  count: number;
  /** Position, most typical first, of the first of the cluster's texts that contains it (0: its medoid says it). */
  firstText: number;
  /** count / texts of the cluster read. */
  coverage: number;
  /** Share of all texts containing the phrase that belong to this cluster. */
  precision: number;
  /** coverage x precision. */
  score: number;
}

/**
 * A label's phrase as the clustering engine records it in the taxonomy (`metadata.cluster.phrases[labelId]`, best
 * first): what names were chosen from, and what a report shows with its score.
 */
export const ClusterPhraseSummarySchema = z.object({
  phrase: z.string(),
  /** Texts of the label (of those read) saying it. */
  count: z.number().int().nonnegative(),
  coverage: z.number().min(0).max(1),
  precision: z.number().min(0).max(1),
  /** coverage x precision. */
  score: z.number().min(0).max(1),
});
export type ClusterPhraseSummary = z.infer<typeof ClusterPhraseSummarySchema>;

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
  /**
   * Function words a phrase may skip between two of its words (default 2): "card has not arrived" and "card still
   * has not arrived" are one phrase, "card not arrived"; a longer gap ends the phrase.
   */
  maxGap?: number;
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
  const maxGap = opts.maxGap ?? 2;
  const content = (w: string): boolean => w.length >= 2 && /\p{L}/u.test(w) && !stop.has(w) && !weak.has(w) && !VAGUE_NAME_WORDS.has(w);
  const canStart = (w: string): boolean => ((!stop.has(w) && !weak.has(w)) || NEGATIONS.has(w)) && /\p{L}/u.test(w);
  // Nor ends with a content-poor word: "couple days ago", "mugged yesterday" say no more than without it.
  const canEnd = (w: string, n: number): boolean => (!stop.has(w) || (n > 1 && particles.has(w))) && !weak.has(w) && /\p{L}/u.test(w) && !NEGATIONS.has(w);

  // Texts per cluster containing each phrase (by its content words), and how each text wrote it; every text is in
  // one cluster, so the sums over clusters are the corpus counts.
  const perCluster = members.map((m) => {
    const counts = new Map<string, number>();
    const surfaces = new Map<string, Map<string, number>>();
    const first = new Map<string, number>();
    m.slice(0, maxTexts).forEach((i, position) => {
      const seen = new Map<string, string>();
      for (const run of phraseRuns(texts[i]!)) {
        const kept = keptWords(run, stop, particles, maxGap);
        for (let a = 0; a < kept.length; a++) {
          if (kept[a]! < 0 || !canStart(run[kept[a]!]!)) continue;
          let hasContent = false;
          for (let b = a; b < Math.min(kept.length, a + maxWords) && kept[b]! >= 0; b++) {
            const w = run[kept[b]!]!;
            if (VAGUE_NAME_WORDS.has(w)) break;
            hasContent ||= content(w);
            // A phrasal verb is not cut before its particle ("limit to top" of "limit to top up").
            const next = kept[b]! + 1;
            const cut = next < run.length && particles.has(run[next]!) && !stop.has(w);
            if (!hasContent || cut || !canEnd(w, b - a + 1)) continue;
            const key = kept.slice(a, b + 1).map((j) => run[j]).join(' ');
            if (!seen.has(key)) seen.set(key, run.slice(kept[a], kept[b]! + 1).join(' '));
          }
        }
      }
      for (const [key, surface] of seen) {
        counts.set(key, (counts.get(key) ?? 0) + 1);
        if (!first.has(key)) first.set(key, position);
        const forms = surfaces.get(key) ?? new Map<string, number>();
        forms.set(surface, (forms.get(surface) ?? 0) + 1);
        surfaces.set(key, forms);
      }
    });
    return { counts, surfaces, first };
  });
  const overall = new Map<string, number>();
  for (const { counts } of perCluster) for (const [p, n] of counts) overall.set(p, (overall.get(p) ?? 0) + n);
  return perCluster.map(({ counts, surfaces, first }, c) => {
    const read = Math.min(members[c]!.length, maxTexts);
    const floor = read >= 3 ? 2 : 1;
    const ranked: ClusterPhrase[] = [];
    for (const [words, count] of counts) {
      if (count < floor) continue;
      const coverage = count / read;
      const precision = count / overall.get(words)!;
      ranked.push({ phrase: commonest(surfaces.get(words)!), words, count, firstText: first.get(words)!, coverage, precision, score: coverage * precision });
    }
    ranked.sort((a, b) => b.score - a.score || b.count - a.count || (a.words < b.words ? -1 : a.words > b.words ? 1 : 0));
    return ranked.slice(0, topN);
  });
}

/**
 * Positions of a run's words a phrase is made of: every word but function words, except a negation ("not arrived")
 * and a particle after a content word ("top up"). -1 marks a break: more than `maxGap` function words in a row.
 */
function keptWords(run: readonly string[], stop: ReadonlySet<string>, particles: ReadonlySet<string>, maxGap: number): number[] {
  const kept: number[] = [];
  let gap = 0;
  for (let j = 0; j < run.length; j++) {
    const w = run[j]!;
    const keep = !stop.has(w) || NEGATIONS.has(w) || (particles.has(w) && j > 0 && !stop.has(run[j - 1]!));
    if (!keep) {
      gap++;
      continue;
    }
    if (kept.length > 0 && gap > maxGap) kept.push(-1);
    kept.push(j);
    gap = 0;
  }
  return kept;
}

/** The most frequent spelling of a phrase; ties: the shorter, then the first in code-unit order. */
function commonest(forms: ReadonlyMap<string, number>): string {
  let best = '';
  let bestCount = -1;
  for (const [form, n] of forms) {
    if (n > bestCount || (n === bestCount && (form.length < best.length || (form.length === best.length && form < best)))) {
      best = form;
      bestCount = n;
    }
  }
  return best;
}

/**
 * Up to `limit` phrases to show for a cluster, best first, without near-duplicates: an inflection of a phrase already
 * kept ("exchange rates" after "exchange rate"), or a part of one that nearly as many texts say ("rate" after
 * "exchange rate" when 80%+ of the texts saying "rate" say "exchange rate"). `keep` is kept whatever (a name).
 */
export function distinctPhrases(phrases: readonly ClusterPhrase[], limit: number, keep?: string): ClusterPhrase[] {
  const kept: ClusterPhrase[] = [];
  for (const p of phrases) {
    if (kept.length >= limit && p.phrase !== keep) continue;
    const words = p.words.split(' ');
    const dup = kept.some((q) => {
      const qw = q.words.split(' ');
      return holds(qw, words) && (qw.length === words.length || q.count >= 0.8 * p.count);
    });
    if (!dup || p.phrase === keep) kept.push(p);
  }
  return kept;
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
   * it occurs in at least this share of the texts the head occurs in (default 0.05)...
   */
  extendShare?: number;
  /** ...and is at least as distinctive as the head, or this distinctive (precision; default 0.5). */
  extendPrecision?: number;
  /** ...and scores as a name at least this share of the head's name score (default 0.25): a phrase said by half the texts does not grow into one said by 2 of them. */
  extendScore?: number;
  /** Content-poor words a longer phrase may not start with ("think someone", "tried to buy"; default WEAK_NAME_WORDS). */
  weakWords?: ReadonlySet<string>;
  /** Particles of phrasal verbs, not counted as name words ("top up" is one; default PHRASAL_PARTICLES). */
  particles?: ReadonlySet<string>;
  /**
   * A name candidate's score is its score (coverage x distinctiveness) times 1 + this for each content word past the
   * first (default 1): "atm ate my card" says more than "atm", so it may name the cluster with fewer texts saying it.
   */
  wordBonus?: number;
  /** ...times 1 + this when one of the cluster's `typicalTexts` most typical texts says it (default 0.5)... */
  typicalBonus?: number;
  /** (default 3) */
  typicalTexts?: number;
  /** Content words of a name at most (default 3). */
  maxNameWords?: number;
  /** Words of a name as written, function words included, at most (default 5): "how long does it take for a transfer" is a sentence, not a name. */
  maxNameSpan?: number;
}

type Candidate = ClusterPhrase & { nameScore: number; wordCount: number };

/** A cluster's phrases that may name it, best name first (see PhraseNamingOptions). */
function nameCandidates(phrases: readonly ClusterPhrase[], opts: PhraseNamingOptions): Candidate[] {
  const wordBonus = opts.wordBonus ?? 1;
  const typicalBonus = opts.typicalBonus ?? 0.5;
  const typicalTexts = opts.typicalTexts ?? 3;
  const maxWords = opts.maxNameWords ?? 3;
  const maxSpan = opts.maxNameSpan ?? 5;
  const particles = opts.particles ?? PHRASAL_PARTICLES;
  const out: Candidate[] = [];
  for (const p of phrases) {
    const words = p.words.split(' ');
    const wordCount = words.length;
    // Negations and particles are words of their phrase but add no topic: "not working" and "top up" are one word.
    const content = words.filter((w, i) => !NEGATIONS.has(w) && !(i > 0 && particles.has(w))).length;
    if (content > maxWords || p.phrase.split(' ').length > maxSpan) continue;
    const nameScore = p.score * (1 + wordBonus * Math.max(0, content - 1)) * (p.firstText < typicalTexts ? 1 + typicalBonus : 1);
    out.push({ ...p, nameScore, wordCount });
  }
  return out.sort((a, b) => b.nameScore - a.nameScore || b.count - a.count || (a.words < b.words ? -1 : a.words > b.words ? 1 : 0));
}

/**
 * The phrase a head phrase (a cluster's best) grows into: its best longer phrase that holds it, is common enough
 * among the texts using the head and as distinctive ("declined" -> "transfer was declined", "long" -> "long does it
 * take"), so a name reads as an intent rather than a keyword; the head itself when no such phrase exists.
 */
function grow(head: Candidate, phrases: readonly Candidate[], opts: PhraseNamingOptions): Candidate {
  const share = opts.extendShare ?? 0.05;
  const minPrecision = Math.min(opts.extendPrecision ?? 0.5, head.precision);
  const minScore = opts.extendScore ?? 0.25;
  const weak = opts.weakWords ?? WEAK_NAME_WORDS;
  const words = head.words.split(' ');
  let best: Candidate | undefined;
  for (const p of phrases) {
    const pw = p.words.split(' ');
    if (pw.length <= words.length || weak.has(pw[0]!) || p.count < Math.max(2, share * head.count) || p.precision < minPrecision) continue;
    if (p.nameScore < minScore * head.nameScore || !holds(pw, words)) continue;
    if (best === undefined || p.nameScore > best.nameScore || (p.nameScore === best.nameScore && pw.length < best.wordCount)) best = p;
  }
  return best ?? head;
}

/** Whether two phrases say the same (same content words up to inflection, in order). */
function sameName(a: string, b: string): boolean {
  const x = a.split(' ');
  const y = b.split(' ');
  return x.length === y.length && x.every((w, i) => sameStem(w, y[i]!));
}

/**
 * A unique phrase name per cluster (as its texts most often write it), or undefined where a cluster has no phrase
 * left. Clusters whose best candidate is strongest choose first; a cluster whose phrase is taken (or an inflection of
 * a taken one) takes its next best.
 */
export function namesFromPhrases(phrases: readonly (readonly ClusterPhrase[])[], opts: PhraseNamingOptions = {}): (string | undefined)[] {
  const candidates = phrases.map((p) => nameCandidates(p, opts));
  const order = candidates.map((_, c) => c).sort((a, b) => (candidates[b]![0]?.nameScore ?? 0) - (candidates[a]![0]?.nameScore ?? 0) || a - b);
  const taken: string[] = [];
  const out: (string | undefined)[] = phrases.map(() => undefined);
  for (const c of order) {
    for (const head of candidates[c]!) {
      const name = grow(head, candidates[c]!, opts);
      if (taken.some((t) => sameName(t, name.words))) continue;
      taken.push(name.words);
      out[c] = name.phrase;
      break;
    }
  }
  return out;
}

/**
 * What a cluster's texts have in common: its name and the share of its texts that say it, then the shares saying each
 * of its most common distinctive phrases (used by 5%+ of its texts, 20%+ of their uses in this cluster, no word shown
 * before; a word of the name only when clearly more texts use it than the name: "transfer" for "cancel a transfer"),
 * its size, and its most typical text:
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
  const own = phrases.find((p) => p.phrase === name);
  const nameWords = (own?.words ?? name).split(' ');
  const used: string[] = [];
  const shown: string[] = own ? [`${Math.round(100 * own.coverage)}% say it`] : [];
  for (const p of [...phrases].sort((a, b) => b.coverage - a.coverage || b.score - a.score)) {
    if (shown.length >= shownMax + (own ? 1 : 0)) break;
    const words = p.words.split(' ');
    if (p === own || p.precision < 0.2 || p.coverage < 0.05 || words.some((w) => used.some((u) => sameStem(u, w)))) continue;
    const inName = words.every((w) => nameWords.some((u) => sameStem(u, w)));
    if (inName && p.coverage < 1.5 * (own?.coverage ?? 0)) continue;
    used.push(...words);
    shown.push(`${Math.round(100 * p.coverage)}%${shown.length === 0 ? ' say' : ''} "${p.phrase}"`);
  }
  const common = `Texts about "${name}"${shown.length > 0 ? `: ${shown.join(', ')}` : ''}`;
  const typical = opts.typical !== undefined && opts.typical !== '' ? ` Most typical: "${opts.typical}"` : '';
  return `${common} (${size} of ${total}, ${pct.toFixed(1)}%).${typical}`;
}
