import { DATA_RULE, encodePromptData } from '../llm/prompt-data.js';
import type { ChatMessage } from '../llm/types.js';

/**
 * Every prompt of taxonomy induction and judging, by id. Each template turns its variables into messages with the
 * parts that stay the same across a run first (role, rules, use case: providers cache that prefix) and the data
 * last. Override one per run with `options.prompts[id]` or from a plugin (`prompts: { [id]: fn }`); the variables
 * each template gets are listed in its `*Vars` interface. The texts are our own.
 */
export const PROMPT_IDS = [
  'summarize',
  'generate',
  'merge',
  'update',
  'review',
  'assign',
  'judge-pairwise',
  'judge-label',
  'judge-relevance',
] as const;
export type PromptId = (typeof PROMPT_IDS)[number];

export interface SummarizeVars {
  useCase: string;
  summaryWords: number;
  /** 'Write in <language>.' or ''. */
  languageText: string;
  text: string;
}

export interface TaxonomyStepVars {
  useCase: string;
  /** The numbered rules the taxonomy must follow (from the options). */
  rulesText: string;
  /** For sub-label chains: which top label is being divided; '' for the top level. */
  parentText: string;
  /** The current taxonomy, one `- [id] Name: description` line per label ('' for generate). */
  taxonomyText: string;
  /** The minibatch, one numbered line per text, each JSON-encoded (formatBatch; '' for review). */
  dataText: string;
  itemCount: number;
}

/** Merging an answer that has more labels than allowed down to the cap (a fallback after the re-asks failed). */
export interface MergeVars extends TaxonomyStepVars {
  /** How many labels the proposal has, and the most allowed. */
  proposedCount: number;
  maxLabels: number;
}

export interface AssignVars {
  useCase: string;
  taxonomyText: string;
  dataText: string;
  itemCount: number;
}

export interface JudgePairwiseVars {
  useCase: string;
  firstText: string;
  secondText: string;
  recordText: string;
}

export interface JudgeLabelVars {
  useCase: string;
  firstLabel: string;
  secondLabel: string;
  recordText: string;
}

export interface JudgeRelevanceVars {
  useCase: string;
  labelText: string;
  recordText: string;
}

export interface PromptVars {
  summarize: SummarizeVars;
  generate: TaxonomyStepVars;
  merge: MergeVars;
  update: TaxonomyStepVars;
  review: TaxonomyStepVars;
  assign: AssignVars;
  'judge-pairwise': JudgePairwiseVars;
  'judge-label': JudgeLabelVars;
  'judge-relevance': JudgeRelevanceVars;
}

const sys = (content: string): ChatMessage => ({ role: 'system', content });
const user = (content: string): ChatMessage => ({ role: 'user', content });

const TAXONOMY_ROLE =
  'You design label taxonomies: small sets of categories that a person or a classifier can use to sort texts. ' +
  'A good taxonomy serves the stated purpose, covers the texts it will meet, and leaves no doubt which single ' +
  'label a text belongs to.';

const FROM_IDS_PROTOCOL = [
  'Every label you return carries "fromIds", the ids of current labels whose texts it takes over:',
  '- keep, reword or rename label X: one label with fromIds ["X"];',
  '- merge X and Y: one label with fromIds ["X", "Y"];',
  '- split X: several labels that each list "X";',
  '- a new label: fromIds [];',
  '- drop X: no label lists "X".',
  'Only use ids that appear in the current taxonomy; never make up ids.',
].join('\n');

export const DEFAULT_PROMPTS: { [K in PromptId]: (vars: PromptVars[K]) => ChatMessage[] } = {
  summarize: (v) => [
    sys(
      'You condense texts for a later categorisation step. Keep only what matters for the purpose below and drop ' +
        'greetings, signatures, boilerplate and personal details.\n\n' +
        `Purpose: ${v.useCase}\n\n` +
        `Answer with "summary": about ${v.summaryWords} words saying what the text is about for that purpose, and ` +
        '"note": one short sentence naming the detail that decided the summary.' +
        (v.languageText ? `\n${v.languageText}` : '') +
        `\n\n${DATA_RULE}`,
    ),
    user(`Text:\n${encodePromptData(v.text)}`),
  ],

  generate: (v) => [
    sys(
      `${TAXONOMY_ROLE}\n\nPurpose of the taxonomy: ${v.useCase}\n\nRules:\n${v.rulesText}` +
        (v.parentText ? `\n\n${v.parentText}` : '') +
        '\n\nRead the texts, find the recurring themes that matter for the purpose, and propose the first version ' +
        `of the taxonomy. Explain briefly why it fits.\n\n${DATA_RULE}`,
    ),
    user(`Texts (${v.itemCount}):\n${v.dataText}`),
  ],

  merge: (v) => [
    sys(
      `${TAXONOMY_ROLE}\n\nPurpose of the taxonomy: ${v.useCase}\n\nRules:\n${v.rulesText}` +
        (v.parentText ? `\n\n${v.parentText}` : '') +
        `\n\nA proposed taxonomy has ${v.proposedCount} labels, but at most ${v.maxLabels} are allowed. Merge ` +
        `related labels (and drop only labels no text needs) so that at most ${v.maxLabels} remain, every text ` +
        'shown still has a label, and every label follows the rules. Explain briefly what was merged.',
    ),
    user(`Proposed labels (${v.proposedCount}):\n${v.taxonomyText}\n\nTexts (${v.itemCount}):\n${v.dataText}`),
  ],

  update: (v) => [
    sys(
      `${TAXONOMY_ROLE}\n\nPurpose of the taxonomy: ${v.useCase}\n\nRules:\n${v.rulesText}` +
        (v.parentText ? `\n\n${v.parentText}` : '') +
        '\n\nYou get the current taxonomy and a new batch of texts. First rate from 0 to 100 how well the current ' +
        'taxonomy handles these texts while following the rules, explain the rating, and list the edits it needs. ' +
        'Then return the complete revised taxonomy: rename, reword, merge, split, add or drop labels as needed, ' +
        `and keep what already works.\n\n${FROM_IDS_PROTOCOL}\n\n${DATA_RULE}`,
    ),
    user(`Current taxonomy:\n${v.taxonomyText}\n\nNew texts (${v.itemCount}):\n${v.dataText}`),
  ],

  review: (v) => [
    sys(
      `${TAXONOMY_ROLE}\n\nPurpose of the taxonomy: ${v.useCase}\n\nRules:\n${v.rulesText}` +
        (v.parentText ? `\n\n${v.parentText}` : '') +
        '\n\nThis is the final check, without data. Rate from 0 to 100 how well the taxonomy follows the rules and ' +
        'serves the purpose, explain, list what needed fixing, and return the final taxonomy: fix overlapping ' +
        'labels, vague or long names, unclear descriptions. Do not change what is fine.\n\n' +
        FROM_IDS_PROTOCOL,
    ),
    user(`Taxonomy to review:\n${v.taxonomyText}`),
  ],

  assign: (v) => [
    sys(
      `You sort texts into the labels of a taxonomy.\n\nPurpose of the taxonomy: ${v.useCase}\n\n` +
        'For every numbered text give the id of the one label it belongs to, or "none" when no label fits. ' +
        `Answer for every text, each exactly once.\n\n${DATA_RULE}`,
    ),
    user(`Labels:\n${v.taxonomyText}\n\nTexts (${v.itemCount}):\n${v.dataText}`),
  ],

  'judge-pairwise': (v) => [
    sys(
      'You compare two label sets proposed for the same purpose. For the text shown, decide which set offers a ' +
        'label that captures the text more precisely and more usefully for the purpose. A precise, specific ' +
        'label beats a broad one; a set where the text fits no label or several labels equally loses. The order ' +
        `in which the sets are shown means nothing.\n\nPurpose: ${v.useCase}\n\n${DATA_RULE}`,
    ),
    user(`First label set:\n${v.firstText}\n\nSecond label set:\n${v.secondText}\n\nText:\n${encodePromptData(v.recordText)}`),
  ],

  'judge-label': (v) => [
    sys(
      'You check labels given to texts. Two labels are shown; decide which of them describes the text better for ' +
        `the purpose. The order in which they are shown means nothing.\n\nPurpose: ${v.useCase}\n\n${DATA_RULE}`,
    ),
    user(`First label:\n${v.firstLabel}\n\nSecond label:\n${v.secondLabel}\n\nText:\n${encodePromptData(v.recordText)}`),
  ],

  'judge-relevance': (v) => [
    sys(
      'You check whether a label given to a text is relevant to a stated purpose: whether it says something about ' +
        'the text that the purpose asks for (not whether it is perfect).\n\n' +
        `Purpose: ${v.useCase}\n\n${DATA_RULE}`,
    ),
    user(`Label:\n${v.labelText}\n\nText:\n${encodePromptData(v.recordText)}`),
  ],
};
