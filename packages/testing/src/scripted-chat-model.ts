import { BaseChatModel, type BaseChatModelCallOptions, type BindToolsInput } from '@langchain/core/language_models/chat_models';
import { AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import type { BaseLanguageModelInput } from '@langchain/core/language_models/base';
import type { Runnable } from '@langchain/core/runnables';
import { convertToOpenAITool } from '@langchain/core/utils/function_calling';
import type { StructuredMethod } from '@taxonomist/core';
import { sampleFromJsonSchema, type JsonSchema } from './json-schema-sample.js';
import { extractJsonSchemaFromText } from './extract-schema.js';
import { answerText, normalizeAnswer, type NormalizedAnswer, type ScriptedReply } from './reply.js';
import { countChatPromptTokens, countTextTokens, splitIntoTokens } from './tokens.js';
import { logprobsFor, toOpenAILogprobs } from './logprobs.js';

/** A message as scripts see it (LangChain messages flattened to role + text). */
export interface ScriptedMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
}

/** How the request asked for its answer. */
export type RequestedFormat = 'jsonSchema' | 'jsonMode' | 'functionCalling' | 'text';

/** What a script function sees for one call. */
export interface ScriptedCall {
  /** 0-based index of this call on this model (failed calls count too). */
  index: number;
  messages: ScriptedMessage[];
  /** Text of the last user message (handy for keyword scripts). */
  lastUserMessage: string;
  /** Call options other than signal and callbacks (tools, tool_choice, response_format, logprobs, ...). */
  options: Record<string, unknown>;
  format: RequestedFormat;
  /** The JSON Schema asked for: response_format json_schema, the chosen tool's parameters, or one found in the prompt. */
  schema?: JsonSchema;
  schemaName?: string;
  /** Tools bound to the call, OpenAI format. */
  tools: { name: string; description?: string; parameters: JsonSchema }[];
  /** A value that follows `schema` (deterministic); undefined when there is no schema. */
  sample(): unknown;
  /** The caller's abort signal, so slow scripts can stop when the caller gives up. */
  signal?: AbortSignal;
}

/** What a script step can produce: text, an object (sent as JSON), a reply.*, or an Error (thrown). */
export type ScriptValue = string | object | Error | ScriptedReply | undefined;
export type ScriptFunction = (call: ScriptedCall) => ScriptValue | Promise<ScriptValue>;
export type ScriptStep = ScriptValue | ScriptFunction;

/** A recorded call. */
export interface RecordedChatCall {
  index: number;
  messages: ScriptedMessage[];
  options: Record<string, unknown>;
  format: RequestedFormat;
  schema?: JsonSchema;
  schemaName?: string;
  /** The answer sent back (undefined when the call threw). */
  answer?: NormalizedAnswer;
  /** Message of the error thrown, when the call failed. */
  error?: string;
  usage?: { inputTokens: number; outputTokens: number };
}

export type UsageSetting =
  | 'tiktoken'
  | false
  | { inputTokens: number; outputTokens: number }
  | ((call: ScriptedCall, answerText: string) => { inputTokens: number; outputTokens: number });

export interface ErrorRule {
  /** Call index (or indices), or a predicate on the call. */
  on: number | number[] | ((call: ScriptedCall) => boolean);
  /** The error to throw (a factory gives a fresh error each time). */
  error: Error | ((call: ScriptedCall) => Error);
}

export interface ScriptedChatModelOptions {
  /**
   * The answers. A single step answers every call; an array is consumed one step per call (see `whenExhausted`).
   * A step is a string, an object (JSON), a `reply.*`, an Error (thrown), or a function of the call returning one of
   * those (returning undefined means "the default answer"). To answer with a JSON array, wrap it: reply.json([...]).
   * Default: a schema-following sample for structured calls, "ok" for plain text calls.
   */
  responses?: ScriptStep | ScriptStep[];
  /** Model name (LangChain `model` field; the gateway derives the id "scripted:<id>" from it). Default 'scripted-model'. */
  id?: string;
  /** Token usage reported in usage_metadata: js-tiktoken counts (default), fixed numbers, a function, or false. */
  usage?: UsageSetting;
  /**
   * The structured-output method this model stands in for. 'prompt' makes a model WITHOUT bindTools (like a plain
   * completion model); every other value keeps bindTools and also honours response_format json_schema / json_object
   * call options. Exposed as `model.structuredMethod`. Default 'functionCalling'.
   */
  structuredMethod?: Exclude<StructuredMethod, 'auto'>;
  /** When an array of responses runs out: repeat the last step, or throw (default 'throw': catches unexpected calls). */
  whenExhausted?: 'repeat' | 'throw';
  /** Errors to throw on given calls, before any response is consumed (a failed attempt does not use up a response). */
  errors?: ErrorRule[] | Record<number, Error>;
  /** Seed for the default schema samples (default 0). */
  seed?: number;
}

export interface ScriptedChatCallOptions extends BaseChatModelCallOptions {
  tools?: unknown[];
  response_format?: { type: string; json_schema?: { name?: string; schema?: JsonSchema; strict?: boolean } };
  logprobs?: boolean;
  top_logprobs?: number;
}

function messageText(content: BaseMessage['content']): string {
  if (typeof content === 'string') return content;
  return content
    .map((part) => (typeof part === 'string' ? part : part.type === 'text' && typeof part.text === 'string' ? part.text : ''))
    .join('');
}

function toScriptedMessage(message: BaseMessage): ScriptedMessage {
  const type = message.getType();
  const role = type === 'system' ? 'system' : type === 'ai' ? 'assistant' : type === 'tool' ? 'tool' : 'user';
  return { role, content: messageText(message.content) };
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return Object.assign(new Error('Aborted'), { name: 'AbortError' });
}

/** Resolve `promise` or reject as soon as `signal` aborts. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * An in-process LangChain chat model answering from a script. Deterministic, records every call in `.calls`, reports
 * usage_metadata, and shapes answers like ChatOpenAI does (tool_calls, additional_kwargs.refusal,
 * response_metadata.logprobs / finish_reason), so gateway code paths are exercised without a network.
 */
export class ScriptedChatModel extends BaseChatModel<ScriptedChatCallOptions> {
  /** Recorded calls, in order. */
  readonly calls: RecordedChatCall[] = [];
  /** Model name, read by the gateway to build the model id. */
  readonly model: string;
  readonly structuredMethod: Exclude<StructuredMethod, 'auto'>;
  readonly supportsLogprobs = true;
  private readonly steps: ScriptStep[];
  private readonly single: boolean;
  private readonly options: ScriptedChatModelOptions;
  private stepIndex = 0;
  private callIndex = 0;

  constructor(options: ScriptedChatModelOptions = {}) {
    super({});
    this.options = options;
    this.model = options.id ?? 'scripted-model';
    this.structuredMethod = options.structuredMethod ?? 'functionCalling';
    this.single = !Array.isArray(options.responses);
    this.steps = Array.isArray(options.responses) ? options.responses : [options.responses];
  }

  _llmType(): string {
    return 'scripted';
  }

  /** Number of calls made so far. */
  get callCount(): number {
    return this.callIndex;
  }

  async _generate(messages: BaseMessage[], options: this['ParsedCallOptions']): Promise<ChatResult> {
    const signal = options.signal;
    if (signal?.aborted) throw abortError(signal);
    const index = this.callIndex++;
    const call = this.buildCall(index, messages, options);
    const record: RecordedChatCall = {
      index,
      messages: call.messages,
      options: call.options,
      format: call.format,
      schema: call.schema,
      schemaName: call.schemaName,
    };
    this.calls.push(record);
    try {
      const injected = this.injectedError(call);
      if (injected) throw injected;
      const value = await raceAbort(Promise.resolve(this.nextValue(call)), signal);
      if (value instanceof Error) throw value;
      const answer = normalizeAnswer(value === undefined ? defaultAnswer(call) : value, {
        wantsToolCall: call.format === 'functionCalling',
        toolName: call.schemaName,
      });
      record.answer = answer;
      const text = answerText(answer);
      const usage = answer.usage
        ? { inputTokens: answer.usage.inputTokens ?? 0, outputTokens: answer.usage.outputTokens ?? 0 }
        : this.usageFor(call, text);
      record.usage = usage;
      return { generations: [{ text: answer.content ?? '', message: this.toMessage(answer, call, usage, index) }] };
    } catch (error) {
      record.error = error instanceof Error ? error.message : String(error);
      throw error;
    }
  }

  private buildCall(index: number, messages: BaseMessage[], options: this['ParsedCallOptions']): ScriptedCall {
    const { signal, callbacks: _c, ...rest } = options as Record<string, unknown> & { signal?: AbortSignal };
    const scripted = messages.map(toScriptedMessage);
    const tools = (Array.isArray(rest.tools) ? rest.tools : []).map((t) => {
      const fn = (t as { function?: { name: string; description?: string; parameters?: JsonSchema } }).function;
      return { name: fn?.name ?? 'extract', description: fn?.description, parameters: fn?.parameters ?? {} };
    });
    let format: RequestedFormat = 'text';
    let schema: JsonSchema | undefined;
    let schemaName: string | undefined;
    const rf = rest.response_format as ScriptedChatCallOptions['response_format'];
    if (tools.length > 0 && rest.tool_choice !== 'none') {
      format = 'functionCalling';
      const chosen = chosenToolName(rest.tool_choice);
      const tool = tools.find((t) => t.name === chosen) ?? tools[0]!;
      schema = tool.parameters;
      schemaName = tool.name;
    } else if (rf?.type === 'json_schema') {
      format = 'jsonSchema';
      schema = rf.json_schema?.schema;
      schemaName = rf.json_schema?.name;
    } else if (rf?.type === 'json_object') {
      format = 'jsonMode';
      schema = extractJsonSchemaFromText(scripted.map((m) => m.content).join('\n'));
    } else {
      schema = extractJsonSchemaFromText(scripted.map((m) => m.content).join('\n'));
    }
    const lastUser = [...scripted].reverse().find((m) => m.role === 'user');
    const seed = this.options.seed ?? 0;
    return {
      index,
      messages: scripted,
      lastUserMessage: lastUser?.content ?? '',
      options: rest,
      format,
      schema,
      schemaName,
      tools,
      sample: () => (schema === undefined ? undefined : sampleFromJsonSchema(schema, { seed })),
      signal,
    };
  }

  private injectedError(call: ScriptedCall): Error | undefined {
    const rules = this.options.errors;
    if (!rules) return undefined;
    if (!Array.isArray(rules)) return rules[call.index];
    for (const rule of rules) {
      const hit =
        typeof rule.on === 'function' ? rule.on(call) : Array.isArray(rule.on) ? rule.on.includes(call.index) : rule.on === call.index;
      if (hit) return typeof rule.error === 'function' ? rule.error(call) : rule.error;
    }
    return undefined;
  }

  private nextValue(call: ScriptedCall): ScriptValue | Promise<ScriptValue> {
    let step: ScriptStep;
    if (this.single) step = this.steps[0];
    else if (this.stepIndex < this.steps.length) step = this.steps[this.stepIndex++];
    else if (this.options.whenExhausted === 'repeat' && this.steps.length > 0) step = this.steps[this.steps.length - 1];
    else
      throw new Error(
        `scripted model "${this.model}": no scripted response left for call #${call.index} ` +
          `(${this.steps.length} given; set whenExhausted: 'repeat' to reuse the last one)`,
      );
    return typeof step === 'function' ? (step as ScriptFunction)(call) : step;
  }

  private usageFor(call: ScriptedCall, text: string): { inputTokens: number; outputTokens: number } {
    const setting = this.options.usage ?? 'tiktoken';
    if (setting === false) return { inputTokens: 0, outputTokens: 0 };
    if (typeof setting === 'function') return setting(call, text);
    if (typeof setting === 'object') return setting;
    // Tool / schema definitions are part of the prompt the provider bills, so they are counted too.
    const extra = call.schema === undefined ? 0 : countTextTokens(JSON.stringify(call.schema));
    return { inputTokens: countChatPromptTokens(call.messages) + extra, outputTokens: countTextTokens(text) };
  }

  private toMessage(
    answer: NormalizedAnswer,
    call: ScriptedCall,
    usage: { inputTokens: number; outputTokens: number },
    index: number,
  ): AIMessageChunk {
    const toolCalls = [] as { name: string; args: Record<string, unknown>; id: string; type: 'tool_call' }[];
    const invalidToolCalls = [] as { name: string; args: string; id: string; error: string; type: 'invalid_tool_call' }[];
    const rawToolCalls = answer.toolCalls.map((c, i) => {
      const id = `call_${index}_${i}`;
      try {
        const args = JSON.parse(c.argsText) as unknown;
        if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new Error('tool arguments are not a JSON object');
        toolCalls.push({ name: c.name, args: args as Record<string, unknown>, id, type: 'tool_call' });
      } catch (e) {
        invalidToolCalls.push({ name: c.name, args: c.argsText, id, error: (e as Error).message, type: 'invalid_tool_call' });
      }
      return { id, type: 'function', function: { name: c.name, arguments: c.argsText } };
    });
    const responseMetadata: Record<string, unknown> = {
      model_name: this.model,
      finish_reason: answer.finishReason,
      usage: { prompt_tokens: usage.inputTokens, completion_tokens: usage.outputTokens, total_tokens: usage.inputTokens + usage.outputTokens },
    };
    if (call.options.logprobs === true) {
      const text = answerText(answer);
      const top = typeof call.options.top_logprobs === 'number' ? call.options.top_logprobs : 0;
      // OpenAI wire format, as ChatOpenAI passes it through (token, logprob, bytes, top_logprobs).
      responseMetadata.logprobs = { content: toOpenAILogprobs(answer.logprobs ?? logprobsFor(splitIntoTokens(text), top)), refusal: null };
    }
    const additional: Record<string, unknown> = {};
    if (rawToolCalls.length > 0) additional.tool_calls = rawToolCalls;
    if (answer.refusal !== null) additional.refusal = answer.refusal;
    // An AIMessageChunk (not an AIMessage): LangChain's generic withStructuredOutput parser insists on chunks.
    const message = new AIMessageChunk({
      content: answer.content ?? '',
      tool_calls: toolCalls,
      additional_kwargs: additional,
      response_metadata: responseMetadata,
      usage_metadata: {
        input_tokens: usage.inputTokens,
        output_tokens: usage.outputTokens,
        total_tokens: usage.inputTokens + usage.outputTokens,
      },
      id: `scripted-${index}`,
    });
    // Set after construction: the chunk constructor drops invalid_tool_calls, and building them from
    // tool_call_chunks would run LangChain's partial-JSON parser, which turns cut-off arguments into "valid" calls.
    message.invalid_tool_calls = invalidToolCalls;
    return message;
  }
}

/** The scripted model with tool calling (bindTools), for every structured method except 'prompt'. */
export class ScriptedToolCallingChatModel extends ScriptedChatModel {
  override bindTools(
    tools: BindToolsInput[],
    kwargs?: Partial<ScriptedChatCallOptions>,
  ): Runnable<BaseLanguageModelInput, AIMessageChunk, ScriptedChatCallOptions> {
    return this.withConfig({ tools: tools.map((t) => convertToOpenAITool(t)), ...kwargs });
  }
}

function chosenToolName(choice: unknown): string | undefined {
  if (typeof choice === 'string' && !['auto', 'any', 'required', 'none'].includes(choice)) return choice;
  if (typeof choice === 'object' && choice !== null) {
    const fn = (choice as { function?: { name?: string } }).function;
    if (typeof fn?.name === 'string') return fn.name;
  }
  return undefined;
}

function defaultAnswer(call: ScriptedCall): unknown {
  const sample = call.sample();
  return sample === undefined ? 'ok' : sample;
}

/**
 * Create a scripted chat model. Example:
 *   const model = createScriptedChatModel({ responses: [{ label: 'billing' }, transportErrors.server(503), 'done'] });
 */
export function createScriptedChatModel(options: ScriptedChatModelOptions = {}): ScriptedChatModel {
  return options.structuredMethod === 'prompt' ? new ScriptedChatModel(options) : new ScriptedToolCallingChatModel(options);
}
