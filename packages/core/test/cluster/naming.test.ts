import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import {
  ENGLISH_STOPWORDS,
  PHRASAL_PARTICLES,
  VAGUE_NAME_WORDS,
  clusterTaxonomy,
  clusterTerms,
  containsPhrase,
  ctfidfTerms,
  nameFromTerms,
  sameStem,
  uniqueNames,
  type ClusterTerm,
} from '../../src/cluster/index.js';

/** What a tokenizer splitting at apostrophes leaves of English contractions. */
const FRAGMENTS = ['isn', 'didn', 'doesn', 'don', 'haven', 'hasn', 'wasn', 'aren', 'couldn', 've', 'll', 're', 't', 's', 'd', 'm'];
const hasFragment = (term: string): boolean => term.split(' ').some((w) => FRAGMENTS.includes(w));

/** Terms in rank order; counts given or 5. */
const ranked = (...ts: (string | [string, number])[]): ClusterTerm[] =>
  ts.map((t, i) => (typeof t === 'string' ? { term: t, score: 10 - i * 0.1, count: 5 } : { term: t[0], score: 10 - i * 0.1, count: t[1] }));

describe('c-TF-IDF terms of texts with contractions', () => {
  it('drops contractions whole, whatever apostrophe they are typed with', () => {
    const text = "My card isn't working, I didn’t get it, it doesnʼt work, I don`t know, I've tried, we'll see, you're right";
    const terms = ctfidfTerms(text, ENGLISH_STOPWORDS, true);
    expect(terms.filter(hasFragment)).toEqual([]);
    expect(terms).toEqual(['card', 'working', 'work', 'know', 'tried', 'see', 'right']);
  });

  it('lets a contraction break a bigram like any stopword', () => {
    // "card isn't working" is not about a "card working"
    expect(ctfidfTerms("card isn't working", ENGLISH_STOPWORDS, true)).toEqual(['card', 'working']);
    // also when the contraction is not in the stopword list: it is still a function word
    expect(ctfidfTerms("card should've arrived", new Set(), true)).toEqual(['card', 'arrived']);
  });

  it('reads a possessive as its base, an elision as its word, other apostrophe words whole', () => {
    expect(ctfidfTerms("Visa's fees and the bank’s app", ENGLISH_STOPWORDS, true)).toEqual(['visa', 'fees', 'visa fees', 'bank', 'app', 'bank app']);
    expect(ctfidfTerms("it's what's there", ENGLISH_STOPWORDS, true)).toEqual([]);
    expect(ctfidfTerms("l'argent rock'n'roll", new Set(), false)).toEqual(['argent', "rock'n'roll"]);
    // quotes around a word are not apostrophes inside one
    expect(ctfidfTerms("my 'card' isn't", ENGLISH_STOPWORDS, false)).toEqual(['card']);
  });

  it('makes phrasal-verb bigrams with a particle after a kept word, never the particle alone', () => {
    expect(ctfidfTerms('I want to top up my card, the top-up failed', ENGLISH_STOPWORDS, true)).toEqual([
      'want',
      'top',
      'top up',
      'card',
      'top',
      'top up',
      'failed',
    ]);
    expect(ctfidfTerms('top up', ENGLISH_STOPWORDS, true, new Set())).toEqual(['top']);
    expect(ctfidfTerms('top up', ENGLISH_STOPWORDS, false)).toEqual(['top']);
  });

  it('never ranks a contraction fragment in clusters of texts full of contractions', () => {
    const texts = [
      "my card isn't working",
      "the card isn't working again",
      "why isn't my card working, it doesn't work",
      "card isn't accepted and doesn't work",
      "I don't know my pin, I didn't get it",
      "I didn't receive a pin and don't have it",
      "don't remember the pin, didn't write it down",
      "haven't got my pin, I don't have it",
    ];
    const terms = clusterTerms(texts, [0, 0, 0, 0, 1, 1, 1, 1], 2);
    for (const t of terms) expect(t.filter((x) => hasFragment(x.term))).toEqual([]);
    const names = terms.map((t) => nameFromTerms(t));
    expect(names).toEqual(['card working', 'pin']);
  });
});

describe('term-based names', () => {
  it('names a word by the phrase it is mostly used in', () => {
    expect(nameFromTerms(ranked(['rate', 10], ['exchange rate', 8], 'fee'))).toBe('exchange rate fee');
    expect(nameFromTerms(ranked(['top', 6], ['top up', 6], ['limit', 4]))).toBe('top up limit');
    // a phrase used in a minority of the word's occurrences does not replace it
    expect(nameFromTerms(ranked(['money', 10], ['money out', 2], ['refund', 6]))).toBe('money refund');
    // a particle phrase that is not how its word is mostly used is not taken on its own either
    expect(nameFromTerms(ranked(['money out', 2], ['refund', 6], ['money', 10]))).toBe('refund money');
    // a phrase joining a named word keeps its order
    expect(nameFromTerms(ranked(['fee', 4], ['rate', 10], ['exchange rate', 8]))).toBe('fee exchange rate');
  });

  it('leaves out a word whose phrase does not fit rather than half the phrase', () => {
    expect(nameFromTerms(ranked(['top up', 9], ['top', 9], ['google', 5], ['google pay', 5], ['maximum', 3]))).toBe('top up maximum');
    // ... unless its partner is named already
    expect(nameFromTerms(ranked(['apple', 9], ['apple pay', 8], ['watch', 4], ['apple watch', 4]))).toBe('apple pay watch');
  });

  it('uses weak words and particles only inside a phrase, or when nothing else is left', () => {
    expect(nameFromTerms(ranked('need', 'tried', 'refund', 'already', 'seller'))).toBe('refund seller');
    expect(nameFromTerms(ranked(['go through', 9], ['go', 9], ['gone through', 3], ['payment', 5]))).toBe('go through payment');
    // "today" is weak: "restaurant today" is not a phrase to name by
    expect(nameFromTerms(ranked('declined', 'restaurant today', 'today'))).toBe('declined');
    expect(nameFromTerms(ranked('need', 'tried', 'already', 'today'))).toBe('need tried already');
    expect(nameFromTerms(ranked('misc', 'general'))).toBe('');
  });

  it('drops terms scoring far below the first name term', () => {
    const t: ClusterTerm[] = [
      { term: 'pending', score: 0.4, count: 20 },
      { term: 'withdrawal', score: 0.09, count: 3 },
      { term: 'reason', score: 0.07, count: 2 },
    ];
    expect(nameFromTerms(t)).toBe('pending withdrawal');
    expect(nameFromTerms(t, 3, { minScoreShare: 0.25 })).toBe('pending');
  });

  it('sameStem also catches "s" plurals of short words and one-letter typos of long words', () => {
    expect(sameStem('up', 'ups')).toBe(true);
    expect(sameStem('beneficiary', 'beneficiery')).toBe(true);
    expect(sameStem('transfer', 'transfers')).toBe(true);
    expect(sameStem('charged', 'changed')).toBe(false); // short words: a one-letter difference is another word
    expect(sameStem('transfer', 'transaction')).toBe(false);
    expect(sameStem('top', 'topup')).toBe(false);
  });

  it('tells repeated names apart by content words only', () => {
    expect(uniqueNames(['card payment', 'card payment'], ['C1', 'C2'], [ranked('card'), ranked('card', 'need', 'tried', 'declined')])).toEqual([
      'card payment',
      'card payment declined',
    ]);
  });
});

describe('offline names on the bundled banking sample', () => {
  const records = readFileSync(new URL('../../../../examples/data/banking-sample.jsonl', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => ({ id: `s${i}`, text: (JSON.parse(l) as { text: string }).text }));

  it('are unique phrases their own texts use, without contraction fragments or catch-alls, and repeatable', async () => {
    expect(records).toHaveLength(847);
    const run = async () => await clusterTaxonomy(records, { useCase: 'banking support intents', seed: 1, k: 20 });
    const res = await run();
    const names = res.taxonomy.labels.map((l) => l.name);
    expect(new Set(names).size).toBe(20);
    for (const label of res.taxonomy.labels) {
      const name = label.name;
      const words = name.split(' ');
      expect(words.length, name).toBeGreaterThanOrEqual(1);
      // short: at most 5 words as written, at most 3 of them content words ("top up" and "not" count as one with theirs)
      expect(words.length, name).toBeLessThanOrEqual(5);
      expect(words.filter((w, i) => !ENGLISH_STOPWORDS.has(w) && !(i > 0 && PHRASAL_PARTICLES.has(w))).length, name).toBeLessThanOrEqual(3);
      expect(words.filter((w) => FRAGMENTS.includes(w) || VAGUE_NAME_WORDS.has(w)), name).toEqual([]);
      // a stopword never starts or ends a name, but for a phrasal verb's particle at its end ("top up")
      expect(ENGLISH_STOPWORDS.has(words[0]!) && !/^(not|no|never)$|n'?t$/u.test(words[0]!), name).toBe(false);
      expect(ENGLISH_STOPWORDS.has(words.at(-1)!) && !(words.length > 1 && PHRASAL_PARTICLES.has(words.at(-1)!)), name).toBe(false);
      // the name is a phrase of the cluster: its words occur together, in order, in one of its texts
      const members = res.assignments.filter((a) => a.labelId === label.id).map((a) => records[Number(a.id.slice(1))]!.text);
      expect(members.some((t) => containsPhrase(t, words)), name).toBe(true);
      expect(name).not.toMatch(/^cluster C\d+$/);
    }
    // phrases are named whole
    expect(names.some((n) => /\bexchange rate\b/u.test(n))).toBe(true);
    expect(names.some((n) => /\btop up\b/u.test(n))).toBe(true);
    expect((await run()).taxonomy.labels.map((l) => l.name)).toEqual(names);
  });
});
