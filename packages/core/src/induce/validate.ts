import type { TaxonomyLabel } from '../schemas/taxonomy.js';
import type { RevisedLabel } from './answers.js';
import { MIN_SCRIPT_SHARE, scriptShare } from './language.js';
import { countWords, isVagueName, normalizeName } from './text.js';

/** The constraints every taxonomy answer is checked against. */
export interface LabelRules {
  minLabels: number;
  maxLabels: number;
  maxNameWords: number;
  maxDescriptionWords: number;
  /** ISO 639-1 code; names and descriptions must be mostly in its script. */
  language?: string;
  /** Labels that must survive unchanged in id and name. */
  locked: readonly { id: string; name: string }[];
  /** Names already taken elsewhere in the taxonomy (sub-labels may not repeat a top label's name). */
  reservedNames?: readonly string[];
}

/** Problems with the labels themselves (count, names, descriptions, language), as sentences to show the model. */
export function checkLabels(labels: readonly { name: string; description: string }[], rules: LabelRules): string[] {
  const problems: string[] = [];
  if (labels.length < rules.minLabels) {
    problems.push(`the taxonomy has ${labels.length} labels; it needs at least ${rules.minLabels}.`);
  }
  if (labels.length > rules.maxLabels) {
    problems.push(`the taxonomy has ${labels.length} labels; at most ${rules.maxLabels} are allowed: merge or drop some.`);
  }
  const seen = new Map<string, number>();
  const reserved = new Set((rules.reservedNames ?? []).map(normalizeName));
  labels.forEach((label, i) => {
    const where = `label ${i + 1}${label.name.trim() ? ` "${label.name.trim()}"` : ''}`;
    const name = label.name.trim();
    if (name === '') {
      problems.push(`${where}: the name is empty.`);
    } else {
      const words = countWords(name);
      if (words > rules.maxNameWords) {
        problems.push(`${where}: the name has ${words} words; at most ${rules.maxNameWords} are allowed.`);
      }
      if (isVagueName(name)) {
        problems.push(`${where}: catch-all names (Other, General, Misc, Unknown, None...) are not allowed; name a specific category or fold its texts into other labels.`);
      }
      const key = normalizeName(name);
      if (reserved.has(key)) {
        problems.push(`${where}: the name is already used by a top-level label; sub-labels need names of their own.`);
      }
      const first = seen.get(key);
      if (first !== undefined) {
        problems.push(`${where}: the same name as label ${first + 1}; names must be distinct (merge them or tell them apart).`);
      } else {
        seen.set(key, i);
      }
    }
    const description = label.description.trim();
    if (description === '') {
      problems.push(`${where}: the description is empty.`);
    } else {
      const words = countWords(description);
      if (words > rules.maxDescriptionWords) {
        problems.push(`${where}: the description has ${words} words; at most ${rules.maxDescriptionWords} are allowed.`);
      }
    }
    if (rules.language !== undefined) {
      const share = scriptShare(`${label.name} ${label.description}`, rules.language);
      if (share < MIN_SCRIPT_SHARE) {
        problems.push(`${where}: not written in the required language (${rules.language}).`);
      }
    }
  });
  return problems;
}

/**
 * Resolve an id the model wrote to a current id: exact match first, then ignoring case, brackets and spaces
 * ("[l3]" -> "L3"). Undefined when it names no current label.
 */
export function resolveId(raw: string, current: readonly TaxonomyLabel[]): string | undefined {
  if (current.some((l) => l.id === raw)) return raw;
  const key = (s: string) => s.replace(/[\s[\]"'`]/g, '').toLowerCase();
  const k = key(raw);
  const hits = current.filter((l) => key(l.id) === k);
  return hits.length === 1 ? hits[0]!.id : undefined;
}

/** Problems with a revision: the label rules plus the id references (invented ids, duplicates, locked labels). */
export function checkRevision(revised: readonly RevisedLabel[], current: readonly TaxonomyLabel[], rules: LabelRules): string[] {
  const problems = checkLabels(revised, rules);
  const known = current.map((l) => l.id).join(', ');
  revised.forEach((label, i) => {
    const where = `label ${i + 1}${label.name.trim() ? ` "${label.name.trim()}"` : ''}`;
    const resolved = new Set<string>();
    for (const raw of label.fromIds) {
      const id = resolveId(raw, current);
      if (id === undefined) {
        problems.push(`${where}: fromIds lists "${raw}", which is not an id of the current taxonomy (${known}); use [] for a new label.`);
      } else if (resolved.has(id)) {
        problems.push(`${where}: fromIds lists "${id}" twice.`);
      } else {
        resolved.add(id);
      }
    }
  });
  for (const locked of rules.locked) {
    const holders = revised.filter((l) => l.fromIds.some((raw) => resolveId(raw, current) === locked.id));
    const exact = holders.filter((l) => l.fromIds.length === 1 && normalizeName(l.name) === normalizeName(locked.name));
    if (holders.length === 0) {
      problems.push(`locked label [${locked.id}] "${locked.name}" was dropped; it must be kept with fromIds ["${locked.id}"] and its name.`);
    } else if (exact.length !== 1 || holders.length !== 1) {
      problems.push(`locked label [${locked.id}] "${locked.name}" may not be renamed, merged or split; return it once with fromIds ["${locked.id}"] and the name "${locked.name}".`);
    }
  }
  return problems;
}
