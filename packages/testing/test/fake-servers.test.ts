import { describe, it, expect, afterEach } from 'vitest';
import {
  startAnthropicServer,
  startGoogleServer,
  startOllamaServer,
  startOpenAIFakeServer,
  structuredShapeProblem,
  ConformanceError,
  type FakeProviderServer,
  type NeutralRequest,
} from '@taxonomist/testing';

let server: FakeProviderServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const post = (url: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), ...(signal ? { signal } : {}) });
const waitFor = async (cond: () => boolean) => {
  const deadline = Date.now() + 2000;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
};

describe('the neutral request-shape rules', () => {
  const req = (structured: NeutralRequest['structured'], messages: NeutralRequest['messages'] = []): NeutralRequest => ({
    index: 0, kind: 'chat', kindIndex: 0, method: 'POST', path: '/', headers: {}, body: {}, extras: {}, closedBeforeResponse: false, structured, messages,
  });

  it('accept the right shape and explain the wrong one', () => {
    expect(structuredShapeProblem('jsonSchema', req({ via: 'native_schema', schemaSent: true }))).toBeUndefined();
    expect(structuredShapeProblem('jsonSchema', req({ via: 'tool', field: 'tools', schemaSent: true }))).toMatch(/native structured-output field; the server recorded via 'tool' \(field tools\)/);
    expect(structuredShapeProblem('functionCalling', req({ via: 'tool', schemaSent: true }))).toBeUndefined();
    expect(structuredShapeProblem('jsonMode', req({ via: 'none', schemaSent: false }))).toMatch(/without a schema/);
    const schemaText = JSON.stringify({ type: 'object', properties: { a: { type: 'string' } } });
    expect(structuredShapeProblem('prompt', req({ via: 'none', schemaSent: false }, [{ role: 'system', content: `Answer as JSON: ${schemaText}` }]))).toBeUndefined();
    expect(structuredShapeProblem('prompt', req({ via: 'none', schemaSent: false }, [{ role: 'user', content: 'hi' }]))).toMatch(/JSON Schema in the prompt/);
  });

  it('a failed rule names itself and the fix', () => {
    expect(new ConformanceError('abort-closes-request', 'still open', 'pass the signal').message).toBe(
      'conformance rule "abort-closes-request" failed: still open\n  how to fix: pass the signal',
    );
  });
});

describe('abort detection (closedBeforeResponse)', () => {
  it('is true when the client aborts its request, false when it walks away leaving it open', async () => {
    server = await startAnthropicServer({ faults: [{ fault: { kind: 'hang' } }] });
    const body = { model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };
    // A client that honours its signal.
    const controller = new AbortController();
    const honest = post(`${server.url}/v1/messages`, body, {}, controller.signal).catch((e: unknown) => e);
    await waitFor(() => server!.count('chat') === 1);
    controller.abort();
    await honest;
    await waitFor(() => server!.requests[0]!.closedBeforeResponse);
    expect(server.requests[0]!.closedBeforeResponse).toBe(true);
    // A client that ignores it: gives up on its side but leaves the HTTP request open.
    void post(`${server.url}/v1/messages`, body).catch(() => undefined);
    await waitFor(() => server!.count('chat') === 2);
    await new Promise((r) => setTimeout(r, 200));
    expect(server.requests[1]!.closedBeforeResponse).toBe(false);
  });
});

describe('the protocol fakes record requests in the neutral form', () => {
  const schema = { type: 'object', properties: { label: { type: 'string', enum: ['a', 'b'] } }, required: ['label'] };

  it('openai: response_format json_schema is native_schema', async () => {
    server = await startOpenAIFakeServer();
    await post(`${server.url}/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_schema', json_schema: { name: 'x', schema } } });
    expect(server.requests[0]).toMatchObject({ kind: 'chat', model: 'm', structured: { via: 'native_schema', schemaSent: true } });
  });

  it('anthropic: a forced tool is via tool; an OpenAI-shaped tool_choice is a 400 as on the real API', async () => {
    server = await startAnthropicServer({ apiKey: 'k' });
    const tools = [{ name: 'label', input_schema: schema }];
    const ok = await post(`${server.url}/v1/messages`, { model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], tools, tool_choice: { type: 'tool', name: 'label' } }, { 'x-api-key': 'k' });
    const answer = (await ok.json()) as { content: { type: string; input: { label: string } }[]; stop_reason: string };
    expect(answer.stop_reason).toBe('tool_use');
    expect(['a', 'b']).toContain(answer.content[0]!.input.label);
    expect(server.requests[0]).toMatchObject({ structured: { via: 'tool', toolName: 'label' }, headers: { 'x-api-key': '[REDACTED]' } });
    const bad = await post(`${server.url}/v1/messages`, { model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], tools, tool_choice: { type: 'function', function: { name: 'label' } } }, { 'x-api-key': 'k' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    const overloaded = await startAnthropicServer({ faults: [{ fault: { kind: 'server_error', status: 529 } }] });
    const r = await post(`${overloaded.url}/v1/messages`, { model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
    expect([r.status, ((await r.json()) as { error: { type: string } }).error.type]).toEqual([529, 'overloaded_error']);
    await overloaded.close();
  });

  it('ollama: format = schema is native_schema, streamed as NDJSON ending in done: true', async () => {
    server = await startOllamaServer();
    const res = await post(`${server.url}/api/chat`, { model: 'llama3.1', messages: [{ role: 'user', content: 'x' }], format: schema });
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { done: boolean; message: { content: string } });
    expect(lines.at(-1)!.done).toBe(true);
    expect(JSON.parse(lines[0]!.message.content)).toHaveProperty('label');
    expect(server.requests[0]).toMatchObject({ structured: { via: 'native_schema', field: 'format' } });
  });

  it('google: a bad key is a 400 API_KEY_INVALID, as Gemini answers it', async () => {
    server = await startGoogleServer({ apiKey: 'right' });
    const res = await post(`${server.url}/v1beta/models/gemini-x:generateContent`, { contents: [{ role: 'user', parts: [{ text: 'x' }] }] }, { 'x-goog-api-key': 'wrong' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('API_KEY_INVALID');
    expect(server.requests[0]).toMatchObject({ model: 'gemini-x', status: 400 });
  });
});
