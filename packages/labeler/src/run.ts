import { rm } from 'node:fs/promises';
import { IdHashSet, ShardSpecSchema, SpillIdSet, acquireFileLock, inShard, openJsonlWriter, shardManifestPath, writeShardManifest } from '@taxonomist/core';
import type { AssignmentErrorKind, CorpusRecord, FileLock, JsonlWriter, LabelAssignment, Taxonomy } from '@taxonomist/core';
import { createRunSetup, callsPerBatch } from './setup.js';
import type { RunSetup } from './setup.js';
import type { CorpusInput, LabelOptions } from './options.js';
import { Channel, Limiter } from './channel.js';
import { emptyPackStats } from './call-model.js';
import type { CallEnv, PreparedRecord } from './call-model.js';
import { labelBatch } from './combine.js';
import type { LabelingPlan } from './combine.js';
import { EnsembleAgreement } from './ensemble-agreement.js';
import { UsageTracker } from './usage.js';
import { callTokens } from './cost-model.js';
import { prepareRecord, recordId, recordTokens } from './prepare.js';
import { openCorpusFile } from './corpus-file.js';
import type { CorpusFileIssues } from './corpus-file.js';
import { failedAssignment, toAssignment } from './assignment.js';
import { MAX_LINE, readResumeState } from './resume.js';
import type { ResumeState } from './resume.js';
import { compactOutput, compactTempPath } from './compact.js';
import type { CompactResult } from './compact.js';
import type { LabelProgress, LabelSummary } from './summary.js';
import './hooks.js';

/** A labeling run: iterate it for the assignments; `summary` resolves when the iteration ends. */
export interface LabelRun extends AsyncIterable<LabelAssignment> {
  /** Resolves once the run has ended (iteration finished, broke off, or failed). */
  readonly summary: Promise<LabelSummary>;
  /** Stop: no new calls start, calls in flight are aborted, their records stay unwritten (resumable). */
  abort(): void;
}

type StopReason = 'budget' | 'provider' | 'signal' | 'consumer';

function openSource(corpus: CorpusInput, options: LabelOptions, signal: AbortSignal): {
  iterator: AsyncIterator<unknown> | Iterator<unknown>;
  fileIssues?: CorpusFileIssues;
  /** The rest can be read without waiting on anyone (a file, an in-memory iterable): a stopped run counts it. */
  finite: boolean;
  /** Records left to other shards so far (the shard option). */
  otherShards: () => number;
} {
  const shard = options.shard;
  if (shard !== undefined && !ShardSpecSchema.safeParse(shard).success) {
    throw new TypeError(`label: shard must be { index, count } with 0 <= index < count (0-based), got ${JSON.stringify(shard)}`);
  }
  if (typeof corpus === 'string') {
    // Empty texts come through (keepEmptyTexts) and get a failed 'input' line like in-memory ones.
    const corpusOptions = shard === undefined ? options.corpusOptions : { ...options.corpusOptions, shard };
    const { reader, issues } = openCorpusFile(corpus, corpusOptions, signal);
    return { iterator: reader[Symbol.asyncIterator](), fileIssues: issues, finite: true, otherShards: () => reader.stats.otherShards ?? 0 };
  }
  let others = 0;
  // In memory: records of other shards are dropped before anything else sees them (a record without a usable id
  // passes, for the loop to fail on it as unsharded).
  const mine = (raw: unknown): boolean => {
    if (shard === undefined) return true;
    const id = (raw as { id?: unknown } | null)?.id;
    if (!((typeof id === 'string' && id !== '') || (typeof id === 'number' && Number.isFinite(id)))) return true;
    if (inShard(String(id), shard)) return true;
    others++;
    return false;
  };
  if (corpus !== null && typeof (corpus as AsyncIterable<CorpusRecord>)[Symbol.asyncIterator] === 'function') {
    const source = (corpus as AsyncIterable<CorpusRecord>)[Symbol.asyncIterator]();
    const iterator: AsyncIterator<unknown> =
      shard === undefined
        ? source
        : {
            async next() {
              for (;;) {
                const r = await source.next();
                if (r.done === true || mine(r.value)) return r;
              }
            },
            async return(value?: unknown) {
              return (await source.return?.(value)) ?? { done: true, value: undefined };
            },
          };
    return { iterator, finite: false, otherShards: () => others };
  }
  if (corpus !== null && typeof (corpus as Iterable<CorpusRecord>)[Symbol.iterator] === 'function') {
    const source = (corpus as Iterable<CorpusRecord>)[Symbol.iterator]();
    const iterator: Iterator<unknown> =
      shard === undefined
        ? source
        : {
            next() {
              for (;;) {
                const r = source.next();
                if (r.done === true || mine(r.value)) return r;
              }
            },
            return(value?: unknown) {
              return source.return?.(value) ?? { done: true, value: undefined };
            },
          };
    return { iterator, finite: true, otherShards: () => others };
  }
  throw new TypeError('label: corpus must be a file path, an iterable or an async iterable of records');
}

class Counters {
  seen = 0;
  alreadyOk = 0;
  duplicateIds = 0;
  ok = 0;
  failed = 0;
  none = 0;
  mapped = 0;
  truncated = 0;
  notAttempted = 0;
  confidenceMissing = 0;
  failedByKind: Partial<Record<AssignmentErrorKind, number>> = {};
}

/**
 * One run of the labeler. The producer reads the corpus, skips ids already ok in the output file, prepares records
 * (bad ones become failed 'input' lines), packs them and dispatches packs under a concurrency limit and the budget.
 * Every outcome goes through ONE serial emit chain: write the lines (one write call per labeling call), count them, report
 * progress, hand it to the consumer. In ordered mode a reorder buffer feeds that chain in input order.
 */
class LabelingRun {
  private readonly controller = new AbortController();
  // The corpus file reader stops only on a fatal error: after a stop (budget, Ctrl-C, consumer gone) the rest of the
  // file is still read, to count its records as not attempted.
  private readonly sourceController = new AbortController();
  private stopReason: StopReason | undefined;
  private fatal: unknown;
  private readonly counters = new Counters();
  private emitChain: Promise<void> = Promise.resolve();
  // Ordered mode: outcomes waiting for their turn (null = a record that will never be written: aborted/stopped).
  private readonly pending = new Map<number, LabelAssignment | null>();
  private nextSeq = 0;
  private pendingWaiters: (() => void)[] = [];
  private spent = 0;
  private reserved = 0;
  private readonly started = Date.now();
  private writer: JsonlWriter | undefined;
  // Whether lines were written out of input order (tracked by sequence number: seq grows with the input position).
  private lastWrittenSeq = -1;
  private writtenOutOfOrder = false;
  // The resume file's lines met in input order so far (its ids in corpus order must be its lines 0, 1, 2...), the
  // sequence number the next new record had when the last of them was met, and the lowest sequence number written:
  // appended lines keep the file in input order only if they all come after the earlier lines in the input.
  private resumeLinesInOrder = 0;
  private resumeOutOfOrder = false;
  private resumeLastSeq = 0;
  private minWrittenSeq = Number.POSITIVE_INFINITY;
  private lock: FileLock | undefined;
  private resume: ResumeState | undefined;
  private inputOrder: SpillIdSet | undefined;
  private stopError: { kind: string; message: string } | undefined;

  constructor(
    private readonly corpus: CorpusInput,
    private readonly taxonomy: Taxonomy,
    private readonly options: LabelOptions,
    private readonly channel: Channel<LabelAssignment>,
  ) {}

  abort(reason: StopReason): void {
    if (this.stopReason === undefined || this.stopReason === 'budget' || this.stopReason === 'provider') this.stopReason = reason;
    this.controller.abort();
  }

  /**
   * The gateway stopped calling the provider (a dead key, a hanging server): stop the run instead of failing the
   * rest record by record. Calls in flight are aborted; their records and every record not dispatched yet stay
   * unwritten (not attempted) for a resume.
   */
  private stopForProvider(stop: { kind: string; message: string }): void {
    if (this.stopError === undefined) this.stopError = stop;
    if (this.stopReason === undefined || this.stopReason === 'budget') this.stopReason = 'provider';
    this.controller.abort();
  }

  async run(): Promise<LabelSummary> {
    const signal = this.options.signal;
    const onAbort = (): void => this.abort('signal');
    if (signal?.aborted) this.abort('signal');
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await this.execute();
    } finally {
      signal?.removeEventListener('abort', onAbort);
      await this.writer?.close().catch(() => undefined);
      this.resume?.close();
      this.inputOrder?.close();
      await this.lock?.release().catch(() => undefined);
    }
  }

  private async execute(): Promise<LabelSummary> {
    const setup = await createRunSetup(this.taxonomy, this.options);
    const { opts, catalog } = setup;
    const gateway = opts.gateway;
    if (this.options.budget !== undefined) {
      for (const m of setup.models) {
        if (gateway.cost(m.id, { inputTokens: 1_000_000, outputTokens: 1_000_000 }) === 0) {
          throw new TypeError(
            `label: a budget needs prices, but the gateway has no price for model "${m.id}" (pass prices to createGateway)`,
          );
        }
      }
    }

    // Output file: open (repairing a torn last line), then read what an earlier run left.
    const out = this.options.out;
    let resume: ResumeState | undefined;
    let repairedBytes = 0;
    if (out !== undefined) {
      // One writer per output file: a second run on the same file fails here instead of duplicating records (two
      // appenders) or losing them (one compacting while the other appends).
      this.lock = await acquireFileLock(out, {
        purpose: 'taxonomist label',
        ...(this.options.onWarning ? { onWarning: this.options.onWarning } : {}),
      });
      await rm(compactTempPath(out), { force: true });
      // A shard manifest says "this shard is complete": it is written at the end of a finished run, never left stale.
      await rm(shardManifestPath(out), { force: true });
      this.writer = await openJsonlWriter(out, {
        append: !(this.options.overwrite ?? false),
        ...(this.options.fsync !== undefined ? { fsync: this.options.fsync } : {}),
      });
      repairedBytes = this.writer.repairedBytes;
      resume = await readResumeState(out, this.options.idSet ? { idSet: this.options.idSet } : {});
    }
    this.resume = resume;
    const needsCompaction = resume !== undefined && (resume.failedIds > 0 || resume.duplicateIds > 0 || resume.badLines > 0);
    // Input positions of the ids: the end-of-run compaction sorts by them (sortOutput; ordered mode when compacting).
    // A set that spills to disk: flat memory in corpus size.
    const inputOrder = out !== undefined && (opts.sortOutput || (needsCompaction && opts.ordered)) ? new SpillIdSet(this.options.idSet) : undefined;
    this.inputOrder = inputOrder;

    const usage = new UsageTracker(gateway);
    const pack = emptyPackStats();
    const agreement = setup.models.length > 1 ? new EnsembleAgreement(setup.models.map((m) => m.id)) : undefined;
    const env: CallEnv = {
      gateway,
      catalog,
      shape: setup.shape,
      systemSingle: setup.systems.single,
      systemPacked: setup.systems.packed,
      singleSchema: setup.singleSchema,
      packedSchema: (k) => setup.packedSchema(k),
      stage: opts.stage,
      ...(this.options.maxRepairs !== undefined ? { maxRepairs: this.options.maxRepairs } : {}),
      ...(this.options.maxOutputTokens !== undefined ? { maxTokens: this.options.maxOutputTokens } : {}),
      ...(setup.fewShot ? { fewShot: setup.fewShot } : {}),
      usage,
      pack,
      signal: this.controller.signal,
      onCost: (c) => {
        this.spent += c;
      },
    };
    const plan: LabelingPlan = {
      models: setup.models,
      confidence: setup.confidence,
      temperature: opts.temperature,
      samples: opts.samples,
      sampleTemperature: opts.sampleTemperature,
      ...(agreement ? { agreement } : {}),
    };
    const modelLabel = setup.models.map((m) => m.id).join('+');
    const limiter = new Limiter(opts.concurrency);
    const tasks = new Set<Promise<void>>();
    const maxPending = Math.max(64, opts.concurrency * opts.pack * 4);
    const batchCalls = callsPerBatch(setup);
    const c = this.counters;

    const dispatch = async (batch: PreparedRecord[]): Promise<void> => {
      await limiter.acquire();
      // Ordered mode: do not run further ahead of the slowest pack than the reorder buffer allows.
      while (opts.ordered && this.pending.size > maxPending && !this.controller.signal.aborted) {
        await new Promise<void>((resolve) => this.pendingWaiters.push(resolve));
      }
      if (this.controller.signal.aborted || this.stopReason !== undefined) {
        limiter.release();
        this.notAttempted(batch);
        return;
      }
      const est = this.estimateBatchCost(setup, batch, batchCalls);
      if (this.overBudget(est)) {
        this.stopReason = 'budget';
        limiter.release();
        this.notAttempted(batch);
        return;
      }
      this.reserved += est;
      const task = (async () => {
        try {
          let outcomes;
          try {
            outcomes = await labelBatch(env, plan, batch);
          } catch (err) {
            // A bug or an unexpected throw must not lose records: each becomes a failed line.
            const message = err instanceof Error ? err.message : String(err);
            outcomes = batch.map(() => ({ status: 'failed' as const, kind: 'unknown' as const, message, modelId: modelLabel }));
          }
          for (const o of outcomes) {
            if (o.status === 'failed' && 'stop' in o && o.stop !== undefined) {
              this.stopForProvider(o.stop);
              break;
            }
          }
          const group: { seq: number; a: LabelAssignment }[] = [];
          batch.forEach((r, i) => {
            const o = outcomes[i]!;
            // Aborted by THIS run (signal, consumer gone): not attempted, left for the next run. An 'aborted' error
            // from elsewhere is an ordinary failure and gets its line.
            if (o.status === 'failed' && o.kind === 'aborted' && this.controller.signal.aborted) {
              this.notAttempted([r]);
              return;
            }
            // The gateway's budget refused the call: the record was not attempted, and nothing more starts.
            if (o.status === 'failed' && o.kind === 'budget') {
              this.stopReason ??= 'budget';
              this.notAttempted([r]);
              return;
            }
            const a = toAssignment(r.id, o, { catalog, mode: opts.mode, ...(r.truncated ? { truncated: r.truncated } : {}) });
            if (o.status === 'ok' && setup.confidence !== 'none' && o.confidence === undefined) c.confidenceMissing++;
            group.push({ seq: r.seq, a });
          });
          // The pack's lines go out together: one write call for the whole call, not one per line.
          await this.emitGroup(group);
        } catch (err) {
          this.fail(err);
        } finally {
          this.reserved -= est;
          limiter.release();
        }
      })();
      tasks.add(task);
      void task.finally(() => tasks.delete(task));
    };

    const { iterator, fileIssues, finite, otherShards } = openSource(this.corpus, this.options, this.sourceController.signal);
    const seenIds = typeof this.corpus === 'string' ? undefined : new IdHashSet();
    let batch: PreparedRecord[] = [];
    let seq = 0;
    let exhausted = false;
    try {
      for (;;) {
        if (this.stopReason !== undefined || this.fatal !== undefined) break;
        let next: IteratorResult<unknown>;
        try {
          next = await iterator.next();
        } catch (err) {
          if (this.controller.signal.aborted) break;
          throw err;
        }
        if (next.done) {
          exhausted = true;
          break;
        }
        const raw = next.value;
        const index = c.seen++;
        const id = recordId(raw, index);
        if (seenIds !== undefined) {
          // readCorpus reports duplicate ids itself; in-memory corpora are checked here.
          if (seenIds.has(id)) {
            c.duplicateIds++;
            continue;
          }
          seenIds.add(id);
        }
        inputOrder?.addIfAbsent(id, index);
        if (this.alreadyOk(id, seq)) {
          c.alreadyOk++;
          continue;
        }
        const mySeq = seq++;
        const prepared = prepareRecord(raw, id, mySeq, opts);
        if (prepared.kind === 'bad') {
          // From a file, the reader's message names the file and line.
          const message = fileIssues?.takeKeptMessage(id) ?? prepared.message;
          await this.emit(mySeq, failedAssignment(id, 'input', message, undefined, { taxonomyId: catalog.taxonomyId }));
          continue;
        }
        batch.push(prepared.record);
        if (batch.length >= opts.pack) {
          const full = batch;
          batch = [];
          await dispatch(full);
        }
      }
      if (batch.length > 0) {
        if (this.stopReason === undefined && this.fatal === undefined) await dispatch(batch);
        else this.notAttempted(batch);
        batch = [];
      }
      while (tasks.size > 0) await Promise.all([...tasks]);
      // Count what the stop left undone, so the summary adds up to the corpus and says exactly how much a resume
      // will label. An async-iterable corpus may never end (a stream): after a signal or a consumer gone, only what
      // was read is counted.
      if (this.stopReason !== undefined && this.fatal === undefined && !exhausted && (finite || this.stopReason === 'budget' || this.stopReason === 'provider')) {
        for (;;) {
          const next = await iterator.next();
          if (next.done) {
            exhausted = true;
            break;
          }
          c.seen++;
          const id = recordId(next.value, c.seen - 1);
          if (seenIds?.has(id)) {
            c.duplicateIds++;
            continue;
          }
          seenIds?.add(id);
          inputOrder?.addIfAbsent(id, c.seen - 1);
          if (this.alreadyOk(id, seq)) c.alreadyOk++;
          else c.notAttempted++;
        }
      }
    } finally {
      if (!exhausted) {
        // Leaving early (abort, error): release the source (closes a corpus reader's file).
        try {
          await iterator.return?.();
        } catch {
          /* closing a source that already failed */
        }
      }
      while (tasks.size > 0) await Promise.allSettled([...tasks]);
      this.flushOrdered(true);
      await this.emitChain.catch(() => undefined);
    }
    if (this.fatal !== undefined) throw this.fatal;

    await this.writer?.close();
    let compacted: CompactResult | undefined;
    let fileCounts: CompactResult | undefined;
    const aborted = this.stopReason === 'signal' || this.stopReason === 'consumer';
    if (out !== undefined && resume !== undefined) {
      // Lines arrive in completion order (and a resumed run appends after the earlier run's lines): unless the file
      // is in input order already, end with it in input order, so the file does not depend on timing or kills.
      // The earlier lines are in input order when the corpus met them as lines 0, 1, 2... with nothing else before
      // the lines of ids outside the corpus (checked while reading, see alreadyOk).
      const appendedOutOfOrder =
        this.minWrittenSeq !== Number.POSITIVE_INFINITY && (this.resumeLinesInOrder < resume.lines || this.minWrittenSeq < this.resumeLastSeq);
      const sortNeeded =
        !needsCompaction &&
        !aborted &&
        opts.sortOutput &&
        inputOrder !== undefined &&
        (this.writtenOutOfOrder || (resume.lines > 0 && (this.resumeOutOfOrder || appendedOutOfOrder)));
      if ((needsCompaction || sortNeeded) && !aborted) {
        compacted = await compactOutput(out, inputOrder, { lock: this.lock });
        fileCounts = compacted;
      } else {
        fileCounts = {
          lines: resume.lines + c.ok + c.failed,
          ok: resume.okIds.size + c.ok,
          failed: resume.lines - resume.okIds.size + c.failed,
          badLines: resume.badLines,
        };
      }
    }

    const status: LabelSummary['status'] =
      this.stopReason === undefined ? 'done' : this.stopReason === 'budget' || this.stopReason === 'provider' ? 'stopped' : 'aborted';
    const summary: LabelSummary = {
      status,
      ...(this.stopReason !== undefined ? { stopReason: this.stopReason } : {}),
      ...(this.stopError !== undefined ? { stopError: { ...this.stopError } } : {}),
      input: {
        records: c.seen,
        alreadyOk: c.alreadyOk,
        duplicateIds: c.duplicateIds,
        issues: fileIssues?.skipped ?? 0,
        issuesByKind: { ...(fileIssues?.skippedByKind ?? {}) },
        issueExamples: [...(fileIssues?.examples ?? [])],
        ...(this.options.shard !== undefined ? { otherShards: otherShards() } : {}),
      },
      ok: c.ok,
      failed: c.failed,
      failedByKind: { ...c.failedByKind },
      none: c.none,
      mapped: c.mapped,
      truncated: c.truncated,
      notAttempted: c.notAttempted,
      confidence: { method: setup.confidence, missing: c.confidenceMissing },
      usage: { ...usage.usage },
      ...(this.options.budget !== undefined ? { budgetUsd: this.options.budget } : {}),
      pack: { ...pack },
      ...(agreement ? { ensemble: agreement.report() } : {}),
      models: setup.models.map((m) => m.id),
      taxonomyId: catalog.taxonomyId,
      ...(out !== undefined && fileCounts !== undefined
        ? {
            out: {
              path: out,
              lines: fileCounts.lines,
              ok: fileCounts.ok,
              failed: fileCounts.failed,
              compacted: compacted !== undefined,
              repairedBytes,
              badLines: fileCounts.badLines,
            },
          }
        : {}),
      elapsedMs: Date.now() - this.started,
    };
    if (out !== undefined && fileCounts !== undefined && this.options.shard !== undefined && status === 'done') {
      await writeShardManifest(out, {
        schemaVersion: 1,
        kind: 'labels',
        shard: this.options.shard,
        taxonomyId: catalog.taxonomyId,
        model: modelLabel,
        records: fileCounts.lines,
      });
    }
    this.reportProgress(true);
    await this.options.host?.emit('label:done', summary);
    return summary;
  }

  /**
   * Whether a pack estimated at `est` would go over this run's `budget` option or the gateway's own budget (which
   * may be shared with induction). The gateway also checks every call: this pre-check just stops cleanly between packs.
   */
  private overBudget(est: number): boolean {
    if (this.options.budget !== undefined && this.spent + this.reserved + est > this.options.budget) return true;
    const shared = this.options.gateway.budget?.();
    return shared !== undefined && shared.spentUsd + Math.max(this.reserved, shared.reservedUsd) + est > shared.limitUsd;
  }

  private estimateBatchCost(setup: RunSetup, batch: PreparedRecord[], batchCalls: number): number {
    if (this.options.budget === undefined && this.options.gateway.budget?.() === undefined) return 0;
    const t = callTokens(setup.tokens, batch.map(recordTokens));
    let cost = 0;
    for (const m of setup.models) cost += this.options.gateway.cost(m.id, t);
    return (cost * batchCalls) / setup.models.length;
  }

  /**
   * Whether the output file of an earlier run has an ok line for `id`; also checks, in passing, that the file's
   * lines come in input order (the corpus meets them as lines 0, 1, 2...), so that a resumed run knows whether its
   * file needs sorting without reading it again.
   */
  private alreadyOk(id: string, nextSeq: number): boolean {
    const hit = this.resume?.lookup(id);
    if (hit === undefined) return false;
    if (hit.line === this.resumeLinesInOrder && hit.line !== MAX_LINE) {
      this.resumeLinesInOrder++;
      this.resumeLastSeq = nextSeq;
    } else this.resumeOutOfOrder = true;
    return hit.ok;
  }

  private notAttempted(records: readonly PreparedRecord[]): void {
    this.counters.notAttempted += records.length;
    if (this.options.ordered) {
      for (const r of records) this.pending.set(r.seq, null);
      this.flushOrdered(false);
    }
  }

  private fail(err: unknown): void {
    if (this.fatal === undefined) this.fatal = err;
    this.controller.abort();
    this.sourceController.abort();
  }

  /** Queue an assignment for output; resolves once it has been written and handed to the consumer. */
  private emit(seq: number, a: LabelAssignment): Promise<void> {
    return this.emitGroup([{ seq, a }]);
  }

  /** Queue the assignments of one call; in unordered mode they are written with a single write call. */
  private emitGroup(items: readonly { seq: number; a: LabelAssignment }[]): Promise<void> {
    for (const { seq } of items) if (seq < this.minWrittenSeq) this.minWrittenSeq = seq;
    if (!this.options.ordered) {
      // The emit chain writes groups in the order they are queued here.
      for (const { seq } of items) {
        if (seq < this.lastWrittenSeq) this.writtenOutOfOrder = true;
        else this.lastWrittenSeq = seq;
      }
      return items.length > 0 ? this.enqueue(items.map((i) => i.a)) : Promise.resolve();
    }
    for (const { seq, a } of items) this.pending.set(seq, a);
    return this.flushOrdered(false);
  }

  private flushOrdered(all: boolean): Promise<void> {
    // Everything that became writable now goes out in one group (one write call).
    const ready: LabelAssignment[] = [];
    while (this.pending.has(this.nextSeq)) {
      const a = this.pending.get(this.nextSeq)!;
      this.pending.delete(this.nextSeq);
      this.nextSeq++;
      if (a !== null) ready.push(a);
    }
    if (all && this.pending.size > 0) {
      // End of run: whatever is left waits behind gaps that will never fill; write it in order.
      for (const s of [...this.pending.keys()].sort((x, y) => x - y)) {
        const a = this.pending.get(s)!;
        this.pending.delete(s);
        if (a !== null) ready.push(a);
      }
    }
    const last = ready.length > 0 ? this.enqueue(ready) : this.emitChain;
    for (const w of this.pendingWaiters.splice(0)) w();
    return last;
  }

  private enqueue(group: LabelAssignment[]): Promise<void> {
    const p = this.emitChain.then(() => this.write(group));
    this.emitChain = p.catch((err: unknown) => this.fail(err));
    return p;
  }

  private async write(group: readonly LabelAssignment[]): Promise<void> {
    if (this.fatal !== undefined) return;
    if (this.writer) await this.writer.writeMany(group, { sync: false });
    const c = this.counters;
    const host = this.options.host;
    const recordHook = host !== undefined && (host.hasHook?.('label:record') ?? true);
    for (const a of group) {
      if (a.status === 'ok') {
        c.ok++;
        if (a.none) c.none++;
        if (a.mapped !== undefined) c.mapped++;
      } else {
        c.failed++;
        const k = a.error!.kind;
        c.failedByKind[k] = (c.failedByKind[k] ?? 0) + 1;
      }
      if (a.truncated !== undefined) c.truncated++;
      if (recordHook) await host.emit('label:record', { assignment: a });
      this.reportProgress(false);
      await this.channel.push(a);
    }
  }

  private reportProgress(final: boolean): void {
    const c = this.counters;
    const done = c.ok + c.failed;
    const every = this.options.progressEvery ?? 1;
    if (!final && done % every !== 0) return;
    const p: LabelProgress = { seen: c.seen, alreadyOk: c.alreadyOk, done, ok: c.ok, failed: c.failed, costUsd: this.spent };
    this.options.onProgress?.(p);
    const host = this.options.host;
    if (host && (host.hasHook?.('label:progress') ?? true)) void Promise.resolve(host.emit('label:progress', p)).catch((e: unknown) => this.fail(e));
  }
}

/**
 * Label a corpus against a taxonomy. Returns an async iterable of assignments (one per input record: ok or
 * failed), written to `options.out` as they come when given; `run.summary` resolves at the end. Nothing starts
 * until the iteration does. Breaking out of the loop aborts the run (records in flight stay unwritten and are
 * labeled by the next run on the same output file).
 */
export function label(corpus: CorpusInput, taxonomy: Taxonomy, given: LabelOptions): LabelRun {
  // One host passed once: a gateway created with the plugin host carries it to the labeler's hooks.
  const options: LabelOptions = given?.host === undefined && given?.gateway?.host !== undefined ? { ...given, host: given.gateway.host } : given;
  let resolveSummary!: (s: LabelSummary) => void;
  let rejectSummary!: (e: unknown) => void;
  const summary = new Promise<LabelSummary>((res, rej) => {
    resolveSummary = res;
    rejectSummary = rej;
  });
  // The summary is often only awaited after the loop; a failure is rethrown by the loop itself.
  summary.catch(() => undefined);
  let started = false;
  let current: LabelingRun | undefined;
  let abortedEarly = false;

  async function* iterate(): AsyncGenerator<LabelAssignment> {
    const channel = new Channel<LabelAssignment>(Math.max(16, (options.concurrency ?? 8) * (options.pack ?? 1) * 2));
    const run = new LabelingRun(corpus, taxonomy, options, channel);
    current = run;
    if (abortedEarly) run.abort('consumer');
    const driven = run.run().then(
      (s) => {
        channel.close();
        return s;
      },
      (err: unknown) => {
        channel.close(err);
        throw err;
      },
    );
    driven.then(resolveSummary, rejectSummary);
    let finished = false;
    try {
      for await (const a of channel) yield a;
      await driven;
      finished = true;
    } finally {
      if (!finished) {
        run.abort('consumer');
        // Nobody reads any more: let pending pushes through (their lines are already in the file).
        channel.close();
        // Let the run settle (close the file, count what was not attempted); its errors surface via summary.
        await driven.catch(() => undefined);
      }
    }
  }

  return {
    summary,
    abort() {
      abortedEarly = true;
      current?.abort('consumer');
    },
    [Symbol.asyncIterator]() {
      if (started) throw new Error('label(): a run can be iterated only once; call label() again to run again');
      started = true;
      return iterate()[Symbol.asyncIterator]();
    },
  };
}

/** Label a corpus into `options.out` (JSONL) and return the summary. */
export async function labelToFile(
  corpus: CorpusInput,
  taxonomy: Taxonomy,
  options: LabelOptions & { out: string },
): Promise<LabelSummary> {
  const run = label(corpus, taxonomy, options);
  for await (const _ of run) {
    /* the lines are written by the run */
  }
  return run.summary;
}
