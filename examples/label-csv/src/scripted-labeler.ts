import type { ChatRequestInfo } from '@taxonomist/testing';

/**
 * A scripted stand-in for the labeling LLM, so the example runs offline: it reads the texts of a labeling request
 * (one text, or several keyed "t1", "t2"... when packed) and answers with the id of the first label of
 * taxonomy.json whose keywords the text contains. A real model reads the label descriptions instead.
 */

/** Keyword rules in priority order (specific problems before the generic "card" rule). */
const RULES: readonly [labelId: string, keywords: RegExp][] = [
  ['L2', /\b(lost|stolen|compromised|fraud\w*|hacked|without (my )?permission|didn't make|did not make|(don't|do not|not) recogni[sz]e|unauthori[sz]ed|strange)\b/i],
  ['L8', /\b(refund\w*|reverted|reversed|twice|money back)\b/i],
  ['L7', /\b(exchange|currenc(y|ies)|rates?|fiat|fees?|charged?|charges|extra)\b/i],
  ['L5', /\b(top[ -]?ups?|topped up|topping up)\b/i],
  ['L4', /\b(atm|cash|withdraw\w*|withdrawl|cheque|bank machine)\b/i],
  ['L6', /\b(transfer\w*|beneficiary|recipient|sent|send money|receiv\w* money|mortgage)\b/i],
  ['L1', /\b(arriv\w*|deliver\w*|activat\w*|new card|spare card|physical card|order\w*|virtual|disposable|expir\w*)\b/i],
  ['L9', /\b(identity|verif\w*|passcode|details|address|age|old|country|countries|account|close)\b/i],
  ['L3', /\b(cards?|contactless|pin|payments?|apple pay|google pay|visa|mastercard|declined)\b/i],
];

/** The label the scripted model gives a text. */
export function ruleLabel(text: string): string {
  return RULES.find(([, re]) => re.test(text))?.[0] ?? 'L9';
}

/** The texts of a labeling prompt: JSON lines after the "Text(s) to label" header. */
function textsToLabel(prompt: string): { id?: string; text: string }[] {
  const at = prompt.search(/Texts? to label/);
  if (at < 0) throw new Error('not a labeling prompt');
  return prompt
    .slice(at)
    .split('\n')
    .slice(1)
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as { id?: string; text: string });
}

export function scriptedLabeler(request: ChatRequestInfo): object {
  // A re-ask after an invalid answer appends messages; the texts are in the first user message.
  const prompt = request.messages.find((m) => m.role === 'user' && /Texts? to label/.test(m.content))?.content ?? '';
  const texts = textsToLabel(prompt);
  if (texts.length === 1 && texts[0]!.id === undefined) return { label: ruleLabel(texts[0]!.text) };
  return { answers: texts.map((t) => ({ id: t.id, label: ruleLabel(t.text) })) };
}
