import type { JsonSchema } from '../json-schema-sample.js';
import { BadRequest } from '../openai-server/chat-completions.js';
import type { ScriptedMessage } from '../scripted-chat-model.js';
import { blocksText, chatInfo, json, retryAfterSeconds } from './chat-info.js';
import { startFakeProviderServer } from './server.js';
import type { FakeProviderServer, FakeServerOptions, NeutralRequest, WireProtocol } from './types.js';

const CREATED_AT = '2025-01-01T00:00:00Z';

/**
 * Ollama's native API, as documented: POST /api/chat ({model, messages, format: 'json' | JSON Schema, tools, stream
 * defaulting to true, options}), answered as NDJSON chunks {model, created_at, message, done:false} ending with a
 * {done:true, done_reason, prompt_eval_count, eval_count, ...} chunk (one JSON object when stream is false); tool calls
 * come as message.tool_calls[{function:{name, arguments:{...}}}]. POST /api/embed ({model, input, dimensions}) answers
 * {model, embeddings:[[...]], prompt_eval_count}. Errors are {"error": "..."}. Ollama has no rate limits of its own
 * (a proxy in front may send 429 with retry-after) and answers 503 when its queue is full.
 */
export function ollamaProtocol(): WireProtocol {
  return {
    name: 'ollama',
    basePath: '',
    overloadStatus: 503,
    retryHint: true,
    route(method, path) {
      if (method !== 'POST') return undefined;
      if (path === '/api/chat') return { kind: 'chat' };
      if (path === '/api/embed') return { kind: 'embed' };
      return undefined;
    },
    // Ollama itself has no keys; hosted Ollama and authenticating proxies take a bearer token.
    authorized: (headers, _url, apiKey) => headers.authorization === `Bearer ${apiKey}`,
    parseChat(body, { index, options }) {
      if (typeof body.model !== 'string' || !body.model) throw new BadRequest('model is required');
      if (!Array.isArray(body.messages)) throw new BadRequest('messages must be an array');
      const messages: ScriptedMessage[] = (body.messages as { role?: unknown; content?: unknown }[]).map((m, i) => {
        if (!['system', 'user', 'assistant', 'tool'].includes(String(m.role))) throw new BadRequest(`messages[${i}]: invalid role ${JSON.stringify(m.role)}`);
        return { role: m.role as ScriptedMessage['role'], content: blocksText(m.content) };
      });
      const tools = (Array.isArray(body.tools) ? body.tools : []).map((t, i) => {
        const fn = (t as { function?: { name?: unknown; description?: unknown; parameters?: unknown } }).function;
        if (!fn || typeof fn.name !== 'string') throw new BadRequest(`tools[${i}].function.name is required`);
        return { name: fn.name, description: typeof fn.description === 'string' ? fn.description : undefined, parameters: (fn.parameters ?? { type: 'object' }) as JsonSchema };
      });
      let structured: NonNullable<NeutralRequest['structured']> = { via: 'none', schemaSent: false };
      const format = body.format;
      if (tools.length > 0) {
        // Ollama has no tool_choice: a model given one tool is expected to call it.
        structured = { via: 'tool', field: 'tools', schemaSent: true, schema: tools[0]!.parameters, toolName: tools[0]!.name };
      } else if (format === 'json') {
        structured = { via: 'json_mode', field: 'format', schemaSent: false };
      } else if (typeof format === 'object' && format !== null) {
        structured = { via: 'native_schema', field: 'format', schemaSent: true, schema: format as JsonSchema };
      } else if (format !== undefined && format !== '') {
        throw new BadRequest(`invalid format: ${JSON.stringify(format)} (expected "json" or a JSON Schema object)`);
      }
      return {
        info: chatInfo({ index, model: body.model, messages, body, options, structured, tools }),
        structured,
        logprobs: false,
        stream: body.stream !== false,
        extras: {},
      };
    },
    chatResponse(answer, parsed, usage) {
      const message: Record<string, unknown> = { role: 'assistant', content: answer.refusal ?? answer.content ?? '' };
      if (answer.toolCalls.length > 0) {
        message.tool_calls = answer.toolCalls.map((c) => {
          let args: unknown;
          try {
            args = JSON.parse(c.argsText);
          } catch {
            args = {};
          }
          return { function: { name: c.name, arguments: args } };
        });
      }
      const model = parsed.info.model;
      const final = {
        model,
        created_at: CREATED_AT,
        done: true,
        done_reason: 'stop',
        total_duration: 1_000_000,
        load_duration: 1000,
        prompt_eval_count: usage.inputTokens,
        prompt_eval_duration: 1000,
        eval_count: usage.outputTokens,
        eval_duration: 1000,
      };
      if (!parsed.stream) return json({ ...final, message });
      // Streamed: the message in one chunk, then the closing chunk with the counts.
      const lines = [{ model, created_at: CREATED_AT, message, done: false }, { ...final, message: { role: 'assistant', content: '' } }];
      return { payload: lines.map((l) => `${JSON.stringify(l)}\n`).join(''), contentType: 'application/x-ndjson' };
    },
    parseEmbed(body) {
      if (typeof body.model !== 'string' || !body.model) throw new BadRequest('model is required');
      const input = body.input;
      const texts = typeof input === 'string' ? [input] : Array.isArray(input) && input.every((x) => typeof x === 'string') ? (input as string[]) : undefined;
      if (texts === undefined) throw new BadRequest('input must be a string or an array of strings');
      return { model: body.model, texts, ...(typeof body.dimensions === 'number' ? { dimensions: body.dimensions } : {}) };
    },
    embedResponse(vectors, parsed, tokens) {
      return json({ model: parsed.model, embeddings: vectors, total_duration: 1000, load_duration: 100, prompt_eval_count: tokens });
    },
    error(status, message, fault) {
      const seconds = retryAfterSeconds(fault);
      return json({ error: status === 503 ? 'server busy, please try again. maximum pending requests exceeded' : message }, seconds !== undefined ? { 'retry-after': String(seconds) } : undefined);
    },
  };
}

/** A fake Ollama server (native API) on 127.0.0.1; give `server.url` to the client as its host / base URL. */
export function startOllamaServer(options: FakeServerOptions = {}): Promise<FakeProviderServer> {
  return startFakeProviderServer(ollamaProtocol(), options);
}
