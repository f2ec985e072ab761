import { describe, it, expect } from 'vitest';
import { jsonErrorOffset } from '../../src/io/json-error-offset.js';
import { createRng } from '../../src/util/random.js';

describe('jsonErrorOffset', () => {
  it('finds the offset of common syntax errors', () => {
    expect(jsonErrorOffset('{\n  "a": 1,\n  "b": ,\n}')).toBe(19);
    expect(jsonErrorOffset('[1,]')).toBe(3);
    expect(jsonErrorOffset('{"a":tru}')).toBe(8);
    expect(jsonErrorOffset('{"a":1')).toBe(6);
    expect(jsonErrorOffset('"abc')).toBe(4);
    expect(jsonErrorOffset('')).toBe(0);
    expect(jsonErrorOffset('{"a":1} x')).toBe(8);
    expect(jsonErrorOffset(' {"a": [1, -2.5e3, true, null, "\\u00e9\\n"]} ')).toBeUndefined();
  });

  it('agrees with JSON.parse on which texts are valid, and on the position when V8 gives one', () => {
    const rng = createRng(7);
    const base = JSON.stringify({ id: 'L1', n: -12.5e-3, ok: [true, false, null], s: 'q"\\\n\u00e9', o: { x: [] } }, null, 1);
    const alphabet = ['{', '}', '[', ']', ',', ':', '"', '\\', '1', '-', 'e', '.', ' ', 'n', 't', '\n', 'x'];
    let invalid = 0;
    for (let k = 0; k < 3000; k++) {
      const chars = [...base];
      const edits = 1 + rng.int(2);
      for (let e = 0; e < edits; e++) {
        const at = rng.int(chars.length);
        const op = rng.int(3);
        if (op === 0) chars.splice(at, 1);
        else if (op === 1) chars.splice(at, 0, alphabet[rng.int(alphabet.length)]!);
        else chars[at] = alphabet[rng.int(alphabet.length)]!;
      }
      const text = chars.join('');
      let v8: string | undefined;
      try {
        JSON.parse(text);
      } catch (err) {
        v8 = (err as Error).message;
      }
      const ours = jsonErrorOffset(text);
      expect(ours === undefined, text).toBe(v8 === undefined);
      if (v8 !== undefined) {
        invalid++;
        const pos = /position (\d+)/.exec(v8);
        if (pos !== null) expect(ours, `${text}\n${v8}`).toBe(Number(pos[1]));
      }
    }
    expect(invalid).toBeGreaterThan(1000);
  });
});
