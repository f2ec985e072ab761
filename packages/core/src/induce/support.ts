import { ENGLISH_STOPWORDS } from '../cluster/stopwords.js';
import { checkLabels, type LabelRules } from './validate.js';
import { normalizeName } from './text.js';

/** Content words of a text: lowercased letter/digit runs of 2+ characters, stopwords left out. */
function contentWords(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.toLowerCase().matchAll(/[\p{L}\p{N}]{2,}/gu)) if (!ENGLISH_STOPWORDS.has(m[0])) out.add(m[0]);
  return out;
}

/**
 * How many of `texts` each label covers, by lexical overlap, so that no model call is needed and the result is
 * deterministic: each text goes to the label sharing the most content words (name + description) with it, the
 * earlier label on a tie; a text sharing no word with any label counts for none.
 */
export function labelSupport(labels: readonly { name: string; description: string }[], texts: readonly string[]): number[] {
  const words = labels.map((l) => contentWords(`${l.name} ${l.description}`));
  const counts = labels.map(() => 0);
  for (const text of texts) {
    const tw = contentWords(text);
    let best = -1;
    let bestScore = 0;
    words.forEach((lw, i) => {
      let score = 0;
      for (const w of lw) if (tw.has(w)) score++;
      if (score > bestScore) {
        best = i;
        bestScore = score;
      }
    });
    if (best >= 0) counts[best]!++;
  }
  return counts;
}

export interface KeptLabels<L> {
  labels: L[];
  /** Labels left out because they broke a rule on their own (empty, vague or too long name, duplicate...). */
  invalid: L[];
  /** Valid labels left out because the cap was reached (least supported first out). */
  dropped: { label: L; support: number }[];
  support: number[];
}

/**
 * The deterministic last resort when the model's taxonomy still breaks the rules after the re-asks and the merge:
 * keep the labels that are valid on their own (first of equal names), then the `maxLabels` best-supported of them
 * (support = labelSupport over the minibatch texts; ties keep the model's order), in the model's order.
 */
export function keepBestSupported<L extends { name: string; description: string }>(
  labels: readonly L[],
  rules: LabelRules,
  texts: readonly string[],
): KeptLabels<L> {
  const single = { ...rules, minLabels: 0, maxLabels: Number.MAX_SAFE_INTEGER };
  const seen = new Set<string>();
  const valid: L[] = [];
  const invalid: L[] = [];
  for (const l of labels) {
    const key = normalizeName(l.name);
    if (checkLabels([l], single).length > 0 || seen.has(key)) invalid.push(l);
    else {
      seen.add(key);
      valid.push(l);
    }
  }
  const support = labelSupport(valid, texts);
  const order = valid.map((_, i) => i).sort((a, b) => support[b]! - support[a]! || a - b);
  const keep = new Set(order.slice(0, rules.maxLabels));
  return {
    labels: valid.filter((_, i) => keep.has(i)),
    invalid,
    dropped: order.slice(rules.maxLabels).map((i) => ({ label: valid[i]!, support: support[i]! })),
    support: valid.map((_, i) => support[i]!).filter((_, i) => keep.has(i)),
  };
}
