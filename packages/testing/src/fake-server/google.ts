import type { JsonSchema } from '../json-schema-sample.js';
import { BadRequest } from '../openai-server/chat-completions.js';
import type { ScriptedMessage } from '../scripted-chat-model.js';
import { blocksText, chatInfo, json, retryAfterSeconds } from './chat-info.js';
import { startFakeProviderServer } from './server.js';
import type { FakeProviderServer, FakeServerOptions, NeutralRequest, WireProtocol } from './types.js';

/**
 * The Gemini API (generativelanguage.googleapis.com), as documented: POST /v1beta/models/{model}:generateContent with
 * `x-goog-api-key`, {contents:[{role:'user'|'model', parts:[{text}]}], systemInstruction, generationConfig:
 * {responseMimeType, responseSchema | responseJsonSchema, ...}, tools:[{functionDeclarations}], toolConfig:
 * {functionCallingConfig:{mode, allowedFunctionNames}}}; answers {candidates:[{content:{role:'model', parts}},
 * finishReason}], usageMetadata}. Embeddings: :embedContent ({content:{parts}}) -> {embedding:{values}} and
 * :batchEmbedContents ({requests:[...]}) -> {embeddings:[{values}]}, with outputDimensionality. Errors are
 * {error:{code, message, status, details}}: 429 RESOURCE_EXHAUSTED with a google.rpc.RetryInfo retryDelay, 503
 * UNAVAILABLE when overloaded, and a bad key is a 400 INVALID_ARGUMENT with ErrorInfo reason API_KEY_INVALID.
 */
const STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** Gemini's schema dialect writes types in upper case (STRING, OBJECT); the sampler reads JSON Schema's lower case. */
function lowerTypes(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(lowerTypes);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'type' && typeof v === 'string' ? v.toLowerCase() : lowerTypes(v);
  return out;
}

function partsText(content: unknown): string {
  if (typeof content === 'string') return content;
  const parts = (content as { parts?: unknown } | undefined)?.parts;
  return blocksText(parts);
}

export function googleProtocol(): WireProtocol {
  return {
    name: 'google',
    basePath: '',
    overloadStatus: 503,
    retryHint: true,
    route(method, path) {
      const m = /^\/v1(?:beta)?\/models\/([^/:]+):(generateContent|embedContent|batchEmbedContents)$/.exec(path);
      if (method !== 'POST' || !m) return undefined;
      return { kind: m[2] === 'generateContent' ? 'chat' : 'embed', model: decodeURIComponent(m[1]!) };
    },
    authorized: (headers, url, apiKey) => headers['x-goog-api-key'] === apiKey || url.searchParams.get('key') === apiKey,
    parseChat(body, { index, routeModel, options }) {
      if (!Array.isArray(body.contents) || body.contents.length === 0) throw new BadRequest('* GenerateContentRequest.contents: contents is not specified');
      const messages: ScriptedMessage[] = [];
      if (body.systemInstruction !== undefined) messages.push({ role: 'system', content: partsText(body.systemInstruction) });
      for (const [i, c] of (body.contents as { role?: unknown; parts?: unknown }[]).entries()) {
        if (c.role !== undefined && c.role !== 'user' && c.role !== 'model' && c.role !== 'function') throw new BadRequest(`* contents[${i}].role: Please use a valid role: user, model.`);
        messages.push({ role: c.role === 'model' ? 'assistant' : 'user', content: blocksText(c.parts) });
      }
      const declarations = (Array.isArray(body.tools) ? body.tools : []).flatMap((t) => ((t as { functionDeclarations?: unknown[] }).functionDeclarations ?? []) as { name?: unknown; description?: unknown; parameters?: unknown }[]);
      const tools = declarations.map((d, i) => {
        if (typeof d.name !== 'string') throw new BadRequest(`* tools[0].function_declarations[${i}].name: Name cannot be empty.`);
        return { name: d.name, description: typeof d.description === 'string' ? d.description : undefined, parameters: lowerTypes(d.parameters ?? { type: 'object' }) as JsonSchema };
      });
      const calling = (body.toolConfig as { functionCallingConfig?: { mode?: string; allowedFunctionNames?: string[] } } | undefined)?.functionCallingConfig;
      const gen = (body.generationConfig ?? {}) as { responseMimeType?: string; responseSchema?: unknown; responseJsonSchema?: unknown; responseLogprobs?: boolean };
      const nativeSchema = gen.responseJsonSchema ?? gen.responseSchema;
      if (nativeSchema !== undefined && gen.responseMimeType !== 'application/json') throw new BadRequest('* GenerationConfig.response_schema: responseMimeType must be application/json when a response schema is set');
      let structured: NonNullable<NeutralRequest['structured']> = { via: 'none', schemaSent: false };
      if (tools.length > 0 && calling?.mode === 'ANY') {
        const tool = tools.find((t) => calling.allowedFunctionNames?.includes(t.name)) ?? tools[0]!;
        structured = { via: 'tool', field: 'tools', schemaSent: true, schema: tool.parameters, toolName: tool.name };
      } else if (nativeSchema !== undefined) {
        structured = { via: 'native_schema', field: gen.responseJsonSchema !== undefined ? 'generationConfig.responseJsonSchema' : 'generationConfig.responseSchema', schemaSent: true, schema: lowerTypes(nativeSchema) as JsonSchema };
      } else if (gen.responseMimeType === 'application/json') {
        structured = { via: 'json_mode', field: 'generationConfig.responseMimeType', schemaSent: false };
      }
      const model = routeModel ?? '';
      return {
        info: chatInfo({ index, model, messages, body, options, structured, tools }),
        structured,
        logprobs: gen.responseLogprobs === true,
        stream: false,
        extras: {},
      };
    },
    chatResponse(answer, parsed, usage) {
      const parts: Record<string, unknown>[] = [];
      if (answer.refusal !== null) parts.push({ text: answer.refusal });
      else if (answer.content) parts.push({ text: answer.content });
      for (const c of answer.toolCalls) {
        let args: unknown;
        try {
          args = JSON.parse(c.argsText);
        } catch {
          args = {};
        }
        parts.push({ functionCall: { name: c.name, args } });
      }
      return json({
        candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
        usageMetadata: { promptTokenCount: usage.inputTokens, candidatesTokenCount: usage.outputTokens, totalTokenCount: usage.inputTokens + usage.outputTokens },
        modelVersion: parsed.info.model,
        responseId: `resp_${parsed.info.index}`,
      });
    },
    parseEmbed(body, routeModel) {
      const one = (r: unknown, where: string) => {
        const req = (r ?? {}) as { content?: unknown; outputDimensionality?: unknown };
        if (typeof req.content !== 'object' || req.content === null) throw new BadRequest(`* ${where}content: content is not specified`);
        return { text: partsText(req.content), dims: typeof req.outputDimensionality === 'number' ? req.outputDimensionality : undefined };
      };
      const batch = Array.isArray(body.requests);
      const items = batch ? (body.requests as unknown[]).map((r, i) => one(r, `requests[${i}].`)) : [one(body, '')];
      if (items.length === 0) throw new BadRequest('* BatchEmbedContentsRequest.requests: at least one request is required');
      const dims = items[0]!.dims;
      return { model: routeModel ?? '', texts: items.map((i) => i.text), ...(dims !== undefined ? { dimensions: dims } : {}), extras: { batch } };
    },
    embedResponse(vectors, parsed) {
      return parsed.extras?.batch ? json({ embeddings: vectors.map((values) => ({ values })) }) : json({ embedding: { values: vectors[0] } });
    },
    error(status, message, fault) {
      const seconds = retryAfterSeconds(fault);
      const details: Record<string, unknown>[] = [];
      let code = status;
      let text = message;
      if (fault?.kind === 'auth') {
        // What Gemini really answers to a bad key: 400, not 401.
        code = 400;
        text = 'API key not valid. Please pass a valid API key.';
        details.push({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' });
      }
      if (seconds !== undefined) details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${seconds}s` });
      if (status === 503) text = 'The model is overloaded. Please try again later.';
      return {
        ...json({ error: { code, message: text, status: STATUS[code] ?? (code >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT'), ...(details.length > 0 ? { details } : {}) } }),
        ...(code !== status ? { status: code } : {}),
      };
    },
  };
}

/** A fake Gemini API on 127.0.0.1; give `server.url` to the client as its base URL (the SDK adds /v1beta/...). */
export function startGoogleServer(options: FakeServerOptions = {}): Promise<FakeProviderServer> {
  return startFakeProviderServer(googleProtocol(), options);
}
