import { BaseChatModel, type BaseChatModelCallOptions, type BaseChatModelParams } from '@langchain/core/language_models/chat_models';
import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import { postJson, type EchoConnection } from './http.js';

/**
 * A LangChain chat model for the (imaginary) Echo API, written from scratch on fetch. This is the part of a provider
 * plugin that talks to the vendor; Taxonomist only needs a `BaseChatModel` that:
 *
 * 1. answers `invoke(messages, { signal })` with an AIMessage whose text is the model's answer;
 * 2. reports token usage in `usage_metadata` (otherwise the gateway has to estimate it with tiktoken);
 * 3. honours the caller's AbortSignal and throws errors the gateway can classify (see ./http.ts);
 * 4. never retries by itself: the gateway's retries (with backoff and Retry-After) are the only ones;
 * 5. has `temperature` / `maxTokens` fields: the gateway sets them per call on a derived instance.
 *
 * Structured output: the Echo API has a JSON mode (`response_format: { type: 'json_object' }`, bound by the gateway
 * with `withConfig`) and no tool calling, so this class defines no `bindTools`. The gateway then uses 'jsonMode' or
 * 'prompt' (the JSON Schema goes into the system prompt and the answer is validated against it).
 */

export interface EchoChatModelFields extends BaseChatModelParams, Partial<EchoConnection> {
  /** Model name on the Echo API, e.g. "rules-v1". */
  model: string;
  temperature?: number;
  maxTokens?: number;
}

export interface EchoChatCallOptions extends BaseChatModelCallOptions {
  /** Set by the gateway for the 'jsonMode' structured method. */
  response_format?: { type: 'json_object' | 'text' };
}

/** The Echo API's chat answer (an OpenAI-compatible wire format, as many vendors offer). */
interface EchoChatResponse {
  id?: string;
  model?: string;
  choices: { message: { role: string; content: string | null; refusal?: string | null }; finish_reason?: string }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens?: number };
}

const ROLES: Record<string, string> = { system: 'system', human: 'user', ai: 'assistant' };

function wireMessage(message: BaseMessage): { role: string; content: string } {
  const role = ROLES[message._getType()];
  if (role === undefined) throw new Error(`Echo API: unsupported message type "${message._getType()}"`);
  return { role, content: message.text };
}

export class EchoChatModel extends BaseChatModel<EchoChatCallOptions> {
  /** Read by the gateway to derive the model id when the instance is passed directly ("echo:<model>"). */
  readonly model: string;
  temperature: number | undefined;
  maxTokens: number | undefined;
  private readonly connection: EchoConnection;

  constructor(fields: EchoChatModelFields) {
    const { baseURL, apiKey, timeoutMs, ...rest } = fields;
    // The connection stays out of super(): LangChain keeps constructor fields in `lc_kwargs`, where a key could be
    // serialised. maxRetries 0: LangChain's own retry layer would stack under the gateway's and hide errors from it.
    super({ ...rest, maxRetries: 0 });
    if (!baseURL) throw new Error('EchoChatModel: baseURL is required (the URL of the Echo API, e.g. http://127.0.0.1:8080/v1)');
    if (!apiKey) throw new Error('EchoChatModel: apiKey is required (set ECHO_API_KEY or pass apiKey)');
    this.model = fields.model;
    this.temperature = fields.temperature;
    this.maxTokens = fields.maxTokens;
    // Non-enumerable, so JSON.stringify, console.log and error reporters never show the key.
    this.connection = { baseURL, apiKey, ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
    Object.defineProperty(this, 'connection', { enumerable: false });
  }

  _llmType(): string {
    return 'echo';
  }

  async _generate(messages: BaseMessage[], options: this['ParsedCallOptions']): Promise<ChatResult> {
    const body: Record<string, unknown> = { model: this.model, messages: messages.map(wireMessage) };
    if (this.temperature !== undefined) body.temperature = this.temperature;
    if (this.maxTokens !== undefined) body.max_tokens = this.maxTokens;
    if (options.response_format !== undefined) body.response_format = options.response_format;

    const answer = await postJson<EchoChatResponse>(this.connection, '/chat/completions', body, options.signal);
    const choice = answer.choices?.[0];
    // An answer without a choice is a broken response: a plain Error named like the gateway's malformed-response
    // case, so it is retried rather than failing the record.
    if (choice === undefined) {
      const error = new Error('Echo API answered without a message');
      error.name = 'MalformedResponseError';
      throw error;
    }
    const usage = answer.usage;
    const message = new AIMessage({
      content: choice.message.content ?? '',
      // A refusal is reported where the gateway looks for it (it fails the call as 'refusal', no re-ask).
      additional_kwargs: choice.message.refusal ? { refusal: choice.message.refusal } : {},
      response_metadata: { model_name: answer.model ?? this.model, finish_reason: choice.finish_reason },
      ...(usage
        ? { usage_metadata: { input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens, total_tokens: usage.prompt_tokens + usage.completion_tokens } }
        : {}),
    });
    return { generations: [{ text: message.text, message }] };
  }
}
