/** Word and name helpers shared by validation, prompts and exports. */

/** Words separated by whitespace (a CJK phrase without spaces counts as one word). */
export function countWords(text: string): number {
  const trimmed = text.trim();
  return trimmed === '' ? 0 : trimmed.split(/\s+/u).length;
}

/** Comparison key of a label name: case, accents of spacing and punctuation ignored. */
export function normalizeName(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
}

/**
 * Names that are catch-all buckets rather than categories. A name is vague when it is one of these, or starts
 * with one of the first-word markers ("Other requests", "General questions", "Misc issues").
 */
const VAGUE_NAMES = new Set([
  'other',
  'others',
  'general',
  'misc',
  'miscellaneous',
  'unknown',
  'none',
  'n a',
  'na',
  'various',
  'uncategorized',
  'uncategorised',
  'unclassified',
  'default',
  'catch all',
  'everything else',
  'rest',
  'etc',
]);
const VAGUE_FIRST_WORDS = new Set([
  'other',
  'others',
  'general',
  'misc',
  'miscellaneous',
  'unknown',
  'none',
  'various',
  'uncategorized',
  'uncategorised',
  'unclassified',
]);

export function isVagueName(name: string): boolean {
  const key = normalizeName(name);
  if (VAGUE_NAMES.has(key)) return true;
  const first = key.split(' ')[0] ?? '';
  return VAGUE_FIRST_WORDS.has(first);
}

/** One line per label: `- [L3] Name: description` (the format prompts show and answers refer to). */
export function formatLabelLine(label: { id: string; name: string; description: string }): string {
  return `- [${label.id}] ${oneLine(label.name)}: ${oneLine(label.description)}`;
}

export function oneLine(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}
