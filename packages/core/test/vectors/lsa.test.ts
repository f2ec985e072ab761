import { describe, it, expect } from 'vitest';
import { LsaVectorizer } from '../../src/vectors/index.js';

const texts = [
  'my card has not arrived yet',
  'when will my new card arrive',
  'the card still has not arrived',
  'refund my purchase please',
  'I want a refund for this purchase',
  'how do I get a refund',
  'exchange rate for euro',
  'what exchange rate do you use for euro',
  'the euro exchange rate is wrong',
];

describe('LsaVectorizer', () => {
  it('gives unit vectors where texts of a theme are closer than texts of different themes', () => {
    const { vectorizer, vectors } = LsaVectorizer.fit(texts, { seed: 1, dimensions: 3, featurizer: { blocks: [{ analyzer: 'word', ngramRange: [1, 1] }], minDf: 2 } });
    expect(vectorizer.dimensions).toBe(3);
    const v = (i: number) => Array.from(vectors.data.subarray(i * 3, i * 3 + 3));
    const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
    for (let i = 0; i < texts.length; i++) expect(Math.hypot(...v(i))).toBeCloseTo(1, 10);
    // every text is closer to each text of its theme than to any text of another theme
    for (let i = 0; i < texts.length; i++) {
      let minSame = Infinity;
      let maxOther = -Infinity;
      for (let j = 0; j < texts.length; j++) {
        if (j === i) continue;
        const c = cos(v(i), v(j));
        if (Math.floor(i / 3) === Math.floor(j / 3)) minSame = Math.min(minSame, c);
        else maxOther = Math.max(maxOther, c);
      }
      expect(minSame).toBeGreaterThan(maxOther);
    }
  });

  it('round-trips through JSON and transforms exactly like the fitted vectors', () => {
    const { vectorizer, vectors } = LsaVectorizer.fit(texts, { seed: 5, dimensions: 4 });
    const state = JSON.parse(JSON.stringify(vectorizer.toJSON()));
    const loaded = LsaVectorizer.fromJSON(state);
    const again = loaded.transform(texts);
    expect(Array.from(again.data)).toEqual(Array.from(vectors.data));
    expect(JSON.stringify(loaded.toJSON())).toBe(JSON.stringify(vectorizer.toJSON()));
    expect(() => LsaVectorizer.fromJSON({ ...state, svd: { ...state.svd, k: 7 } })).toThrow(/svd.weights has \d+ values, expected/);
    expect(() => LsaVectorizer.fromJSON({ ...state, version: 9 })).toThrow();
  });

  it('fits the SVD on a seeded sample when told (svdSample) and still projects every text the way transform does', () => {
    const many = Array.from({ length: 6 }, (_, r) => texts.map((t) => `${t} ${['now', 'today', 'again', 'please', 'soon', 'here'][r]}`)).flat();
    const full = LsaVectorizer.fit(many, { seed: 5, dimensions: 4 });
    const sampled = LsaVectorizer.fit(many, { seed: 5, dimensions: 4, svdSample: 20 });
    expect(sampled.vectors.rows).toBe(many.length);
    expect(Array.from(sampled.vectorizer.transform(many).data)).toEqual(Array.from(sampled.vectors.data));
    expect(Array.from(sampled.vectors.data)).not.toEqual(Array.from(full.vectors.data));
    const again = LsaVectorizer.fit(many, { seed: 5, dimensions: 4, svdSample: 20 });
    expect(Array.from(again.vectors.data)).toEqual(Array.from(sampled.vectors.data));
    // A sample as large as the corpus is the full fit.
    expect(Array.from(LsaVectorizer.fit(many, { seed: 5, dimensions: 4, svdSample: many.length }).vectors.data)).toEqual(Array.from(full.vectors.data));
    expect(() => LsaVectorizer.fit(many, { seed: 5, svdSample: 0 })).toThrow(/svdSample must be a positive integer/);
  });

  it('explains an empty vocabulary', () => {
    expect(() => LsaVectorizer.fit(['alpha', 'beta'], { seed: 1 })).toThrow(/no term survives/);
    expect(() => LsaVectorizer.fit([], { seed: 1 })).toThrow(/zero texts/);
  });
});
