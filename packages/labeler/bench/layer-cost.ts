/**
 * CPU per call of each client layer WITHOUT the network (a measurement script, not a test):
 *   npx tsx --conditions=source packages/labeler/bench/layer-cost.ts [--calls 4000] [--rounds 5]
 *
 * client-cost.ts measures the layers against a real local server, where CPU contention from the server and other
 * processes on a shared machine blurs differences of a few hundred microseconds. Here the openai client gets a
 * `fetch` that answers at once with a canned chat completion, calls run one after another, and the rows are
 * interleaved over several rounds (median kept), so what remains is the CPU of each layer itself:
 *   openai        chat.completions.create with the stub fetch (request building, response parsing);
 *   ChatOpenAI    LangChain on top (message conversion, callbacks, output parsing), response_format bound once;
 *   gateway       @taxonomist/core gateway.structured on top (binding, retries, limits, validation, accounting);
 *   gateway+tpm   the same with a tokens-per-minute limit (the prompt is counted before every call);
 *   gateway+cache the same with an in-memory answer cache, every call a miss (cache key hashing and stores);
 *   gateway+signal the same with a caller's AbortSignal that lives for the whole run (the labeler passes one);
 *   label()       the labeler at pack 1 on top of the plain gateway (prompt building, token counting, interpretation);
 *   labelToFile   the same writing its output file (one durable line per record);
 *   ... p10       the same two with pack 10 (ten records per call; CPU still per call).
 * Prompt: the labeler's 77-label system prompt and enum answer schema with one text (about 1 500 tokens).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatOpenAI, OpenAIClient } from '@langchain/openai';
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { MemoryCacheStore, createGateway, jsonSchemaOf } from '@taxonomist/core';
import type { ChatMessage } from '@taxonomist/core';
import { buildCatalog, buildMessages, buildSystemPrompt, label, labelToFile, singleAnswerSchema } from '@taxonomist/labeler';
import { loadBenchCorpus } from './corpus.js';
import { arg } from './args.js';


const CALLS = arg('calls', 4000);
const ROUNDS = arg('rounds', 5);

/**
 * A fetch that answers at once, without any I/O, with a chat completion labeling every text "L7": one answer for a
 * single-text prompt, one per id for a packed prompt ("Texts to label (k)").
 */
function stubFetch(): typeof fetch {
  const completion = (content: string) =>
    JSON.stringify({
      id: 'chatcmpl-stub',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'gpt-4o-mini',
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1500, completion_tokens: 6, total_tokens: 1506 },
    });
  const single = completion('{"label":"L7"}');
  const packed = new Map<number, string>();
  return (async (_url: unknown, init?: { body?: unknown }) => {
    const k = Number(/Texts to label \((\d+)\)/.exec(String(init?.body ?? ''))?.[1] ?? 0);
    let body = single;
    if (k > 0) {
      body = packed.get(k) ?? completion(JSON.stringify({ answers: Array.from({ length: k }, (_, i) => ({ id: `t${i + 1}`, label: 'L7' })) }));
      packed.set(k, body);
    }
    return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

async function main(): Promise<void> {
  const batch = Math.min(CALLS, 500);
  const { records, taxonomy } = await loadBenchCorpus(Math.max(CALLS, batch * 10));
  const catalog = buildCatalog(taxonomy);
  const shape = { mode: 'primary', rationale: false, allowNone: false } as const;
  const system = buildSystemPrompt(catalog, { shape, packed: false });
  const schema = singleAnswerSchema(catalog, shape);
  const messages = (i: number): ChatMessage[] => buildMessages(system, catalog, [{ text: records[i % records.length]!.text }], []);
  const responseFormat = { type: 'json_schema' as const, json_schema: { name: 'label_answer', schema: jsonSchemaOf(schema), strict: true } };
  const fetchStub = stubFetch();
  const openai = new OpenAIClient({ apiKey: 'sk-local', baseURL: 'http://stub.invalid/v1', maxRetries: 0, fetch: fetchStub });
  const chat = new ChatOpenAI({
    model: 'gpt-4o-mini',
    apiKey: 'sk-local',
    configuration: { baseURL: 'http://stub.invalid/v1', fetch: fetchStub },
    maxRetries: 0,
  });
  const bound = chat.withConfig({ response_format: responseFormat });
  const plain = createGateway({ maxConcurrency: 1 });
  const tpm = createGateway({ maxConcurrency: 1, tokensPerMinute: 1e12 });
  const cached = createGateway({ maxConcurrency: 1, cache: new MemoryCacheStore() });
  let salt = 0;
  // A run-long signal, like the labeler's: every attempt then combines it with its own timeout signal.
  const runSignal = new AbortController().signal;
  const gatewayCall = (g: typeof plain) => (i: number) =>
    g.structured({ stage: 'bench', model: chat, schema, temperature: 0, messages: messages(i), cacheSalt: String(salt++) });
  const rows: [string, (i: number) => Promise<unknown>][] = [
    [
      'openai',
      (i) => openai.chat.completions.create({ model: 'gpt-4o-mini', messages: messages(i), response_format: responseFormat, temperature: 0 }),
    ],
    [
      'ChatOpenAI',
      (i) => bound.invoke(messages(i).map((m) => (m.role === 'system' ? new SystemMessage(m.content) : new HumanMessage(m.content)))),
    ],
    ['gateway', gatewayCall(plain)],
    ['gateway+tpm', gatewayCall(tpm)],
    ['gateway+cache', gatewayCall(cached)],
    [
      'gateway+signal',
      (i) => plain.structured({ stage: 'bench', model: chat, schema, temperature: 0, messages: messages(i), signal: runSignal }),
    ],
  ];
  // The labeler, pack 1: one call per record. A row runs `batch` records per label() run, so its per-call figure
  // includes the run's set-up (taxonomy catalog, prompts, token model) spread over the batch.
  const dir = await mkdtemp(join(tmpdir(), 'labeler-layer-cost-'));
  const labelerRow = (pack: number, out: boolean) => async (i: number) => {
    // Called once per call-equivalent; every `batch` calls it labels batch x pack records in one run.
    if (i % batch !== 0) return;
    const slice = Array.from({ length: batch * pack }, (_, j) => records[(i * pack + j) % records.length]!);
    const options = { gateway: plain, model: chat, pack, concurrency: 8 };
    if (out) await labelToFile(slice, taxonomy, { ...options, out: join(dir, 'labels.jsonl'), overwrite: true });
    else for await (const _ of label(slice, taxonomy, options)) void _;
  };
  rows.push(
    ['label()', labelerRow(1, false)],
    ['labelToFile', labelerRow(1, true)],
    ['label() p10', labelerRow(10, false)],
    ['labelToFile p10', labelerRow(10, true)],
  );
  const times = new Map<string, number[]>(rows.map(([name]) => [name, []]));
  for (const [, call] of rows) for (let i = 0; i < 300; i++) await call(i); // warm-up (JIT, token tables)
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, call] of rows) {
      const c0 = process.cpuUsage();
      for (let i = 0; i < CALLS; i++) await call(i);
      const c = process.cpuUsage(c0);
      times.get(name)!.push((c.user + c.system) / 1000 / CALLS);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`client CPU per call without the network: ${CALLS} sequential calls per row, median of ${ROUNDS} interleaved rounds`);
  let previous: number | undefined;
  for (const [name] of rows) {
    const m = median(times.get(name)!);
    const side = name.startsWith('gateway+');
    const base = side ? median(times.get('gateway')!) : previous;
    const delta = base === undefined ? '' : ` (${m - base >= 0 ? '+' : ''}${(m - base).toFixed(3)} over ${side ? 'gateway' : 'the row above'})`;
    console.log(`${name.padEnd(15)} ${m.toFixed(3)} ms/call${delta}`);
    if (!side) previous = m;
  }
  await rm(dir, { recursive: true, force: true });
}

await main();
