import type { ChatRequestInfo, ServerAnswer } from '@taxonomist/testing';

/**
 * A deterministic stand-in for an LLM behind the local OpenAI-compatible server, answering the requests of a whole
 * `taxonomist run` by schema name: the taxonomy is generated, then revised on every batch (a merge and a rename
 * happen on the first update), reviewed, and texts are labeled by keywords, consistently, so the distilled classifier
 * has something real to learn.
 */

/** Topic label names and the keywords that send a text there (first match wins; the last label is the fallback). */
const TOPICS: { name: string; description: string; keywords: RegExp }[] = [
  { name: 'Top-up problems', description: 'Adding money by top-up: failed, pending or missing top-ups.', keywords: /top.?up|topup/i },
  { name: 'Transfers', description: 'Sending and receiving money transfers, their status and limits.', keywords: /transfer|beneficiar|sent|send/i },
  { name: 'Currency exchange', description: 'Exchange rates, foreign currencies and conversion fees.', keywords: /exchange|currenc|rate|foreign/i },
  { name: 'Charges and refunds', description: 'Card payments, fees, declined payments and refunds.', keywords: /refund|charge|fee|payment|declin|pay/i },
  { name: 'Cards and PINs', description: 'Physical and virtual cards, PINs, ATMs, card delivery and activation.', keywords: /card|pin|atm|cash/i },
  { name: 'Account and identity', description: 'Account details, identity checks, passcodes and personal data.', keywords: /./ },
];
/** Generated first, then merged into "Cards and PINs" by the first update. */
const DELIVERY = { name: 'Card delivery', description: 'When a new card will arrive and tracking it.' };
/** Generated with this name, renamed to "Top-up problems" by the first update. */
const TOPUP_FIRST_NAME = 'Top ups';

export function topicOf(text: string): string {
  return TOPICS.find((t) => t.keywords.test(text))!.name;
}

/** `- [L3] Name: description` lines of an induction prompt. */
function currentLabels(info: ChatRequestInfo): { id: string; name: string; description: string }[] {
  const text = info.messages.map((m) => m.content).join('\n');
  return [...text.matchAll(/^- \[([^\]]+)\] ([^:\n]+): (.*)$/gm)].map((m) => ({ id: m[1]!, name: m[2]!.trim(), description: m[3]!.trim() }));
}

/** `L3: Name - description` lines of a labeling system prompt -> id by name. */
function labelIds(info: ChatRequestInfo): Map<string, string> {
  const system = info.messages.find((m) => m.role === 'system')?.content ?? '';
  return new Map([...system.matchAll(/^(\S+): (.+?)(?: - .*)?$/gm)].map((m) => [m[2]!.trim(), m[1]!]));
}

export function scriptedLlm(info: ChatRequestInfo): ServerAnswer {
  switch (info.schemaName) {
    case 'text_summary':
      return { summary: info.lastUserMessage.split(/\s+/).slice(-20).join(' '), note: 'what the customer wants' };
    case 'taxonomy_draft':
      return {
        labels: [
          ...TOPICS.map((t) => ({ name: t.name === 'Top-up problems' ? TOPUP_FIRST_NAME : t.name, description: t.description })),
          DELIVERY,
        ],
        explanation: 'Six customer intents plus card delivery, which the texts ask about often.',
      };
    case 'taxonomy_revision':
    case 'taxonomy_review': {
      // Stateless (the answer depends on the request only), so a run killed and resumed anywhere gets the same
      // answers: the first update is the one that still sees the generated "Card delivery" label.
      const current = currentLabels(info);
      const review = info.schemaName === 'taxonomy_review';
      const delivery = current.find((l) => l.name === DELIVERY.name);
      const first = !review && delivery !== undefined;
      const labels = current
        .filter((l) => !(first && l === delivery))
        .map((l) => {
          const fromIds = first && l.name === 'Cards and PINs' && delivery ? [l.id, delivery.id] : [l.id];
          const name = first && l.name === TOPUP_FIRST_NAME ? 'Top-up problems' : l.name;
          return { name, description: l.description, fromIds };
        });
      return {
        rating: review ? 90 : first ? 67 : 80 + (current.length % 3) * 5,
        explanation: first ? 'Card delivery overlaps cards; "Top ups" is vague.' : 'The taxonomy fits this batch.',
        suggestions: first ? ['merge Card delivery into Cards and PINs', 'rename Top ups to Top-up problems'] : [],
        labels,
      };
    }
    case 'label_answer': {
      const ids = labelIds(info);
      const text = (JSON.parse(info.lastUserMessage.slice(info.lastUserMessage.indexOf('{'))) as { text: string }).text;
      return { label: ids.get(topicOf(text)) };
    }
    case 'label_answers': {
      const ids = labelIds(info);
      const items = [...info.lastUserMessage.matchAll(/^\{"id".*\}$/gm)].map((m) => JSON.parse(m[0]) as { id: string; text: string });
      return { answers: items.map((t) => ({ id: t.id, label: ids.get(topicOf(t.text)) })) };
    }
    default:
      return undefined; // a schema-following default answer
  }
}
