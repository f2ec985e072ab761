/**
 * Example: labeling a CSV corpus against a taxonomy in a script, with resume.
 *
 * The corpus is examples/data/support-tickets.csv (columns ticket_id, message, channel); the taxonomy is
 * ./taxonomy.json (the format `taxonomist induce` writes). The model is reached through the OpenAI provider at a
 * local OpenAI-compatible server that injects faults (429s with Retry-After, 503s, dropped connections, cut-off
 * and schema-breaking answers): the gateway retries and re-asks, and every record still ends up labeled.
 *
 * The first run is interrupted part-way, as by Ctrl-C or a crash; the second run on the same output file skips the
 * ids already labeled and labels only the rest. Nothing is lost, nothing is labeled twice.
 *
 * Run: npm start -w examples/label-csv
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TaxonomySchema, createGateway, createPluginHost, readJsonFile, type Clock } from '@taxonomist/core';
import { estimate, label, type LabelEstimate, type LabelOptions, type LabelSummary } from '@taxonomist/labeler';
import { openaiPlugin } from '@taxonomist/openai';
import { startOpenAIServer, type FaultRule } from '@taxonomist/testing';
import { scriptedLabeler } from './scripted-labeler.js';

export interface MainOptions {
  /** CSV corpus (ticket_id, message, channel). Default: the bundled support tickets. */
  corpus?: string;
  /** Output JSONL (default: labels.jsonl in a new temporary directory). An existing file is resumed. */
  out?: string;
  /** Interrupt the first run once this many records are written (default 50). */
  stopAfter?: number;
  /** Clock for the gateway's backoff and Retry-After waits (tests pass a virtual one so nothing sleeps). */
  clock?: Clock;
  /** Where the printed lines go (default console.log). */
  log?: (line: string) => void;
}

export interface MainResult {
  estimate: LabelEstimate;
  first: LabelSummary;
  second: LabelSummary;
  out: string;
  /** Requests the server received, and how many of them got an injected fault. */
  server: { requests: number; faults: number };
}

const TICKETS = fileURLToPath(new URL('../../data/support-tickets.csv', import.meta.url));
const TAXONOMY = fileURLToPath(new URL('../taxonomy.json', import.meta.url));

/** Faults on a share of requests. Seeded by request content, so every run injects the same ones. */
const FAULTS: FaultRule[] = [
  { fault: { kind: 'rate_limit', retryAfterMs: 200 }, probability: 0.15 },
  { fault: { kind: 'server_error', status: 503 }, probability: 0.1 },
  { fault: { kind: 'reset' }, probability: 0.05 },
  { fault: { kind: 'truncated_json' }, probability: 0.05 },
  { fault: { kind: 'schema_invalid' }, probability: 0.05 },
];

function printSummary(log: (line: string) => void, title: string, s: LabelSummary): void {
  const failed = Object.entries(s.failedByKind).map(([kind, n]) => `${kind} ${n}`).join(', ');
  log(`${title}: ${s.status}${s.stopReason ? ` (${s.stopReason})` : ''}`);
  log(`  read ${s.input.records}, already labeled ${s.input.alreadyOk}, labeled ok ${s.ok}, failed ${s.failed}${failed ? ` (${failed})` : ''}, not attempted ${s.notAttempted}`);
  log(`  ${s.usage.calls} calls answered, ${s.pack.reasked} texts re-asked alone, ${s.usage.inputTokens}+${s.usage.outputTokens} tokens, $${s.usage.costUsd.toFixed(5)}`);
  if (s.out) log(`  ${s.out.path}: ${s.out.lines} lines, ${s.out.ok} ok, ${s.out.failed} failed${s.out.compacted ? ' (compacted)' : ''}`);
}

export async function main(options: MainOptions = {}): Promise<MainResult> {
  const log = options.log ?? console.log;
  const corpus = options.corpus ?? TICKETS;
  const out = options.out ?? join(await mkdtemp(join(tmpdir(), 'taxonomist-label-')), 'labels.jsonl');
  const taxonomy = await readJsonFile(TAXONOMY, TaxonomySchema); // errors name the file and the field

  const server = await startOpenAIServer({ script: scriptedLabeler, faults: FAULTS, seed: 3 });
  try {
    const host = createPluginHost([openaiPlugin({ baseURL: server.url, apiKey: 'sk-local-example' })]);
    await host.ready();
    const gateway = createGateway({
      resolver: host,
      maxConcurrency: 4,
      // 8 attempts: with ~30% of requests failing on purpose, a call still gives up only ~4 times in 100,000.
      retry: { maxAttempts: 8, baseDelayMs: 100, maxDelayMs: 1000 },
      ...(options.clock ? { clock: options.clock } : {}),
    });

    const labelOptions: LabelOptions = {
      gateway,
      model: 'openai:gpt-4o-mini',
      out, // written line by line as records are labeled; an existing file is resumed
      pack: 5, // five tickets per call: the taxonomy prompt is paid once per five
      concurrency: 4,
      corpusOptions: { textField: 'message', idField: 'ticket_id', metadataFields: ['channel'] },
    };

    // What the run will cost, before spending anything (a lower bound: retries and re-asks are not predictable).
    const planned = await estimate(corpus, taxonomy, labelOptions);
    log(`estimate: ${planned.records} records, ${planned.calls} calls, ~${planned.inputTokens}+${planned.outputTokens} tokens, ~$${planned.costUsd.toFixed(5)}`);

    // Run 1, interrupted once `stopAfter` records are written (Ctrl-C and kill -9 leave the file just as usable).
    const stop = new AbortController();
    const stopAfter = options.stopAfter ?? 50;
    const firstRun = label(corpus, taxonomy, {
      ...labelOptions,
      signal: stop.signal,
      onProgress: (p) => {
        if (p.done >= stopAfter) stop.abort();
      },
    });
    for await (const _assignment of firstRun) {
      // Each assignment is already in the file when it gets here; a script could also act on it.
    }
    const first = await firstRun.summary;
    printSummary(log, 'run 1', first);

    // Run 2: same call, same output file: resumes.
    const secondRun = label(corpus, taxonomy, labelOptions);
    for await (const _assignment of secondRun) {
      // (consumed as it comes)
    }
    const second = await secondRun.summary;
    printSummary(log, 'run 2', second);

    const lines = (await readFile(out, 'utf8')).trimEnd().split('\n');
    const counts = new Map<string, number>();
    for (const line of lines) {
      // Each line: { id, status: 'ok' | 'failed', label (the label's name), labelId, model, taxonomyId, error? }
      const a = JSON.parse(line) as { status: string; label?: string };
      const name = a.status === 'ok' ? a.label! : '(failed)';
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    log(`${out}: ${lines.length} tickets labeled`);
    for (const [name, n] of [...counts].sort((a, b) => b[1] - a[1])) log(`  ${String(n).padStart(3)}  ${name}`);
    const stats = server.stats();
    const faults = Object.values(stats.faults).reduce((a, b) => a + b, 0);
    const byKind = Object.entries(stats.faults).map(([kind, n]) => `${kind} ${n}`).join(', ');
    log(`the server injected ${faults} faults into ${stats.requests} requests (${byKind || 'none'}); all were retried or re-asked`);
    return { estimate: planned, first, second, out, server: { requests: stats.requests, faults } };
  } finally {
    await server.close();
  }
}

// Run when executed directly (npm start), not when imported by the test.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
