/**
 * Labeler throughput benchmark (a script, not a test):
 *   npx tsx --conditions=source packages/labeler/bench/throughput.ts [--records 20000] [--concurrency 32]
 *     [--latency 50] [--pack 10]
 *
 * Labels short texts (banking77 train + test, topped up with numbered variants to reach --records) against the
 * local OpenAI-compatible server with a fixed artificial latency, through the REAL ChatOpenAI client, and prints:
 * - throughput as a fraction of the ideal: ideal = concurrency x texts-per-call / latency;
 * - a baseline measured in the same run: bare gateway.structured() calls at the same concurrency (no labeler), so
 *   the labeler's own overhead shows as a ratio against what the client + gateway + server can do on this machine;
 * - prompt tokens per record without packing and with packing (server-reported usage), and the estimate;
 * - peak memory (max RSS of the whole process, in-process test server included) and the heap retained after a full
 *   GC at the end of each run (what the labeler keeps, as opposed to garbage not yet collected).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';
import { join } from 'node:path';
import { ChatOpenAI } from '@langchain/openai';
import { z } from 'zod';
import { createGateway, readCorpusAll } from '@taxonomist/core';
import type { CorpusRecord, Taxonomy } from '@taxonomist/core';
import { startOpenAIServer } from '@taxonomist/testing';
import type { ChatRequestInfo } from '@taxonomist/testing';
import { estimate, labelToFile } from '@taxonomist/labeler';
import type { LabelSummary } from '@taxonomist/labeler';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number, got ${process.argv[i + 1]}`);
  return v;
}

const RECORDS = arg('records', 20_000);
const CONCURRENCY = arg('concurrency', 32);
const LATENCY_MS = arg('latency', 50);
const PACK = arg('pack', 10);
const BASELINE_CALLS = Math.min(RECORDS, 2000);
// ../shared/data relative to the repository root (this file is packages/labeler/bench/throughput.ts).
const DATA = join(import.meta.dirname, '../../../../shared/data/banking77');
/** Calls per second of the bare-gateway baseline (measured first). */
let baseline = 0;

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);
sampler.unref();

async function loadCorpus(): Promise<{ records: CorpusRecord[]; taxonomy: Taxonomy; gold: Map<string, string> }> {
  const train = await readCorpusAll(join(DATA, 'train.jsonl'), { labelField: 'label' });
  const test = await readCorpusAll(join(DATA, 'test.jsonl'), { labelField: 'label' });
  const base = [...train.records, ...test.records];
  const names = [...new Set(base.map((r) => r.label!))].sort();
  const idOf = new Map(names.map((n, i) => [n, `L${i + 1}`]));
  const taxonomy: Taxonomy = {
    schemaVersion: 1,
    useCase: 'Intents of online banking customer support messages',
    labels: names.map((n) => ({ id: idOf.get(n)!, name: n, description: `Messages about ${n.replace(/_/g, ' ')}.` })),
  };
  const records: CorpusRecord[] = [];
  const gold = new Map<string, string>();
  for (let i = 0; records.length < RECORDS; i++) {
    const r = base[i % base.length]!;
    const round = Math.floor(i / base.length);
    const text = round === 0 ? r.text : `${r.text} (${round})`;
    records.push({ id: round === 0 ? r.id : `${r.id}-${round}`, text });
    gold.set(text, idOf.get(r.label!)!);
  }
  return { records, taxonomy, gold };
}

function labelingTexts(request: ChatRequestInfo): { key?: string; text: string }[] {
  const prompt = request.messages.find((m) => m.role === 'user' && /Texts? to label/.test(m.content))?.content ?? '';
  return prompt
    .slice(prompt.search(/Texts? to label/))
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { id?: string; text: string })
    .map((o) => ({ ...(o.id !== undefined ? { key: o.id } : {}), text: o.text }));
}

const fmt = (n: number, d = 1) => n.toFixed(d);

/** A full GC without the --expose-gc flag (the bench is run through npx tsx). */
function forceGc(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}
const mb = (bytes: number) => `${fmt(bytes / 1024 / 1024, 0)} MB`;

async function main(): Promise<void> {
  const { records, taxonomy, gold } = await loadCorpus();
  const server = await startOpenAIServer({
    latencyMs: LATENCY_MS,
    script: (request) => {
      const texts = labelingTexts(request);
      if (texts.length === 0) return undefined; // baseline calls: schema-following default answer
      if (texts.length === 1 && texts[0]!.key === undefined) return { label: gold.get(texts[0]!.text) ?? 'L1' };
      return { answers: texts.map((t) => ({ id: t.key!, label: gold.get(t.text) ?? 'L1' })) };
    },
  });
  const dir = await mkdtemp(join(tmpdir(), 'labeler-bench-'));
  const model = new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'sk-local', configuration: { baseURL: server.url }, maxRetries: 0 });
  const newGateway = () => createGateway({ maxConcurrency: CONCURRENCY });
  try {
    server.reset();
    console.log(
      `labeler throughput: ${records.length} texts, ${taxonomy.labels.length} labels, concurrency ${CONCURRENCY}, ` +
        `latency ${LATENCY_MS} ms, node ${process.version}, load average ${os.loadavg().map((x) => fmt(x, 2)).join(' ')} on ${os.cpus().length} CPUs`,
    );

    // Baseline: bare structured calls at the same concurrency, no labeler (after a warm-up: JIT, token tables).
    {
      const g = newGateway();
      const schema = z.object({ label: z.string() });
      const bareCalls = async (n: number): Promise<void> => {
        let next = 0;
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            while (next < n) {
              const i = next++;
              await g.structured({ stage: 'bench', model, schema, messages: [{ role: 'user', content: `Say a label for call ${i}.` }] });
            }
          }),
        );
      };
      await bareCalls(Math.min(200, BASELINE_CALLS));
      await estimate(records.slice(0, 100), taxonomy, { gateway: g, model });
      const t0 = performance.now();
      await bareCalls(BASELINE_CALLS);
      const secs = (performance.now() - t0) / 1000;
      const ideal = CONCURRENCY / (LATENCY_MS / 1000);
      baseline = BASELINE_CALLS / secs;
      server.reset();
      console.log(
        `baseline  bare gateway calls: ${BASELINE_CALLS} calls in ${fmt(secs, 2)} s = ${fmt(baseline)} calls/s ` +
          `(${fmt((100 * baseline) / ideal)}% of ideal ${fmt(ideal, 0)} calls/s)`,
      );
    }

    const rows: { pack: number; summary: LabelSummary; secs: number; estimateIn: number }[] = [];
    for (const pack of [1, PACK]) {
      const g = newGateway();
      const est = await estimate(records, taxonomy, { gateway: g, model, pack });
      const t0 = performance.now();
      const summary = await labelToFile(records, taxonomy, {
        gateway: g,
        model,
        pack,
        concurrency: CONCURRENCY,
        out: join(dir, `labels-pack${pack}.jsonl`),
        overwrite: true,
        progressEvery: 1000,
        // The test server records every request body; drop them as we go so peak RSS measures the labeler side.
        onProgress: () => server.reset(),
      });
      const secs = (performance.now() - t0) / 1000;
      rows.push({ pack, summary, secs, estimateIn: est.inputTokens });
      const perSec = summary.ok / secs;
      const ideal = (CONCURRENCY * pack) / (LATENCY_MS / 1000);
      const callsPerSec = summary.usage.calls / secs;
      console.log(
        `pack ${String(pack).padStart(2)}: ${summary.ok} ok / ${summary.failed} failed in ${fmt(secs, 2)} s = ` +
          `${fmt(perSec)} records/s = ${fmt((100 * perSec) / ideal)}% of ideal ${fmt(ideal, 0)} records/s; ` +
          `${summary.usage.calls} calls (${fmt(callsPerSec)} calls/s = ${fmt((100 * callsPerSec) / baseline)}% of baseline); ` +
          `prompt tokens/record ${fmt(summary.usage.inputTokens / summary.ok)} (estimated ${fmt(est.inputTokens / est.records)}), ` +
          `output tokens/record ${fmt(summary.usage.outputTokens / summary.ok)}`,
      );
      // Retained memory after the run: tells a leak from garbage the GC had not collected yet.
      forceGc();
      console.log(`  heap used after GC: ${mb(process.memoryUsage().heapUsed)}, RSS ${mb(process.memoryUsage().rss)}`);
    }
    const [one, packed] = rows;
    console.log(
      `packing ${PACK}: prompt tokens per record ${fmt(one!.summary.usage.inputTokens / one!.summary.ok)} -> ` +
        `${fmt(packed!.summary.usage.inputTokens / packed!.summary.ok)} (x${fmt(
          one!.summary.usage.inputTokens / one!.summary.ok / (packed!.summary.usage.inputTokens / packed!.summary.ok),
          2,
        )} fewer)`,
    );
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    console.log(
      `peak RSS ${mb(Math.max(peakRss, process.resourceUsage().maxRSS * 1024))} (whole process: labeler, client, gateway and ` +
        `the in-process test server); load average at the end ${os.loadavg().map((x) => fmt(x, 2)).join(' ')} on ${os.cpus().length} CPUs`,
    );
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
