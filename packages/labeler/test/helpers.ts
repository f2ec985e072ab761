import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway } from '@taxonomist/core';
import type { CorpusRecord, Gateway, GatewayOptions, LabelAssignment, Taxonomy } from '@taxonomist/core';

export const TAXONOMY: Taxonomy = {
  schemaVersion: 1,
  useCase: 'Customer support messages of a bank',
  labels: [
    { id: 'L1', name: 'card arrival', description: 'When a new card will arrive.' },
    { id: 'L2', name: 'exchange rate', description: 'Questions about currency exchange rates.' },
    { id: 'L3', name: 'lost or stolen card', description: 'The card was lost or stolen.' },
    { id: 'L4', name: 'refund request', description: 'The customer wants money back.' },
  ],
};

/** The label a careful model would give: by keyword (undefined = none fits). */
export function keywordLabel(text: string): string | undefined {
  const t = text.toLowerCase();
  if (t.includes('arrive')) return 'L1';
  if (t.includes('rate')) return 'L2';
  if (t.includes('lost') || t.includes('stolen')) return 'L3';
  if (t.includes('refund')) return 'L4';
  return undefined;
}

const TOPICS = [
  'When will my new card arrive?',
  'What exchange rate do you use for dollars?',
  'I lost my card yesterday',
  'I want a refund for this charge',
];

/** n records cycling over the four topics, each text distinct. */
export function corpus(n: number, prefix = 'r'): CorpusRecord[] {
  return Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, text: `${TOPICS[i % TOPICS.length]} (#${i})` }));
}

/** The texts of a labeling request, parsed back from the user message (JSON lines after the header). */
export function textsOf(userMessage: string): { key?: string; text: string }[] {
  const at = userMessage.search(/Texts? to label/);
  if (at < 0) throw new Error(`not a labeling prompt: ${userMessage.slice(0, 80)}`);
  return userMessage
    .slice(at)
    .split('\n')
    .slice(1)
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as { id?: string; text: string })
    .map((o) => (o.id !== undefined ? { key: o.id, text: o.text } : { text: o.text }));
}

/** The labeling prompt of a call (a repair re-ask appends messages after it). */
export function labelingMessage(call: { messages: { role: string; content: string }[] }): string {
  const m = call.messages.find((x) => x.role === 'user' && /Texts? to label/.test(x.content));
  if (m === undefined) throw new Error('no labeling prompt in the call');
  return m.content;
}

/** A script answering every labeling call (single or packed) with `pick(text)`. */
export function answerBy(pick: (text: string) => string) {
  return (call: { messages: { role: string; content: string }[] }): object => {
    const texts = textsOf(labelingMessage(call));
    if (texts.length === 1 && texts[0]!.key === undefined) return { label: pick(texts[0]!.text) };
    return { answers: texts.map((t) => ({ id: t.key!, label: pick(t.text) })) };
  };
}

export function gateway(options: GatewayOptions = {}): Gateway {
  return createGateway({ retry: { baseDelayMs: 1, maxDelayMs: 2, jitter: false }, ...options });
}

export async function tempDir(): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'labeler-test-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function readLines(path: string): Promise<LabelAssignment[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as LabelAssignment);
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
