import { describe, it, expect } from 'vitest';
import { clusterTerms, ctfidfTerms, describeFromTerms, nameFromTerms, sameStem, uniqueNames } from '../../src/cluster/index.js';

describe('c-TF-IDF', () => {
  it('matches a hand computation', () => {
    // cluster 0: apple x2, banana x1 (3 terms); cluster 1: banana, cherry (2 terms). A = 5/2.
    // f: apple 2, banana 2, cherry 1. score = tf/total(c) * ln(1 + A / f)
    const t = clusterTerms(['apple apple banana', 'banana cherry'], [0, 1], 2, { bigrams: false });
    expect(t[0]!.map((x) => x.term)).toEqual(['apple', 'banana']);
    expect(t[0]![0]!.score).toBeCloseTo((2 / 3) * Math.log(1 + 2.5 / 2), 12);
    expect(t[0]![1]!.score).toBeCloseTo((1 / 3) * Math.log(1 + 2.5 / 2), 12);
    expect(t[1]!.map((x) => x.term)).toEqual(['cherry', 'banana']);
    expect(t[1]![0]!.score).toBeCloseTo(0.5 * Math.log(1 + 2.5 / 1), 12);
  });

  it('drops stopwords, numbers and one-letter tokens; bigrams only join adjacent kept words', () => {
    expect(ctfidfTerms("I can't find my NEW card 1234, it's lost", new Set(['i', 'can', 't', 'my', 'it', 's']), true)).toEqual([
      'find',
      'new',
      'card',
      'new card',
      'lost',
    ]);
  });

  it('ignores one-off terms in clusters of 3+ texts and checks labels', () => {
    const t = clusterTerms(['refund please', 'refund now', 'refund typoo'], [0, 0, 0], 1, { bigrams: false });
    expect(t[0]!.map((x) => x.term)).toEqual(['refund']);
    expect(() => clusterTerms(['a'], [3], 2)).toThrow(/outside \[0, 2\)/);
  });
});

describe('term-based names', () => {
  const terms = (...ts: string[]) => ts.map((term, i) => ({ term, score: 10 - i, count: 5 }));
  it('takes distinct words from the top terms, skipping vague words', () => {
    expect(nameFromTerms(terms('card', 'card arrive', 'other', 'delivery', 'mail'))).toBe('card arrive delivery');
    // a phrase sharing a word with the name joins it in order
    expect(nameFromTerms(terms('exchange rate', 'rate', 'wrong exchange', 'currency'), 3)).toBe('wrong exchange rate');
    expect(nameFromTerms(terms('misc', 'general'))).toBe('');
    // inflections of a chosen word are skipped
    expect(nameFromTerms(terms('currencies', 'currency', 'exchange', 'cards', 'card'))).toBe('currencies exchange cards');
    expect(nameFromTerms(terms('withdrawal', 'withdraw', 'transfer', 'transaction'))).toBe('withdrawal transfer transaction');
  });
  it('sameStem tells inflections from different words', () => {
    expect(sameStem('currency', 'currencies')).toBe(true);
    expect(sameStem('card', 'cards')).toBe(true);
    expect(sameStem('withdraw', 'withdrawal')).toBe(true);
    expect(sameStem('transfer', 'transaction')).toBe(false);
    expect(sameStem('top', 'topup')).toBe(false);
  });
  it('makes names unique with further terms, then with the id', () => {
    const names = uniqueNames(
      ['card payment', 'card payment', 'card payment'],
      ['C1', 'C2', 'C3'],
      [terms('card', 'payment'), terms('card', 'payment', 'declined'), terms('card payment')],
    );
    expect(names).toEqual(['card payment', 'card payment declined', 'card payment C3']);
  });
  it('describes what the texts share (phrases first, no word repeated from a phrase), size and the typical text', () => {
    expect(describeFromTerms(terms('refund', 'money'), 25, 100)).toBe('Texts that mention refund, money (25 of 100, 25.0%).');
    expect(describeFromTerms(terms('rate', 'exchange rate', 'fee', 'exchange'), 9, 30, { typical: 'what exchange rate do you use?' })).toBe(
      'Texts that mention "exchange rate", fee (9 of 30, 30.0%). Most typical: "what exchange rate do you use?"',
    );
    expect(describeFromTerms([], 1, 2)).toBe('Texts grouped by similarity (1 of 2, 50.0%).');
  });
});
