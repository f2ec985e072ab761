import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { BaseMessage } from '@langchain/core/messages';
import type { ChatMessage, StructuredMethod, TokenLogprob } from './types.js';
import { isOpenAiLike } from './resolve.js';

/** Something we can invoke with messages and call options (a chat model or a binding of one). */
export interface Invocable {
  invoke(input: BaseMessage[], options?: Record<string, unknown>): Promise<unknown>;
}

// LangChain's message classes are loaded on the first model call, not when @taxonomist/core is imported: loading
// them costs hundreds of ms, which commands that never call a model (distill, predict, eval) should not pay.
let messageClasses: Promise<typeof import('@langchain/core/messages')> | undefined;

export async function toLangChainMessages(messages: readonly ChatMessage[]): Promise<BaseMessage[]> {
  const { AIMessage, HumanMessage, SystemMessage } = await (messageClasses ??= import('@langchain/core/messages'));
  return messages.map((m) => {
    switch (m.role) {
      case 'system':
        return new SystemMessage(m.content);
      case 'user':
        return new HumanMessage(m.content);
      case 'assistant':
        return new AIMessage(m.content);
      default:
        throw new Error(`unknown chat message role "${(m as { role: string }).role}"`);
    }
  });
}

export interface CallParams {
  temperature?: number;
  maxTokens?: number;
  logprobs?: boolean;
}

type AnyObj = Record<string, unknown>;
const variantCache = new WeakMap<object, Map<string, BaseChatModel>>();

/** The variant of `model` for these per-call settings, made once per (model instance, settings) and then reused. */
function cachedVariant(model: BaseChatModel, wanted: object, make: () => BaseChatModel): BaseChatModel {
  const key = JSON.stringify(wanted);
  let byKey = variantCache.get(model);
  if (!byKey) {
    byKey = new Map();
    variantCache.set(model, byKey);
  }
  let variant = byKey.get(key);
  if (!variant) {
    variant = make();
    byKey.set(key, variant);
  }
  return variant;
}

/**
 * LangChain chat models read temperature / max tokens / logprobs from instance fields, not call options, so a
 * per-call setting needs a variant of the model:
 * - ChatOpenAI-like models keep their constructor fields in `fields` (ChatOpenAI delegates to inner completions /
 *   responses instances, so overriding a property would not reach them): rebuild from the fields. We also ask for the
 *   raw response there, because the completions converter drops `message.refusal`.
 * - other models: an object inheriting from the instance with the fields overridden.
 * Variants are cached per model and settings. Returns `callOptions` for models where neither applies (test fakes
 * and custom models read them from the call options).
 */
export function modelWithParams(model: BaseChatModel, p: CallParams): { model: BaseChatModel; callOptions: AnyObj } {
  const openai = isOpenAiLike(model);
  const fields = (model as unknown as AnyObj).fields;
  const wanted: AnyObj = {};
  if (p.temperature !== undefined) wanted.temperature = p.temperature;
  if (p.maxTokens !== undefined) wanted.maxTokens = p.maxTokens;
  if (p.logprobs) {
    wanted.logprobs = true;
    wanted.topLogprobs = 5;
  }
  if (openai && fields && typeof fields === 'object') {
    const variant = cachedVariant(model, wanted, () => {
      const Ctor = model.constructor as new (f: AnyObj) => BaseChatModel;
      // maxRetries 0: retries belong to the gateway; LangChain's own would multiply attempts and hide errors.
      // streaming false: the streaming path estimates usage with LangChain's tiktoken, which downloads rank files.
      return new Ctor({ ...(fields as AnyObj), ...wanted, maxRetries: 0, streaming: false, __includeRawResponse: true });
    });
    return { model: variant, callOptions: {} };
  }
  if (Object.keys(wanted).length === 0) return { model, callOptions: {} };
  const own = model as unknown as AnyObj;
  const overridable = ['temperature', 'maxTokens'].some((k) => k in own);
  if (overridable) {
    const variant = cachedVariant(model, wanted, () => Object.assign(Object.create(model) as BaseChatModel, wanted));
    return { model: variant, callOptions: {} };
  }
  return { model, callOptions: { ...wanted } };
}

/** JSON Schema as sent to providers: without the "$schema" meta key, which some strict validators reject. */
export function providerJsonSchema(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}

/**
 * OpenAI strict structured output needs every object closed (additionalProperties: false) with all properties
 * required. Optional fields break that, so we only ask for strict mode when the schema qualifies.
 */
export function isStrictCompatible(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.every(isStrictCompatible);
  if (!schema || typeof schema !== 'object') return true;
  const s = schema as AnyObj;
  if (s.type === 'object' || s.properties) {
    const props = (s.properties ?? {}) as AnyObj;
    const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
    if (s.additionalProperties !== false) return false;
    if (Object.keys(props).some((k) => !required.has(k))) return false;
  }
  for (const [k, v] of Object.entries(s)) {
    if (k === 'enum' || k === 'const' || k === 'default' || k === 'examples') continue;
    if (v && typeof v === 'object' && !isStrictCompatible(v)) return false;
  }
  return true;
}

export function jsonInstructions(jsonSchema: unknown, schemaName: string): string {
  return (
    `Respond with only a JSON value (no prose, no code fences) that matches this JSON Schema, named "${schemaName}":\n` +
    JSON.stringify(jsonSchema)
  );
}

/** Append instructions to the system message (or add one) for methods that rely on the prompt. */
export function withInstructions(messages: readonly ChatMessage[], instructions: string): ChatMessage[] {
  const out = messages.map((m) => ({ ...m }));
  const sys = out.findIndex((m) => m.role === 'system');
  if (sys >= 0) out[sys] = { role: 'system', content: `${out[sys]!.content}\n\n${instructions}` };
  else out.unshift({ role: 'system', content: instructions });
  return out;
}

export interface StructuredBinding {
  runnable: Invocable;
  /** Messages as sent (prompt-based methods add JSON instructions). */
  messages: ChatMessage[];
}

type BoundMethod = Exclude<StructuredMethod, 'auto'>;

/**
 * Bound runnables per (model, JSON Schema object, method and schema name). Binding is not free: ChatOpenAI's
 * withConfig / bindTools build a new ChatOpenAI (with its completions and responses delegates), and each of those
 * builds its own openai client on first use, so binding per call cost more CPU than the rest of the gateway. The
 * bound runnable depends only on these keys, never on the messages, and holds no per-call state. The JSON Schema is
 * memoised per zod schema (jsonSchemaOf), so its identity is a stable key; weak maps let models and schemas go.
 */
const bindingCache = new WeakMap<object, WeakMap<object, Map<string, Invocable>>>();

function cachedRunnable(
  model: BaseChatModel,
  jsonSchema: Record<string, unknown>,
  key: string,
  bind: () => Invocable,
): Invocable {
  let bySchema = bindingCache.get(model);
  if (!bySchema) {
    bySchema = new WeakMap();
    bindingCache.set(model, bySchema);
  }
  let byKey = bySchema.get(jsonSchema);
  if (!byKey) {
    byKey = new Map();
    bySchema.set(jsonSchema, byKey);
  }
  let runnable = byKey.get(key);
  if (!runnable) {
    runnable = bind();
    byKey.set(key, runnable);
  }
  return runnable;
}

/**
 * Bind a model for one structured-output method. The runnable is cached (see bindingCache); the messages are
 * rebuilt per call (prompt-based methods append the JSON instructions to them).
 */
export function bindStructured(
  model: BaseChatModel,
  method: BoundMethod,
  jsonSchema: Record<string, unknown>,
  schemaName: string,
  messages: readonly ChatMessage[],
): StructuredBinding {
  switch (method) {
    case 'jsonSchema':
    case 'functionCalling':
      return {
        runnable: cachedRunnable(model, jsonSchema, `${method}\0${schemaName}`, () => bindRunnable(model, method, jsonSchema, schemaName)),
        messages: [...messages],
      };
    case 'jsonMode':
      return {
        runnable: cachedRunnable(model, jsonSchema, method, () => bindRunnable(model, method, jsonSchema, schemaName)),
        messages: withInstructions(messages, jsonInstructions(jsonSchema, schemaName)),
      };
    case 'prompt':
      return { runnable: model as unknown as Invocable, messages: withInstructions(messages, jsonInstructions(jsonSchema, schemaName)) };
    default:
      throw new Error(`unknown structured method "${method as string}"`);
  }
}

/** The runnable of a method that binds something to the model (everything but 'prompt'). */
function bindRunnable(
  model: BaseChatModel,
  method: Exclude<BoundMethod, 'prompt'>,
  jsonSchema: Record<string, unknown>,
  schemaName: string,
): Invocable {
  const m = model as unknown as AnyObj & { withConfig(c: AnyObj): Invocable };
  const description = typeof jsonSchema.description === 'string' ? jsonSchema.description : undefined;
  const strict = isStrictCompatible(jsonSchema);
  switch (method) {
    case 'jsonSchema': {
      if (!isOpenAiLike(model)) {
        // Other providers implement json_schema their own way (Ollama `format`, Gemini responseSchema...): let their
        // withStructuredOutput bind it, keep the raw message and validate it ourselves. Their schema fields have no
        // name slot, so the schema name travels as the JSON Schema `title` (what the answer is; also lets a test
        // server tell requests apart the way OpenAI's json_schema.name does).
        const wso = m.withStructuredOutput as ((s: unknown, c: AnyObj) => Invocable) | undefined;
        if (typeof wso !== 'function') throw new Error(`model ${model._llmType()} has no withStructuredOutput for "jsonSchema"`);
        const titled = jsonSchema.title === undefined ? { title: schemaName, ...jsonSchema } : jsonSchema;
        return wso.call(model, titled, { method: 'jsonSchema', includeRaw: true, name: schemaName });
      }
      // The openai client parses json_schema answers itself (JSON.parse) and would throw a SyntaxError on a
      // truncated or invalid answer before we can see it. Its own parseable-format hook ($parseRaw, non-enumerable
      // so it is never sent) lets us parse tolerantly and keep the raw text for validation and repair.
      const responseFormat = {
        type: 'json_schema',
        json_schema: { name: schemaName, ...(description ? { description } : {}), schema: jsonSchema, strict },
      };
      Object.defineProperty(responseFormat, '$parseRaw', {
        value: (content: string) => {
          try {
            return JSON.parse(content) as unknown;
          } catch {
            return null;
          }
        },
        enumerable: false,
      });
      return m.withConfig({ response_format: responseFormat });
    }
    case 'jsonMode':
      return m.withConfig({ response_format: { type: 'json_object' } });
    case 'functionCalling': {
      if (typeof m.bindTools !== 'function') {
        throw new Error(`structured method "functionCalling" needs a model with bindTools (${model._llmType()} has none)`);
      }
      const tool = {
        type: 'function',
        function: { name: schemaName, ...(description ? { description } : {}), parameters: jsonSchema },
      };
      const kwargs: AnyObj = { tool_choice: { type: 'function', function: { name: schemaName } } };
      if (isOpenAiLike(model)) kwargs.strict = strict;
      return (m.bindTools as (t: unknown[], k: AnyObj) => Invocable).call(model, [tool], kwargs);
    }
    default:
      throw new Error(`unknown structured method "${method as string}"`);
  }
}

/** withStructuredOutput(..., { includeRaw: true }) answers { raw, parsed }: the message is `raw`. */
export function unwrapMessage(result: unknown): unknown {
  if (result && typeof result === 'object' && 'raw' in result && 'parsed' in result) return (result as AnyObj).raw;
  return result;
}

/** Text content of an AIMessage (string content or the text blocks of array content). */
export function messageText(msg: unknown): string {
  const content = (msg as AnyObj | undefined)?.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((b) => (typeof b === 'string' ? b : b && typeof b === 'object' && (b as AnyObj).type === 'text' ? String((b as AnyObj).text ?? '') : ''))
      .join('');
  }
  return '';
}

/** The structured answer as raw JSON text: the first tool call's arguments, else the text content. */
export function structuredRaw(msg: unknown, method: Exclude<StructuredMethod, 'auto'>): string {
  const o = (msg ?? {}) as AnyObj;
  if (method === 'functionCalling' || (Array.isArray(o.tool_calls) && o.tool_calls.length > 0 && !messageText(msg).trim())) {
    const calls = Array.isArray(o.tool_calls) ? (o.tool_calls as AnyObj[]) : [];
    if (calls.length > 0) return JSON.stringify(calls[0]!.args ?? {});
    const invalid = Array.isArray(o.invalid_tool_calls) ? (o.invalid_tool_calls as AnyObj[]) : [];
    if (invalid.length > 0) return String(invalid[0]!.args ?? '');
  }
  return messageText(msg);
}

/** A refusal, wherever the provider put it: OpenAI message.refusal (raw response), additional_kwargs, content blocks. */
export function findRefusal(msg: unknown): string | undefined {
  const o = (msg ?? {}) as AnyObj;
  const kw = (o.additional_kwargs ?? {}) as AnyObj;
  if (typeof kw.refusal === 'string' && kw.refusal) return kw.refusal;
  const raw = kw.__raw_response as AnyObj | undefined;
  const choice = Array.isArray(raw?.choices) ? ((raw!.choices as AnyObj[])[0] as AnyObj | undefined) : undefined;
  const rawRefusal = (choice?.message as AnyObj | undefined)?.refusal;
  if (typeof rawRefusal === 'string' && rawRefusal) return rawRefusal;
  if (Array.isArray(o.content)) {
    for (const b of o.content as AnyObj[]) {
      if (b && b.type === 'refusal' && typeof b.refusal === 'string') return b.refusal;
    }
  }
  return undefined;
}

export function findUsage(msg: unknown): { inputTokens: number; outputTokens: number } | undefined {
  const u = (msg as AnyObj | undefined)?.usage_metadata as AnyObj | undefined;
  if (!u) return undefined;
  const input = Number(u.input_tokens);
  const output = Number(u.output_tokens);
  if (!Number.isFinite(input) || !Number.isFinite(output)) return undefined;
  // Some servers report zeros for both; that is "no usage", not a free call.
  if (input === 0 && output === 0) return undefined;
  return { inputTokens: input, outputTokens: output };
}

export function findLogprobs(msg: unknown): TokenLogprob[] | undefined {
  const meta = (msg as AnyObj | undefined)?.response_metadata as AnyObj | undefined;
  const lp = meta?.logprobs as AnyObj | undefined;
  const content = lp?.content;
  if (!Array.isArray(content)) return undefined;
  return (content as AnyObj[]).map((c) => {
    const top = Array.isArray(c.top_logprobs)
      ? (c.top_logprobs as AnyObj[]).map((t) => ({ token: String(t.token), logprob: Number(t.logprob) }))
      : undefined;
    return { token: String(c.token), logprob: Number(c.logprob), ...(top ? { top } : {}) };
  });
}
