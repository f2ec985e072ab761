import { describe, expect, it } from 'vitest';
import {
  SparseTextFeaturizer,
  assertCsr,
  csrRowSquaredNorms,
  csrToDense,
  registerTokenizer,
} from '../../../src/vectors/sparse/index.js';

const wordsOnly = { blocks: [{ analyzer: 'word' as const, ngramRange: [1, 1] as [number, number] }], keepTerms: true };

function rowAsMap(f: SparseTextFeaturizer, text: string): Record<string, number> {
  const names = f.featureNames()!;
  const m = f.transform([text]);
  const out: Record<string, number> = {};
  for (let p = m.indptr[0]!; p < m.indptr[1]!; p++) out[names[m.indices[p]!]!] = m.data[p]!;
  return out;
}

describe('SparseTextFeaturizer TF-IDF', () => {
  it('matches scikit-learn TfidfVectorizer(sublinear_tf=True, smooth_idf=True, norm="l2") on a tiny corpus', () => {
    const f = new SparseTextFeaturizer(wordsOnly).fit(['a b a', 'b c']);
    // idf(a) = idf(c) = ln(3/2) + 1, idf(b) = 1; tf(a, doc1) = 1 + ln 2; then L2 normalisation.
    const d1 = rowAsMap(f, 'a b a');
    expect(d1.a).toBeCloseTo(0.921909, 5);
    expect(d1.b).toBeCloseTo(0.387411, 5);
    const d2 = rowAsMap(f, 'b c');
    expect(d2.b).toBeCloseTo(0.579739, 5);
    expect(d2.c).toBeCloseTo(0.814802, 5);
    expect(f.dimension).toBe(3);
  });

  it('raw tf without idf and without norm gives plain counts', () => {
    const f = new SparseTextFeaturizer({ ...wordsOnly, sublinearTf: false, useIdf: false, norm: 'none' }).fit(['a b a', 'b c']);
    expect(rowAsMap(f, 'a a a b')).toEqual({ a: 3, b: 1 });
    const bin = new SparseTextFeaturizer({ ...wordsOnly, binary: true, useIdf: false, norm: 'none' }).fit(['a b a']);
    expect(rowAsMap(bin, 'a a a b')).toEqual({ a: 1, b: 1 });
  });

  it('lowercases by default, ignores unseen n-grams and returns sorted, valid CSR rows', () => {
    const f = new SparseTextFeaturizer(wordsOnly).fit(['Card arrived', 'card lost']);
    expect(Object.keys(rowAsMap(f, 'CARD never arrived'))).toEqual(expect.arrayContaining(['card', 'arrived']));
    expect(Object.keys(rowAsMap(f, 'CARD never arrived'))).toHaveLength(2);
    const m = f.transform(['lost card arrived', 'nothing known']);
    assertCsr(m);
    expect(m.indptr[2]! - m.indptr[1]!).toBe(0);
  });

  it('prunes by minDf, maxDf and maxFeatures', () => {
    const docs = ['a b c', 'a b', 'a d', 'a e'];
    expect(new SparseTextFeaturizer({ ...wordsOnly, minDf: 2 }).fit(docs).featureNames()!.sort()).toEqual(['a', 'b']);
    expect(new SparseTextFeaturizer({ ...wordsOnly, maxDf: 0.9 }).fit(docs).featureNames()!.sort()).toEqual(['b', 'c', 'd', 'e']);
    expect(new SparseTextFeaturizer({ ...wordsOnly, maxFeatures: 2 }).fit(docs).featureNames()!.sort()).toEqual(['a', 'b']);
  });

  it('normalises each block separately and scales it by its weight', () => {
    const f = new SparseTextFeaturizer({
      blocks: [
        { analyzer: 'word', ngramRange: [1, 2] },
        { analyzer: 'char_wb', ngramRange: [2, 4], weight: 2 },
      ],
    }).fit(['how do i top up', 'my card is lost']);
    const norms = csrRowSquaredNorms(f.transform(['top up my card', 'how']));
    expect(norms[0]).toBeCloseTo(5, 5);
    expect(norms[1]).toBeCloseTo(5, 5);
  });

  it('hash mode maps n-grams into 2^hashBits buckets per block', () => {
    const f = new SparseTextFeaturizer({ vocabulary: 'hash', hashBits: 4, blocks: [{ analyzer: 'char', ngramRange: [1, 3] }] }).fit([
      'the quick brown fox jumps over the lazy dog',
    ]);
    expect(f.dimension).toBe(16);
    const m = f.transform(['quick fox', 'zzz']);
    assertCsr(m);
    expect(csrRowSquaredNorms(m)[0]).toBeCloseTo(1, 5);
    // 'zzz' n-grams were never seen, but buckets are shared: it still lands on trained buckets (by design of hashing).
    expect(m.cols).toBe(16);
  });

  it('is independent of training document order and round-trips through JSON', () => {
    const docs = ['I lost my card', 'card not arrived yet', 'how to top up?', 'top up failed twice', 'Ça coûte combien ?'];
    const a = new SparseTextFeaturizer({ minDf: 1 }).fit(docs);
    const b = new SparseTextFeaturizer({ minDf: 1 }).fit([...docs].reverse());
    expect(JSON.stringify(a.toJSON())).toBe(JSON.stringify(b.toJSON()));
    const c = SparseTextFeaturizer.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    const probe = ['my card has not arrived', 'top up', 'combien ça coûte'];
    expect(Array.from(csrToDense(c.transform(probe)))).toEqual(Array.from(csrToDense(a.transform(probe))));
  });

  it('fitTransform gives the matrix of fit then transform, bit for bit, with or without recording', () => {
    const docs = Array.from({ length: 60 }, (_, i) => `text ${i % 7} about card ${i % 5} lost ${i % 3} again and again ${i % 11 === 0 ? '' : 'now'}`);
    docs.push('', '   ', 'ÉCOLE école');
    const configs = [
      {},
      { minDf: 2, maxDf: 0.8, maxFeatures: 25 },
      { blocks: [{ analyzer: 'char' as const, ngramRange: [2, 4] as [number, number] }] },
      { keepTerms: true },
      { vocabulary: 'hash' as const, hashBits: 6 },
    ];
    const dump = (m: ReturnType<SparseTextFeaturizer['transform']>) => ({ rows: m.rows, cols: m.cols, indptr: Array.from(m.indptr), indices: Array.from(m.indices), data: Array.from(m.data) });
    for (const config of configs) {
      const expected = dump(new SparseTextFeaturizer(config).fit(docs).transform(docs));
      expect(expected.indices.length).toBeGreaterThan(100);
      // Default limit (recorded slots), a limit the second block crosses, and one the first block crosses.
      for (const recordLimit of [undefined, 1500, 10]) {
        const f = new SparseTextFeaturizer(config);
        expect(dump(f.fitTransform(docs, recordLimit === undefined ? {} : { recordLimit }))).toEqual(expected);
        expect(f.toJSON()).toEqual(new SparseTextFeaturizer(config).fit(docs).toJSON());
      }
    }
  });

  it('featurizeRow agrees with transform', () => {
    const f = new SparseTextFeaturizer().fit(['I lost my card', 'card not arrived yet']);
    const row = f.featurizeRow('lost card, arrived');
    const got = new Map<number, number>();
    for (let i = 0; i < row.count; i++) got.set(row.indices[i]!, row.values[i]!);
    const m = f.transform(['lost card, arrived']);
    expect(got.size).toBe(m.indptr[1]);
    for (let p = 0; p < m.indptr[1]!; p++) expect(got.get(m.indices[p]!)).toBe(m.data[p]);
  });

  it('rejects a state of another version and invalid states with clear errors', () => {
    const state = new SparseTextFeaturizer().fit(['a b']).toJSON();
    expect(() => SparseTextFeaturizer.fromJSON({ ...state, version: 2 })).toThrow(/version 2.*reads version 1/);
    expect(() => SparseTextFeaturizer.fromJSON({ ...state, blocks: [] })).toThrow(/fitted blocks/);
    expect(() => new SparseTextFeaturizer().transform(['x'])).toThrow(/not fitted/);
    expect(() => new SparseTextFeaturizer().fit([])).toThrow(/zero texts/);
  });

  it('supports registered custom tokenizers and Unicode normalisation', () => {
    registerTokenizer('comma-test', (t) => t.split(',').map((s) => s.trim()).filter(Boolean));
    const f = new SparseTextFeaturizer({ ...wordsOnly, tokenizer: 'comma-test' }).fit(['red apple, green pear']);
    expect(f.featureNames()!.sort()).toEqual(['green pear', 'red apple']);
    expect(() => new SparseTextFeaturizer({ tokenizer: 'nope' })).toThrow(/unknown tokenizer "nope"/);
    const g = new SparseTextFeaturizer({ ...wordsOnly, normalization: 'NFKC', stripAccents: true }).fit(['Ｃａｆé']);
    expect(g.featureNames()).toEqual(['cafe']);
  });
});
