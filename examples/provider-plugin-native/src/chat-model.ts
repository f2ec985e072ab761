import { BaseChatModel, type BaseChatModelCallOptions, type BaseChatModelParams } from '@langchain/core/language_models/chat_models';
import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import { RunnableLambda, type Runnable } from '@langchain/core/runnables';
import { quillPost, type QuillConnection, type QuillReplyAnswer, type QuillReplyBody, type QuillTurn } from './wire.js';

export interface QuillChatFields extends BaseChatModelParams, Partial<QuillConnection> {
  model: string;
  temperature?: number;
}

export interface QuillCallOptions extends BaseChatModelCallOptions {
  /** Native structured output: the JSON Schema the answer must follow (bound by withStructuredOutput). */
  shape?: Record<string, unknown>;
  /** What the gateway binds for 'jsonMode' (OpenAI's words); sent as Quill's strict_json. */
  response_format?: { type: string };
}

const FROM: Record<string, QuillTurn['from']> = { system: 'guide', human: 'person', ai: 'quill' };

/**
 * A LangChain chat model for Quill. What Taxonomist needs from it (and what the conformance kit checks):
 * the answer text in the AIMessage, usage in usage_metadata, the AbortSignal reaching fetch, classifiable errors,
 * no retries of its own, and each structured-output method it claims bound the Quill way:
 * - 'jsonSchema' -> `shape` (withStructuredOutput below);
 * - 'jsonMode' -> `strict_json: true` (the gateway binds OpenAI's response_format, translated here);
 * - 'prompt' -> nothing on the wire (the gateway puts the schema in the prompt).
 */
export class QuillChatModel extends BaseChatModel<QuillCallOptions> {
  readonly model: string;
  temperature: number | undefined;
  private readonly connection: QuillConnection;

  constructor(fields: QuillChatFields) {
    const { baseURL, apiKey, timeoutMs, ...rest } = fields;
    super({ ...rest, maxRetries: 0 });
    if (!baseURL || !apiKey) throw new Error('QuillChatModel: baseURL and apiKey are required');
    this.model = fields.model;
    this.temperature = fields.temperature;
    // Non-enumerable: JSON.stringify and console.log never show the key.
    this.connection = { baseURL, apiKey, ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
    Object.defineProperty(this, 'connection', { enumerable: false });
  }

  _llmType(): string {
    return 'quill';
  }

  override withStructuredOutput(schema: unknown, config?: { method?: string; includeRaw?: boolean; name?: string }): Runnable {
    if (config?.method !== 'jsonSchema') return super.withStructuredOutput(schema as never, config as never) as unknown as Runnable;
    const bound = this.withConfig({ shape: schema as Record<string, unknown> });
    // The gateway validates the raw text itself; `parsed` is a best effort for other callers.
    return bound.pipe(
      RunnableLambda.from((raw: AIMessage) => {
        let parsed: unknown = null;
        try {
          parsed = JSON.parse(raw.text);
        } catch {
          // left to the caller's validation
        }
        return config.includeRaw ? { raw, parsed } : parsed;
      }),
    ) as unknown as Runnable;
  }

  async _generate(messages: BaseMessage[], options: this['ParsedCallOptions']): Promise<ChatResult> {
    const body: QuillReplyBody = {
      engine: this.model,
      turns: messages.map((m) => {
        const from = FROM[m._getType()];
        if (from === undefined) throw new Error(`Quill: unsupported message type "${m._getType()}"`);
        return { from, text: m.text };
      }),
    };
    if (options.shape !== undefined) body.shape = options.shape;
    else if (options.response_format?.type === 'json_object') body.strict_json = true;
    if (this.temperature !== undefined) body.warmth = this.temperature;
    const answer = await quillPost<QuillReplyAnswer>(this.connection, '/v2/reply', body, options.signal);
    if (answer?.done !== true || typeof answer.reply?.text !== 'string') {
      const error = new Error('Quill /v2/reply: the answer is incomplete (no reply.text or done is not true)');
      error.name = 'MalformedResponseError';
      throw error;
    }
    const { read, wrote } = answer.meter;
    const message = new AIMessage({
      content: answer.reply.text,
      usage_metadata: { input_tokens: read, output_tokens: wrote, total_tokens: read + wrote },
      response_metadata: { model_name: this.model },
    });
    return { generations: [{ text: message.text, message }] };
  }
}
