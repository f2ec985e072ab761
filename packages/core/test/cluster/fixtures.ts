import type { CorpusRecord } from '../../src/schemas/corpus.js';
import type { Gateway, StructuredRequest, StructuredResult } from '../../src/llm/types.js';
import { createRng } from '../../src/util/random.js';

/** Four topics with disjoint vocabularies; texts mix 5 topic words with 3 shared filler words. */
export const TOPICS: Record<string, string[]> = {
  delivery: ['card', 'arrive', 'delivery', 'mail', 'shipping', 'tracking', 'post', 'courier', 'arrived', 'waiting'],
  refund: ['refund', 'money', 'return', 'merchant', 'reimburse', 'refunded', 'purchase', 'cancel', 'order', 'item'],
  exchange: ['exchange', 'rate', 'currency', 'euro', 'dollar', 'conversion', 'foreign', 'pounds', 'converted', 'abroad'],
  password: ['password', 'reset', 'login', 'forgot', 'locked', 'pin', 'passcode', 'access', 'security', 'username'],
};
const FILLER = ['the', 'my', 'please', 'today', 'help', 'bank', 'app', 'need', 'want', 'why'];

export function topicCorpus(perTopic: number, seed: number): { records: CorpusRecord[]; topic: string[] } {
  const rng = createRng(seed);
  const records: CorpusRecord[] = [];
  const topic: string[] = [];
  const names = Object.keys(TOPICS);
  for (let i = 0; i < perTopic; i++) {
    for (const t of names) {
      const words: string[] = [];
      for (let w = 0; w < 5; w++) words.push(TOPICS[t]![rng.int(10)]!);
      for (let w = 0; w < 3; w++) words.splice(rng.int(words.length + 1), 0, FILLER[rng.int(FILLER.length)]!);
      records.push({ id: `r${records.length}`, text: words.join(' ') });
      topic.push(t);
    }
  }
  return { records, topic };
}

export interface FakeCall {
  messages: { role: string; content: string }[];
  stage: string;
  temperature?: number;
  problems: string[];
}

/**
 * A Gateway whose `structured` answers from a function and, like the real gateway, re-asks (up to 2 times) when the
 * request's `validate` reports problems. Other methods are not used by the naming code.
 */
export function fakeGateway(answer: (userText: string, attempt: number) => unknown): { gateway: Gateway; calls: FakeCall[] } {
  const calls: FakeCall[] = [];
  const structured = async <T>(req: StructuredRequest<T>): Promise<StructuredResult<T>> => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const user = req.messages.find((m) => m.role === 'user')?.content ?? '';
      const raw = answer(user, attempt);
      if (raw instanceof Error) {
        calls.push({ messages: req.messages, stage: req.stage, temperature: req.temperature, problems: [] });
        throw raw;
      }
      const value = req.schema.parse(raw);
      const problems = req.validate ? req.validate(value) : [];
      calls.push({ messages: req.messages, stage: req.stage, temperature: req.temperature, problems });
      if (problems.length === 0) {
        return { value, usage: { inputTokens: 1, outputTokens: 1 }, raw: JSON.stringify(raw), modelId: 'fake', attempts: 1, repairs: attempt, cached: false };
      }
    }
    throw new Error('answer still invalid after 2 repairs');
  };
  const gateway = {
    structured,
    text: () => Promise.reject(new Error('not used')),
    embed: () => Promise.reject(new Error('not used')),
  } as unknown as Gateway;
  return { gateway, calls };
}
