import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { HumanMessage, SystemMessage, type AIMessage } from '@langchain/core/messages';
import { createScriptedChatModel, reply, transportErrors, httpError, countChatPromptTokens, countTextTokens } from '@taxonomist/testing';

const Label = z.object({ label: z.enum(['billing', 'card']), reason: z.string() });

describe('createScriptedChatModel', () => {
  it('answers an array of responses in order and throws a clear error when exhausted', async () => {
    const model = createScriptedChatModel({ responses: ['one', { a: 1 }, reply.text('three')] });
    expect((await model.invoke('q')).content).toBe('one');
    expect((await model.invoke('q')).content).toBe('{"a":1}');
    expect((await model.invoke('q')).content).toBe('three');
    await expect(model.invoke('q')).rejects.toThrow(/no scripted response left for call #3 \(3 given/);
    expect(model.calls).toHaveLength(4);
    expect(model.calls[3]!.error).toMatch(/no scripted response left/);
  });

  it("repeats the last response when whenExhausted is 'repeat'", async () => {
    const model = createScriptedChatModel({ responses: ['a', 'b'], whenExhausted: 'repeat' });
    const out = [];
    for (let i = 0; i < 4; i++) out.push((await model.invoke('q')).content);
    expect(out).toEqual(['a', 'b', 'b', 'b']);
  });

  it('gives functions the messages, the call index and the schema requested', async () => {
    const seen: { index: number; last: string; format: string; schemaName?: string; hasLabel: boolean }[] = [];
    const model = createScriptedChatModel({
      responses: (call) => {
        seen.push({
          index: call.index,
          last: call.lastUserMessage,
          format: call.format,
          schemaName: call.schemaName,
          hasLabel: JSON.stringify(call.schema ?? {}).includes('"label"'),
        });
        return call.format === 'functionCalling' ? { label: 'card', reason: `call ${call.index}` } : `echo ${call.lastUserMessage}`;
      },
    });
    const structured = model.withStructuredOutput(Label, { name: 'classify' });
    expect(await structured.invoke([new SystemMessage('sys'), new HumanMessage('my card broke')])).toEqual({ label: 'card', reason: 'call 0' });
    expect((await model.invoke('plain')).content).toBe('echo plain');
    expect(seen).toEqual([
      { index: 0, last: 'my card broke', format: 'functionCalling', schemaName: 'classify', hasLabel: true },
      { index: 1, last: 'plain', format: 'text', schemaName: undefined, hasLabel: false },
    ]);
    expect(model.calls[0]!.messages).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'my card broke' },
    ]);
  });

  it('answers structured calls with schema-valid samples when no responses are scripted', async () => {
    const model = createScriptedChatModel();
    const viaTools = await model.withStructuredOutput(Label).invoke('x');
    expect(Label.safeParse(viaTools).success).toBe(true);
    const viaJsonSchema = (await model.invoke('x', {
      response_format: { type: 'json_schema', json_schema: { name: 'label', schema: z.toJSONSchema(Label) } },
    })) as AIMessage;
    expect(Label.safeParse(JSON.parse(viaJsonSchema.content as string)).success).toBe(true);
    expect(model.calls[1]!.format).toBe('jsonSchema');
    const prompt = `Answer as JSON following this schema: ${JSON.stringify(z.toJSONSchema(Label))}`;
    const viaPrompt = (await model.invoke(prompt)) as AIMessage;
    expect(Label.safeParse(JSON.parse(viaPrompt.content as string)).success).toBe(true);
    expect((await model.invoke('hello')).content).toBe('ok');
  });

  it("has no bindTools for structuredMethod 'prompt' and exposes the method", () => {
    const promptModel = createScriptedChatModel({ structuredMethod: 'prompt' });
    expect(promptModel.bindTools).toBeUndefined();
    expect(promptModel.structuredMethod).toBe('prompt');
    const toolModel = createScriptedChatModel();
    expect(typeof toolModel.bindTools).toBe('function');
    expect(toolModel.structuredMethod).toBe('functionCalling');
  });

  it('throws injected errors without using up a response, shaped like openai APIError', async () => {
    const model = createScriptedChatModel({
      responses: ['first', 'second'],
      errors: [
        { on: 0, error: transportErrors.rateLimit({ retryAfterSeconds: 3 }) },
        { on: (c) => c.index === 2, error: () => httpError(503) },
      ],
    });
    const err = (await model.invoke('q').catch((e: unknown) => e)) as { status: number; headers: Headers; name: string; message: string };
    expect(err.status).toBe(429);
    expect(err.headers.get('retry-after')).toBe('3');
    expect(err.name).toBe('RateLimitError');
    expect(err.message).toMatch(/^429 /);
    expect((await model.invoke('q')).content).toBe('first');
    await expect(model.invoke('q')).rejects.toMatchObject({ status: 503 });
    expect((await model.invoke('q')).content).toBe('second');
    expect(model.callCount).toBe(4);
    const quota = transportErrors.quota();
    expect([quota.status, quota.code]).toEqual([429, 'insufficient_quota']);
  });

  it('throws Error values from the script and records them', async () => {
    const model = createScriptedChatModel({ responses: [new Error('boom'), 'fine'] });
    await expect(model.invoke('q')).rejects.toThrow('boom');
    expect((await model.invoke('q')).content).toBe('fine');
    expect(model.calls.map((c) => c.error)).toEqual(['boom', undefined]);
  });

  it('reports deterministic js-tiktoken usage, or what the script says', async () => {
    const model = createScriptedChatModel({ responses: ['Hello there, friend.', reply.text('x', { usage: { inputTokens: 11, outputTokens: 22 } })] });
    const msg = (await model.invoke([new SystemMessage('Be brief.'), new HumanMessage('Say hello')])) as AIMessage;
    const expectedIn = countChatPromptTokens([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Say hello' },
    ]);
    expect(msg.usage_metadata).toMatchObject({ input_tokens: expectedIn, output_tokens: countTextTokens('Hello there, friend.') });
    expect(msg.usage_metadata!.output_tokens).toBeGreaterThan(2);
    const second = (await model.invoke('q')) as AIMessage;
    expect(second.usage_metadata).toMatchObject({ input_tokens: 11, output_tokens: 22, total_tokens: 33 });
    const fixed = createScriptedChatModel({ responses: 'a', usage: { inputTokens: 5, outputTokens: 1 } });
    expect(((await fixed.invoke('q')) as AIMessage).usage_metadata).toMatchObject({ input_tokens: 5, output_tokens: 1 });
  });

  it('returns refusals, raw (broken) tool arguments and logprobs the way ChatOpenAI does', async () => {
    const model = createScriptedChatModel({
      responses: [reply.refusal('no'), reply.toolCall('{"label": "bil', 'classify'), 'Yes'],
    });
    const refused = (await model.invoke('q')) as AIMessage;
    expect(refused.content).toBe('');
    expect(refused.additional_kwargs.refusal).toBe('no');
    const broken = (await model.bindTools!([{ type: 'function', function: { name: 'classify', parameters: z.toJSONSchema(Label) } }]).invoke('q')) as AIMessage;
    expect(broken.tool_calls).toEqual([]);
    expect(broken.invalid_tool_calls?.[0]).toMatchObject({ name: 'classify', args: '{"label": "bil' });
    const withLogprobs = (await model.invoke('q', { logprobs: true, top_logprobs: 2 })) as AIMessage;
    const content = (withLogprobs.response_metadata.logprobs as { content: { token: string; logprob: number; top_logprobs: unknown[] }[] }).content;
    expect(content.map((t) => t.token).join('')).toBe('Yes');
    expect(content[0]!.logprob).toBeCloseTo(Math.log(0.9));
    expect(content[0]!.top_logprobs).toHaveLength(2);
  });

  it('honours abort signals, also while a script is still working', async () => {
    const model = createScriptedChatModel({
      responses: (call) => new Promise((resolve) => call.signal?.addEventListener('abort', () => resolve('too late'))),
    });
    const controller = new AbortController();
    const pending = model.invoke('q', { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toThrow();
    const already = new AbortController();
    already.abort();
    await expect(model.invoke('q', { signal: already.signal })).rejects.toThrow();
  });

  it('is deterministic: the same script gives byte-identical messages', async () => {
    const run = async () => {
      const model = createScriptedChatModel({ seed: 3 });
      const out = await model.withStructuredOutput(Label).invoke('x');
      return JSON.stringify({ out, calls: model.calls.map((c) => c.answer) });
    };
    expect(await run()).toBe(await run());
  });
});
