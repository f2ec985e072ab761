import { extractJsonSchemaFromText } from '../extract-schema.js';
import { sampleFromJsonSchema, violateJsonSchema, type JsonSchema } from '../json-schema-sample.js';
import { answerText, normalizeAnswer, type NormalizedAnswer } from '../reply.js';
import type { RequestedFormat, ScriptedMessage } from '../scripted-chat-model.js';
import { countChatPromptTokens, countTextTokens, splitIntoTokens } from '../tokens.js';
import { logprobsFor, toOpenAILogprobs } from '../logprobs.js';
import type { ChatRequestInfo, Fault, OpenAIServerOptions } from './types.js';

/** Thrown for requests the server cannot serve; becomes a 400 invalid_request_error. */
export class BadRequest extends Error {}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p) => (typeof p === 'object' && p !== null && (p as { type?: string }).type === 'text' ? String((p as { text?: unknown }).text ?? '') : ''))
      .join('');
  }
  return '';
}

function toRole(role: unknown): ScriptedMessage['role'] {
  if (role === 'system' || role === 'developer') return 'system';
  if (role === 'assistant') return 'assistant';
  if (role === 'tool' || role === 'function') return 'tool';
  return 'user';
}

/** Read a chat completion request body into what scripts see. */
export function parseChatRequest(body: Record<string, unknown>, index: number, options: OpenAIServerOptions): ChatRequestInfo {
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw new BadRequest("'messages' must be a non-empty array");
  if (typeof body.model !== 'string' || body.model.length === 0) throw new BadRequest("'model' must be a non-empty string");
  const messages: ScriptedMessage[] = body.messages.map((m, i) => {
    if (typeof m !== 'object' || m === null) throw new BadRequest(`messages[${i}] must be an object`);
    const msg = m as { role?: unknown; content?: unknown };
    return { role: toRole(msg.role), content: contentText(msg.content) };
  });
  const tools = (Array.isArray(body.tools) ? body.tools : []).map((t, i) => {
    const fn = (t as { function?: { name?: unknown; description?: unknown; parameters?: unknown } }).function;
    if (!fn || typeof fn.name !== 'string') throw new BadRequest(`tools[${i}].function.name is required`);
    return {
      name: fn.name,
      description: typeof fn.description === 'string' ? fn.description : undefined,
      parameters: (fn.parameters ?? { type: 'object', properties: {} }) as JsonSchema,
    };
  });
  let format: RequestedFormat = 'text';
  let schema: JsonSchema | undefined;
  let schemaName: string | undefined;
  const rf = body.response_format as { type?: string; json_schema?: { name?: string; schema?: JsonSchema } } | undefined;
  const toolChoice = body.tool_choice;
  if (tools.length > 0 && toolChoice !== 'none') {
    format = 'functionCalling';
    const named =
      typeof toolChoice === 'object' && toolChoice !== null ? (toolChoice as { function?: { name?: string } }).function?.name : undefined;
    const tool = tools.find((t) => t.name === named) ?? tools[0]!;
    schema = tool.parameters;
    schemaName = tool.name;
  } else if (rf?.type === 'json_schema') {
    if (!rf.json_schema || rf.json_schema.schema === undefined) throw new BadRequest("response_format.json_schema.schema is required");
    format = 'jsonSchema';
    schema = rf.json_schema.schema;
    schemaName = rf.json_schema.name;
  } else {
    if (rf?.type === 'json_object') format = 'jsonMode';
    // Prompt-method and JSON-mode callers paste the schema into the prompt; answer it with schema-valid JSON.
    schema = extractJsonSchemaFromText(messages.map((m) => m.content).join('\n'));
  }
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const seed = options.seed ?? 0;
  return {
    index,
    model: body.model,
    messages,
    lastUserMessage: lastUser?.content ?? '',
    format,
    schema,
    schemaName,
    tools,
    body,
    sample: () => (schema === undefined ? undefined : sampleFromJsonSchema(schema, { seed, choice: options.choice })),
  };
}

/** The answer a request gets without a script: schema-following JSON, or a short deterministic text. */
export function defaultServerAnswer(request: ChatRequestInfo): unknown {
  const sample = request.sample();
  if (sample !== undefined) return sample;
  if (request.format === 'jsonMode') return {};
  return `This is a scripted answer to: ${request.lastUserMessage.slice(0, 60)}`;
}

/** Apply a content fault to a normal answer. */
export function applyContentFault(answer: NormalizedAnswer, fault: Fault, request: ChatRequestInfo): NormalizedAnswer {
  switch (fault.kind) {
    case 'truncated_json': {
      const cut = (s: string) => s.slice(0, Math.max(1, Math.floor(s.length / 2)));
      if (answer.toolCalls.length > 0) {
        return { ...answer, toolCalls: answer.toolCalls.map((c) => ({ ...c, argsText: cut(c.argsText) })) };
      }
      return { ...answer, content: cut(answer.content ?? '{"answer": "x"}'), refusal: null, finishReason: 'stop' };
    }
    case 'schema_invalid': {
      const wrong = JSON.stringify(violateJsonSchema(request.schema ?? { type: 'object', required: ['answer'] }));
      if (answer.toolCalls.length > 0) return { ...answer, toolCalls: answer.toolCalls.map((c) => ({ ...c, argsText: wrong })) };
      return { ...answer, content: wrong, refusal: null, finishReason: 'stop' };
    }
    case 'refusal':
      return {
        content: null,
        toolCalls: [],
        refusal: fault.message ?? "I'm sorry, but I can't help with that request.",
        finishReason: 'stop',
      };
    default:
      return answer;
  }
}

/** Normalise a script value for this request. */
export function normalizeForRequest(value: unknown, request: ChatRequestInfo): NormalizedAnswer {
  return normalizeAnswer(value, { wantsToolCall: request.format === 'functionCalling', toolName: request.schemaName });
}

/** Build the chat.completion JSON for an answer. */
export function chatCompletionBody(answer: NormalizedAnswer, request: ChatRequestInfo, options: OpenAIServerOptions): Record<string, unknown> {
  const text = answerText(answer);
  const schemaTokens =
    request.format === 'functionCalling' || request.format === 'jsonSchema' ? countTextTokens(JSON.stringify(request.schema ?? {})) : 0;
  const promptTokens = answer.usage?.inputTokens ?? countChatPromptTokens(request.messages) + schemaTokens;
  const completionTokens = answer.usage?.outputTokens ?? countTextTokens(text);
  const message: Record<string, unknown> = { role: 'assistant', content: answer.content, refusal: answer.refusal };
  if (answer.toolCalls.length > 0) {
    message.tool_calls = answer.toolCalls.map((c, i) => ({
      id: `call_${request.index}_${i}`,
      type: 'function',
      function: { name: c.name, arguments: c.argsText },
    }));
  }
  let logprobs: unknown = null;
  if (request.body.logprobs === true) {
    const tokens = splitIntoTokens(text);
    const top = typeof request.body.top_logprobs === 'number' ? request.body.top_logprobs : 0;
    const entries = answer.logprobs ?? options.logprobs?.(request, tokens) ?? logprobsFor(tokens, top);
    logprobs = { content: toOpenAILogprobs(entries), refusal: null };
  }
  return {
    id: `chatcmpl-taxonomist-${request.index}`,
    object: 'chat.completion',
    // Fixed timestamp: identical requests give byte-identical responses.
    created: 1_700_000_000,
    model: request.model,
    system_fingerprint: 'fp_taxonomist_test',
    choices: [{ index: 0, message, logprobs, finish_reason: answer.finishReason }],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  };
}

/** The same completion as server-sent events (chat.completion.chunk objects), for `stream: true` requests. */
export function chatCompletionChunks(completion: Record<string, unknown>, includeUsage: boolean): string[] {
  const choice = (completion.choices as { message: Record<string, unknown>; finish_reason: string; logprobs: unknown }[])[0]!;
  const base = { id: completion.id, object: 'chat.completion.chunk', created: completion.created, model: completion.model };
  const delta: Record<string, unknown> = { role: 'assistant', content: choice.message.content ?? '' };
  if (choice.message.refusal) delta.refusal = choice.message.refusal;
  if (Array.isArray(choice.message.tool_calls)) {
    delta.tool_calls = (choice.message.tool_calls as Record<string, unknown>[]).map((c, index) => ({ index, ...c }));
  }
  const events = [
    { ...base, choices: [{ index: 0, delta, logprobs: choice.logprobs, finish_reason: null }] },
    { ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: choice.finish_reason }] },
  ];
  if (includeUsage) events.push({ ...base, choices: [], usage: completion.usage } as never);
  return [...events.map((e) => `data: ${JSON.stringify(e)}\n\n`), 'data: [DONE]\n\n'];
}
