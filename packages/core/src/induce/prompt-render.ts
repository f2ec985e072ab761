import type { ChatMessage } from '../llm/types.js';
import type { PromptOverride } from '../plugins/types.js';
import { DEFAULT_PROMPTS, type PromptId, type PromptVars } from './prompts.js';
import { InductionError } from './options.js';

/** Where prompt texts can come from besides the defaults. */
export interface PromptSources {
  /** Per-run overrides by prompt id (win over plugins). */
  overrides?: Partial<Record<string, PromptOverride>>;
  /** Plugin prompt overrides (the plugin host's `prompt(id)`). */
  host?: { prompt?(promptId: string): PromptOverride | undefined };
  /** Appended to the system part of every prompt. */
  instructions?: string;
}

/**
 * Build the messages of a prompt: run-level override, else plugin override, else the default template; then
 * append the user's instructions to the (static) system part. Plugins' 'prompt:messages' transforms are applied
 * by the gateway, which receives the prompt id with every request (so they run exactly once).
 */
export function renderPrompt<K extends PromptId>(id: K, vars: PromptVars[K], sources: PromptSources): ChatMessage[] {
  const override = sources.overrides?.[id] ?? sources.host?.prompt?.(id);
  const raw = override
    ? override(vars as unknown as Record<string, unknown>)
    : (DEFAULT_PROMPTS[id] as (v: PromptVars[K]) => ChatMessage[])(vars);
  const messages = checkMessages(raw, id, override ? 'override' : 'default');
  const instructions = sources.instructions?.trim();
  return instructions ? appendInstructions(messages, instructions) : messages;
}

function appendInstructions(messages: ChatMessage[], instructions: string): ChatMessage[] {
  const text = `Additional instructions from the user:\n${instructions}`;
  const i = messages.findIndex((m) => m.role === 'system');
  if (i < 0) return [{ role: 'system', content: text }, ...messages];
  return messages.map((m, j) => (j === i ? { ...m, content: `${m.content}\n\n${text}` } : m));
}

function checkMessages(value: unknown, id: string, source: string): ChatMessage[] {
  const ok =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(
      (m) =>
        m !== null &&
        typeof m === 'object' &&
        ['system', 'user', 'assistant'].includes((m as ChatMessage).role) &&
        typeof (m as ChatMessage).content === 'string',
    );
  if (!ok) {
    throw new InductionError(
      `prompt "${id}" (${source}) must return a non-empty array of { role: 'system' | 'user' | 'assistant', content: string }`,
    );
  }
  return (value as ChatMessage[]).map((m) => ({ role: m.role, content: m.content }));
}
