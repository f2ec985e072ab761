import type { ReplyLogprob } from './reply.js';

/**
 * Default token log-probabilities for an answer: every emitted token gets logprob ln(0.9) and, when alternatives are
 * asked for, the token itself heads the `top` list followed by placeholder alternatives with decreasing
 * probability. Deterministic; scripts override it per answer with reply.text(..., { logprobs }).
 */
export function logprobsFor(tokens: string[], topN: number): ReplyLogprob[] {
  const chosen = Math.log(0.9);
  return tokens.map((token) => {
    const entry: ReplyLogprob = { token, logprob: chosen };
    if (topN > 0) {
      const top = [{ token, logprob: chosen }];
      for (let k = 1; k < topN; k++) top.push({ token: `<alt${k}>`, logprob: Math.log(0.1 / 2 ** k) });
      entry.top = top;
    }
    return entry;
  });
}

/** The same logprobs in OpenAI's wire format (logprobs.content entries with bytes and top_logprobs). */
export function toOpenAILogprobs(entries: ReplyLogprob[]): {
  token: string;
  logprob: number;
  bytes: number[];
  top_logprobs: { token: string; logprob: number; bytes: number[] }[];
}[] {
  const bytes = (t: string) => [...Buffer.from(t, 'utf8')];
  return entries.map((e) => ({
    token: e.token,
    logprob: e.logprob,
    bytes: bytes(e.token),
    top_logprobs: (e.top ?? []).map((t) => ({ token: t.token, logprob: t.logprob, bytes: bytes(t.token) })),
  }));
}
