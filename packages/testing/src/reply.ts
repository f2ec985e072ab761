/**
 * Scripted answers shared by the in-process scripted chat model and the local OpenAI-compatible server.
 * A script may return a plain string (the message text), a plain object (serialised to JSON text, or to tool-call
 * arguments when the request asked for a tool call), an Error (thrown / turned into a fault), or one of the
 * explicit `reply.*` values below when it needs something a plain value cannot say (a refusal, raw tool-call
 * arguments that are not valid JSON, custom usage or logprobs).
 */
const REPLY = Symbol.for('@taxonomist/testing.reply');

export interface ScriptedToolCall {
  /** Tool name; defaults to the tool the request asked for (or its first tool). */
  name?: string;
  /** Arguments: an object is serialised to JSON; a string is sent verbatim (so it can be broken JSON). */
  args: unknown;
}

export interface ReplyLogprob {
  token: string;
  logprob: number;
  top?: { token: string; logprob: number }[];
}

export interface ScriptedReply {
  readonly [REPLY]: true;
  /** Message text. */
  content?: string;
  toolCalls?: ScriptedToolCall[];
  /** An OpenAI-style refusal (message.refusal set, no content). */
  refusal?: string;
  /** Override the token usage reported for this answer. */
  usage?: { inputTokens?: number; outputTokens?: number };
  /** Override the logprobs reported for this answer (only sent when the request asked for logprobs). */
  logprobs?: ReplyLogprob[];
  /** OpenAI finish_reason (default 'stop', or 'tool_calls' for tool calls). */
  finishReason?: string;
}

type ReplyExtras = Pick<ScriptedReply, 'usage' | 'logprobs' | 'finishReason'>;

function make(fields: Omit<ScriptedReply, typeof REPLY>): ScriptedReply {
  return { [REPLY]: true, ...fields } as ScriptedReply;
}

export const reply = {
  /** Answer with this exact message text. */
  text: (content: string, extras: ReplyExtras = {}): ScriptedReply => make({ content, ...extras }),
  /** Answer with the JSON text of a value (even when the request asked for a tool call). */
  json: (value: unknown, extras: ReplyExtras = {}): ScriptedReply => make({ content: JSON.stringify(value), ...extras }),
  /** Answer with one tool call; `args` as an object (serialised) or a raw string (sent verbatim). */
  toolCall: (args: unknown, name?: string, extras: ReplyExtras = {}): ScriptedReply =>
    make({ toolCalls: [{ name, args }], ...extras }),
  /** Answer with several tool calls. */
  toolCalls: (calls: ScriptedToolCall[], extras: ReplyExtras = {}): ScriptedReply => make({ toolCalls: calls, ...extras }),
  /** Refuse, the way OpenAI does for structured outputs (message.refusal, content null). */
  refusal: (message = "I'm sorry, but I can't help with that.", extras: ReplyExtras = {}): ScriptedReply =>
    make({ refusal: message, ...extras }),
};

export function isReply(value: unknown): value is ScriptedReply {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[REPLY] === true;
}

/** What a request asked for, as far as shaping the answer goes. */
export interface AnswerContext {
  /** True when the request asked for a tool call (tools + tool_choice / bindTools). */
  wantsToolCall: boolean;
  /** The tool to call when the answer does not name one. */
  toolName?: string;
}

/** An answer normalised to what goes into an OpenAI message / LangChain AIMessage. */
export interface NormalizedAnswer {
  content: string | null;
  toolCalls: { name: string; argsText: string }[];
  refusal: string | null;
  usage?: { inputTokens?: number; outputTokens?: number };
  logprobs?: ReplyLogprob[];
  finishReason: string;
}

/** Turn a script's value (string, object or reply) into the message to send back. Errors are handled by callers. */
export function normalizeAnswer(value: unknown, ctx: AnswerContext): NormalizedAnswer {
  if (isReply(value)) {
    const toolCalls = (value.toolCalls ?? []).map((c) => ({
      name: c.name ?? ctx.toolName ?? 'extract',
      argsText: typeof c.args === 'string' ? c.args : JSON.stringify(c.args ?? {}),
    }));
    return {
      content: value.refusal !== undefined ? null : (value.content ?? (toolCalls.length > 0 ? null : '')),
      toolCalls,
      refusal: value.refusal ?? null,
      usage: value.usage,
      logprobs: value.logprobs,
      finishReason: value.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
    };
  }
  if (ctx.wantsToolCall) {
    const argsText = typeof value === 'string' ? value : JSON.stringify(value ?? {});
    return {
      content: null,
      toolCalls: [{ name: ctx.toolName ?? 'extract', argsText }],
      refusal: null,
      finishReason: 'tool_calls',
    };
  }
  const content = typeof value === 'string' ? value : JSON.stringify(value ?? null);
  return { content, toolCalls: [], refusal: null, finishReason: 'stop' };
}

/** The text an answer "says", for token counting and logprobs. */
export function answerText(answer: NormalizedAnswer): string {
  if (answer.refusal !== null) return answer.refusal;
  if (answer.toolCalls.length > 0) return answer.toolCalls.map((c) => c.argsText).join('');
  return answer.content ?? '';
}
