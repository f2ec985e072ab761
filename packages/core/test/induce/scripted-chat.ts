import { countPromptMessagesTokens, countTokens, type ChatModelRef } from '../../src/index.js';
import { FakeChatModel, answer } from '../llm/fakes.js';

interface Msg {
  role: string;
  content: string;
}

/**
 * An in-process chat model for induction tests that must go through the REAL gateway (budget, repairs, accounting):
 * answers come from `script(schemaName, messages)` (e.g. a scenario), the schema name is read from the JSON
 * instructions the 'prompt' method appends, and usage is reported exactly as tiktoken counts it (so the gateway's
 * estimate of a call is an upper bound of its cost when the answer is shorter than the assumed output).
 */
export function scriptedInductionModel(
  script: (schemaName: string | undefined, messages: Msg[], schema: Record<string, unknown> | undefined) => unknown,
  id = 'fake:priced',
): { ref: ChatModelRef; model: FakeChatModel } {
  const model = new FakeChatModel([], {
    fallback: (call) => {
      const messages: Msg[] = call.messages.map((m) => ({
        role: m.getType() === 'system' ? 'system' : m.getType() === 'ai' ? 'assistant' : 'user',
        content: typeof m.content === 'string' ? m.content : '',
      }));
      const system = messages.find((m) => m.role === 'system')?.content ?? '';
      const named = /matches this JSON Schema, named "([^"]+)":\n(.*)$/s.exec(system);
      const schema = named ? (JSON.parse(named[2]!) as Record<string, unknown>) : undefined;
      // Drop the appended JSON instructions so scenarios parse the prompt as the model saw it.
      const visible = messages.map((m) => (m.role === 'system' && named ? { ...m, content: system.slice(0, named.index).replace(/\n\nRespond with only a JSON value[^]*$/, '') } : m));
      const content = JSON.stringify(script(named?.[1], visible, schema));
      return answer(content, { input_tokens: countPromptMessagesTokens(messages), output_tokens: countTokens(content) });
    },
  });
  return { ref: { id, model, structuredMethod: 'prompt' }, model };
}

/** USD per 1M tokens for the scripted model. */
export const SCRIPTED_PRICES = { 'fake:priced': { input: 1, output: 1 } };
