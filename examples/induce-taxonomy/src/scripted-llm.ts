import type { ChatRequestInfo } from '@taxonomist/testing';

/**
 * A scripted stand-in for a real LLM, so the example runs offline and for free. It answers the three prompts of
 * taxonomy induction (generate / update / review, told apart by the schema name each request carries) the way a
 * sensible model would, from the texts it is shown:
 *
 * - generate: sorts the batch's texts by recurring themes (a fixed keyword lexicon stands in for the model's
 *   understanding) and proposes a label for every theme with enough support;
 * - update: rates how much of the new batch the current labels cover, keeps them, and adds labels for themes the
 *   batch shows that the taxonomy lacks;
 * - review: fixes overlaps by merging labels the lexicon marks as overlapping, under a broader name.
 *
 * A real model reads the use case and writes its own names; this one only knows banking themes. Swap it for a real
 * model by pointing the OpenAI plugin at a real endpoint (see README).
 */

interface Theme {
  name: string;
  description: string;
  keywords: readonly string[];
  /** The review merges this theme's label into the target theme's label (they overlap), renaming the result. */
  mergeInto?: { target: string; name: string; description: string };
}

export const THEMES: readonly Theme[] = [
  { name: 'Card Delivery', description: 'When an ordered or replacement card arrives, and tracking its delivery.', keywords: ['arrive', 'arrived', 'delivery', 'deliver', 'delivered', 'track', 'mail'] },
  { name: 'Lost or Stolen Card', description: 'A card or phone that was lost, stolen or compromised, and blocking it.', keywords: ['lost', 'stolen', 'compromised', 'lose', 'swallowed', 'keep my card'] },
  { name: 'Card Payment Problems', description: 'Card payments that were declined, are pending or did not work, including contactless.', keywords: ['declined', 'contactless', 'not working', "doesn't work", 'rejected', 'payment'] },
  { name: 'Mobile Wallets', description: 'Adding the card to Apple Pay or Google Pay and paying with them.', keywords: ['apple pay', 'google pay', 'apple', 'google'] },
  { name: 'Top-Ups', description: 'Adding money to the account by card, bank transfer, cash or cheque, and top-up limits.', keywords: ['top up', 'top-up', 'topped', 'topping', 'top-ups', 'topup'] },
  { name: 'Transfers', description: 'Sending and receiving bank transfers, their status and their recipients.', keywords: ['transfer', 'transfers', 'transferred', 'beneficiary', 'recipient', 'sent'] },
  { name: 'Cash Withdrawals', description: 'Getting cash from ATMs, declined or wrong withdrawals, and ATM problems.', keywords: ['atm', 'cash', 'withdraw', 'withdrawal', 'withdrawals', 'withdrawl'] },
  { name: 'Exchange Rates', description: 'Currency exchange, the rates applied and the currencies supported.', keywords: ['exchange', 'rate', 'rates', 'currency', 'currencies', 'fiat'] },
  { name: 'Fees and Charges', description: 'Fees charged for payments, transfers, top-ups or withdrawals, and duplicate charges.', keywords: ['fee', 'fees', 'charge', 'charged', 'charges', 'twice'] },
  { name: 'Refunds', description: 'Asking for a refund, and refunds or reverted payments not showing up.', keywords: ['refund', 'refunds', 'refunded', 'reverted', 'money back'] },
  { name: 'Identity Verification', description: 'Verifying identity or source of funds, and why it is needed.', keywords: ['verify', 'verification', 'identity', 'verified', 'id', 'source'] },
  { name: 'PIN and Passcode', description: 'Changing or unblocking a PIN, and forgotten passcodes.', keywords: ['pin', 'passcode', 'password', 'blocked'] },
  { name: 'Virtual and Spare Cards', description: 'Getting virtual, disposable or extra cards, and their limits.', keywords: ['virtual', 'disposable', 'spare', 'extra card', 'another card'] },
  { name: 'Unrecognised Transactions', description: "Payments, withdrawals or direct debits on the statement the customer doesn't recognise.", keywords: ["don't recognise", "don't recognize", 'not recognise', 'not recognize', "didn't make", 'strange', 'unauthorized', 'direct debit'], mergeInto: { target: 'Lost or Stolen Card', name: 'Card Security and Fraud', description: "Lost, stolen or compromised cards and phones, and payments the customer doesn't recognise." } },
  { name: 'Account Settings', description: 'Personal details, account closure, age limits and supported countries.', keywords: ['details', 'address', 'close my account', 'delete', 'terminate', 'age', 'old', 'country', 'countries'] },
];

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const patterns = new Map(THEMES.map((t) => [t.name, t.keywords.map((k) => new RegExp(`(^|[^a-z])${escape(k)}($|[^a-z])`, 'i'))]));

/** The theme a text is mostly about (most keyword hits; ties: the first listed), or undefined. */
export function themeOf(text: string): Theme | undefined {
  let best: { theme: Theme; hits: number } | undefined;
  for (const theme of THEMES) {
    const hits = patterns.get(theme.name)!.filter((re) => re.test(text)).length;
    if (hits > 0 && (best === undefined || hits > best.hits)) best = { theme, hits };
  }
  return best?.theme;
}

/** The numbered texts of a prompt (`1. "text"` lines after the given header; each text is a JSON string). */
function batchTexts(prompt: string): string[] {
  const at = prompt.search(/^(New texts|Texts) \(\d+\):$/m);
  if (at < 0) return [];
  return prompt
    .slice(at)
    .split('\n')
    .slice(1)
    .map((l) => /^\d+\. (".*")$/.exec(l)?.[1])
    .filter((t): t is string => t !== undefined)
    .map((t) => JSON.parse(t) as string);
}

/** The current labels of an update / review prompt ("- [L3] Name: description" lines). */
function currentLabels(prompt: string): { id: string; name: string; description: string }[] {
  return [...prompt.matchAll(/^- \[([^\]]+)\] ([^:]+): (.*)$/gm)].map((m) => ({ id: m[1]!, name: m[2]!, description: m[3]! }));
}

/** Upper bound on labels from the rules in the system prompt. */
function maxLabels(system: string): number {
  const m = /between \d+ and (\d+) labels|exactly (\d+) labels/.exec(system);
  return Number(m?.[1] ?? m?.[2] ?? 25);
}

/** Themes of a batch with their support, most frequent first (ties in lexicon order). */
function themeSupport(texts: string[]): { theme: Theme; count: number }[] {
  const counts = new Map<Theme, number>();
  for (const t of texts) {
    const theme = themeOf(t);
    if (theme) counts.set(theme, (counts.get(theme) ?? 0) + 1);
  }
  return THEMES.filter((t) => counts.has(t))
    .map((theme) => ({ theme, count: counts.get(theme)! }))
    .sort((a, b) => b.count - a.count);
}

/** A theme needs this share of a batch before it becomes a label (a real model also ignores one-offs). */
const MIN_SHARE = 0.03;

export function scriptedTaxonomist(request: ChatRequestInfo): object {
  const system = request.messages.find((m) => m.role === 'system')?.content ?? '';
  const prompt = request.lastUserMessage;
  const limit = maxLabels(system);

  switch (request.schemaName) {
    case 'taxonomy_draft': {
      const texts = batchTexts(prompt);
      const themes = themeSupport(texts).filter((s) => s.count >= Math.max(2, texts.length * MIN_SHARE)).slice(0, limit);
      return {
        labels: themes.map(({ theme }) => ({ name: theme.name, description: theme.description })),
        explanation: `The ${texts.length} texts fall into ${themes.length} recurring requests; each label names one.`,
      };
    }
    case 'taxonomy_revision': {
      const texts = batchTexts(prompt);
      const labels = currentLabels(prompt);
      const known = new Set(labels.map((l) => l.name));
      const support = themeSupport(texts);
      const themed = support.reduce((s, x) => s + x.count, 0);
      const covered = support.filter((s) => known.has(s.theme.name)).reduce((s, x) => s + x.count, 0);
      const room = Math.max(0, limit - labels.length);
      const added = support
        .filter((s) => !known.has(s.theme.name) && s.count >= Math.max(2, texts.length * MIN_SHARE))
        .slice(0, room)
        .map((s) => s.theme);
      return {
        rating: themed === 0 ? 100 : Math.round((100 * covered) / themed),
        explanation: `The labels cover ${covered} of the ${themed} texts with a clear request.`,
        suggestions: added.map((t) => `add "${t.name}"`),
        labels: [
          ...labels.map((l) => ({ name: l.name, description: l.description, fromIds: [l.id] })),
          ...added.map((t) => ({ name: t.name, description: t.description, fromIds: [] })),
        ],
      };
    }
    case 'taxonomy_review': {
      const labels = currentLabels(prompt);
      const byName = new Map(labels.map((l) => [l.name, l]));
      // label id -> the label it merges into, and the merged label's new name and description
      const merges = new Map<string, { into: string; name: string; description: string }>();
      for (const l of labels) {
        const merge = THEMES.find((t) => t.name === l.name)?.mergeInto;
        const target = merge === undefined ? undefined : byName.get(merge.target);
        if (merge && target) merges.set(l.id, { into: target.id, name: merge.name, description: merge.description });
      }
      const mergedInto = (id: string) => [...merges].filter(([, m]) => m.into === id);
      return {
        rating: merges.size === 0 ? 95 : 85,
        explanation: merges.size === 0 ? 'The labels are distinct and specific.' : 'Some labels overlapped; merged them under a broader name.',
        suggestions: [...merges].map(([from, m]) => `merge ${from} into ${m.into} as "${m.name}"`),
        labels: labels
          .filter((l) => !merges.has(l.id))
          .map((l) => {
            const sources = mergedInto(l.id);
            const renamed = sources[0]?.[1];
            return {
              name: renamed?.name ?? l.name,
              description: renamed?.description ?? l.description,
              fromIds: [l.id, ...sources.map(([from]) => from)],
            };
          }),
      };
    }
    default:
      throw new Error(`the scripted taxonomist does not answer "${request.schemaName ?? 'free text'}" requests`);
  }
}
