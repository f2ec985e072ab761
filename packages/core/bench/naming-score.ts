/**
 * The naming benchmark's measures, shared by bench:cluster and cluster-names.ts: how often a cluster's name shares a
 * content word with the majority gold intent of its members, and how often it is a phrase its texts really use.
 */
import { clusterTerms } from '../src/cluster/ctfidf.js';
import { nameFromTerms, sameStem, uniqueNames } from '../src/cluster/naming.js';
import { containsPhrase } from '../src/cluster/phrases.js';

/** Content words of a gold intent name ("card_arrival" -> card, arrival). */
const GOLD_STOP = new Set(['a', 'an', 'the', 'of', 'to', 'in', 'on', 'for', 'is', 'my', 'not', 'or', 'and', 'by', 'via', 'why', 'how', 'what']);
const goldWords = (intent: string): string[] => intent.toLowerCase().split(/[_\s-]+/u).filter((w) => w !== '' && !GOLD_STOP.has(w));

export interface NamedCluster {
  label: string;
  name: string;
  majority: string;
  /** Share of the cluster's members with the majority gold intent. */
  purity: number;
  size: number;
  /** The name shares a content word (same stem) with the majority gold intent. */
  hit: boolean;
  /** The name occurs verbatim as a contiguous phrase in at least one text of the cluster. */
  phrase: boolean;
}

export interface NamingScore {
  share: number;
  hits: number;
  total: number;
  /** Share of names that occur as a contiguous phrase in a text of their cluster. */
  phraseShare: number;
  phrases: number;
  clusters: NamedCluster[];
}

/**
 * Scores names against gold intents. `pred[i]` is the label of `texts[i]`, `gold[i]` its gold intent. A name counts
 * as a phrase when its words, read as the namer reads texts (lowercase, punctuation ends a phrase), occur in that
 * order, adjacent, in at least one member text.
 */
export function namingScore(names: Map<string, string>, texts: readonly string[], pred: readonly string[], gold: readonly string[]): NamingScore {
  const members = new Map<string, number[]>();
  pred.forEach((p, i) => members.set(p, [...(members.get(p) ?? []), i]));
  const clusters: NamedCluster[] = [];
  for (const [label, idx] of members) {
    const m = new Map<string, number>();
    for (const i of idx) m.set(gold[i]!, (m.get(gold[i]!) ?? 0) + 1);
    const [majority, top] = [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]!;
    const name = names.get(label) ?? '';
    const words = name.toLowerCase().split(/\s+/u).filter((w) => w !== '');
    clusters.push({
      label,
      name,
      majority,
      purity: top / idx.length,
      size: idx.length,
      hit: goldWords(majority).some((g) => words.some((w) => sameStem(w, g))),
      phrase: idx.some((i) => containsPhrase(texts[i]!, words)),
    });
  }
  const hits = clusters.filter((c) => c.hit).length;
  const phrases = clusters.filter((c) => c.phrase).length;
  return { share: hits / clusters.length, hits, total: clusters.length, phraseShare: phrases / clusters.length, phrases, clusters };
}

/** The benchmark's lines: both shares, then the misses (worst first: purest clusters whose name still misses). */
export function namingLines(k: number, s: NamingScore, worst = 10): string[] {
  const misses = s.clusters.filter((c) => !c.hit || !c.phrase).sort((a, b) => Number(a.hit) - Number(b.hit) || b.purity - a.purity);
  return [
    `naming benchmark (k = ${k}): ${s.hits}/${s.total} = ${(100 * s.share).toFixed(1)}% of names share a content word with the majority gold intent; ` +
      `${s.phrases}/${s.total} = ${(100 * s.phraseShare).toFixed(1)}% occur verbatim as a phrase in a text of their cluster`,
    `  worst names (no shared word, purest cluster first; then non-phrases):`,
    ...misses.slice(0, worst).map((c) => `    ${c.label.padEnd(4)} "${c.name}" -> ${c.majority} (${(100 * c.purity).toFixed(0)}% of ${c.size})${c.phrase ? '' : ' [not a phrase]'}`),
  ];
}

/**
 * The older namer's names for the same clusters, as a baseline in the same run: each cluster's top c-TF-IDF words
 * (up to 3, phrases kept whole: `nameFromTerms`), made unique. `ids` are the label ids in taxonomy order.
 */
export function termNames(ids: readonly string[], texts: readonly string[], pred: readonly string[]): Map<string, string> {
  const index = new Map(ids.map((id, i) => [id, i]));
  const labels = Int32Array.from(pred, (p) => index.get(p)!);
  const terms = clusterTerms(texts, labels, ids.length);
  const names = uniqueNames(terms.map((t) => nameFromTerms(t, 3)), ids, terms);
  return new Map(ids.map((id, i) => [id, names[i]!]));
}
