import { BadRequest, chatInfo, type JsonSchema, type NeutralRequest, type ScriptedMessage, type WireProtocol } from '@taxonomist/testing';

/**
 * The fake Quill server for the conformance kit: the Quill wire format (see ../src/wire.ts), read into the kit's
 * neutral form. `shape` is reported as via 'native_schema' because that is what it is on Quill: the kit's rule for
 * 'jsonSchema' then holds without the fake pretending to have received an OpenAI body.
 */
const FROM: Record<string, ScriptedMessage['role']> = { guide: 'system', person: 'user', quill: 'assistant' };

const json = (payload: unknown, headers?: Record<string, string>) => ({ payload: JSON.stringify(payload), contentType: 'application/json', ...(headers ? { headers } : {}) });

export function quillProtocol(): WireProtocol {
  return {
    name: 'quill',
    basePath: '',
    overloadStatus: 503,
    retryHint: true,
    route(method, path) {
      if (method !== 'POST') return undefined;
      if (path === '/v2/reply') return { kind: 'chat' };
      if (path === '/v2/vectors') return { kind: 'embed' };
      return undefined;
    },
    authorized: (headers, _url, apiKey) => headers['quill-key'] === apiKey,
    parseChat(body, { index, options }) {
      if (typeof body.engine !== 'string' || !body.engine) throw new BadRequest('engine is required');
      if (!Array.isArray(body.turns) || body.turns.length === 0) throw new BadRequest('turns must be a non-empty array');
      const messages = (body.turns as { from?: unknown; text?: unknown }[]).map((t, i) => {
        const role = FROM[String(t.from)];
        if (role === undefined || typeof t.text !== 'string') throw new BadRequest(`turns[${i}]: from must be guide|person|quill and text a string`);
        return { role, content: t.text };
      });
      if ('response_format' in body || 'messages' in body) throw new BadRequest('unknown field (this is Quill, not OpenAI)');
      let structured: NonNullable<NeutralRequest['structured']> = { via: 'none', schemaSent: false };
      if (typeof body.shape === 'object' && body.shape !== null) structured = { via: 'native_schema', field: 'shape', schemaSent: true, schema: body.shape as JsonSchema };
      else if (body.strict_json === true) structured = { via: 'json_mode', field: 'strict_json', schemaSent: false };
      return { info: chatInfo({ index, model: body.engine, messages, body, options, structured }), structured, logprobs: false, stream: false, extras: {} };
    },
    chatResponse(answer, _parsed, usage) {
      return json({ reply: { text: answer.refusal ?? answer.content ?? answer.toolCalls[0]?.argsText ?? '' }, meter: { read: usage.inputTokens, wrote: usage.outputTokens }, done: true });
    },
    parseEmbed(body) {
      if (typeof body.engine !== 'string' || !Array.isArray(body.texts) || !body.texts.every((t) => typeof t === 'string')) throw new BadRequest('engine and texts (strings) are required');
      return { model: body.engine, texts: body.texts as string[], ...(typeof body.size === 'number' ? { dimensions: body.size } : {}) };
    },
    embedResponse(vectors, _parsed, tokens) {
      return json({ vectors, meter: { read: tokens } });
    },
    error(status, message, fault) {
      const seconds = fault?.kind === 'rate_limit' ? (fault.retryAfterSeconds ?? (fault.retryAfterMs !== undefined ? Math.ceil(fault.retryAfterMs / 1000) : undefined)) : undefined;
      const code = status === 401 ? 'bad_key' : status === 429 ? 'slow_down' : status === 503 ? 'busy' : status >= 500 ? 'broken' : 'bad_request';
      return json({ fault: { code, detail: message } }, seconds !== undefined ? { 'quill-retry-in': String(seconds) } : undefined);
    },
  };
}
