import { NONE_ANSWER, normalizeAnswer } from './catalog.js';
import type { LabelCatalog } from './catalog.js';

/** What one answered label string resolves to. */
export type ResolvedAnswer =
  | { kind: 'label'; id: string; mapped: boolean }
  | { kind: 'none'; mapped: boolean }
  | { kind: 'unknown' };

/** Levenshtein distance with an early exit once every cell of a row exceeds `max` (returns max + 1 then). */
export function levenshtein(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur = new Array<number>(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (cur[j]! < rowMin) rowMin = cur[j]!;
    }
    if (rowMin > max) return max + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/**
 * Edits tolerated between an answer and a label NAME: at most 2 and at most 20% of the name's length, so a
 * 10-letter name tolerates 2 typos, a 5-letter one 1, and names under 5 letters none. Ids never get edit
 * tolerance: "L13" is one edit from "L12" and names a different label, so ids only match modulo case, spacing and
 * punctuation.
 */
export function allowedEdits(normalizedName: string): number {
  return Math.min(2, Math.floor(normalizedName.length * 0.2));
}

const NONE_PHRASES = new Set(['none', 'noneofthese', 'noneoftheabove', 'nolabel', 'nolabelfits', 'n/a'].map(normalizeAnswer));

/**
 * Resolve one answered label string against the taxonomy. Exact ids pass unflagged; near misses are mapped and
 * flagged: a different case/spacing/punctuation of an id or a name, the name instead of the id, "id: name"
 * combinations, and small typos of a name (see `allowedEdits`; the nearest name must be unique). Anything else is
 * 'unknown' and must become a failed record, never a label.
 */
export function resolveAnswer(catalog: LabelCatalog, answer: string, allowNone: boolean): ResolvedAnswer {
  if (catalog.byId.has(answer)) return { kind: 'label', id: answer, mapped: false };
  if (allowNone && answer === NONE_ANSWER) return { kind: 'none', mapped: false };
  const norm = normalizeAnswer(answer);
  if (norm === '') return { kind: 'unknown' };
  const byId = catalog.byNormalizedId.get(norm);
  if (byId !== undefined) return { kind: 'label', id: byId, mapped: true };
  const byName = catalog.byNormalizedName.get(norm);
  if (byName !== undefined) return { kind: 'label', id: byName, mapped: true };
  // After the label lookups, so a taxonomy's own wording always wins over a "none" phrase.
  if (allowNone && NONE_PHRASES.has(norm)) return { kind: 'none', mapped: true };
  // "L3: Card arrival", "L3 - card arrival", "card arrival (L3)": an id and its own name together.
  const combined = resolveIdWithName(catalog, answer);
  if (combined === CONFLICT) return { kind: 'unknown' };
  if (combined !== undefined) return { kind: 'label', id: combined, mapped: true };
  const fuzzy = nearestName(catalog, norm);
  if (fuzzy !== undefined) return { kind: 'label', id: fuzzy, mapped: true };
  return { kind: 'unknown' };
}

const CONFLICT = Symbol('conflict');

/**
 * "id: name" answers. An id next to ANOTHER label's name (or next to anything else) is contradictory: it must not
 * reach the fuzzy name matcher, which could otherwise pick one side at random.
 */
function resolveIdWithName(catalog: LabelCatalog, answer: string): string | typeof CONFLICT | undefined {
  const parts = answer
    .split(/[:()[\]|/,]|\s[-–—]\s/u)
    .map((p) => normalizeAnswer(p))
    .filter((p) => p !== '');
  if (parts.length !== 2) return undefined;
  let sawId = false;
  for (const [idPart, namePart] of [parts, [parts[1]!, parts[0]!]]) {
    const id = catalog.byNormalizedId.get(idPart!);
    if (id === undefined) continue;
    sawId = true;
    if (catalog.byNormalizedName.get(namePart!) === id) return id;
  }
  return sawId ? CONFLICT : undefined;
}

function nearestName(catalog: LabelCatalog, norm: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  let tie = false;
  for (const [name, id] of catalog.byNormalizedName) {
    const max = allowedEdits(name);
    if (max === 0) continue;
    const d = levenshtein(norm, name, max);
    if (d > max) continue;
    if (d < bestDistance) {
      best = id;
      bestDistance = d;
      tie = false;
    } else if (d === bestDistance) {
      tie = true;
    }
  }
  // Two names equally near: guessing would be a coin flip, so the answer stays unknown.
  return tie ? undefined : best;
}
