import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { FINAL_BATCH_STATUSES, acquireFileLock, openJsonlWriter, readJsonl, sha256 } from '@taxonomist/core';
import type { AssignmentErrorKind, BatchClient, BatchInfo, BatchRequest, CorpusRecord, FileLock, JsonlWriter, LabelAssignment, Taxonomy } from '@taxonomist/core';
import { createRunSetup } from './setup.js';
import type { RunSetup } from './setup.js';
import type { CorpusInput, LabelOptions } from './options.js';
import { emptyPackStats } from './call-model.js';
import type { PreparedRecord } from './call-model.js';
import { callTokens } from './cost-model.js';
import { prepareRecord, recordId, recordTokens } from './prepare.js';
import { openCorpusFile } from './corpus-file.js';
import type { CorpusFileIssues } from './corpus-file.js';
import { failedAssignment, toAssignment } from './assignment.js';
import { asAssignment, compactOutput, compactTempPath } from './compact.js';
import { buildBatchRequest } from './batch-requests.js';
import { missingResultReason, outcomesOfRequest } from './batch-results.js';
import { batchStatePath, readBatchState, writeBatchState } from './batch-state.js';
import type { BatchEntry, BatchState, SubmitIntent } from './batch-state.js';
import { emptyUsage } from './usage.js';
import type { LabelSummary } from './summary.js';

/** What happened to the batches, for progress display. */
export type BatchEvent =
  | { type: 'submitted'; batchId: string; requests: number; records: number }
  | { type: 'attached'; batchId: string; status: string }
  /** A batch the last run created but never recorded (stopped inside submit), found by its submission key. */
  | { type: 'recovered'; batchId: string; records: number }
  | { type: 'polled'; batchId: string; info: BatchInfo }
  | { type: 'collected'; batchId: string; status: string; ok: number; failed: number };

export interface BatchLabelOptions extends LabelOptions {
  out: string;
  /** The provider's batch client (default: `gateway.resolveBatch(model)`, e.g. the OpenAI plugin's). */
  batchClient?: BatchClient;
  /** First wait between two polling rounds, ms (default 30 000); doubles while nothing changes. */
  pollIntervalMs?: number;
  /** Longest wait between two polling rounds, ms (default 600 000). */
  maxPollIntervalMs?: number;
  /** How to wait between polls (tests pass a fake one). Must reject or resolve early when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Submit again the records whose line in the output is a failure (default false: a collected record is done). */
  retryFailed?: boolean;
  /**
   * Submit what is new and return without waiting: the summary is 'aborted' (stopReason 'consumer') while records are
   * in running batches (`batch.pending`); a later run attaches to them and collects.
   */
  submitOnly?: boolean;
  onBatchEvent?(event: BatchEvent): void;
}

export interface BatchLabelSummary extends LabelSummary {
  batch: {
    /** The state file (submitted batch ids and the records of each request). */
    stateFile: string;
    /** Batches recorded in the state file, and how many of them were created by this run. */
    batches: number;
    submittedBatches: number;
    /** Records submitted by this run. */
    submittedRecords: number;
    /** Records of batches submitted earlier that this run attached to. */
    attachedRecords: number;
    /** Batches the last run created but had not recorded (stopped inside submit), found by key and attached to. */
    recoveredBatches: number;
    /** Records whose batches have not finished (submitOnly, or an abort while waiting): a re-run collects them. */
    pending: number;
    /** Records skipped because the output already has a failed line for them (retryFailed submits them again). */
    alreadyFailed: number;
    /** Batch price as a fraction of the list price (0.5 for OpenAI). */
    priceFactor: number;
  };
}

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

function corpusIterator(corpus: CorpusInput, options: LabelOptions): { iterator: AsyncIterator<unknown> | Iterator<unknown>; issues?: CorpusFileIssues; fromFile: boolean } {
  if (typeof corpus === 'string') {
    const { reader, issues } = openCorpusFile(corpus, options.corpusOptions);
    return { iterator: reader[Symbol.asyncIterator](), issues, fromFile: true };
  }
  if (corpus !== null && typeof (corpus as AsyncIterable<CorpusRecord>)[Symbol.asyncIterator] === 'function') {
    return { iterator: (corpus as AsyncIterable<CorpusRecord>)[Symbol.asyncIterator](), fromFile: false };
  }
  if (corpus !== null && typeof (corpus as Iterable<CorpusRecord>)[Symbol.iterator] === 'function') {
    return { iterator: (corpus as Iterable<CorpusRecord>)[Symbol.iterator](), fromFile: false };
  }
  throw new TypeError('labelBatchToFile: corpus must be a file path, an iterable or an async iterable of records');
}

/** What the requests ask: a state file written for other prompts, schemas or models must not be attached to. */
function fingerprintOf(setup: RunSetup, modelId: string): string {
  const o = setup.opts;
  return sha256(
    JSON.stringify({
      modelId,
      taxonomyId: setup.catalog.taxonomyId,
      systems: setup.systems,
      mode: o.mode,
      rationale: o.rationale,
      allowNone: o.allowNone,
      pack: o.pack,
      temperature: o.temperature,
      confidence: setup.confidence,
      maxTextTokens: o.maxTextTokens,
    }),
  );
}

/** Ids in the output file: the ok ones, and those whose only lines are failures. */
async function readOutputIds(path: string): Promise<{ ok: Set<string>; failed: Set<string> }> {
  const ok = new Set<string>();
  const failed = new Set<string>();
  try {
    for await (const value of readJsonl<unknown>(path, { maxIssues: 10 })) {
      const a = asAssignment(value);
      if (a === undefined) continue;
      if (a.status === 'ok') {
        ok.add(a.id);
        failed.delete(a.id);
      } else if (!ok.has(a.id)) failed.add(a.id);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return { ok, failed };
}

/** The records of a request as the state file keeps them (ids, and how their texts were cut). */
function recordRefs(records: readonly PreparedRecord[]): BatchEntry['requests'][number]['records'] {
  return records.map((r) => ({ id: r.id, ...(r.truncated ? { truncated: { ...r.truncated } } : {}) }));
}

/**
 * The last run stopped inside submit: a batch may exist that the state file does not know (created, but killed before
 * its id was written, or its answer lost). List the provider's batches by the intent's key and record the unknown ones
 * with their requests, so they are attached to and their records never submitted again. Returns how many were found.
 */
async function recoverSubmit(state: BatchState, intent: SubmitIntent, client: BatchClient, options: BatchLabelOptions): Promise<number> {
  if (client.findSubmitted === undefined) {
    options.onWarning?.(
      `${batchStatePath(options.out)}: the last run stopped while submitting batches, and the ${client.provider} batch client cannot find batches by key: ` +
        'the records of a batch created just before the stop may be submitted again',
    );
    return 0;
  }
  const known = new Set(state.batches.map((b) => b.id));
  const found = await client.findSubmitted(intent.key, { since: intent.since, ...(options.signal ? { signal: options.signal } : {}) });
  let recovered = 0;
  for (const f of found) {
    if (known.has(f.id)) continue;
    const requests = intent.requests.slice(f.start, f.start + f.count);
    if (f.start < 0 || requests.length !== f.count || f.count === 0) {
      throw new Error(`batch ${f.id} carries this run's submission key but requests ${f.start}..${f.start + f.count - 1}, outside the ${intent.requests.length} recorded in ${batchStatePath(options.out)}`);
    }
    state.batches.push({
      id: f.id,
      status: 'validating',
      collected: false,
      estimatedUsd: requests.reduce((s, r) => s + r.estimatedUsd, 0),
      requests: requests.map((r) => ({ customId: r.customId, records: r.records })),
    });
    known.add(f.id);
    recovered++;
    options.onBatchEvent?.({ type: 'recovered', batchId: f.id, records: requests.reduce((s, r) => s + r.records.length, 0) });
  }
  return recovered;
}

class Tally {
  ok = 0;
  failed = 0;
  none = 0;
  mapped = 0;
  truncated = 0;
  failedByKind: Partial<Record<AssignmentErrorKind, number>> = {};
  add(a: LabelAssignment): void {
    if (a.status === 'ok') {
      this.ok++;
      if (a.none) this.none++;
      if (a.mapped !== undefined) this.mapped++;
    } else {
      this.failed++;
      const k = a.error!.kind;
      this.failedByKind[k] = (this.failedByKind[k] ?? 0) + 1;
    }
    if (a.truncated !== undefined) this.truncated++;
  }
}

/**
 * Label a corpus through the provider's batch API (OpenAI Batch API: half price, results within 24 h) into
 * `options.out`, with the same prompts, schemas and packing as online labeling and the same one-line-per-record
 * contract. Batch ids are recorded in `${out}.batch.json` as soon as each batch is created, before any polling:
 * killed at any point, a re-run attaches to the recorded batches and never submits a record twice; a re-run after
 * everything was collected does nothing. Results are collected as each batch finishes and the file ends in corpus
 * order. Batch mode labels with one model and confidence 'none' or 'logprobs' (no ensembles, no self-consistency);
 * answers are not re-asked (a batch has no conversation): invalid or out-of-taxonomy answers fail with the reason.
 */
export async function labelBatchToFile(corpus: CorpusInput, taxonomy: Taxonomy, options: BatchLabelOptions): Promise<BatchLabelSummary> {
  const started = Date.now();
  const setup = await createRunSetup(taxonomy, options);
  const { opts, catalog } = setup;
  if (setup.models.length !== 1) throw new TypeError('labelBatchToFile: batch labeling uses one model (ensembles need several calls per record)');
  if (setup.confidence !== 'none' && setup.confidence !== 'logprobs') {
    throw new TypeError(`labelBatchToFile: confidence "${setup.confidence}" is not available in batch mode (use 'none' or 'logprobs')`);
  }
  const model = setup.models[0]!;
  let client = options.batchClient;
  if (client === undefined) {
    if (typeof model.ref !== 'string') throw new TypeError('labelBatchToFile: give the model as a "provider:model" id, or pass options.batchClient');
    if (opts.gateway.resolveBatch === undefined) throw new TypeError('labelBatchToFile: this gateway cannot resolve batch clients (use createGateway)');
    client = await opts.gateway.resolveBatch(model.ref);
  }
  const priceFactor = client.priceFactor;
  const costOf = (usage: { inputTokens: number; outputTokens: number }): number => opts.gateway.cost(model.id, usage) * priceFactor;
  if (options.budget !== undefined && opts.gateway.cost(model.id, { inputTokens: 1_000_000, outputTokens: 1_000_000 }) === 0) {
    throw new TypeError(`labelBatchToFile: a budget needs prices, but the gateway has no price for model "${model.id}" (pass prices to createGateway)`);
  }
  const signal = options.signal;
  const sleep = options.sleep ?? defaultSleep;
  const out = options.out;
  const statePath = batchStatePath(out);
  const fingerprint = fingerprintOf(setup, model.id);

  const lock: FileLock = await acquireFileLock(out, { purpose: 'taxonomist label --batch', ...(options.onWarning ? { onWarning: options.onWarning } : {}) });
  // The gateway's budget and usage report see batch calls too, at the batch price (createGateway's batchAccount).
  const account = opts.gateway.batchAccount?.(opts.stage, model.id, priceFactor);
  let writer: JsonlWriter | undefined;
  try {
    await rm(compactTempPath(out), { force: true });
    if (options.overwrite) {
      const old = await readBatchState(statePath);
      if (old?.submitting !== undefined) {
        throw new Error(`${statePath}: the last run stopped while submitting batches; run once without overwriting so it finds and collects them (or delete the state file)`);
      }
      if (old?.batches.some((b) => !b.collected)) {
        throw new Error(`${statePath}: batches ${old.batches.filter((b) => !b.collected).map((b) => b.id).join(', ')} are not collected yet; overwriting would lose them (let them finish, or delete the state file)`);
      }
      await rm(statePath, { force: true });
    }
    writer = await openJsonlWriter(out, { append: !(options.overwrite ?? false), ...(options.fsync !== undefined ? { fsync: options.fsync } : {}) });
    const repairedBytes = writer.repairedBytes;
    const state: BatchState = (await readBatchState(statePath)) ?? { version: 1, fingerprint, model: model.id, batches: [] };
    if (state.fingerprint !== fingerprint) {
      throw new Error(
        `${statePath}: its batches were submitted with other settings (model, taxonomy, prompts, pack or options; recorded model "${state.model}"); ` +
          `run with the same ones, or use another output file`,
      );
    }
    const saveState = (): Promise<void> => writeBatchState(statePath, state);
    const recoveredBatches = state.submitting === undefined ? 0 : await recoverSubmit(state, state.submitting, client, options);
    if (state.submitting !== undefined) {
      delete state.submitting;
      await saveState();
    }
    const existing = await readOutputIds(out);
    // Records in batches not collected yet: attached to, never submitted again.
    const pendingIds = new Set<string>();
    for (const b of state.batches) if (!b.collected) for (const r of b.requests) for (const rec of r.records) pendingIds.add(rec.id);
    const attachedRecords = pendingIds.size;

    const tally = new Tally();
    const pack = emptyPackStats();
    const usage = emptyUsage();
    const write = async (lines: LabelAssignment[]): Promise<void> => {
      if (lines.length === 0) return;
      await writer!.writeMany(lines);
      for (const a of lines) tally.add(a);
    };

    // 1. Read the corpus: what is new gets prepared; bad records get their failed 'input' line now.
    const inputOrder = new Map<string, number>();
    const { iterator, issues, fromFile } = corpusIterator(corpus, options);
    const seen = fromFile ? undefined : new Set<string>();
    const ready: PreparedRecord[] = [];
    const inputLines: LabelAssignment[] = [];
    let records = 0;
    let duplicateIds = 0;
    let alreadyOk = 0;
    let alreadyFailed = 0;
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      const index = records++;
      const id = recordId(next.value, index);
      if (seen !== undefined) {
        if (seen.has(id)) {
          duplicateIds++;
          continue;
        }
        seen.add(id);
      }
      inputOrder.set(id, index);
      if (existing.ok.has(id)) {
        alreadyOk++;
        continue;
      }
      if (pendingIds.has(id)) continue;
      if (existing.failed.has(id) && !options.retryFailed) {
        alreadyFailed++;
        continue;
      }
      const prepared = prepareRecord(next.value, id, ready.length, opts);
      if (prepared.kind === 'bad') {
        inputLines.push(failedAssignment(id, 'input', issues?.takeKeptMessage(id) ?? prepared.message, undefined, { taxonomyId: catalog.taxonomyId }));
        continue;
      }
      ready.push(prepared.record);
    }
    await write(inputLines);

    // 2. Packs in corpus order, within the budget (discounted estimates; collected batches count at their billed cost)
    // and within what is left of the gateway's budget (shared with every other call of this process).
    const packs: PreparedRecord[][] = [];
    for (let i = 0; i < ready.length; i += opts.pack) packs.push(ready.slice(i, i + opts.pack));
    let committed = state.batches.reduce((s, b) => s + (b.costUsd ?? b.estimatedUsd), 0);
    const gatewayLeft = account?.remaining() ?? Infinity;
    const estimating = options.budget !== undefined || gatewayLeft !== Infinity;
    let toReserve = 0;
    let notAttempted = 0;
    let stopReason: LabelSummary['stopReason'];
    const chosen: { records: PreparedRecord[]; estimate: number }[] = [];
    for (const p of packs) {
      const estimate = estimating ? costOf(callTokens(setup.tokens, p.map(recordTokens))) : 0;
      const fits = (options.budget === undefined || committed + estimate <= options.budget) && toReserve + estimate <= gatewayLeft + 1e-12;
      if (stopReason === undefined && fits) {
        committed += estimate;
        toReserve += estimate;
        chosen.push({ records: p, estimate });
      } else {
        stopReason = 'budget';
        notAttempted += p.length;
      }
    }

    for (const b of state.batches) if (!b.collected) options.onBatchEvent?.({ type: 'attached', batchId: b.id, status: b.status });

    // 3. Submit, recording each batch before the next is created and before any polling.
    let submittedRecords = 0;
    let submittedBatches = 0;
    if (chosen.length > 0 && !signal?.aborted) {
      const requests: BatchRequest[] = [];
      const byCustomId = new Map<string, { records: PreparedRecord[]; estimate: number }>();
      for (const [i, c] of chosen.entries()) {
        const customId = `p${i}`;
        requests.push(
          await buildBatchRequest(setup, c.records, customId, {
            logprobs: setup.confidence === 'logprobs',
            ...(options.maxOutputTokens !== undefined ? { maxOutputTokens: options.maxOutputTokens } : {}),
            ...(signal ? { signal } : {}),
          }),
        );
        byCustomId.set(customId, c);
      }
      // Reserved before anything is submitted (it fits: chosen within gatewayLeft above).
      account?.reserve(toReserve);
      // The intent first: killed anywhere inside submit, the next run finds the batches it created by this key.
      state.submitting = {
        key: randomUUID(),
        since: Date.now(),
        requests: requests.map((r) => {
          const c = byCustomId.get(r.customId)!;
          return { customId: r.customId, records: recordRefs(c.records), estimatedUsd: c.estimate };
        }),
      };
      await saveState();
      await client.submit(requests, {
        ...(signal ? { signal } : {}),
        submissionKey: state.submitting.key,
        onSubmitted: async ({ id, customIds }) => {
          const entry: BatchEntry = { id, status: 'validating', collected: false, estimatedUsd: 0, requests: [] };
          let count = 0;
          for (const customId of customIds) {
            const c = byCustomId.get(customId);
            if (c === undefined) throw new Error(`batch ${id}: the provider reported an unknown request "${customId}"`);
            entry.estimatedUsd += c.estimate;
            entry.requests.push({ customId, records: recordRefs(c.records) });
            count += c.records.length;
          }
          state.batches.push(entry);
          await saveState();
          submittedBatches++;
          submittedRecords += count;
          options.onBatchEvent?.({ type: 'submitted', batchId: id, requests: customIds.length, records: count });
        },
      });
      delete state.submitting;
      await saveState();
    }

    // 4. Poll with backoff; collect each batch as it finishes.
    const collect = async (entry: BatchEntry, info: BatchInfo): Promise<void> => {
      const results = await client.fetchResults(entry.id, signal ? { signal } : {});
      const byId = new Map(results.map((r) => [r.customId, r]));
      const lines: LabelAssignment[] = [];
      let billed = 0;
      const entryUsage = { calls: 0, failedCalls: 0, inputTokens: 0, outputTokens: 0 };
      for (const req of entry.requests) {
        const result = byId.get(req.customId);
        if (result?.usage) {
          entryUsage.inputTokens += result.usage.inputTokens;
          entryUsage.outputTokens += result.usage.outputTokens;
          billed += costOf(result.usage);
        }
        if (result !== undefined) {
          if (result.status === 'ok') entryUsage.calls++;
          else entryUsage.failedCalls++;
        }
        const outcomes = outcomesOfRequest(setup, model.id, req.records.length, result, missingResultReason(entry.id, req.customId, info), pack);
        req.records.forEach((rec, i) => {
          lines.push(toAssignment(rec.id, outcomes[i]!, { catalog, mode: opts.mode, ...(rec.truncated ? { truncated: rec.truncated } : {}) }));
        });
      }
      usage.calls += entryUsage.calls;
      usage.failedCalls += entryUsage.failedCalls;
      usage.inputTokens += entryUsage.inputTokens;
      usage.outputTokens += entryUsage.outputTokens;
      usage.costUsd += billed;
      account?.record({ calls: entryUsage.calls, failedCalls: entryUsage.failedCalls, usage: { inputTokens: entryUsage.inputTokens, outputTokens: entryUsage.outputTokens } });
      const before = { ok: tally.ok, failed: tally.failed };
      // Lines first (synced), then the state: a kill in between re-collects the batch; the duplicate lines are
      // identical and the final compaction keeps one.
      await write(lines);
      await writer!.flush();
      entry.collected = true;
      entry.status = info.status;
      entry.costUsd = billed;
      await saveState();
      options.onBatchEvent?.({ type: 'collected', batchId: entry.id, status: info.status, ok: tally.ok - before.ok, failed: tally.failed - before.failed });
    };

    let interval = Math.max(0, options.pollIntervalMs ?? 30_000);
    const maxInterval = Math.max(interval, options.maxPollIntervalMs ?? 600_000);
    let aborted = signal?.aborted === true;
    while (!options.submitOnly && !aborted) {
      const open = state.batches.filter((b) => !b.collected);
      if (open.length === 0) break;
      let changed = false;
      for (const entry of open) {
        if (signal?.aborted) break;
        const info = await client.poll(entry.id, signal ? { signal } : {});
        options.onBatchEvent?.({ type: 'polled', batchId: entry.id, info });
        if (info.status !== entry.status) {
          changed = true;
          entry.status = info.status;
        }
        if (FINAL_BATCH_STATUSES.has(info.status)) await collect(entry, info);
      }
      if (signal?.aborted) {
        aborted = true;
        break;
      }
      if (state.batches.every((b) => b.collected)) break;
      await saveState();
      await sleep(interval, signal);
      if (signal?.aborted) aborted = true;
      interval = changed ? Math.max(0, options.pollIntervalMs ?? 30_000) : Math.min(maxInterval, Math.max(1, interval * 2));
    }

    let pending = 0;
    for (const b of state.batches) if (!b.collected) for (const r of b.requests) pending += r.records.length;
    await writer.close();
    writer = undefined;

    // 5. All collected: one line per record, in corpus order (batches finish in any order; re-runs append).
    const finished = pending === 0 && !aborted;
    const counts = finished ? await compactOutput(out, inputOrder, { lock }) : undefined;
    const fileIds = counts === undefined ? await readOutputIds(out) : undefined;
    // Waiting was skipped (submitOnly) with batches still running: not done, the caller stopped early.
    const leftRunning = !aborted && pending > 0;
    const status: LabelSummary['status'] = aborted || leftRunning ? 'aborted' : stopReason !== undefined ? 'stopped' : 'done';
    const summary: BatchLabelSummary = {
      status,
      ...(aborted ? { stopReason: 'signal' as const } : leftRunning ? { stopReason: 'consumer' as const } : stopReason !== undefined ? { stopReason } : {}),
      input: {
        records,
        alreadyOk,
        duplicateIds,
        issues: issues?.skipped ?? 0,
        issuesByKind: { ...(issues?.skippedByKind ?? {}) },
        issueExamples: [...(issues?.examples ?? [])],
      },
      ok: tally.ok,
      failed: tally.failed,
      failedByKind: { ...tally.failedByKind },
      none: tally.none,
      mapped: tally.mapped,
      truncated: tally.truncated,
      notAttempted,
      confidence: { method: setup.confidence, missing: 0 },
      usage: { ...usage },
      ...(options.budget !== undefined ? { budgetUsd: options.budget } : {}),
      pack: { ...pack },
      models: [model.id],
      taxonomyId: catalog.taxonomyId,
      out: {
        path: out,
        lines: counts?.lines ?? fileIds!.ok.size + fileIds!.failed.size,
        ok: counts?.ok ?? fileIds!.ok.size,
        failed: counts?.failed ?? fileIds!.failed.size,
        compacted: counts !== undefined,
        repairedBytes,
        badLines: counts?.badLines ?? 0,
      },
      elapsedMs: Date.now() - started,
      batch: {
        stateFile: statePath,
        batches: state.batches.length,
        submittedBatches,
        submittedRecords,
        attachedRecords,
        recoveredBatches,
        pending,
        alreadyFailed,
        priceFactor,
      },
    };
    await options.host?.emit('label:done', summary);
    return summary;
  } finally {
    account?.close();
    await writer?.close().catch(() => undefined);
    await lock.release().catch(() => undefined);
  }
}
