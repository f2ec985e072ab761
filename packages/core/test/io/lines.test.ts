import { describe, it, expect } from 'vitest';
import { readLineBatches } from '../../src/io/lines.js';
import { tempDir } from './tmp.js';

const t = tempDir();

async function lines(path: string, highWaterMark: number) {
  const out: { line: number; text: string; valid: boolean; terminated: boolean }[] = [];
  for await (const batch of readLineBatches(path, { highWaterMark })) {
    for (const l of batch) out.push({ line: l.line, text: l.text, valid: l.valid, terminated: l.terminated });
  }
  return out;
}

describe('readLineBatches', () => {
  it('gives the same lines whatever the chunk size (lines, CRLF and multi-byte characters split across chunks)', async () => {
    const text = '\ufeffé€😀 first\r\nsecond line is longer than a chunk\n\n\r\nlast 😀';
    const path = t.file('chunks.txt', text);
    const expected = [
      { line: 1, text: 'é€😀 first', valid: true, terminated: true },
      { line: 2, text: 'second line is longer than a chunk', valid: true, terminated: true },
      { line: 3, text: '', valid: true, terminated: true },
      { line: 4, text: '', valid: true, terminated: true },
      { line: 5, text: 'last 😀', valid: true, terminated: false },
    ];
    for (const hwm of [3, 4, 5, 7, 64 * 1024]) expect(await lines(path, hwm)).toEqual(expected);
  });

  it('confines invalid UTF-8 to its own line', async () => {
    const path = t.file('bad.txt', Buffer.concat([Buffer.from('ok\n'), Buffer.from([0x61, 0xc3, 0x28, 0x0a]), Buffer.from('fine\n')]));
    for (const hwm of [2, 3, 1024]) expect((await lines(path, hwm)).map((l) => l.valid)).toEqual([true, false, true]);
  });

  it('yields nothing for an empty file and one line for a lone newline', async () => {
    expect(await lines(t.file('empty.txt', ''), 16)).toEqual([]);
    expect(await lines(t.file('nl.txt', '\n'), 16)).toEqual([{ line: 1, text: '', valid: true, terminated: true }]);
  });
});
