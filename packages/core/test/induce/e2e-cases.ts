import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createGateway,
  induceTaxonomy,
  InductionResultSchema,
  isLlmError,
  taxonomyToJson,
  type ChatModelRef,
  type InduceOptions,
  type InductionResult,
} from '@taxonomist/core';
import { createScenario, makeCorpus, topicOf } from './scenario.js';

/**
 * End-to-end induction cases shared by the in-process scripted model and the local OpenAI-compatible server: the
 * real gateway (createGateway) drives a real LangChain chat model whose answers come from the scenario.
 */

/** An answer for a request, or a failure to inject ('crash': a non-retryable HTTP 400). */
export type E2EAnswer = (schemaName: string | undefined, messages: { role: string; content: string }[]) => unknown | 'crash';

export interface E2EEnvironment {
  /** A model answering with `answer`; `requests()` counts model calls made so far. */
  makeModel(answer: E2EAnswer): Promise<{ model: ChatModelRef; requests(): number; close(): Promise<void> }>;
}

const USE_CASE = 'the intent of banking support chats';

export function defineInductionE2E(name: string, env: E2EEnvironment): void {
  describe(`induceTaxonomy end to end (${name})`, () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'taxonomist-induce-e2e-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    async function run(
      mode: 'rich' | 'coverage',
      options: Partial<InduceOptions> = {},
      wrap?: (schemaName: string | undefined, messages: { role: string; content: string }[], answer: () => unknown) => unknown,
      corpusSize = 48,
    ): Promise<{ result: InductionResult; requests: number }> {
      const scenario = createScenario(mode);
      const { model, requests, close } = await env.makeModel((schemaName, messages) =>
        wrap ? wrap(schemaName, messages, () => scenario(schemaName, messages)) : scenario(schemaName, messages),
      );
      try {
        const gateway = createGateway({ retry: { maxAttempts: 1 }, seed: 1 });
        const result = await induceTaxonomy(makeCorpus(corpusSize), {
          useCase: USE_CASE,
          model,
          gateway,
          batchSize: 10,
          summarize: true,
          seed: 1,
          ...options,
        } as InduceOptions);
        return { result, requests: requests() };
      } finally {
        await close();
      }
    }

    it('runs a multi-batch chain: renames, merges, adds and splits with the mapping, and repairs a rule violation', async () => {
      const { result, requests } = await run('rich');
      expect(InductionResultSchema.parse(result)).toBeTruthy();
      const [, up1, up2] = result.history;
      expect(up1!.mapping).toEqual([
        { kind: 'renamed', from: 'L1', to: ['L1'] },
        { kind: 'merged', from: 'L2', to: ['L2'] },
        { kind: 'merged', from: 'L3', to: ['L2'] },
        { kind: 'kept', from: 'L4', to: ['L4'], descriptionChanged: true },
        { kind: 'added', from: null, to: ['L5'] },
      ]);
      expect(up2!.attempts).toBe(2);
      expect(up2!.violations[0]!.join(' ')).toMatch(/catch-all names.*the name has 8 words/);
      expect(up2!.mapping).toContainEqual({ kind: 'split', from: 'L4', to: ['L6', 'L7'] });
      expect(up2!.mapping).toContainEqual({ kind: 'added', from: null, to: ['L8'] });
      expect(result.taxonomy.labels.map((l) => l.name)).toEqual([
        'Card arrival',
        'Lost or stolen card',
        'Exchange rates',
        'Refund status',
        'New refund requests',
        'Top-up problems',
      ]);
      // Real token accounting from the model's usage metadata.
      expect(result.usage.total.inputTokens).toBeGreaterThan(1000);
      expect(result.usage.total.calls).toBe(requests);
      expect(result.usage.byStage.update!.calls).toBe(5);
    });

    it('gives byte-identical output for the same seed', async () => {
      const a = await run('rich');
      const b = await run('rich');
      expect(JSON.stringify(b.result)).toBe(JSON.stringify(a.result));
      expect(taxonomyToJson(b.result.taxonomy)).toBe(taxonomyToJson(a.result.taxonomy));
    });

    it('resumes after a simulated crash with the same result as an uninterrupted run', async () => {
      const reference = await run('rich', { checkpoint: join(dir, 'reference.json') });
      const checkpoint = join(dir, 'crash.json');
      let updates = 0;
      const crashed = run('rich', { checkpoint }, (schemaName, _m, answer) =>
        schemaName === 'taxonomy_revision' && ++updates === 3 ? 'crash' : answer(),
      );
      const error = await crashed.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isLlmError(error)).toBe(true);
      const resumed = await run('rich', { checkpoint });
      const strip = (r: InductionResult) => JSON.stringify({ ...r, checkpointPath: undefined });
      expect(strip(resumed.result)).toBe(strip(reference.result));
      // Only what the checkpoint lacked was asked: the crashed update (its first answer breaks the rules, so two
      // calls), the two updates after it, and the review. Summaries, generate and the first update were replayed.
      expect(resumed.requests).toBe(2 + 2 + 1);
    });

    it('runs trials and keeps the candidate the pairwise judge prefers', async () => {
      const { result } = await run('coverage', { trials: 2, batchSize: 4, validationFraction: 0.3, judgeSampleSize: 12 }, undefined, 60);
      const trials = result.trials!;
      expect(trials.candidates).toHaveLength(2);
      const cmp = trials.comparisons[0]!;
      expect(cmp.decisions).toHaveLength(12);
      const text = new Map(makeCorpus(60).map((r) => [r.id, r.text]));
      const covers = (i: number, id: string) =>
        trials.candidates[i]!.taxonomy.labels.some((l) => l.name === topicOf(text.get(id)!)!.name);
      for (const d of cmp.decisions) {
        const expected = covers(0, d.recordId) === covers(1, d.recordId) ? null : covers(0, d.recordId) ? 0 : 1;
        expect(d.winner).toBe(expected);
      }
      expect(trials.scores).toEqual([cmp.aWins, cmp.bWins]);
      expect(trials.chosen).toBe(cmp.bWins > cmp.aWins ? 1 : 0);
      expect(result.taxonomy.labels.map((l) => l.name)).toEqual(trials.candidates[trials.chosen]!.taxonomy.labels.map((l) => l.name));
    });

    it('grows two levels with parent links', async () => {
      const { result } = await run('coverage', { levels: 2, minRecordsForSubLabels: 3, batchSize: 20 }, undefined, 60);
      const top = result.taxonomy.labels.filter((l) => l.parent === undefined);
      expect(top.length).toBeGreaterThan(1);
      for (const t of top) {
        const kids = result.taxonomy.labels.filter((l) => l.parent === t.id);
        expect(kids.map((k) => k.name)).toEqual([`Urgent ${t.name.toLowerCase()}`, `Routine ${t.name.toLowerCase()}`]);
      }
      expect(result.hierarchy!.grown).toHaveLength(top.length);
    });
  });
}
