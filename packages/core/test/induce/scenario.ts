import type { CorpusRecord } from '../../src/index.js';

/**
 * A scripted "model" for induction tests: a pure function of the request (the schema name and the messages), so
 * answers do not depend on call order or concurrency and a resumed run gets the same answers as an uninterrupted
 * one. It reads the prompt the way a model would: the taxonomy lines `- [id] Name: description`, the numbered
 * texts, and whether the request is a re-ask.
 */

/** Topics of the synthetic corpus: label name and the keyword that marks a text of the topic. */
export const TOPICS = [
  { name: 'Card delivery', keyword: 'arrive', text: 'my new card did not arrive yet' },
  { name: 'Lost card', keyword: 'lost', text: 'I lost my card on the train' },
  { name: 'Refund requests', keyword: 'refund', text: 'I want a refund for this purchase' },
  { name: 'Exchange rates', keyword: 'exchange', text: 'which exchange rate do you use for euros' },
  { name: 'Top-up problems', keyword: 'top-up', text: 'my top-up failed again' },
  { name: 'Transfer delays', keyword: 'transfer', text: 'the transfer to my friend is still pending' },
] as const;

/** `n` records cycling through the topics; every third round is urgent (the sub-label split of the 2-level test). */
export function makeCorpus(n: number): CorpusRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const topic = TOPICS[i % TOPICS.length]!;
    const urgent = Math.floor(i / TOPICS.length) % 3 === 0;
    return { id: `r${String(i).padStart(3, '0')}`, text: `${urgent ? 'URGENT please help, ' : ''}${topic.text} (case ${i})` };
  });
}

export function topicOf(text: string): (typeof TOPICS)[number] | undefined {
  const lower = text.toLowerCase();
  return TOPICS.find((t) => lower.includes(t.keyword));
}

export interface ParsedLabel {
  id: string;
  name: string;
  description: string;
}

export function parseLabels(text: string): ParsedLabel[] {
  return [...text.matchAll(/^- \[([^\]]+)\] (.+?): (.*)$/gm)].map((m) => ({ id: m[1]!, name: m[2]!, description: m[3]! }));
}

export function parseItems(text: string): { n: number; text: string }[] {
  return [...text.matchAll(/^(\d+)\. (.*)$/gm)].map((m) => ({ n: Number(m[1]), text: decodeData(m[2]!) }));
}

/** A text as prompts carry it: a JSON string (llm/prompt-data.ts). */
export function decodeData(text: string): string {
  const t = text.trim();
  return t.startsWith('"') ? (JSON.parse(t) as string) : t;
}

interface Msg {
  role: string;
  content: string;
}

function userText(messages: readonly Msg[]): string {
  return messages.find((m) => m.role === 'user')?.content ?? '';
}

/** Whether the last message is our re-ask after a violation. */
export function isReask(messages: readonly Msg[]): boolean {
  return (messages.at(-1)?.content ?? '').includes('breaks these rules');
}

function section(text: string, heading: string, next?: string): string {
  const start = text.indexOf(heading);
  if (start < 0) return '';
  const rest = text.slice(start + heading.length);
  const end = next ? rest.indexOf(next) : -1;
  return end >= 0 ? rest.slice(0, end) : rest;
}

const keep = (labels: ParsedLabel[]) => labels.map((l) => ({ fromIds: [l.id], name: l.name, description: l.description }));
const describe = (name: string) => `Texts about ${name.toLowerCase()}.`;

/**
 * 'rich': a chain that renames, merges, adds, splits, and breaks the rules once (then repairs):
 *  generate -> Card delivery, Lost card, Stolen card, Refund requests
 *  update 1 -> rename Card delivery to Card arrival, merge Lost+Stolen, re-describe Refund requests, add Exchange rates
 *  update 2 -> first an answer with an "Other" label and an over-long name; on the re-ask: split Refund requests in
 *              two and add Top-up problems
 *  later    -> keep everything (rating 90); review keeps everything (rating 95)
 * 'coverage': generate a label for every topic in the first batch, then keep; the judge prefers the label set with
 *  a label for the record's topic; placements follow topic keywords; sub-labels split urgent from routine texts.
 */
export function createScenario(mode: 'rich' | 'coverage') {
  return (schemaName: string | undefined, messages: readonly Msg[]): unknown => {
    const user = userText(messages);
    const system = messages.find((m) => m.role === 'system')?.content ?? '';
    switch (schemaName) {
      case 'text_summary': {
        const text = decodeData(section(user, 'Text:\n'));
        return { summary: `Summary: ${text}`, note: `The customer mentions ${topicOf(text)?.keyword ?? 'nothing specific'}.` };
      }
      case 'taxonomy_draft': {
        const items = parseItems(user);
        if (system.includes('dividing one label')) {
          const parent = /dividing one label of an existing taxonomy into sub-labels: \[[^\]]+\] "([^"]+)"/.exec(system)![1]!;
          return {
            labels: [
              { name: `Urgent ${parent.toLowerCase()}`, description: `Urgent requests about ${parent.toLowerCase()}.` },
              { name: `Routine ${parent.toLowerCase()}`, description: `Routine requests about ${parent.toLowerCase()}.` },
            ],
            explanation: 'Urgency separates the texts.',
          };
        }
        if (mode === 'rich') {
          return {
            labels: ['Card delivery', 'Lost card', 'Stolen card', 'Refund requests'].map((name) => ({ name, description: describe(name) })),
            explanation: 'Four themes dominate the first batch.',
          };
        }
        const seen: string[] = [];
        for (const item of items) {
          const t = topicOf(item.text);
          if (t && !seen.includes(t.name)) seen.push(t.name);
        }
        return { labels: seen.map((name) => ({ name, description: describe(name) })), explanation: `Topics seen: ${seen.length}.` };
      }
      case 'taxonomy_revision': {
        const labels = parseLabels(section(user, 'Current taxonomy:\n', '\n\nNew texts'));
        const names = labels.map((l) => l.name);
        const byName = (n: string) => labels.find((l) => l.name === n)!;
        if (mode === 'rich' && names.includes('Stolen card')) {
          return {
            rating: 55,
            explanation: 'Lost and stolen overlap; exchange rate questions have no label.',
            suggestions: ['rename Card delivery', 'merge Lost card and Stolen card', 'add Exchange rates'],
            labels: [
              { fromIds: [byName('Card delivery').id], name: 'Card arrival', description: describe('Card delivery') },
              { fromIds: [byName('Lost card').id, byName('Stolen card').id], name: 'Lost or stolen card', description: 'Cards that were lost or stolen.' },
              { fromIds: [byName('Refund requests').id], name: 'Refund requests', description: 'Requests to get money back for a purchase.' },
              { fromIds: [], name: 'Exchange rates', description: describe('Exchange rates') },
            ],
          };
        }
        if (mode === 'rich' && names.includes('Exchange rates') && !names.includes('Top-up problems')) {
          if (!isReask(messages)) {
            return {
              rating: 60,
              explanation: 'Some texts fit nowhere.',
              suggestions: ['add a bucket'],
              labels: [...keep(labels), { fromIds: [], name: 'Other', description: 'Everything else.' }, {
                fromIds: [],
                name: 'Problems with adding money to the account balance',
                description: describe('Top-ups'),
              }],
            };
          }
          const refund = byName('Refund requests');
          return {
            rating: 60,
            explanation: 'Refund requests mix two needs; top-ups are missing.',
            suggestions: ['split Refund requests', 'add Top-up problems'],
            labels: [
              ...keep(labels.filter((l) => l.id !== refund.id)),
              { fromIds: [refund.id], name: 'Refund status', description: 'Where a refund already asked for stands.' },
              { fromIds: [refund.id], name: 'New refund requests', description: 'Asking for money back for a purchase.' },
              { fromIds: [], name: 'Top-up problems', description: describe('Top-up problems') },
            ],
          };
        }
        return { rating: 90, explanation: 'The taxonomy fits these texts.', suggestions: [], labels: keep(labels) };
      }
      case 'taxonomy_review': {
        const labels = parseLabels(section(user, 'Taxonomy to review:\n'));
        return { rating: 95, explanation: 'Clear and exclusive.', suggestions: [], labels: keep(labels) };
      }
      case 'label_placements': {
        const labels = parseLabels(section(user, 'Labels:\n', '\n\nTexts'));
        const items = parseItems(section(user, '\n\nTexts'));
        return {
          placements: items.map((item) => {
            const urgent = item.text.includes('URGENT');
            const t = topicOf(item.text);
            const hit = labels.find((l) => {
              const n = l.name.toLowerCase();
              if (n.startsWith('urgent ')) return urgent && t !== undefined && n.endsWith(t.name.toLowerCase());
              if (n.startsWith('routine ')) return !urgent && t !== undefined && n.endsWith(t.name.toLowerCase());
              return t !== undefined && l.name === t.name;
            });
            return { item: item.n, labelId: hit?.id ?? 'none' };
          }),
        };
      }
      case 'taxonomy_comparison': {
        const first = parseLabels(section(user, 'First label set:\n', '\n\nSecond label set'));
        const second = parseLabels(section(user, 'Second label set:\n', '\n\nText:'));
        const t = topicOf(decodeData(section(user, '\n\nText:\n')));
        const has = (ls: ParsedLabel[]) => t !== undefined && ls.some((l) => l.name === t.name);
        const verdict = has(first) === has(second) ? 'tie' : has(first) ? 'first' : 'second';
        return { reason: `topic ${t?.name ?? 'unknown'}`, verdict };
      }
      default:
        throw new Error(`scenario: unexpected schema ${schemaName}`);
    }
  };
}
