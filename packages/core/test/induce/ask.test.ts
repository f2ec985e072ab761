import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { askValid } from '../../src/induce/ask.js';
import { createGateway } from '../../src/llm/index.js';
import { FakeChatModel, answer, recordingClock } from '../llm/fakes.js';

describe('askValid(): step usage', () => {
  it('counts the billed tokens of an attempt the gateway gave up on (error.usage), as the gateway does', async () => {
    const model = new FakeChatModel([
      answer('not json', { input_tokens: 100, output_tokens: 10 }),
      answer('still not json', { input_tokens: 120, output_tokens: 12 }),
      answer('{"name":"ok"}', { input_tokens: 150, output_tokens: 15 }),
    ]);
    const gateway = createGateway({ clock: recordingClock(), maxRepairs: 1, prices: { 'fake:scripted': { input: 1, output: 2 } } });
    const outcome = await askValid(gateway, {
      stage: 'generate',
      promptId: 'generate',
      model,
      modelId: 'fake:scripted',
      messages: [{ role: 'user', content: 'name it' }],
      schema: z.object({ name: z.string() }),
      schemaName: 'answer',
      temperature: 0,
      temperatureStep: 0.2,
      maxAttempts: 2,
      check: () => [],
      subject: 'answer',
    });
    expect(outcome.value).toEqual({ name: 'ok' });
    expect(outcome.usage).toMatchObject({ calls: 2, failedCalls: 1, attempts: 3, inputTokens: 370, outputTokens: 37 });
    expect(outcome.usage.costUsd).toBeCloseTo((370 + 2 * 37) / 1e6, 12);
    // The step's own record agrees with the gateway's ledger.
    expect(gateway.usage().total).toMatchObject({ inputTokens: 370, outputTokens: 37 });
  });
});
