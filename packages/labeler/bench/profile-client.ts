/**
 * Where the labeling client's CPU goes (a measurement script, not a test):
 *   npx tsx --conditions=source packages/labeler/bench/profile-client.ts [--pack 10] [--records 5000]
 *     [--concurrency 32] [--latency 50] [--top 40] [--save /tmp/label.cpuprofile]
 *
 * labelToFile against the local server forked into a child process (so this process is the client alone), a warm-up
 * run first, then the V8 CPU profiler (node:inspector) over the measured run only: module loading and JIT warm-up
 * are left out, unlike `node --cpu-prof`. Prints self time grouped by area (labeler, core gateway, LangChain,
 * openai client, undici/HTTP, zod, GC...) and the top functions, as a share of the profiled CPU and in ms per call.
 */
import { Session } from 'node:inspector/promises';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatOpenAI } from '@langchain/openai';
import { createGateway } from '@taxonomist/core';
import { labelToFile } from '@taxonomist/labeler';
import { loadBenchCorpus } from './corpus.js';
import { forkBenchServer } from './bench-server.js';
import { arg } from './args.js';


const PACK = arg('pack', 10);
const RECORDS = arg('records', 5000);
const CONCURRENCY = arg('concurrency', 32);
const LATENCY_MS = arg('latency', 50);
const TOP = arg('top', 40);
const SAVE = process.argv.includes('--save') ? process.argv[process.argv.indexOf('--save') + 1] : undefined;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The area a frame belongs to, from its script URL (first match wins). */
const AREAS: [string, RegExp][] = [
  ['labeler', /packages\/labeler\//],
  ['core llm (gateway)', /packages\/core\/src\/llm\//],
  ['core io (JSONL writer)', /packages\/core\/src\/io\//],
  ['core other', /packages\/core\//],
  ['openai plugin', /plugins\/openai\//],
  ['@langchain/openai', /@langchain\/openai\//],
  ['@langchain/core', /@langchain\/core\//],
  ['openai client', /node_modules\/openai\//],
  ['zod', /node_modules\/zod\//],
  ['js-tiktoken', /js-tiktoken/],
  ['uuid / other deps', /node_modules\//],
  ['undici (fetch)', /node:internal\/deps\/undici|undici/],
  ['node streams/net/http', /node:(internal\/)?(streams?|net|http|tls|dns|stream_base|webstreams)/],
  ['node fs', /node:(internal\/)?fs/],
  ['node timers/events/async', /node:(internal\/)?(timers|events|async_hooks|process\/task_queues|abort_controller|event_target)/],
  ['node other', /^node:/],
];

function areaOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)' || functionName === '(program)') return functionName;
    return `native: ${functionName || '(anonymous)'}`;
  }
  for (const [name, re] of AREAS) if (re.test(url)) return name;
  return 'other';
}

function summarise(profile: Profile, calls: number): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const areas = new Map<string, number>();
  const fns = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    const area = areaOf(node);
    if (area === '(idle)') continue;
    busy += us;
    areas.set(area, (areas.get(area) ?? 0) + us);
    const where = node.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/packages\//, 'packages/');
    const key = `${node.callFrame.functionName || '(anonymous)'}  ${where}:${node.callFrame.lineNumber + 1}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
  }
  const line = (name: string, us: number) =>
    `  ${(((100 * us) / busy).toFixed(1) + '%').padStart(6)} ${((us / 1000 / calls).toFixed(3) + ' ms/call').padStart(15)}  ${name}`;
  console.log(`profiled CPU (idle excluded): ${(busy / 1000).toFixed(0)} ms over ${calls} calls = ${(busy / 1000 / calls).toFixed(3)} ms/call`);
  console.log('by area (self time):');
  for (const [name, us] of [...areas].sort((a, b) => b[1] - a[1])) console.log(line(name, us));
  console.log(`top ${TOP} functions (self time):`);
  for (const [name, us] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(line(name, us));
}

async function main(): Promise<void> {
  const corpus = await loadBenchCorpus(2 * RECORDS);
  const { records, taxonomy } = corpus;
  const server = await forkBenchServer({ records: 2 * RECORDS, latencyMs: LATENCY_MS });
  const dir = await mkdtemp(join(tmpdir(), 'labeler-profile-'));
  const model = new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'sk-local', configuration: { baseURL: server.url }, maxRetries: 0 });
  const run = (slice: typeof records) =>
    labelToFile(slice, taxonomy, {
      gateway: createGateway({ maxConcurrency: CONCURRENCY }),
      model,
      pack: PACK,
      concurrency: CONCURRENCY,
      out: join(dir, 'labels.jsonl'),
      overwrite: true,
      progressEvery: 1000,
      onProgress: () => server.reset(),
    });
  const session = new Session();
  session.connect();
  try {
    await run(records.slice(RECORDS)); // warm-up on other texts (JIT, connections)
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const summary = await run(records.slice(0, RECORDS));
    const secs = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    const { profile } = (await session.post('Profiler.stop')) as { profile: Profile };
    const calls = summary.usage.calls;
    const cpuMs = (c.user + c.system) / 1000;
    console.log(
      `pack ${PACK}: ${summary.ok} ok / ${summary.failed} failed, ${calls} calls in ${secs.toFixed(2)} s ` +
        `(${((100 * (summary.ok / secs)) / ((CONCURRENCY * PACK) / (LATENCY_MS / 1000))).toFixed(1)}% of ideal); ` +
        `client CPU ${(cpuMs / calls).toFixed(3)} ms/call (${((100 * cpuMs) / 1000 / secs).toFixed(0)}% of a core, profiler on)`,
    );
    summarise(profile, calls);
    if (SAVE) await writeFile(SAVE, JSON.stringify(profile));
  } finally {
    session.disconnect();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
