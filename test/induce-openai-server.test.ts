/**
 * Taxonomy induction end to end through HTTP: the real @langchain/openai ChatOpenAI (maxRetries 0) against the
 * local OpenAI-compatible server (@taxonomist/testing), whose answers come from the scripted scenario.
 */
import { ChatOpenAI } from '@langchain/openai';
import { faultAnswer, startOpenAIServer } from '@taxonomist/testing';
import { defineInductionE2E } from '../packages/core/test/induce/e2e-cases.js';

defineInductionE2E('ChatOpenAI through the local OpenAI-compatible server', {
  async makeModel(answer) {
    const server = await startOpenAIServer({
      script: (request) => {
        const value = answer(request.schemaName, request.messages);
        return value === 'crash' ? faultAnswer({ kind: 'http_error', status: 400, message: 'simulated crash' }) : (value as object);
      },
    });
    const model = new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'sk-local-test', configuration: { baseURL: server.url }, maxRetries: 0 });
    return { model, requests: () => server.count('chat'), close: () => server.close() };
  },
});
