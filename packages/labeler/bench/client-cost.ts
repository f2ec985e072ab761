/**
 * Where a call's client-side CPU goes (a measurement script, not a test):
 *   npx tsx --conditions=source packages/labeler/bench/client-cost.ts [--calls 1000] [--concurrency 32] [--latency 50]
 *
 * The same chat completion is sent through each layer of the stack in turn, at the same concurrency, against the
 * local server forked into a child process (so this process's CPU is the client's alone):
 *   fetch         a bare POST of the request body (undici) and JSON.parse of the answer;
 *   openai        the openai client (chat.completions.create), one shared instance;
 *   ChatOpenAI    LangChain's ChatOpenAI, response_format bound once, messages converted per call;
 *   gateway       @taxonomist/core gateway.structured (binding, retries, limits, validation, accounting, hooks);
 *   openai http   the openai client on the openai plugin's keep-alive node:http transport (createHttpFetch);
 *   gateway http  the gateway with the openai plugin's model (that transport: what 'openai:<model>' uses);
 *   labeler       pack 1 with the plugin's model: label() (prompt building, interpretation), then labelToFile (plus
 *                 one durable line per record).
 * Each layer includes the ones above it, so the difference between two rows is what the upper layer adds. Two prompt
 * sizes: "bare" (one short user message, { label: string }) and "labeler" (the labeler's 77-label system prompt and
 * enum answer schema, about 1 500 prompt tokens). Prints client CPU per call, server CPU per call, and calls/s.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatOpenAI, OpenAIClient } from '@langchain/openai';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { z } from 'zod';
import { createGateway, jsonSchemaOf } from '@taxonomist/core';
import { createHttpFetch, createOpenAIChatModel, resolveOpenAISettings } from '@taxonomist/openai';
import type { ChatMessage } from '@taxonomist/core';
import { buildCatalog, buildMessages, buildSystemPrompt, label, labelToFile, singleAnswerSchema } from '@taxonomist/labeler';
import type { LabelSummary } from '@taxonomist/labeler';
import { loadBenchCorpus } from './corpus.js';
import { forkBenchServer, type BenchServer } from './bench-server.js';
import { arg } from './args.js';


const CALLS = arg('calls', 1000);
const CONCURRENCY = arg('concurrency', 32);
const LATENCY_MS = arg('latency', 50);
const fmt = (n: number, d = 2) => n.toFixed(d);

/** Run `call(i)` for i < n at CONCURRENCY; returns client CPU ms/call, server CPU ms/call and calls/s. */
async function measure(server: BenchServer, n: number, call: (i: number) => Promise<unknown>): Promise<string> {
  const drive = async (count: number, offset: number): Promise<void> => {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < count) await call(offset + next++);
      }),
    );
  };
  await drive(Math.min(1000, n), n); // warm-up (JIT, connections), on other inputs than the measured calls
  server.reset();
  const s0 = (await server.stats())!;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await drive(n, 0);
  const secs = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const s1 = (await server.stats())!;
  server.reset();
  return (
    `client ${fmt((c.user + c.system) / 1000 / n).padStart(5)} ms/call, server ${fmt((s1.cpuMs - s0.cpuMs) / n).padStart(5)} ms/call, ` +
    `${fmt(n / secs, 0).padStart(4)} calls/s`
  );
}

async function main(): Promise<void> {
  const corpus = await loadBenchCorpus(CALLS + 1000);
  const { records, taxonomy } = corpus;
  const server = await forkBenchServer({ records: CALLS + 1000, latencyMs: LATENCY_MS });
  const dir = await mkdtemp(join(tmpdir(), 'labeler-client-cost-'));
  try {
    console.log(`client CPU per call by layer: ${CALLS} calls per row, concurrency ${CONCURRENCY}, latency ${LATENCY_MS} ms, server ${server.where}`);
    const catalog = buildCatalog(taxonomy);
    const shape = { mode: 'primary', rationale: false, allowNone: false } as const;
    const system = buildSystemPrompt(catalog, { shape, packed: false });
    const labelerSchema = singleAnswerSchema(catalog, shape);
    const bareSchema = z.object({ label: z.string() });
    const prompts: Record<'bare' | 'labeler', { schema: z.ZodType; messages: (i: number) => ChatMessage[] }> = {
      bare: { schema: bareSchema, messages: (i) => [{ role: 'user', content: `Say a label for call ${i}.` }] },
      labeler: { schema: labelerSchema, messages: (i) => buildMessages(system, catalog, [{ text: records[i]!.text }], []) },
    };
    const openai = new OpenAIClient({ apiKey: 'sk-local', baseURL: server.url, maxRetries: 0 });
    // The same client on the openai plugin's keep-alive node:http transport (its default since issue 15).
    const openaiHttp = new OpenAIClient({ apiKey: 'sk-local', baseURL: server.url, maxRetries: 0, fetch: createHttpFetch() });
    const pluginChat = createOpenAIChatModel('gpt-4o-mini', resolveOpenAISettings({ baseURL: server.url, apiKey: 'sk-local' }));
    const chat = new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'sk-local', configuration: { baseURL: server.url }, maxRetries: 0 });
    for (const [size, p] of Object.entries(prompts)) {
      const schema = jsonSchemaOf(p.schema);
      const responseFormat = { type: 'json_schema' as const, json_schema: { name: 'label_answer', schema, strict: true } };
      const body = (i: number) => ({ model: 'gpt-4o-mini', messages: p.messages(i), response_format: responseFormat, temperature: 0, stream: false as const });
      const bound = chat.withConfig({ response_format: responseFormat });
      const gateway = createGateway({ maxConcurrency: CONCURRENCY });
      const rows: [string, (i: number) => Promise<unknown>][] = [
        [
          'fetch',
          async (i) => {
            const res = await fetch(`${server.url}/chat/completions`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: 'Bearer sk-local' },
              body: JSON.stringify(body(i)),
            });
            return res.json();
          },
        ],
        ['openai', (i) => openai.chat.completions.create(body(i))],
        [
          'ChatOpenAI',
          (i) => bound.invoke(p.messages(i).map((m) => (m.role === 'system' ? new SystemMessage(m.content) : new HumanMessage(m.content)))),
        ],
        ['gateway', (i) => gateway.structured({ stage: 'bench', model: chat, schema: p.schema, temperature: 0, messages: p.messages(i) })],
        ['openai http', (i) => openaiHttp.chat.completions.create(body(i))],
        ['gateway http', (i) => gateway.structured({ stage: 'bench', model: pluginChat, schema: p.schema, temperature: 0, messages: p.messages(i) })],
      ];
      for (const [layer, call] of rows) console.log(`${size.padEnd(7)} ${layer.padEnd(12)} ${await measure(server, CALLS, call)}`);
    }
    {
      // The labeler at pack 1 makes one call per record: the same "labeler" prompt, plus its own work. Once without
      // an output file (label(), iterating the assignments), once with one (labelToFile: a durable line per record).
      const gateway = createGateway({ maxConcurrency: CONCURRENCY });
      const common = { gateway, model: pluginChat, pack: 1, concurrency: CONCURRENCY };
      const variants: [string, (slice: typeof records) => Promise<LabelSummary>][] = [
        [
          'label()',
          async (slice) => {
            const run = label(slice, taxonomy, common);
            for await (const _ of run) {
              /* assignments only */
            }
            return run.summary;
          },
        ],
        ['labelToFile', (slice) => labelToFile(slice, taxonomy, { ...common, out: join(dir, 'labels.jsonl'), overwrite: true })],
      ];
      for (const [name, run] of variants) {
        await run(records.slice(CALLS, CALLS + 1000)); // warm-up
        server.reset();
        const s0 = (await server.stats())!;
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const summary = await run(records.slice(0, CALLS));
        const secs = (performance.now() - t0) / 1000;
        const c = process.cpuUsage(c0);
        const s1 = (await server.stats())!;
        const n = summary.usage.calls;
        console.log(
          `labeler ${name.padEnd(11)} client ${fmt((c.user + c.system) / 1000 / n).padStart(5)} ms/call, ` +
            `server ${fmt((s1.cpuMs - s0.cpuMs) / n).padStart(5)} ms/call, ${fmt(n / secs, 0).padStart(4)} calls/s (pack 1, ${n} calls)`,
        );
      }
    }
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
