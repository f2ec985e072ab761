import { describe, expect, it } from 'vitest';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { createScriptedChatModel } from '@taxonomist/testing';
import { label, labelToFile } from '../src/index.js';
import { TAXONOMY, answerBy, corpus, gateway, keywordLabel, labelingMessage, tempDir, textsOf } from './helpers.js';

/**
 * Resume with the per-id sets spilled to disk (core's SpillIdSet with a table of 3 ids: hundreds of spill
 * boundaries): done ids skipped exactly, and the file ends byte-identical to an uninterrupted run, whether the
 * earlier lines were in input order (no rewrite), had gaps, were shuffled or held ids the corpus lacks.
 */
const tiny = { idSet: { memoryEntries: 3 }, corpusOptions: { idSet: { memoryEntries: 3 } } };
const keyword = () => createScriptedChatModel({ responses: answerBy((t) => keywordLabel(t)!) });
/** Ids the model was asked to label. */
const askedIds = (model: ReturnType<typeof keyword>): string[] =>
  model.calls.flatMap((c) => textsOf(labelingMessage(c as never)).map((t) => t.text));

describe('resume with spilled id sets', () => {
  it('skips exactly the done ids and ends byte-identical to an uninterrupted run', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const records = corpus(120);
      const corpusPath = `${dir}/corpus.jsonl`;
      await writeFile(corpusPath, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
      const refPath = `${dir}/ref.jsonl`;
      await labelToFile(corpusPath, TAXONOMY, { gateway: gateway(), model: keyword(), out: refPath, ordered: true, pack: 4 });
      const ref = await readFile(refPath, 'utf8');
      const refLines = ref.split('\n').filter(Boolean);
      expect(refLines).toHaveLength(120);
      const opts = { gateway: gateway(), ordered: true, pack: 4, ...tiny };

      // Killed after 37 lines, then resumed: only the rest is asked, nothing is rewritten (already in input order).
      const out = `${dir}/a.jsonl`;
      const run = label(corpusPath, TAXONOMY, { ...opts, model: keyword(), out });
      let n = 0;
      for await (const _ of run) if (++n === 37) break;
      const written = (await readFile(out, 'utf8')).split('\n').filter(Boolean).length;
      const model = keyword();
      const second = await labelToFile(corpusPath, TAXONOMY, { ...opts, model, out });
      expect(second.input.alreadyOk).toBe(written);
      expect(askedIds(model)).toHaveLength(120 - written);
      expect(new Set(askedIds(model))).toEqual(new Set(records.slice(written).map((r) => r.text)));
      expect(second.out?.compacted).toBe(false);
      expect(await readFile(out, 'utf8')).toBe(ref);

      // Nothing left to do: no call, no rewrite.
      const idle = keyword();
      const third = await labelToFile(corpusPath, TAXONOMY, { ...opts, model: idle, out });
      expect(idle.calls).toHaveLength(0);
      expect(third).toMatchObject({ status: 'done', input: { alreadyOk: 120 }, out: { compacted: false } });
      expect(await readFile(out, 'utf8')).toBe(ref);
    } finally {
      await cleanup();
    }
  });

  it('earlier lines with gaps, shuffled, or with ids outside the corpus end in input order, foreign ids last', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const records = corpus(60);
      const corpusPath = `${dir}/corpus.jsonl`;
      await writeFile(corpusPath, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
      const refPath = `${dir}/ref.jsonl`;
      await labelToFile(corpusPath, TAXONOMY, { gateway: gateway(), model: keyword(), out: refPath, ordered: true, pack: 4 });
      const refLines = (await readFile(refPath, 'utf8')).split('\n').filter(Boolean);
      const foreign = JSON.stringify({ ...JSON.parse(refLines[0]!), id: 'not-in-corpus' });
      const cases: { name: string; earlier: string[]; asked: number; compacted: boolean; expected: string[] }[] = [
        // A killed ordered run leaves gaps (records in flight): the resume appends them after later lines.
        { name: 'gaps', earlier: refLines.filter((_, i) => i !== 5 && i !== 40), asked: 2, compacted: true, expected: refLines },
        { name: 'shuffled', earlier: [refLines[1]!, refLines[0]!, ...refLines.slice(2)], asked: 0, compacted: true, expected: refLines },
        { name: 'foreign last', earlier: [...refLines, foreign], asked: 0, compacted: false, expected: [...refLines, foreign] },
        { name: 'foreign in the middle', earlier: [...refLines.slice(0, 30), foreign, ...refLines.slice(30)], asked: 0, compacted: true, expected: [...refLines, foreign] },
        // Done lines in order, but new lines would land after a foreign id: sorted, foreign last.
        { name: 'foreign, then new', earlier: [...refLines.slice(0, 50), foreign], asked: 10, compacted: true, expected: [...refLines, foreign] },
      ];
      for (const c of cases) {
        const out = `${dir}/${c.name.replace(/\W+/g, '-')}.jsonl`;
        await writeFile(out, '');
        await appendFile(out, c.earlier.map((l) => `${l}\n`).join(''));
        const model = keyword();
        const s = await labelToFile(corpusPath, TAXONOMY, { gateway: gateway(), model, out, ordered: true, pack: 4, ...tiny });
        expect({ name: c.name, asked: askedIds(model).length, compacted: s.out?.compacted }).toEqual({ name: c.name, asked: c.asked, compacted: c.compacted });
        expect({ name: c.name, lines: (await readFile(out, 'utf8')).split('\n').filter(Boolean) }).toEqual({ name: c.name, lines: c.expected });
      }
    } finally {
      await cleanup();
    }
  });
});
