import { extractJsonSchemaFromText } from '../extract-schema.js';
import { sampleFromJsonSchema, type JsonSchema } from '../json-schema-sample.js';
import type { RequestedFormat, ScriptedMessage } from '../scripted-chat-model.js';
import type { ChatRequestInfo } from '../openai-server/types.js';
import type { FakeServerOptions, NeutralRequest } from './types.js';

/** Text of a message content: a string, or the text parts of a block array (`{type:'text', text}` or `{text}`). */
export function blocksText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((p) => {
      if (typeof p === 'string') return p;
      const o = (p ?? {}) as { type?: unknown; text?: unknown };
      return typeof o.text === 'string' && (o.type === undefined || o.type === 'text') ? o.text : '';
    })
    .join('');
}

export interface ChatInfoInput {
  index: number;
  model: string;
  messages: ScriptedMessage[];
  body: Record<string, unknown>;
  options: FakeServerOptions;
  structured: NonNullable<NeutralRequest['structured']>;
  tools?: ChatRequestInfo['tools'];
}

/**
 * The ChatRequestInfo scripts see, from what a protocol read. Prompt-method requests (nothing structured on the
 * wire) get the schema pasted in their prompt, so default answers still follow it.
 */
export function chatInfo(input: ChatInfoInput): ChatRequestInfo {
  const { structured } = input;
  const format: RequestedFormat =
    structured.via === 'tool' ? 'functionCalling' : structured.via === 'native_schema' ? 'jsonSchema' : structured.via === 'json_mode' ? 'jsonMode' : 'text';
  const schema: JsonSchema | undefined = structured.schema ?? (structured.via === 'tool' ? undefined : extractJsonSchemaFromText(input.messages.map((m) => m.content).join('\n')));
  const lastUser = [...input.messages].reverse().find((m) => m.role === 'user');
  const seed = input.options.seed ?? 0;
  return {
    index: input.index,
    model: input.model,
    messages: input.messages,
    lastUserMessage: lastUser?.content ?? '',
    format,
    schema,
    // A native schema field has no name slot: the gateway sends the schema name as the JSON Schema title.
    schemaName: structured.toolName ?? titleOf(schema),
    tools: input.tools ?? [],
    body: input.body,
    sample: () => (schema === undefined ? undefined : sampleFromJsonSchema(schema, { seed, choice: input.options.choice })),
  };
}

export function json(payload: unknown, headers?: Record<string, string>): { payload: string; contentType: string; headers?: Record<string, string> } {
  return { payload: JSON.stringify(payload), contentType: 'application/json', ...(headers ? { headers } : {}) };
}

/** Seconds to announce for a rate_limit fault (whole seconds, as Retry-After carries them), or undefined. */
export function retryAfterSeconds(fault: { kind: string; retryAfterSeconds?: number; retryAfterMs?: number } | undefined): number | undefined {
  if (fault?.kind !== 'rate_limit') return undefined;
  if (fault.retryAfterSeconds !== undefined) return fault.retryAfterSeconds;
  if (fault.retryAfterMs !== undefined) return Math.ceil(fault.retryAfterMs / 1000);
  return undefined;
}

function titleOf(schema: JsonSchema | undefined): string | undefined {
  const title = (schema as { title?: unknown } | undefined)?.title;
  return typeof title === 'string' ? title : undefined;
}
