import { hashString32 } from '@taxonomist/core';
import type { ChatRequestInfo, ServerAnswer } from '@taxonomist/testing';
import { scriptedLlm, topicOf } from './scripted-llm.js';

/**
 * The scripted LLM with label noise: the model "noisy-model" at temperature 0 answers one text in six wrongly
 * (`WRONG`); its samples at a temperature > 0 (self-consistency) and every other model answer like `scriptedLlm`.
 */
export const WRONG = 'Account and identity';
export const isNoisy = (text: string): boolean => hashString32(text) % 6 === 0 && topicOf(text) !== WRONG;

export function noisyLlm(info: ChatRequestInfo): ServerAnswer {
  const answer = scriptedLlm(info);
  const greedy = !(Number(info.body.temperature ?? 0) > 0);
  if (info.schemaName !== 'label_answer' || info.model !== 'noisy-model' || !greedy) return answer;
  const text = (JSON.parse(info.lastUserMessage.slice(info.lastUserMessage.indexOf('{'))) as { text: string }).text;
  if (!isNoisy(text)) return answer;
  const system = info.messages.find((m) => m.role === 'system')?.content ?? '';
  const id = [...system.matchAll(/^(\S+): (.+?)(?: - .*)?$/gm)].find((m) => m[2]!.trim() === WRONG)![1];
  return { label: id };
}
