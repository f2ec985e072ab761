import type { TokenLogprob } from '@taxonomist/core';

/**
 * Confidence from token log-probabilities: for each answer, the probability the model gave to the tokens that spell
 * the chosen label value, i.e. exp(sum of the logprobs of every token overlapping the value's characters). It is
 * the model's own probability of the label string it produced given everything before it (rationale included),
 * not a calibrated accuracy estimate.
 *
 * The JSON text is rebuilt by concatenating the tokens; values are found by key in document order, so the n-th
 * entry of the result is the n-th answer of a packed array. Returns undefined entries for values not found.
 */
export function labelValueProbabilities(logprobs: readonly TokenLogprob[], key: 'label' | 'labels', count: number): (number | undefined)[] {
  const text = logprobs.map((t) => t.token).join('');
  const starts: number[] = [];
  let offset = 0;
  for (const t of logprobs) {
    starts.push(offset);
    offset += t.token.length;
  }
  // `"label": "L3"` or `"labels": ["L3", ...]` (first element). The key must not be an escaped quote inside a
  // string (a rationale quoting JSON), hence the (?<!\\) before each quote.
  const pattern = new RegExp(`(?<!\\\\)"${key}(?<!\\\\)"\\s*:\\s*${key === 'labels' ? '\\[\\s*' : ''}"((?:[^"\\\\]|\\\\.)*)"`, 'g');
  const out: (number | undefined)[] = [];
  for (const m of text.matchAll(pattern)) {
    if (out.length >= count) break;
    const valueStart = m.index + m[0].length - m[1]!.length - 1;
    const valueEnd = valueStart + m[1]!.length;
    let sum = 0;
    let found = false;
    for (let i = 0; i < logprobs.length; i++) {
      const s = starts[i]!;
      const e = s + logprobs[i]!.token.length;
      if (e <= valueStart || s >= valueEnd) continue;
      sum += logprobs[i]!.logprob;
      found = true;
    }
    out.push(found ? Math.min(1, Math.max(0, Math.exp(sum))) : undefined);
  }
  while (out.length < count) out.push(undefined);
  return out;
}
