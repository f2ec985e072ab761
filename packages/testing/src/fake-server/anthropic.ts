import type { JsonSchema } from '../json-schema-sample.js';
import { BadRequest } from '../openai-server/chat-completions.js';
import { countTextTokens } from '../tokens.js';
import type { ScriptedMessage } from '../scripted-chat-model.js';
import { blocksText, chatInfo, json, retryAfterSeconds } from './chat-info.js';
import { startFakeProviderServer } from './server.js';
import type { FakeProviderServer, FakeServerOptions, NeutralRequest, WireProtocol } from './types.js';

/**
 * Anthropic's Messages API (POST /v1/messages, `x-api-key`), as documented: `system` as a string or text blocks (with
 * optional `cache_control`), `tools` with `input_schema`, `tool_choice` {type: auto|any|tool|none}, native structured
 * output in `output_config.format` {type: 'json_schema', schema}; answers are `message` objects with content blocks
 * (text / tool_use) and usage including cache_creation_input_tokens / cache_read_input_tokens; errors are
 * {type:'error', error:{type, message}} with 529 overloaded_error and a retry-after header (seconds) on 429.
 */
const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

function hasCacheControl(blocks: unknown): boolean {
  return Array.isArray(blocks) && blocks.some((b) => typeof b === 'object' && b !== null && 'cache_control' in b && (b as { cache_control?: unknown }).cache_control != null);
}

export function anthropicProtocol(): WireProtocol {
  // Prompt prefixes written to the "cache" (their text), so a repeat reports cache_read instead of cache_creation.
  const cached = new Set<string>();
  return {
    name: 'anthropic',
    basePath: '',
    overloadStatus: 529,
    retryHint: true,
    route: (method, path) => (method === 'POST' && path === '/v1/messages' ? { kind: 'chat' } : undefined),
    authorized: (headers, _url, apiKey) => headers['x-api-key'] === apiKey,
    parseChat(body, { index, options }) {
      if (typeof body.model !== 'string' || !body.model) throw new BadRequest('model: Field required');
      if (typeof body.max_tokens !== 'number') throw new BadRequest('max_tokens: Field required');
      if (body.stream === true) throw new BadRequest('this fake server does not stream; send stream: false');
      if (!Array.isArray(body.messages) || body.messages.length === 0) throw new BadRequest('messages: at least one message is required');
      const messages: ScriptedMessage[] = [];
      const system = body.system;
      if (system !== undefined) {
        if (typeof system !== 'string' && !Array.isArray(system)) throw new BadRequest('system: must be a string or a list of text blocks');
        messages.push({ role: 'system', content: blocksText(system) });
      }
      let cacheControl = hasCacheControl(system);
      for (const [i, m] of (body.messages as { role?: unknown; content?: unknown }[]).entries()) {
        if (m.role !== 'user' && m.role !== 'assistant') throw new BadRequest(`messages.${i}.role: Input should be 'user' or 'assistant'`);
        cacheControl ||= hasCacheControl(m.content);
        messages.push({ role: m.role, content: blocksText(m.content) });
      }
      const tools = (Array.isArray(body.tools) ? body.tools : []).map((t, i) => {
        const tool = t as { name?: unknown; description?: unknown; input_schema?: unknown };
        if (typeof tool.name !== 'string') throw new BadRequest(`tools.${i}.name: Field required`);
        if (typeof tool.input_schema !== 'object' || tool.input_schema === null) throw new BadRequest(`tools.${i}.input_schema: Field required`);
        return { name: tool.name, description: typeof tool.description === 'string' ? tool.description : undefined, parameters: tool.input_schema as JsonSchema };
      });
      const choice = body.tool_choice as { type?: unknown; name?: unknown } | undefined;
      if (choice !== undefined && !['auto', 'any', 'tool', 'none'].includes(String(choice.type))) {
        throw new BadRequest(`tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none' (got ${JSON.stringify(choice.type)})`);
      }
      if (choice?.type === 'tool' && !tools.some((t) => t.name === choice.name)) throw new BadRequest(`tool_choice.name: no tool named ${JSON.stringify(choice.name)}`);
      const format = (body.output_config as { format?: { type?: unknown; schema?: unknown } } | undefined)?.format;
      let structured: NonNullable<NeutralRequest['structured']> = { via: 'none', schemaSent: false };
      if (tools.length > 0 && (choice?.type === 'tool' || choice?.type === 'any')) {
        const tool = tools.find((t) => t.name === choice.name) ?? tools[0]!;
        structured = { via: 'tool', field: 'tools', schemaSent: true, schema: tool.parameters, toolName: tool.name };
      } else if (format !== undefined) {
        if (format.type !== 'json_schema' || typeof format.schema !== 'object') throw new BadRequest("output_config.format: expected {type: 'json_schema', schema}");
        structured = { via: 'native_schema', field: 'output_config.format', schemaSent: true, schema: format.schema as JsonSchema };
      }
      const staticPrefix = cacheControl ? messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n') : '';
      return {
        info: chatInfo({ index, model: body.model, messages, body, options, structured, tools }),
        structured,
        logprobs: false,
        stream: false,
        extras: { cacheControl, staticPrefix },
      };
    },
    chatResponse(answer, parsed, usage) {
      const content: Record<string, unknown>[] = [];
      if (answer.refusal !== null) content.push({ type: 'text', text: answer.refusal });
      else if (answer.content) content.push({ type: 'text', text: answer.content });
      answer.toolCalls.forEach((c, i) => {
        let input: unknown;
        try {
          input = JSON.parse(c.argsText);
        } catch {
          // Anthropic always sends tool input as an object; a cut-off answer shows up as a partial object.
          input = {};
        }
        content.push({ type: 'tool_use', id: `toolu_${parsed.info.index}_${i}`, name: c.name, input });
      });
      // Prompt caching: the system prefix marked with cache_control is written once, then read.
      const prefix = String(parsed.extras.staticPrefix ?? '');
      const prefixTokens = prefix ? Math.min(countTextTokens(prefix), usage.inputTokens) : 0;
      const hit = prefix !== '' && cached.has(prefix);
      if (prefix) cached.add(prefix);
      parsed.extras.cacheRead = hit ? prefixTokens : 0;
      parsed.extras.cacheWrite = hit ? 0 : prefixTokens;
      return json({
        id: `msg_taxonomist_${parsed.info.index}`,
        type: 'message',
        role: 'assistant',
        model: parsed.info.model,
        content,
        stop_reason: answer.refusal !== null ? 'refusal' : answer.toolCalls.length > 0 ? 'tool_use' : 'end_turn',
        stop_sequence: null,
        usage: {
          input_tokens: usage.inputTokens - prefixTokens,
          output_tokens: usage.outputTokens,
          cache_creation_input_tokens: hit ? 0 : prefixTokens,
          cache_read_input_tokens: hit ? prefixTokens : 0,
        },
      });
    },
    parseEmbed() {
      throw new BadRequest('Anthropic has no embeddings endpoint');
    },
    embedResponse() {
      throw new Error('unreachable');
    },
    reset() {
      cached.clear();
    },
    error(status, message, fault) {
      const seconds = retryAfterSeconds(fault);
      const type = ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
      return json({ type: 'error', error: { type, message } }, seconds !== undefined ? { 'retry-after': String(seconds) } : undefined);
    },
  };
}

/** A fake Anthropic Messages API on 127.0.0.1; give `server.url` to the client as its base URL. */
export function startAnthropicServer(options: FakeServerOptions = {}): Promise<FakeProviderServer> {
  return startFakeProviderServer(anthropicProtocol(), options);
}
