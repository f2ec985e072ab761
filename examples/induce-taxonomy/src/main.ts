/**
 * Example: generating a taxonomy in a program, for your own use case, two ways.
 *
 * 1. TnT-LLM: an LLM proposes labels from minibatches of texts, revises them batch after batch, and reviews them.
 *    Here the LLM is the local OpenAI-compatible server from @taxonomist/testing with a scripted answer function
 *    (./scripted-llm.ts), reached through the real OpenAI provider plugin: exactly the code path a real endpoint
 *    takes. To use a real model, drop the server and configure openaiPlugin() with your key or base URL.
 * 2. Offline: `strategy: 'cluster'` (vectorize, k-means, name clusters by their distinctive terms). No model at all.
 *
 * Run: npm start -w examples/induce-taxonomy
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createPluginHost,
  induceTaxonomy,
  readCorpus,
  taxonomyToJson,
  taxonomyToMarkdown,
  type InductionResult,
  type LabelEdit,
  type Taxonomy,
} from '@taxonomist/core';
import { openaiPlugin } from '@taxonomist/openai';
import { startOpenAIServer } from '@taxonomist/testing';
import { scriptedTaxonomist } from './scripted-llm.js';

export interface MainOptions {
  /** Corpus to induce from (JSONL with id and text). Default: the bundled banking sample. */
  corpus?: string;
  /** Write taxonomy-llm.{json,md} and taxonomy-cluster.{json,md} here (default: nothing written). */
  outDir?: string;
  seed?: number;
  /** Where the printed lines go (default console.log). */
  log?: (line: string) => void;
}

export interface MainResult {
  llm: InductionResult;
  cluster: InductionResult;
  markdown: { llm: string; cluster: string };
  /** Chat requests the (local) LLM endpoint received. */
  llmRequests: number;
}

const DEFAULT_CORPUS = fileURLToPath(new URL('../../data/banking-sample.jsonl', import.meta.url));

// Your use case: what the labels are for. It goes into every prompt and into the taxonomy itself.
const USE_CASE = 'Route online-banking support queries to the team that handles the customer\'s request';
const INSTRUCTIONS = 'Name labels after what the customer wants done, in plain words a support agent would use.';

export async function main(options: MainOptions = {}): Promise<MainResult> {
  const log = options.log ?? console.log;
  const corpus = options.corpus ?? DEFAULT_CORPUS;
  const seed = options.seed ?? 7;

  // --- 1. TnT-LLM through an OpenAI-compatible endpoint --------------------------------------------------------
  const server = await startOpenAIServer({ script: scriptedTaxonomist, seed: 1 });
  let llm: InductionResult;
  try {
    // The provider plugin makes "openai:<model>" ids resolvable; baseURL points it at any compatible server.
    const host = createPluginHost([openaiPlugin({ baseURL: server.url, apiKey: 'sk-local-example' })]);
    await host.ready();
    llm = await induceTaxonomy(readCorpus(corpus), {
      useCase: USE_CASE,
      instructions: INSTRUCTIONS,
      model: 'openai:gpt-4o-mini',
      host,
      seed,
      sampleSize: 600, // records drawn (seeded) from the corpus; 10% are kept aside for validation
      batchSize: 120, // texts per minibatch: generate on the first, update on each of the others
      maxLabels: 16,
      onProgress: (e) => {
        if (e.type === 'taxonomy:generated' || e.type === 'taxonomy:updated' || e.type === 'taxonomy:reviewed') {
          const r = e.record;
          const edits = r.kind === 'generate' ? '' : describeEdits(r.mapping, e.taxonomy);
          log(`${r.kind.padEnd(8)} batch ${r.batch ?? '-'}: ${e.taxonomy.labels.length} labels, rating ${r.rating ?? '-'}${edits ? `; ${edits}` : ''}`);
        }
      },
    });
  } finally {
    await server.close();
  }
  const llmRequests = server.count('chat');
  const { calls, inputTokens, outputTokens } = llm.usage.total;
  log(`LLM strategy: ${llm.taxonomy.labels.length} labels from ${llm.sample.trainingIds.length} texts, ${calls} calls, ${inputTokens}+${outputTokens} tokens\n`);

  // --- 2. Offline: the clustering strategy ---------------------------------------------------------------------
  const cluster = await induceTaxonomy(readCorpus(corpus), {
    useCase: USE_CASE,
    strategy: 'cluster', // the default anyway when no model is given
    seed,
    sampleSize: 1000,
    cluster: { k: 14 }, // or kRange: [8, 20] to let silhouette choose
  });

  const markdown = {
    llm: taxonomyToMarkdown(llm.taxonomy, { title: 'Taxonomy (LLM strategy)' }),
    cluster: taxonomyToMarkdown(cluster.taxonomy, { title: 'Taxonomy (cluster strategy)', examples: 2 }),
  };
  log(markdown.llm);
  log(markdown.cluster);

  if (options.outDir !== undefined) {
    await mkdir(options.outDir, { recursive: true });
    for (const [name, result] of [['llm', llm], ['cluster', cluster]] as const) {
      await writeFile(join(options.outDir, `taxonomy-${name}.json`), taxonomyToJson(result.taxonomy));
      await writeFile(join(options.outDir, `taxonomy-${name}.md`), markdown[name]);
    }
    log(`wrote taxonomy-llm.{json,md} and taxonomy-cluster.{json,md} to ${options.outDir}`);
  }
  return { llm, cluster, markdown, llmRequests };
}

/** "added X, merged L9+L14 -> Y" from a step's label mapping (kept labels are not mentioned). */
function describeEdits(mapping: LabelEdit[], taxonomy: Taxonomy): string {
  const name = (id: string): string => taxonomy.labels.find((l) => l.id === id)?.name ?? id;
  const merged = new Map<string, string[]>();
  const out: string[] = [];
  for (const m of mapping) {
    if (m.kind === 'added') out.push(`added "${name(m.to[0]!)}"`);
    else if (m.kind === 'merged') merged.set(m.to[0]!, [...(merged.get(m.to[0]!) ?? []), m.from!]);
    else if (m.kind !== 'kept') out.push(`${m.kind} ${m.from} -> ${m.to.map((id) => `"${name(id)}"`).join(', ') || 'nothing'}`);
  }
  for (const [to, from] of merged) out.push(`merged ${from.join('+')} -> "${name(to)}"`);
  return out.join(', ');
}

// Run when executed directly (npm start), not when imported by the test.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
