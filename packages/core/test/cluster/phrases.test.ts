import { describe, it, expect } from 'vitest';
import { clusterPhrases, containsPhrase, describeFromPhrases, distinctPhrases, namesFromPhrases, nameFromTerms, phraseRuns, clusterTerms } from '../../src/cluster/index.js';

/** Cluster member lists for texts given cluster by cluster. */
function clustersOf(...groups: string[][]): { texts: string[]; members: number[][] } {
  const texts: string[] = [];
  const members = groups.map((g) => g.map((t) => texts.push(t) - 1));
  return { texts, members };
}

describe('phraseRuns / containsPhrase', () => {
  it('reads lowercase words, joins contractions, keeps hyphenated words together and ends a run at punctuation', () => {
    expect(phraseRuns("My card hasn’t arrived, the top-up failed. Why?")).toEqual([['my', 'card', "hasn't", 'arrived'], ['the', 'top', 'up', 'failed'], ['why']]);
    expect(containsPhrase('Where is my card? It arrived broken', ['card', 'arrived'])).toBe(false);
    expect(containsPhrase('My CARD arrived broken', ['card', 'arrived'])).toBe(true);
    expect(containsPhrase('my card', [])).toBe(false);
  });
});

describe('clusterPhrases / namesFromPhrases', () => {
  it('never names a cluster by words that do not occur together in its texts', () => {
    // "card" and "arrived" are its two most distinctive words, but no text says them side by side
    const { texts, members } = clustersOf(
      ['where is my card', 'has it arrived yet', 'my card please', 'nothing arrived', 'still no card', 'arrived? no'],
      ['what is the exchange rate', 'exchange rate for euro', 'the exchange rate is wrong', 'rate of exchange'],
    );
    const bag = nameFromTerms(clusterTerms(texts, [0, 0, 0, 0, 0, 0, 1, 1, 1, 1], 2)[0]!);
    expect(bag.split(' ').length).toBeGreaterThan(1); // the old bag of words...
    expect(members[0]!.some((i) => containsPhrase(texts[i]!, bag.split(' ')))).toBe(false); // ...that no text says
    const names = namesFromPhrases(clusterPhrases(texts, members));
    names.forEach((name, c) => expect(members[c]!.some((i) => containsPhrase(texts[i]!, name!.split(' '))), name).toBe(true));
    expect(names[1]).toBe('exchange rate');
  });

  it('grows the best word into the phrase most of its texts say, and keeps a phrasal verb whole', () => {
    const { texts, members } = clustersOf(
      ['why was my transfer declined', 'transfer declined again', 'my transfer declined today', 'declined!', 'it got declined'],
      ['i want to top up', 'how to top up by card', 'top up limit', 'can i top up now'],
      ['open an account', 'balance of my account', 'account closed'],
    );
    const names = namesFromPhrases(clusterPhrases(texts, members));
    expect(names[0]).toBe('transfer declined');
    expect(names[1]).toBe('top up');
    const phrases = clusterPhrases(texts, members)[1]!.map((p) => p.phrase);
    // no phrase cut before its particle, none starting with a content-poor word or ending with a stopword
    expect(phrases).not.toContain('top');
    expect(phrases).not.toContain('want to top up');
    expect(phrases.every((p) => !/^(to|i|can|the|how) |(?: to| i| the)$/u.test(p))).toBe(true);
  });

  it('gives every cluster its own name: a cluster whose best phrase is taken (or an inflection of it) takes its next', () => {
    const { texts, members } = clustersOf(
      ['card payment failed', 'card payment failed', 'card payment failed twice'],
      ['card payments failed', 'card payments failed', 'refund of card payments', 'refund please'],
    );
    const names = namesFromPhrases(clusterPhrases(texts, members));
    expect(names[0]).toBe('card payment failed');
    // its own best, "card payments failed", says the same as a taken name: the next phrase of its own is used
    expect(names[1]).toBe('card payments');
  });

  it('reads only the most typical texts of a large cluster and scores coverage x distinctiveness', () => {
    const { texts, members } = clustersOf(['lost card', 'lost card', 'stolen phone', 'stolen phone', 'stolen phone'], ['lost keys', 'lost keys']);
    const [first] = clusterPhrases(texts, members, { maxTexts: 2 });
    expect(first!.map((p) => p.phrase)).toEqual(['card', 'lost card', 'lost']);
    const lost = first!.find((p) => p.phrase === 'lost')!;
    expect(lost).toMatchObject({ count: 2, coverage: 1, precision: 0.5, score: 0.5 });
  });
});

describe('phrases read past function words', () => {
  it('counts one phrase however its texts fill it with function words, shown as most of them write it', () => {
    const { texts, members } = clustersOf(
      ['can i cancel my transaction', 'cancel my transaction now', 'please cancel the transaction', 'cancel my transaction asap'],
      ['where is my card', 'card delivery time', 'card not here'],
    );
    const [first] = clusterPhrases(texts, members);
    const cancel = first!.find((p) => p.words === 'cancel transaction')!;
    expect(cancel).toMatchObject({ phrase: 'cancel my transaction', count: 4, coverage: 1, precision: 1, firstText: 0 });
    expect(first!.some((p) => p.phrase === 'cancel the transaction')).toBe(false); // one phrase, not two
    // a negation stays in the phrase; more than 2 function words in a row end it
    const [, second] = clusterPhrases(
      ['my card has not arrived', 'card still has not arrived', 'the card is in the hands of it', 'the card is in the hands of it'],
      [[0, 1], [2, 3]],
    );
    expect(second!.map((p) => p.words)).not.toContain('card hands');
    expect(clusterPhrases(['my card has not arrived', 'card still has not arrived', 'x'], [[0, 1], [2]])[0]!.find((p) => p.words === 'card not arrived')).toMatchObject({ count: 2, phrase: 'card has not arrived' });
  });

  it('names a cluster by a phrase of several content words its typical texts say, over a frequent single word', () => {
    const atm = ['the atm ate my card', 'atm ate my card again', 'atm near me', 'atm is closed', 'where is an atm', 'atm fees', 'atm receipt', 'atm broken'];
    const { texts, members } = clustersOf(atm, ['atm map please', 'exchange rate today', 'exchange rate for euro', 'rate of exchange']);
    const phrases = clusterPhrases(texts, members);
    // "atm" alone scores higher (8 of 8 texts, 8 of 9 uses), but says less than "atm ate my card" (2 texts, the medoid)
    expect(phrases[0]![0]!.phrase).toBe('atm');
    expect(namesFromPhrases(phrases)[0]).toBe('atm ate my card');
    // without the bonuses (and growing only into phrases half of the head's texts say) it would be "atm"
    expect(namesFromPhrases(phrases, { wordBonus: 0, typicalBonus: 0, extendShare: 0.5 })[0]).toBe('atm');
  });

  it('never ends a phrase with a content-poor word, and keeps names short', () => {
    const { texts, members } = clustersOf(['mugged yesterday', 'i was mugged yesterday', 'mugged at the station'], ['hello there', 'hello again']);
    const [first] = clusterPhrases(texts, members);
    expect(first!.map((p) => p.phrase)).not.toContain('mugged yesterday');
    const long = clustersOf(['how long does it take for a transfer', 'how long does it take for a transfer', 'long transfer'], ['exchange rate', 'exchange rate']);
    const name = namesFromPhrases(clusterPhrases(long.texts, long.members))[0]!;
    expect(name.split(' ').length).toBeLessThanOrEqual(5);
  });
});

describe('distinctPhrases', () => {
  it('leaves out inflections of a kept phrase and parts nearly as many texts say whole, keeping a given one', () => {
    const p = (phrase: string, count: number) => ({ phrase, words: phrase, count, firstText: 0, coverage: count / 40, precision: 1, score: count / 40 });
    const list = [p('exchange', 28), p('exchange rate', 17), p('rate', 17), p('exchange rates', 5), p('rates', 5), p('wrong', 6), p('card payment is wrong', 2)];
    // "exchange" stays: 28 texts say it, only 17 of them "exchange rate"
    expect(distinctPhrases(list, 10).map((x) => x.phrase)).toEqual(['exchange', 'exchange rate', 'wrong', 'card payment is wrong']);
    expect(distinctPhrases(list, 2).map((x) => x.phrase)).toEqual(['exchange', 'exchange rate']);
    expect(distinctPhrases(list, 2, 'rates').map((x) => x.phrase)).toEqual(['exchange', 'exchange rate', 'rates']);
  });
});

describe('describeFromPhrases', () => {
  it('says what the texts share: the name, then how many use each next phrase (no repeated word), size and typical text', () => {
    const p = (phrase: string, count: number, precision: number, words = phrase) => ({ phrase, words, count, firstText: 0, coverage: count / 10, precision, score: (count / 10) * precision });
    const phrases = [
      p('card has arrived', 5, 0.9, 'card arrived'),
      p('delivery', 4, 0.8),
      p('card', 9, 0.1),
      p('arrive', 6, 0.7),
      p('tracking number', 2, 1),
    ];
    expect(describeFromPhrases('card has arrived', phrases, 10, 200, { typical: 'my card has not arrived' })).toBe(
      'Texts about "card has arrived": 50% say it, 40% "delivery", 20% "tracking number" (10 of 200, 5.0%). Most typical: "my card has not arrived"',
    );
    // a word of the name that clearly more texts use than the name is shown ("arrive": 60% against 50%, under 1.5x: not)
    expect(describeFromPhrases('card has arrived', [...phrases, p('arrived', 8, 0.6)], 10, 200)).toBe(
      'Texts about "card has arrived": 50% say it, 80% "arrived", 40% "delivery", 20% "tracking number" (10 of 200, 5.0%).',
    );
    expect(describeFromPhrases('card arrived', [], 10, 200)).toBe('Texts about "card arrived" (10 of 200, 5.0%).');
    // phrases too rare in the cluster (under 5% of its texts) say nothing about what its texts share
    expect(describeFromPhrases('card', [{ phrase: 'refund', words: 'refund', count: 2, firstText: 3, coverage: 0.04, precision: 1, score: 0.04 }], 50, 200)).toBe('Texts about "card" (50 of 200, 25.0%).');
  });
});
