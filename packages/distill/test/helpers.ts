import { CsrBuilder, createRng, type CsrMatrix } from '@taxonomist/core';
import type { LabeledExample } from '../src/index.js';

/** Random sparse matrix with `nnzPerRow` entries per row (sorted, unique columns). */
export function randomCsr(rows: number, cols: number, nnzPerRow: number, seed: number): CsrMatrix {
  const rng = createRng(seed);
  const b = new CsrBuilder(cols);
  for (let r = 0; r < rows; r++) {
    const set = new Set<number>();
    while (set.size < Math.min(nnzPerRow, cols)) set.add(rng.int(cols));
    const idx = [...set].sort((a, c) => a - c);
    b.pushRow(idx, idx.map(() => rng.normal()));
  }
  return b.build();
}

const TOPICS: Record<string, string[]> = {
  card_lost: ['lost', 'stolen', 'missing', 'card', 'wallet', 'find'],
  top_up: ['top', 'up', 'topup', 'add', 'money', 'balance'],
  refund: ['refund', 'return', 'money', 'back', 'merchant', 'purchase'],
};
const FILLER = ['i', 'my', 'the', 'please', 'help', 'can', 'you', 'how', 'do', 'need', 'is', 'it'];

/** Small synthetic intent data: each text mixes topic words and filler, seeded. */
export function syntheticExamples(n: number, seed: number, labels = Object.keys(TOPICS)): LabeledExample[] {
  const rng = createRng(seed);
  const out: LabeledExample[] = [];
  for (let i = 0; i < n; i++) {
    const label = labels[i % labels.length]!;
    const words: string[] = [];
    const len = 5 + rng.int(6);
    for (let w = 0; w < len; w++) {
      const topical = rng.next() < 0.45;
      const pool = topical ? TOPICS[label]! : FILLER;
      words.push(pool[rng.int(pool.length)]!);
    }
    out.push({ id: `s${seed}-${i}`, text: words.join(' '), label });
  }
  return out;
}
