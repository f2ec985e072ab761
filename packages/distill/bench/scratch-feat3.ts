import { readFileSync } from 'node:fs';
import { SparseTextFeaturizer, createKeyBuffer, createTokenSpans, wordSpans, whitespaceSpans, emitWordNgrams, emitCharWbNgrams } from '@taxonomist/core';
const load = (p: string) => readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { text: string; label: string });
const train = load('../shared/data/banking77/train.jsonl');
const texts = train.map((r) => r.text);
const kb = createKeyBuffer(); const sp = createTokenSpans(); const ws = createTokenSpans();
function time(name: string, fn: (t: string) => number) {
  for (let k = 0; k < 3; k++) {
    const t = performance.now(); let s = 0;
    for (let rep = 0; rep < 3; rep++) for (const x of texts) s += fn(x);
    if (k === 2) console.log(name, 'us/text', ((performance.now() - t) * 1000) / (3 * texts.length), s / 3 / texts.length);
  }
}
time('lower', (x) => x.toLowerCase().length);
time('wordspans', (x) => wordSpans(x.toLowerCase(), sp, 1).count);
time('word emit', (x) => { kb.count = 0; const p = x.toLowerCase(); emitWordNgrams(p, wordSpans(p, sp, 1), 1, 2, kb); return kb.count; });
time('charwb emit', (x) => { kb.count = 0; const p = x.toLowerCase(); emitCharWbNgrams(p, whitespaceSpans(p, ws), 2, 5, kb); return kb.count; });
const f = new SparseTextFeaturizer({}).fit(texts);
time('featurizeRow', (x) => f.featurizeRow(x).count);
