import { createRng, shuffle } from '@taxonomist/core';
import type { EmbeddingsRef, Gateway } from '@taxonomist/core';
import { resolveAnswer } from './near-miss.js';
import type { LabelCatalog } from './catalog.js';
import type { FewShotExample } from './prompt.js';

/** A labeled text usable as an example: `label` is a label id or name of the taxonomy. */
export interface FewShotSource {
  id?: string;
  text: string;
  label: string;
}

export interface FewShotOptions {
  /** Examples written by the user. */
  examples?: readonly FewShotSource[];
  /**
   * Already-labeled records to draw examples from (gold data, a reviewed sample, the ok lines of an earlier run
   * joined with their texts). Sync or async iterable; read once at the start of the run.
   */
  labeled?: Iterable<FewShotSource> | AsyncIterable<FewShotSource>;
  /** Examples per call (default 4). */
  k?: number;
  /**
   * Embeddings model (through gateway.embed) for similarity selection: each call gets the pool examples nearest to
   * its texts. Without it, a fixed seeded random selection spread over the labels is used for every call (which
   * also keeps the prompt prefix cacheable).
   */
  embeddings?: EmbeddingsRef;
  /** Examples longer than this many characters are cut (default 600) so one long example cannot crowd the prompt. */
  maxExampleChars?: number;
}

interface PoolEntry {
  id?: string;
  text: string;
  labelId: string;
  /** Lower-cased trimmed text, to keep a text from being its own example. */
  key: string;
}

export interface FewShotSelector {
  /** Examples for a call labeling these texts (the texts themselves are never used as their own examples). */
  select(texts: readonly string[], signal?: AbortSignal): Promise<FewShotExample[]>;
  /** The examples used for cost estimates (the fixed set, or the first k of the pool). */
  readonly representative: FewShotExample[];
  readonly poolSize: number;
}

const textKey = (t: string): string => t.trim().toLowerCase();

async function collectPool(catalog: LabelCatalog, options: FewShotOptions): Promise<PoolEntry[]> {
  const pool: PoolEntry[] = [];
  const maxChars = options.maxExampleChars ?? 600;
  const add = (src: FewShotSource, where: string): void => {
    if (typeof src.text !== 'string' || src.text.trim() === '') {
      throw new TypeError(`fewShot ${where}: field "text": expected a non-empty string`);
    }
    const r = resolveAnswer(catalog, String(src.label), false);
    if (r.kind !== 'label') {
      throw new TypeError(`fewShot ${where}: field "label": "${String(src.label)}" is not a label id or name of the taxonomy`);
    }
    const text = src.text.length > maxChars ? `${src.text.slice(0, maxChars)} [...]` : src.text;
    pool.push({ ...(src.id !== undefined ? { id: src.id } : {}), text, labelId: r.id, key: textKey(src.text) });
  };
  (options.examples ?? []).forEach((e, i) => add(e, `examples[${i}]`));
  if (options.labeled !== undefined) {
    let i = 0;
    for await (const e of options.labeled as AsyncIterable<FewShotSource>) {
      add(e, `labeled record ${e.id !== undefined ? `"${e.id}"` : `#${i}`}`);
      i++;
    }
  }
  return pool;
}

/**
 * Seeded selection spread over labels: labels in a seeded random order, each label's examples shuffled, then one
 * example per label round-robin until k. Spreading over labels shows the model the contrast between labels instead
 * of k examples of the most frequent one.
 */
function perLabelRandom(pool: PoolEntry[], catalog: LabelCatalog, k: number, seed: number): PoolEntry[] {
  const rng = createRng(seed).fork('few-shot');
  const byLabel = new Map<string, PoolEntry[]>();
  for (const e of pool) {
    const list = byLabel.get(e.labelId) ?? [];
    list.push(e);
    byLabel.set(e.labelId, list);
  }
  const labels = shuffle(
    catalog.ids.filter((id) => byLabel.has(id)),
    rng,
  );
  const queues = labels.map((id) => shuffle(byLabel.get(id)!, rng));
  const out: PoolEntry[] = [];
  for (let round = 0; out.length < k; round++) {
    let took = false;
    for (const q of queues) {
      if (round < q.length && out.length < k) {
        out.push(q[round]!);
        took = true;
      }
    }
    if (!took) break;
  }
  return out;
}

function normalize(v: number[]): Float64Array {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s) || 1;
  return Float64Array.from(v, (x) => x / n);
}

export interface FewShotContext {
  gateway: Gateway;
  catalog: LabelCatalog;
  seed: number;
  stage: string;
}

export async function createFewShotSelector(options: FewShotOptions, ctx: FewShotContext): Promise<FewShotSelector> {
  const k = options.k ?? 4;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`fewShot.k must be a positive integer, got ${k}`);
  const pool = await collectPool(ctx.catalog, options);
  if (pool.length === 0) throw new TypeError('fewShot: no examples (give `examples` or `labeled` records)');
  const toExample = (e: PoolEntry): FewShotExample => ({ text: e.text, labelId: e.labelId });

  if (options.embeddings === undefined) {
    // Take a few extra so dropping a call's own texts still leaves k examples.
    const fixed = perLabelRandom(pool, ctx.catalog, k + 4, ctx.seed);
    return {
      poolSize: pool.length,
      representative: fixed.slice(0, k).map(toExample),
      async select(texts) {
        const own = new Set(texts.map(textKey));
        return fixed
          .filter((e) => !own.has(e.key))
          .slice(0, k)
          .map(toExample);
      },
    };
  }

  const model = options.embeddings;
  let poolVectors: Promise<Float64Array[]> | undefined;
  const embedPool = (signal?: AbortSignal): Promise<Float64Array[]> => {
    poolVectors ??= ctx.gateway
      .embed({ stage: `${ctx.stage}:few-shot`, model, texts: pool.map((e) => e.text), ...(signal ? { signal } : {}) })
      .then((r) => r.vectors.map(normalize))
      .catch((err: unknown) => {
        // A failed embedding call must not poison every later call: forget it so the next call retries.
        poolVectors = undefined;
        throw err;
      });
    return poolVectors;
  };
  // Self-consistency samples and ensemble members label the same pack in parallel: select once per set of texts.
  const memo = new Map<string, Promise<FewShotExample[]>>();
  const selectUncached = async (texts: readonly string[], signal?: AbortSignal): Promise<FewShotExample[]> => {
    const vectors = await embedPool(signal);
    const queries = await ctx.gateway.embed({
      stage: `${ctx.stage}:few-shot`,
      model,
      texts: [...texts],
      ...(signal ? { signal } : {}),
    });
    const own = new Set(texts.map(textKey));
    // Rank the pool for each text (ties by pool order), then merge round-robin so every text of a pack gets
    // its nearest examples in.
    const ranked = queries.vectors.map((q) => {
      const qn = normalize(q);
      const scored: { i: number; s: number }[] = [];
      vectors.forEach((v, i) => {
        if (own.has(pool[i]!.key)) return;
        let s = 0;
        for (let d = 0; d < v.length; d++) s += v[d]! * qn[d]!;
        scored.push({ i, s });
      });
      scored.sort((a, b) => b.s - a.s || a.i - b.i);
      return scored.slice(0, k).map((x) => x.i);
    });
    const chosen: number[] = [];
    for (let r = 0; r < k && chosen.length < k; r++) {
      for (const list of ranked) {
        const i = list[r];
        if (i !== undefined && !chosen.includes(i) && chosen.length < k) chosen.push(i);
      }
    }
    return chosen.map((i) => toExample(pool[i]!));
  };
  return {
    poolSize: pool.length,
    representative: pool.slice(0, k).map(toExample),
    select(texts, signal) {
      const key = JSON.stringify(texts);
      let p = memo.get(key);
      if (p === undefined) {
        p = selectUncached(texts, signal);
        memo.set(key, p);
        // Failures are not remembered (the next call retries); the memo stays small (packs in flight only).
        p.catch(() => memo.delete(key));
        if (memo.size > 256) memo.delete(memo.keys().next().value!);
      }
      return p;
    },
  };
}
