import { describe, it, expect } from 'vitest';
import { createScriptedChatModel, createScriptedEmbeddings } from '@taxonomist/testing';
import { label } from '../src/index.js';
import { TAXONOMY, answerBy, collect, gateway, keywordLabel } from './helpers.js';

const POOL = [
  { text: 'my card has not arrived yet', label: 'L1' },
  { text: 'how long until the card arrives', label: 'card arrival' },
  { text: 'exchange rate for euros today', label: 'L2' },
  { text: 'what rate for yen exchange', label: 'L2' },
  { text: 'someone stole my wallet and card', label: 'L3' },
  { text: 'card lost on holiday', label: 'L3' },
  { text: 'I want my money back refund', label: 'L4' },
  { text: 'refund the double charge', label: 'L4' },
];

function examplesIn(content: string): { text: string; label: string }[] {
  const at = content.indexOf('Labeled examples:');
  if (at < 0) return [];
  const lines = content.slice(at).split('\n').slice(1);
  const out: { text: string; label: string }[] = [];
  for (const l of lines) {
    if (!l.startsWith('{')) break;
    out.push(JSON.parse(l) as { text: string; label: string });
  }
  return out;
}

describe('few-shot', () => {
  it('without embeddings: a seeded selection spread over labels, the same for every call', async () => {
    const run = async (seed: number) => {
      const model = createScriptedChatModel({ responses: answerBy((t) => keywordLabel(t) ?? 'L1') });
      await collect(label([{ id: 'a', text: 'rate?' }, { id: 'b', text: 'arrive?' }], TAXONOMY, {
        gateway: gateway(),
        model,
        seed,
        fewShot: { labeled: POOL, k: 4 },
      }));
      return model.calls.map((c) => examplesIn(c.messages.at(-1)!.content));
    };
    const [first, second] = await run(1);
    expect(first).toHaveLength(4);
    expect(first).toEqual(second);
    // One per label (4 labels, k = 4), names resolved to ids.
    expect(new Set(first!.map((e) => e.label))).toEqual(new Set(['L1', 'L2', 'L3', 'L4']));
    expect(await run(1)).toEqual([first, second]);
    const others = await Promise.all([2, 3, 4, 5].map((s) => run(s)));
    expect(others.some(([x]) => JSON.stringify(x) !== JSON.stringify(first))).toBe(true);
  });

  it('with an embeddings model: the most similar examples per text, never the text itself', async () => {
    const model = createScriptedChatModel({ responses: answerBy((t) => keywordLabel(t) ?? 'L1') });
    const embeddings = createScriptedEmbeddings({ dimensions: 256 });
    const records = [
      { id: 'x', text: 'euros exchange rate today' },
      { id: 'y', text: 'refund the double charge' }, // identical to a pool text: must not be its own example
    ];
    await collect(label(records, TAXONOMY, { gateway: gateway(), model, fewShot: { labeled: POOL, k: 2, embeddings } }));
    const byText = new Map(model.calls.map((c) => [c.messages.at(-1)!.content.includes('euros') ? 'x' : 'y', examplesIn(c.messages.at(-1)!.content)]));
    expect(byText.get('x')!.map((e) => e.label)).toEqual(['L2', 'L2']);
    expect(byText.get('x')![0]!.text).toBe('exchange rate for euros today');
    expect(byText.get('y')!.map((e) => e.text)).not.toContain('refund the double charge');
    expect(byText.get('y')![0]!.label).toBe('L4');
    // The pool was embedded once; each call embedded its own texts.
    expect(embeddings.calls.flatMap((c) => c.texts).filter((t) => t === POOL[0]!.text)).toHaveLength(1);
  });

  it('rejects examples whose label is not in the taxonomy, naming them', async () => {
    const model = createScriptedChatModel({});
    await expect(
      collect(label([{ id: 'a', text: 'x' }], TAXONOMY, { gateway: gateway(), model, fewShot: { examples: [{ text: 't', label: 'Nope' }] } })),
    ).rejects.toThrow('fewShot examples[0]: field "label": "Nope" is not a label id or name of the taxonomy');
  });
});
