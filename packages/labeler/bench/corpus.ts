/**
 * The benchmark corpus and the server's answer script, shared by the benchmark (client side) and the server process
 * it forks: both build the same corpus from the same files, so the server can answer with the gold labels without
 * shipping 20 000 texts over IPC.
 */
import { join } from 'node:path';
import { readCorpusAll } from '@taxonomist/core';
import { requireBenchData } from '../../../bench/shared-data.js';
import type { CorpusRecord, Taxonomy } from '@taxonomist/core';
import type { ChatRequestInfo, ChatScriptFunction } from '@taxonomist/testing';

// <repo root>/../shared/data/banking77, or $TAXONOMIST_DATA/banking77: checked when the benchmark (or its server
// process) loads this module.
const DATA = requireBenchData('banking77', ['train.jsonl', 'test.jsonl']);

export interface BenchCorpus {
  records: CorpusRecord[];
  taxonomy: Taxonomy;
  /** text -> gold label id (what the scripted server answers). */
  gold: Map<string, string>;
}

/** banking77 train + test (13 083 texts, 77 intents), topped up with numbered variants to reach `size` texts. */
export async function loadBenchCorpus(size: number): Promise<BenchCorpus> {
  const train = await readCorpusAll(join(DATA, 'train.jsonl'), { labelField: 'label' });
  const test = await readCorpusAll(join(DATA, 'test.jsonl'), { labelField: 'label' });
  const base = [...train.records, ...test.records];
  const names = [...new Set(base.map((r) => r.label!))].sort();
  const idOf = new Map(names.map((n, i) => [n, `L${i + 1}`]));
  const taxonomy: Taxonomy = {
    schemaVersion: 1,
    useCase: 'Intents of online banking customer support messages',
    labels: names.map((n) => ({ id: idOf.get(n)!, name: n, description: `Messages about ${n.replace(/_/g, ' ')}.` })),
  };
  const records: CorpusRecord[] = [];
  const gold = new Map<string, string>();
  for (let i = 0; records.length < size; i++) {
    const r = base[i % base.length]!;
    const round = Math.floor(i / base.length);
    const text = round === 0 ? r.text : `${r.text} (${round})`;
    records.push({ id: round === 0 ? r.id : `${r.id}-${round}`, text });
    gold.set(text, idOf.get(r.label!)!);
  }
  return { records, taxonomy, gold };
}

/** The texts of a labeling prompt (one line of JSON per text after "Text(s) to label"), keyed when packed. */
function labelingTexts(request: ChatRequestInfo): { key?: string; text: string }[] {
  const prompt = request.messages.find((m) => m.role === 'user' && /Texts? to label/.test(m.content))?.content ?? '';
  return prompt
    .slice(prompt.search(/Texts? to label/))
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { id?: string; text: string })
    .map((o) => ({ ...(o.id !== undefined ? { key: o.id } : {}), text: o.text }));
}

/** Answers labeling prompts with the gold labels; anything else (the baseline's bare calls) gets the default answer. */
export function goldScript(gold: Map<string, string>): ChatScriptFunction {
  return (request) => {
    const texts = labelingTexts(request);
    if (texts.length === 0) return undefined; // baseline calls: schema-following default answer
    if (texts.length === 1 && texts[0]!.key === undefined) return { label: gold.get(texts[0]!.text) ?? 'L1' };
    return { answers: texts.map((t) => ({ id: t.key!, label: gold.get(t.text) ?? 'L1' })) };
  };
}
