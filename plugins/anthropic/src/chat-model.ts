import { ChatAnthropic } from '@langchain/anthropic';
import type { BaseMessage } from '@langchain/core/messages';
import { SystemMessage } from '@langchain/core/messages';
import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import type { ChatResult } from '@langchain/core/outputs';
import { inspect } from 'node:util';
import type { ResolvedAnthropicSettings } from './settings.js';

type AnyObj = Record<string, unknown>;
type ChatAnthropicFields = NonNullable<ConstructorParameters<typeof ChatAnthropic>[0]>;

/**
 * The gateway binds 'functionCalling' the OpenAI way (tool_choice {type:'function', function:{name}}), which
 * ChatAnthropic passes through unchanged and Anthropic rejects with a 400. Anthropic's form is {type:'tool', name}.
 */
export function toAnthropicToolChoice(choice: unknown): unknown {
  if (choice && typeof choice === 'object' && (choice as AnyObj).type === 'function') {
    const name = ((choice as AnyObj).function as AnyObj | undefined)?.name;
    if (typeof name === 'string') return { type: 'tool', name };
    return { type: 'any' };
  }
  return choice;
}

/** The system message(s) as text blocks with cache_control on the last one: the static prefix Anthropic caches. */
export function withCachedSystemPrefix(messages: BaseMessage[]): BaseMessage[] {
  let lastSystem = -1;
  for (let i = 0; i < messages.length && messages[i]!._getType() === 'system'; i++) lastSystem = i;
  if (lastSystem < 0) return messages;
  const system = messages[lastSystem]!;
  const blocks = typeof system.content === 'string' ? [{ type: 'text', text: system.content }] : [...(system.content as AnyObj[])];
  if (blocks.length === 0) return messages;
  blocks[blocks.length - 1] = { ...blocks[blocks.length - 1], cache_control: { type: 'ephemeral' } };
  const out = [...messages];
  out[lastSystem] = new SystemMessage({ content: blocks as never });
  return out;
}

/**
 * ChatAnthropic for Taxonomist: maxRetries 0 (the gateway owns retries and reads Anthropic's retry-after),
 * OpenAI-shaped tool_choice translated, the system prompt marked for prompt caching, a `refusal` stop reason
 * reported where the gateway looks for refusals, and a console view without the key.
 */
export class TaxonomistChatAnthropic extends ChatAnthropic {
  private readonly promptCaching: boolean;

  constructor(fields: ChatAnthropicFields & { promptCaching?: boolean }) {
    const { promptCaching, ...rest } = fields;
    super({ ...rest, maxRetries: 0 });
    this.promptCaching = promptCaching !== false;
  }

  override invocationParams(options?: this['ParsedCallOptions']): ReturnType<ChatAnthropic['invocationParams']> {
    const translated = options && 'tool_choice' in options ? { ...options, tool_choice: toAnthropicToolChoice(options.tool_choice) as never } : options;
    return super.invocationParams(translated);
  }

  override async _generate(messages: BaseMessage[], options: this['ParsedCallOptions'], runManager?: CallbackManagerForLLMRun): Promise<ChatResult> {
    const result = await super._generate(this.promptCaching ? withCachedSystemPrefix(messages) : messages, options, runManager);
    for (const generation of result.generations) {
      const message = generation.message;
      if ((message.response_metadata as AnyObj | undefined)?.stop_reason === 'refusal') {
        message.additional_kwargs = { ...message.additional_kwargs, refusal: message.text || 'refused (stop_reason: refusal)' };
      }
    }
    return result;
  }

  /** console.log / util.inspect show the model, never the key the client holds. */
  [inspect.custom](): string {
    return `TaxonomistChatAnthropic { model: ${JSON.stringify(this.model)} }`;
  }
}

export function createAnthropicChatModel(modelName: string, s: ResolvedAnthropicSettings): TaxonomistChatAnthropic {
  return new TaxonomistChatAnthropic({
    model: modelName,
    apiKey: s.apiKey,
    anthropicApiUrl: s.baseURL,
    maxTokens: s.maxTokens,
    promptCaching: s.promptCaching,
    ...(s.temperature !== undefined ? { temperature: s.temperature } : {}),
    ...(s.timeoutMs !== undefined ? { clientOptions: { timeout: s.timeoutMs } } : {}),
  });
}
