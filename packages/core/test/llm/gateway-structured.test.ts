import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { AIMessage } from '@langchain/core/messages';
import { createGateway, LlmError } from '../../src/llm/index.js';
import { FakeChatModel, FakeToolChatModel, answer, recordingClock, toolAnswer } from './fakes.js';

const Schema = z.object({ label: z.string(), confidence: z.number().min(0).max(1) });
const messages = [
  { role: 'system' as const, content: 'You label texts.' },
  { role: 'user' as const, content: 'card not working' },
];

async function failure(p: Promise<unknown>): Promise<LlmError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(LlmError);
    return err as LlmError;
  }
  throw new Error('expected the call to fail');
}

const text = (m: { content: unknown }) => String(m.content);

describe('structured(): methods', () => {
  it("'auto' picks prompt for a plain model, sends the JSON Schema in the system prompt and parses fenced JSON", async () => {
    const model = new FakeChatModel([answer('Sure! Here it is:\n```json\n{"label": "card", "confidence": 0.9}\n```\nAnything else?')]);
    const gw = createGateway({ clock: recordingClock() });
    expect((await gw.resolveChatModel(model)).structuredMethod).toBe('prompt');
    const res = await gw.structured({ stage: 'label', model, messages, schema: Schema, schemaName: 'Assignment' });
    expect(res.value).toEqual({ label: 'card', confidence: 0.9 });
    expect(res.repairs).toBe(0);
    const sent = model.calls[0]!.messages;
    expect(sent).toHaveLength(2);
    expect(text(sent[0]!)).toContain('You label texts.');
    expect(text(sent[0]!)).toContain('"Assignment"');
    expect(text(sent[0]!)).toContain('"confidence":{"type":"number","minimum":0,"maximum":1}');
    expect(model.calls[0]!.options.response_format).toBeUndefined();
  });

  it('prompt method adds a system message when there is none and extracts JSON surrounded by prose', async () => {
    const model = new FakeChatModel([answer('The answer is {"label": "a {tricky} one", "confidence": 1} as requested.')]);
    const gw = createGateway({ clock: recordingClock() });
    const res = await gw.structured({ stage: 's', model, messages: [{ role: 'user', content: 'x' }], schema: Schema });
    expect(res.value).toEqual({ label: 'a {tricky} one', confidence: 1 });
    expect(model.calls[0]!.messages.map((m) => m.getType())).toEqual(['system', 'human']);
  });

  it("'auto' picks functionCalling for a model with bindTools and reads the tool call arguments", async () => {
    const model = new FakeToolChatModel([toolAnswer('Assignment', { label: 'card', confidence: 0.5 })]);
    const gw = createGateway({ clock: recordingClock() });
    const res = await gw.structured({ stage: 's', model, messages, schema: Schema, schemaName: 'Assignment' });
    expect(res.value).toEqual({ label: 'card', confidence: 0.5 });
    expect(JSON.parse(res.raw)).toEqual({ label: 'card', confidence: 0.5 });
    const opts = model.calls[0]!.options as { tools: { function: { name: string; parameters: unknown } }[]; tool_choice: unknown };
    expect(opts.tools[0]!.function.name).toBe('Assignment');
    expect(opts.tools[0]!.function.parameters).toMatchObject({ type: 'object', required: ['label', 'confidence'] });
    expect(opts.tool_choice).toEqual({ type: 'function', function: { name: 'Assignment' } });
    // The schema travels as a tool, not in the prompt.
    expect(text(model.calls[0]!.messages[0]!)).toBe('You label texts.');
  });

  it("'auto' picks jsonSchema for OpenAI-like models and sends response_format json_schema (strict when possible)", async () => {
    const model = new FakeChatModel([answer('{"label":"x","confidence":0.1}')], { type: 'openai', model: 'gpt-4o-mini' });
    const gw = createGateway({ clock: recordingClock() });
    const resolved = await gw.resolveChatModel(model);
    expect(resolved).toMatchObject({ id: 'openai:gpt-4o-mini', structuredMethod: 'jsonSchema', supportsLogprobs: true });
    const res = await gw.structured({ stage: 's', model, messages, schema: Schema, schemaName: 'has space!' });
    expect(res.value).toEqual({ label: 'x', confidence: 0.1 });
    const rf = model.calls[0]!.options.response_format as { type: string; json_schema: Record<string, unknown> };
    expect(rf.type).toBe('json_schema');
    expect(rf.json_schema.name).toBe('has_space_');
    expect(rf.json_schema.strict).toBe(true);
    expect(rf.json_schema.schema).not.toHaveProperty('$schema');
    expect(Object.keys(rf)).toEqual(['type', 'json_schema']); // the parse hook is not enumerable, never sent

    const loose = new FakeChatModel([answer('{"a":"x"}')], { type: 'openai', model: 'gpt-4o-mini' });
    await gw.structured({ stage: 's', model: loose, messages, schema: z.object({ a: z.string(), b: z.string().optional() }) });
    expect((loose.calls[0]!.options.response_format as { json_schema: { strict: boolean } }).json_schema.strict).toBe(false);
  });

  it('jsonMode sends response_format json_object plus the schema in the prompt', async () => {
    const model = new FakeChatModel([answer('{"label":"x","confidence":0.2}')]);
    const gw = createGateway({ clock: recordingClock() });
    const res = await gw.structured({ stage: 's', model, messages, schema: Schema, method: 'jsonMode' });
    expect(res.value.label).toBe('x');
    expect(model.calls[0]!.options.response_format).toEqual({ type: 'json_object' });
    expect(text(model.calls[0]!.messages[0]!)).toContain('JSON Schema');
  });

  it('an explicit structuredMethod on a {id, model} ref is used', async () => {
    const model = new FakeToolChatModel([answer('{"label":"x","confidence":0.3}')]);
    const gw = createGateway({ clock: recordingClock() });
    const res = await gw.structured({ stage: 's', model: { id: 'my:model', model, structuredMethod: 'prompt' }, messages, schema: Schema });
    expect(res.modelId).toBe('my:model');
    expect(model.calls[0]!.options.tools).toBeUndefined();
  });
});

describe('structured(): repair and failure', () => {
  it('re-asks with the validation error appended, then succeeds', async () => {
    const model = new FakeChatModel([
      answer('not json at all'),
      answer('{"label":"x","confidence":7}'),
      answer('{"label":"x","confidence":0.7}'),
    ]);
    const gw = createGateway({ clock: recordingClock() });
    const res = await gw.structured({ stage: 's', model, messages, schema: Schema });
    expect(res.value.confidence).toBe(0.7);
    expect(res.repairs).toBe(2);
    expect(res.attempts).toBe(3);
    expect(res.usage).toEqual({ inputTokens: 30, outputTokens: 15 });
    const second = model.calls[1]!.messages;
    expect(second).toHaveLength(4);
    expect(second[2]!.getType()).toBe('ai');
    expect(text(second[2]!)).toBe('not json at all');
    expect(text(second[3]!)).toMatch(/not valid JSON/);
    const third = model.calls[2]!.messages;
    expect(third).toHaveLength(6);
    expect(text(third[5]!)).toMatch(/does not match the schema/);
    expect(text(third[5]!)).toMatch(/confidence/);
    expect(text(third[5]!)).toMatch(/<=1/);
  });

  it('uses the validate callback and re-asks with its problems', async () => {
    const model = new FakeChatModel([answer('{"label":"zzz","confidence":0.5}'), answer('{"label":"card","confidence":0.5}')]);
    const gw = createGateway({ clock: recordingClock() });
    const res = await gw.structured({
      stage: 's',
      model,
      messages,
      schema: Schema,
      validate: (v) => (['card', 'loan'].includes(v.label) ? [] : [`label "${v.label}" is not one of card, loan`]),
    });
    expect(res.value.label).toBe('card');
    expect(text(model.calls[1]!.messages.at(-1)!)).toContain('label "zzz" is not one of card, loan');
  });

  it('throws invalid_output with the raw text after maxRepairs', async () => {
    const model = new FakeChatModel([], { fallback: answer('{"label": 3}') });
    const gw = createGateway({ clock: recordingClock(), maxRepairs: 1 });
    const err = await failure(gw.structured({ stage: 's', model, messages, schema: Schema }));
    expect(err.kind).toBe('invalid_output');
    expect(err.raw).toBe('{"label": 3}');
    expect(err.attempts).toBe(2);
    expect(model.calls).toHaveLength(2);
    // Per-request maxRepairs overrides the gateway's.
    const model2 = new FakeChatModel([], { fallback: answer('nope') });
    const err2 = await failure(gw.structured({ stage: 's', model: model2, messages, schema: Schema, maxRepairs: 0 }));
    expect(err2.kind).toBe('invalid_output');
    expect(model2.calls).toHaveLength(1);
  });

  it('a refusal fails at once as kind refusal (additional_kwargs.refusal and raw OpenAI response)', async () => {
    const refusing = new AIMessage({
      content: '',
      additional_kwargs: { refusal: "I can't help with that." },
      usage_metadata: { input_tokens: 5, output_tokens: 3, total_tokens: 8 },
    });
    const model = new FakeChatModel([refusing, answer('{"label":"x","confidence":0.1}')]);
    const gw = createGateway({ clock: recordingClock() });
    const err = await failure(gw.structured({ stage: 's', model, messages, schema: Schema }));
    expect(err.kind).toBe('refusal');
    expect(err.raw).toBe("I can't help with that.");
    expect(model.calls).toHaveLength(1);

    const rawRefusal = new AIMessage({
      content: '',
      additional_kwargs: { __raw_response: { choices: [{ message: { content: null, refusal: 'no' } }] } },
      usage_metadata: { input_tokens: 5, output_tokens: 1, total_tokens: 6 },
    });
    const err2 = await failure(gw.structured({ stage: 's', model: new FakeChatModel([rawRefusal]), messages, schema: Schema }));
    expect(err2.kind).toBe('refusal');
  });

  it('transport retries and repairs add up in attempts', async () => {
    const err500 = Object.assign(new Error('500 boom'), { status: 500 });
    const model = new FakeChatModel([err500, answer('bad'), answer('{"label":"x","confidence":0}')]);
    const gw = createGateway({ clock: recordingClock() });
    const res = await gw.structured({ stage: 's', model, messages, schema: Schema });
    expect(res.attempts).toBe(3);
    expect(res.repairs).toBe(1);
  });
});

describe('structured(): parameters, logprobs, hooks', () => {
  it('applies temperature and maxTokens per call on a model variant without touching the original', async () => {
    const model = new FakeChatModel([answer('{"label":"x","confidence":0}'), answer('{"label":"x","confidence":0}')], { temperature: 1 });
    const gw = createGateway({ clock: recordingClock() });
    await gw.structured({ stage: 's', model, messages, schema: Schema, temperature: 0, maxTokens: 99 });
    expect(model.calls[0]!.options.temperatureSeen).toBe(0);
    expect(model.calls[0]!.options.maxTokensSeen).toBe(99);
    expect(model.temperature).toBe(1);
    await gw.structured({ stage: 's', model, messages, schema: Schema });
    expect(model.calls[1]!.options.temperatureSeen).toBe(1);
  });

  it('returns logprobs from response_metadata when asked and supported', async () => {
    const msg = answer('{"label":"x","confidence":0}');
    msg.response_metadata = {
      logprobs: { content: [{ token: '{"', logprob: -0.01, top_logprobs: [{ token: '{"', logprob: -0.01 }, { token: '{', logprob: -4.2 }] }] },
    };
    const model = new FakeChatModel([msg]);
    const gw = createGateway({ clock: recordingClock() });
    const res = await gw.structured({ stage: 's', model: { id: 'x:y', model, supportsLogprobs: true }, messages, schema: Schema, logprobs: true });
    expect(res.logprobs).toEqual([{ token: '{"', logprob: -0.01, top: [{ token: '{"', logprob: -0.01 }, { token: '{', logprob: -4.2 }] }]);
    expect(model.calls[0]!.options).toMatchObject({ logprobsSeen: true, topLogprobsSeen: 5 });
  });

  it('emits llm:request / llm:response and applies the prompt:messages transform', async () => {
    const events: string[] = [];
    const model = new FakeChatModel([answer('{"label":"x","confidence":0}')]);
    const gw = createGateway({
      clock: recordingClock(),
      hooks: {
        emit: (name: string, p: { stage: string; attempts?: number }) => void events.push(`${name}:${p.stage}:${p.attempts ?? '-'}`),
        transform: (name: string, value: { role: string; content: string }[], ctx: { promptId: string }) => {
          events.push(`${name}:${ctx.promptId}`);
          return value.map((m) => (m.role === 'user' ? { ...m, content: m.content.toUpperCase() } : m));
        },
      },
    });
    await gw.structured({ stage: 'label', promptId: 'label.assign', model, messages, schema: Schema });
    expect(events).toEqual(['prompt:messages:label.assign', 'llm:request:label:-', 'llm:response:label:1']);
    expect(text(model.calls[0]!.messages[1]!)).toBe('CARD NOT WORKING');
  });
});

describe('structured(): schemas with transforms', () => {
  it('sends the input shape and returns the transformed value', async () => {
    const schema = z.object({ label: z.string().transform((s) => s.toUpperCase()), n: z.string().pipe(z.coerce.number()) });
    const model = new FakeChatModel([answer('{"label":"card","n":"3"}')]);
    const gw = createGateway({ clock: recordingClock() });
    const res = await gw.structured({ stage: 's', model, messages, schema });
    expect(res.value).toEqual({ label: 'CARD', n: 3 });
    expect(text(model.calls[0]!.messages[0]!)).toContain('"label":{"type":"string"}');
  });
});
