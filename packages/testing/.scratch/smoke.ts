import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import { z } from 'zod';
import { startOpenAIServer, faultAnswer, type Fault } from '@taxonomist/testing';

const server = await startOpenAIServer({});
const schema = z.object({ label: z.enum(['billing', 'card']), confidence: z.number().min(0).max(1), reasons: z.array(z.string()) });
const mk = (timeout?: number) => new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'sk-test-secret', configuration: { baseURL: server.url }, maxRetries: 0, timeout, __includeRawResponse: true } as never);
const m = mk();
const r = await m.withStructuredOutput(z.toJSONSchema(schema), { method: 'jsonSchema', includeRaw: true }).invoke('hello');
console.log(JSON.stringify(r.parsed), r.raw.usage_metadata);
const t = await m.withStructuredOutput(schema, { method: 'functionCalling' }).invoke('hello');
console.log(t);
const faults: Fault[] = [{ kind: 'rate_limit', retryAfterSeconds: 2 }, { kind: 'rate_limit' }, { kind: 'quota' }, { kind: 'server_error', status: 503 }, { kind: 'reset' }, { kind: 'malformed_body' }, { kind: 'truncated_body' }, { kind: 'truncated_json' }, { kind: 'schema_invalid' }, { kind: 'refusal' }, { kind: 'hang' }, { kind: 'auth' }];
for (const f of faults) {
  server.setScript(() => faultAnswer(f));
  const model = mk(f.kind === 'hang' ? 300 : undefined);
  const rf = { type: 'json_schema', json_schema: { name: 'x', schema: z.toJSONSchema(schema) } };
  try {
    const out = await model.invoke('hi', { response_format: rf } as never);
    console.log(f.kind, 'OK content=', JSON.stringify(out.content), 'kw=', JSON.stringify(Object.keys(out.additional_kwargs)), (out.additional_kwargs as any).__raw_response?.choices?.[0]?.message?.refusal);
  } catch (e: any) {
    console.log(f.kind, 'ERR', e?.constructor?.name, e?.name, JSON.stringify(String(e?.message).slice(0, 100)), 'status', e?.status, 'code', e?.code, 'lc', e?.lc_error_code, 'headers', e?.headers?.get?.('retry-after'), 'cause', e?.cause?.constructor?.name, e?.cause?.message, e?.cause?.code, e?.cause?.cause?.code);
  }
}
server.setScript(undefined);
const emb = new OpenAIEmbeddings({ model: 'text-embedding-3-small', apiKey: 'sk-x', configuration: { baseURL: server.url }, maxRetries: 0 });
const v = await emb.embedDocuments(['hello world', 'hello there']);
console.log(v.length, v[0]!.length, server.requests.at(-1)!.body);
console.log(server.stats());
await server.close();
