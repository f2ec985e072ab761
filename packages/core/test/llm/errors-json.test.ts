import { describe, it, expect } from 'vitest';
import { APIConnectionError, APIConnectionTimeoutError, APIUserAbortError, RateLimitError, InternalServerError, AuthenticationError, BadRequestError } from 'openai';
import { classifyError, readRetryAfterMs, extractJson, LlmError } from '../../src/llm/index.js';

const h = (o: Record<string, string>) => new Headers(o);

describe('classifyError on the shapes the real clients throw', () => {
  it('openai v6 API errors', () => {
    expect(classifyError(new RateLimitError(429, { message: 'slow down' }, undefined, h({ 'retry-after': '3' })))).toMatchObject({
      kind: 'rate_limit',
      retryable: true,
      status: 429,
      retryAfterMs: 3000,
    });
    expect(
      classifyError(new RateLimitError(429, { message: 'You exceeded your current quota', code: 'insufficient_quota' }, undefined, h({}))),
    ).toMatchObject({ kind: 'quota', retryable: false, code: 'insufficient_quota' });
    expect(classifyError(new InternalServerError(502, undefined, 'bad gateway', h({})))).toMatchObject({ kind: 'server', retryable: true });
    expect(classifyError(new AuthenticationError(401, { message: 'bad key' }, undefined, h({})))).toMatchObject({ kind: 'auth', retryable: false });
    expect(classifyError(new BadRequestError(400, { message: 'nope' }, undefined, h({})))).toMatchObject({ kind: 'bad_request', retryable: false });
    expect(classifyError(new APIConnectionError({ cause: new Error('socket hang up') }))).toMatchObject({ kind: 'network', retryable: true });
    expect(classifyError(new APIConnectionTimeoutError())).toMatchObject({ kind: 'timeout', retryable: true });
    expect(classifyError(new APIUserAbortError())).toMatchObject({ kind: 'aborted', retryable: false });
  });

  it('LangChain wrappers and nested causes', () => {
    const timeout = Object.assign(new Error('Request timed out.'), { name: 'TimeoutError' });
    expect(classifyError(timeout).kind).toBe('timeout');
    const wrapped = new Error('outer', { cause: { response: { status: 503, headers: { 'Retry-After': '1' } } } });
    expect(classifyError(wrapped)).toMatchObject({ kind: 'server', status: 503, retryAfterMs: 1000 });
    const fetchFailed = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
    expect(classifyError(fetchFailed).kind).toBe('network');
    expect(classifyError(new SyntaxError('Unterminated string in JSON at position 17')).kind).toBe('server');
    expect(classifyError(new Error('something odd'))).toMatchObject({ kind: 'unknown', retryable: false });
    expect(classifyError(new Error("This model's maximum context length is 128000 tokens")).kind).toBe('bad_request');
    const own = new LlmError('x', { kind: 'refusal' });
    expect(classifyError(own)).toMatchObject({ kind: 'refusal', retryable: false });
  });

  it('Retry-After as an HTTP date, retry-after-ms preferred', () => {
    expect(readRetryAfterMs({ headers: h({ 'retry-after': 'Thu, 01 Jan 1970 00:00:10 GMT' }) }, 4000)).toBe(6000);
    expect(readRetryAfterMs({ headers: h({ 'retry-after': '9', 'retry-after-ms': '250' }) })).toBe(250);
    expect(readRetryAfterMs({ headers: { 'Retry-After': '2' } })).toBe(2000);
    expect(readRetryAfterMs({ headers: h({}) })).toBeUndefined();
  });
});

describe('extractJson', () => {
  it.each([
    ['{"a":1}', { a: 1 }],
    ['  [1,2]  ', [1, 2]],
    ['```json\n{"a":"x"}\n```', { a: 'x' }],
    ['Here:\n```\n{"a":2}\n```\nthanks', { a: 2 }],
    ['```json\n{"a":3}', { a: 3 }],
    ['Result: {"a": "has } brace", "b": [1, {"c": 2}]} done', { a: 'has } brace', b: [1, { c: 2 }] }],
    ['first {not json} then {"ok": true}', { ok: true }],
    ['"just a string"', 'just a string'],
  ])('extracts from %j', (text, value) => {
    const r = extractJson(text);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toEqual(value);
  });

  it.each(['', 'no json here', '{"a": 1', '```json\n{broken\n```'])('reports failure for %j', (text) => {
    const r = extractJson(text);
    expect(r.ok).toBe(false);
  });
});
