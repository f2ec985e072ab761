import { createRng } from '@taxonomist/core';
import { BadRequest } from './chat-completions.js';
import type { BatchFaultRule, EmulatedBatch, EmulatedBatchStatus, OpenAIServerOptions } from './types.js';

/** What a batch input line got from the chat logic: a completion body, or an HTTP error status and error body. */
export interface LineAnswer {
  statusCode: number;
  body: Record<string, unknown>;
}

type AnyObj = Record<string, unknown>;

interface StoredFile {
  id: string;
  purpose: string;
  filename: string;
  content: string;
}

interface BatchState extends EmulatedBatch {
  /** Seconds since the epoch (created_at). */
  createdAt: number;
  /** Polls left before the next status step. */
  pollsLeft: number;
  lines: { customId: string; body: AnyObj }[];
  fault?: BatchFaultRule['fault'];
  outputFileId?: string;
  errorFileId?: string;
  errors?: { code: string; message: string; line?: number }[];
  counts: { total: number; completed: number; failed: number };
}

const RUNNING: EmulatedBatchStatus[] = ['validating', 'in_progress', 'finalizing'];

function errorLine(customId: string, index: number, code: string, message: string): string {
  return JSON.stringify({ id: `batch_req_${index}`, custom_id: customId, response: null, error: { code, message } });
}

/**
 * The OpenAI files and batches endpoints, in memory: POST /v1/files (multipart, purpose "batch"), GET
 * /v1/files/{id}/content, POST /v1/batches (with `metadata`), GET /v1/batches (the list, newest first, `limit` and
 * `after`), GET /v1/batches/{id}, POST /v1/batches/{id}/cancel. Each input line is
 * answered by `answer` (the server's chat logic: scripts, default schema samples, content faults) when the batch
 * finishes. A batch steps validating -> in_progress -> finalizing -> completed, one step every `batchPollsPerStep`
 * retrievals (default 1); batch faults (BatchFaultRule) make it fail, expire, be cancelled, fail some lines, or
 * list its results out of order.
 */
export class BatchEmulator {
  private readonly files = new Map<string, StoredFile>();
  private readonly byId = new Map<string, BatchState>();
  readonly batches: BatchState[] = [];
  private rules: BatchFaultRule[];
  private fired: number[];
  private fileCounter = 0;

  constructor(
    private readonly options: OpenAIServerOptions,
    private readonly answer: (body: AnyObj) => Promise<LineAnswer>,
  ) {
    this.rules = options.batchFaults ?? [];
    this.fired = this.rules.map(() => 0);
  }

  setFaults(rules: BatchFaultRule[]): void {
    this.rules = rules;
    this.fired = rules.map(() => 0);
  }

  reset(): void {
    this.files.clear();
    this.byId.clear();
    this.batches.length = 0;
    this.fired = this.rules.map(() => 0);
    this.fileCounter = 0;
  }

  /** Handle a files/batches route; undefined when the path is not one of them. */
  async handle(
    method: string,
    path: string,
    headers: Record<string, string | string[] | undefined>,
    raw: string,
    query: URLSearchParams = new URLSearchParams(),
  ): Promise<{ status: number; payload: string; contentType?: string; lost?: boolean } | undefined> {
    if (method === 'POST' && path === '/v1/files') return this.upload(headers, raw);
    let m = /^\/v1\/files\/([^/]+)\/content$/.exec(path);
    if (method === 'GET' && m) {
      const file = this.files.get(decodeURIComponent(m[1]!));
      if (!file) return notFound(`No such File object: ${m[1]}`);
      return { status: 200, payload: file.content, contentType: 'application/octet-stream' };
    }
    if (method === 'POST' && path === '/v1/batches') return this.create(raw);
    if (method === 'GET' && path === '/v1/batches') return this.list(query);
    m = /^\/v1\/batches\/([^/]+)$/.exec(path);
    if (method === 'GET' && m) {
      const b = this.byId.get(decodeURIComponent(m[1]!));
      if (!b) return notFound(`No batch found with id '${m[1]}'`);
      await this.step(b);
      return ok(this.view(b));
    }
    m = /^\/v1\/batches\/([^/]+)\/cancel$/.exec(path);
    if (method === 'POST' && m) {
      const b = this.byId.get(decodeURIComponent(m[1]!));
      if (!b) return notFound(`No batch found with id '${m[1]}'`);
      if (RUNNING.includes(b.status)) {
        b.status = 'cancelling';
        b.pollsLeft = this.pollsPerStep();
      }
      return ok(this.view(b));
    }
    return undefined;
  }

  private pollsPerStep(): number {
    return Math.max(0, this.options.batchPollsPerStep ?? 1);
  }

  private async upload(headers: Record<string, string | string[] | undefined>, raw: string): Promise<{ status: number; payload: string }> {
    const contentType = String(headers['content-type'] ?? '');
    if (!contentType.startsWith('multipart/form-data')) throw new BadRequest('file uploads must be multipart/form-data');
    const form = await new Request('http://127.0.0.1/', { method: 'POST', headers: { 'content-type': contentType }, body: raw }).formData();
    const purpose = form.get('purpose');
    const file = form.get('file');
    if (purpose !== 'batch') throw new BadRequest(`'purpose' must be "batch" here, got ${JSON.stringify(purpose)}`);
    if (file === null || typeof file === 'string') throw new BadRequest("'file' must be a file part");
    const stored: StoredFile = { id: `file-${++this.fileCounter}`, purpose, filename: file.name, content: await file.text() };
    this.files.set(stored.id, stored);
    return ok({ id: stored.id, object: 'file', bytes: Buffer.byteLength(stored.content), created_at: 1_700_000_000, filename: stored.filename, purpose });
  }

  /** GET /v1/batches: newest first, `limit` (1-100, default 20) a page, `after` a batch id (the page starts after it). */
  private list(query: URLSearchParams): { status: number; payload: string } {
    const limitText = query.get('limit');
    const limit = limitText === null ? 20 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new BadRequest(`'limit' must be an integer from 1 to 100, got ${JSON.stringify(limitText)}`);
    const newest = [...this.batches].reverse();
    const after = query.get('after');
    let from = 0;
    if (after !== null) {
      const at = newest.findIndex((b) => b.id === after);
      if (at < 0) throw new BadRequest(`'after': no batch with id '${after}'`);
      from = at + 1;
    }
    const page = newest.slice(from, from + limit);
    return ok({ object: 'list', data: page.map((b) => this.view(b)), first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null, has_more: from + limit < newest.length });
  }

  private create(raw: string): { status: number; payload: string; lost?: boolean } {
    let body: AnyObj;
    try {
      body = JSON.parse(raw) as AnyObj;
    } catch {
      throw new BadRequest('We could not parse the JSON body of your request.');
    }
    if (body.endpoint !== '/v1/chat/completions') throw new BadRequest(`'endpoint' must be "/v1/chat/completions" here, got ${JSON.stringify(body.endpoint)}`);
    if (body.completion_window !== '24h') throw new BadRequest(`'completion_window' must be "24h", got ${JSON.stringify(body.completion_window)}`);
    const metadata = body.metadata ?? null;
    if (metadata !== null) {
      // OpenAI's limits: at most 16 pairs, keys up to 64 characters, string values up to 512.
      const entries = typeof metadata === 'object' && !Array.isArray(metadata) ? Object.entries(metadata as AnyObj) : undefined;
      if (entries === undefined || entries.length > 16 || entries.some(([k, v]) => k.length > 64 || typeof v !== 'string' || v.length > 512)) {
        throw new BadRequest("'metadata' must be an object of at most 16 string values (keys up to 64 characters, values up to 512)");
      }
    }
    const file = this.files.get(String(body.input_file_id));
    if (!file) throw new BadRequest(`No such File object: ${String(body.input_file_id)}`);
    const lines: { customId: string; body: AnyObj }[] = [];
    const ids = new Set<string>();
    file.content.split('\n').forEach((text, i) => {
      if (text.trim() === '') return;
      let line: AnyObj;
      try {
        line = JSON.parse(text) as AnyObj;
      } catch {
        throw new BadRequest(`input file line ${i + 1} is not JSON`);
      }
      const customId = line.custom_id;
      if (typeof customId !== 'string' || customId === '') throw new BadRequest(`input file line ${i + 1}: custom_id is required`);
      if (ids.has(customId)) throw new BadRequest(`input file line ${i + 1}: duplicate custom_id "${customId}"`);
      if (line.method !== 'POST' || line.url !== '/v1/chat/completions' || typeof line.body !== 'object' || line.body === null) {
        throw new BadRequest(`input file line ${i + 1}: expected method POST, url /v1/chat/completions and a body`);
      }
      ids.add(customId);
      lines.push({ customId, body: line.body as AnyObj });
    });
    const index = this.batches.length;
    const batch: BatchState = {
      id: `batch_${index + 1}`,
      index,
      inputFileId: file.id,
      customIds: lines.map((l) => l.customId),
      status: 'validating',
      polls: 0,
      metadata: metadata as Record<string, string> | null,
      createdAt: Math.floor(Date.now() / 1000),
      pollsLeft: this.pollsPerStep(),
      lines,
      counts: { total: lines.length, completed: 0, failed: 0 },
    };
    const fault = this.pickFault(index);
    if (fault) batch.fault = fault;
    this.batches.push(batch);
    this.byId.set(batch.id, batch);
    return { ...ok(this.view(batch)), ...(fault?.kind === 'lost_response' ? { lost: true } : {}) };
  }

  private pickFault(index: number): BatchFaultRule['fault'] | undefined {
    for (const [i, rule] of this.rules.entries()) {
      if (rule.times !== undefined && this.fired[i]! >= rule.times) continue;
      if (rule.at !== undefined && !(Array.isArray(rule.at) ? rule.at : [rule.at]).includes(index)) continue;
      this.fired[i]!++;
      return rule.fault;
    }
    return undefined;
  }

  /** One retrieval: maybe advance the batch one status step; on reaching a final status, write its files. */
  private async step(b: BatchState): Promise<void> {
    b.polls++;
    if (!RUNNING.includes(b.status) && b.status !== 'cancelling') return;
    if (b.pollsLeft > 0) {
      b.pollsLeft--;
      return;
    }
    b.pollsLeft = this.pollsPerStep();
    const fault = b.fault;
    if (b.status === 'cancelling') return this.finish(b, 'cancelled', 0);
    if (b.status === 'validating') {
      if (fault?.kind === 'failed') {
        b.status = 'failed';
        b.errors = [{ code: 'invalid_request', message: fault.message ?? 'The input file has invalid requests.', line: 1 }];
        b.counts = { total: 0, completed: 0, failed: 0 };
        return;
      }
      b.status = 'in_progress';
      return;
    }
    if (b.status === 'in_progress') {
      if (fault?.kind === 'expired') return this.finish(b, 'expired', fault.completed ?? 0);
      if (fault?.kind === 'cancelled') return this.finish(b, 'cancelled', fault.completed ?? 0);
      b.status = 'finalizing';
      return;
    }
    return this.finish(b, 'completed', b.lines.length);
  }

  /** Run the first `answered` lines through the chat logic; the rest get the final status's error. */
  private async finish(b: BatchState, status: EmulatedBatchStatus, answered: number): Promise<void> {
    const fault = b.fault;
    const failLines = new Set(fault?.kind === 'partial' ? fault.lines : []);
    const output: string[] = [];
    const errors: string[] = [];
    for (const [i, line] of b.lines.entries()) {
      if (i >= answered) {
        const code = status === 'expired' ? 'batch_expired' : 'batch_cancelled';
        errors.push(errorLine(line.customId, i, code, status === 'expired' ? 'This request could not be executed before the completion window expired.' : 'This request was not executed because the batch was cancelled.'));
        continue;
      }
      let answer: LineAnswer;
      if (failLines.has(i)) {
        answer = { statusCode: 500, body: { error: { message: 'The server had an error processing this request.', type: 'server_error', code: 'server_error' } } };
      } else {
        try {
          answer = await this.answer(line.body);
        } catch (err) {
          if (!(err instanceof BadRequest)) throw err;
          answer = { statusCode: 400, body: { error: { message: err.message, type: 'invalid_request_error', code: null } } };
        }
      }
      const text = JSON.stringify({
        id: `batch_req_${b.index}_${i}`,
        custom_id: line.customId,
        response: { status_code: answer.statusCode, request_id: `req_batch_${b.index}_${i}`, body: answer.body },
        error: null,
      });
      (answer.statusCode >= 200 && answer.statusCode < 300 ? output : errors).push(text);
    }
    if (fault?.kind === 'out_of_order' || this.options.batchResultOrder === 'shuffled') {
      shuffle(output, (this.options.seed ?? 0) + b.index);
      shuffle(errors, (this.options.seed ?? 0) + b.index + 7919);
    }
    b.counts = { total: b.lines.length, completed: output.length, failed: errors.length };
    if (output.length > 0) b.outputFileId = this.storeResultFile(`batch_${b.index + 1}_output.jsonl`, output);
    if (errors.length > 0) b.errorFileId = this.storeResultFile(`batch_${b.index + 1}_errors.jsonl`, errors);
    b.status = status;
  }

  private storeResultFile(filename: string, lines: string[]): string {
    const id = `file-${++this.fileCounter}`;
    this.files.set(id, { id, purpose: 'batch_output', filename, content: lines.join('\n') + '\n' });
    return id;
  }

  private view(b: BatchState): AnyObj {
    return {
      id: b.id,
      object: 'batch',
      endpoint: '/v1/chat/completions',
      errors: b.errors ? { object: 'list', data: b.errors } : null,
      input_file_id: b.inputFileId,
      completion_window: '24h',
      status: b.status,
      output_file_id: b.outputFileId ?? null,
      error_file_id: b.errorFileId ?? null,
      created_at: b.createdAt,
      request_counts: { ...b.counts },
      metadata: b.metadata === null ? null : { ...b.metadata },
    };
  }
}

function shuffle<T>(items: T[], seed: number): void {
  const rng = createRng(seed >>> 0);
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

function ok(value: unknown): { status: number; payload: string } {
  return { status: 200, payload: JSON.stringify(value) };
}

function notFound(message: string): { status: number; payload: string } {
  return { status: 404, payload: JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code: null } }) };
}
