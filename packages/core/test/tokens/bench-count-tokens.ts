/**
 * Token counting throughput on many short texts (banking77 train, ~10k customer queries).
 * Run: npx tsx --conditions=source packages/core/test/tokens/bench-count-tokens.ts
 * Baseline: plain js-tiktoken encode().length on the same texts, measured in the same run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { getEncoder, encodeTokens, countTokens, truncateToTokens } from '../../src/tokens/index.js';
import { requireBenchData } from '../../../../bench/shared-data.js';

const path = join(requireBenchData('banking77', ['train.jsonl']), 'train.jsonl');
const texts = readFileSync(path, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => (JSON.parse(l) as { text: string }).text);

const time = (fn: () => number): { ms: number; out: number } => {
  const t0 = performance.now();
  const out = fn();
  return { ms: performance.now() - t0, out };
};

const build = time(() => (getEncoder('o200k_base'), 0));
const baseline = time(() => texts.reduce((n, t) => n + encodeTokens(t).length, 0));
const cold = time(() => texts.reduce((n, t) => n + countTokens(t), 0));
const warm = time(() => texts.reduce((n, t) => n + countTokens(t), 0));
const trunc = time(() => texts.reduce((n, t) => n + truncateToTokens(t, 8).keptTokens, 0));
if (cold.out !== baseline.out || warm.out !== baseline.out) throw new Error('memoised counts differ from the baseline');

const us = (ms: number) => ((ms * 1000) / texts.length).toFixed(2);
console.log(`texts: ${texts.length}, tokens: ${baseline.out}`);
console.log(`encoder build (o200k_base, once per process): ${build.ms.toFixed(0)} ms`);
console.log(`baseline encode().length: ${baseline.ms.toFixed(1)} ms (${us(baseline.ms)} us/text)`);
console.log(`countTokens cold: ${cold.ms.toFixed(1)} ms (${us(cold.ms)} us/text), ratio vs baseline ${(cold.ms / baseline.ms).toFixed(2)}`);
console.log(`countTokens warm (memo): ${warm.ms.toFixed(1)} ms (${us(warm.ms)} us/text), ratio vs baseline ${(warm.ms / baseline.ms).toFixed(3)}`);
console.log(`truncateToTokens(8): ${trunc.ms.toFixed(1)} ms (${us(trunc.ms)} us/text)`);
