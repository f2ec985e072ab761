/**
 * Prompt of the clustering engine: naming one cluster from a sample of its members. Written for this project;
 * the use case steers what the name should capture (intent, topic, sentiment...).
 */
import type { ChatMessage } from '../llm/types.js';

export const CLUSTER_NAMING_PROMPT_ID = 'cluster.name';

export interface ClusterNamingPromptInput {
  /** What the taxonomy is for, e.g. "the customer's intent in support chats". */
  useCase: string;
  /** Sampled member texts (already shortened). */
  texts: readonly string[];
  /** The cluster's most distinctive terms (c-TF-IDF), as hints. */
  terms: readonly string[];
  size: number;
  total: number;
  maxNameWords: number;
  maxDescriptionWords: number;
  /** Extra instructions from the user, appended verbatim. */
  instructions?: string;
}

/** Messages asking for `{ name, description }` of one cluster. */
export function clusterNamingMessages(input: ClusterNamingPromptInput): ChatMessage[] {
  const system = [
    'You are an expert taxonomist. A clustering algorithm grouped the texts of a corpus by similarity; you see a',
    'sample of one group. Give the group a label for a taxonomy that serves this use case:',
    '',
    input.useCase.trim(),
    '',
    'Rules:',
    `- "name": at most ${input.maxNameWords} words; says what the texts of the group have in common with respect to`,
    '  the use case; specific (another group could not take the same name); plain words, no ids, numbers or quotes.',
    '- Never a catch-all name such as "Other", "Misc", "General" or "Various".',
    `- "description": at most ${input.maxDescriptionWords} words; what belongs under the label, and if useful what`,
    '  does not.',
    '- Describe what most sampled texts share; ignore the odd text that does not fit.',
    '- Write in the language of the use case.',
    ...(input.instructions?.trim() ? ['', 'Additional instructions:', input.instructions.trim()] : []),
    '',
    'Answer with a JSON object: {"name": "...", "description": "..."}.',
  ].join('\n');
  const user = [
    `Group size: ${input.size} of ${input.total} texts.`,
    `Statistically distinctive terms of the group: ${input.terms.length > 0 ? input.terms.join(', ') : '(none)'}.`,
    '',
    `Sample of ${input.texts.length} texts from the group:`,
    ...input.texts.map((t, i) => `${i + 1}. ${t.replace(/\s+/gu, ' ').trim()}`),
  ].join('\n');
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
}
