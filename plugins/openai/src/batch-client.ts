import {
  BATCH_METADATA_KEYS,
  BatchInfoSchema,
  BatchRequestSchema,
  LlmError,
  isStrictCompatibleSchema,
  splitWithinBatchLimits,
  type BatchClient,
  type BatchInfo,
  type BatchRequest,
  type BatchResult,
  type BatchStatus,
  type BatchSubmitOptions,
  type FoundBatch,
  type LlmErrorKind,
} from '@taxonomist/core';
import { redactText } from '@taxonomist/core/redact';
import { OPENAI_BATCH_PRICE_FACTOR } from './prices.js';
import type { ResolvedOpenAISettings } from './settings.js';

/** OpenAI's limits per batch input file (https://platform.openai.com/docs/api-reference/batch/create). */
export const OPENAI_BATCH_LIMITS = { maxRequests: 50_000, maxBytes: 200 * 1024 * 1024 } as const;

const BATCH_STATUSES: ReadonlySet<string> = new Set(['validating', 'in_progress', 'finalizing', 'completed', 'failed', 'expired', 'cancelling', 'cancelled']);

type AnyObj = Record<string, unknown>;

function isObj(v: unknown): v is AnyObj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kindOfStatus(status: number): LlmErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate_limit';
  if (status >= 500) return 'server';
  return 'bad_request';
}

/** The chat completions body of one request line: the same shape the online client sends for jsonSchema output. */
export function chatCompletionsBody(model: string, r: BatchRequest): AnyObj {
  const body: AnyObj = { model, messages: r.messages.map((m) => ({ role: m.role, content: m.content })) };
  if (r.schema !== undefined) {
    body.response_format = {
      type: 'json_schema',
      json_schema: { name: r.schemaName ?? 'answer', schema: r.schema, strict: isStrictCompatibleSchema(r.schema) },
    };
  }
  if (r.temperature !== undefined) body.temperature = r.temperature;
  if (r.maxTokens !== undefined) body.max_tokens = r.maxTokens;
  if (r.logprobs === true) body.logprobs = true;
  return body;
}

/** One JSONL line of a batch input file. */
export function requestLine(model: string, r: BatchRequest): string {
  return JSON.stringify({ custom_id: r.customId, method: 'POST', url: '/v1/chat/completions', body: chatCompletionsBody(model, r) });
}

function toUsage(u: unknown): { inputTokens: number; outputTokens: number } | undefined {
  if (!isObj(u)) return undefined;
  const i = Number(u.prompt_tokens ?? 0);
  const o = Number(u.completion_tokens ?? 0);
  return { inputTokens: Number.isFinite(i) ? i : 0, outputTokens: Number.isFinite(o) ? o : 0 };
}

function toLogprobs(choice: AnyObj): { token: string; logprob: number; top?: { token: string; logprob: number }[] }[] | undefined {
  const content = isObj(choice.logprobs) ? choice.logprobs.content : undefined;
  if (!Array.isArray(content)) return undefined;
  return content.filter(isObj).map((e) => ({
    token: String(e.token ?? ''),
    logprob: Number(e.logprob ?? 0),
    ...(Array.isArray(e.top_logprobs) ? { top: e.top_logprobs.filter(isObj).map((t) => ({ token: String(t.token ?? ''), logprob: Number(t.logprob ?? 0) })) } : {}),
  }));
}

/** One line of an output or error file -> a result (never throws: a line it cannot read is an error result). */
export function parseResultLine(line: string, where: string): BatchResult | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObj(v) || typeof v.custom_id !== 'string') return undefined;
  const customId = v.custom_id;
  if (isObj(v.error)) {
    return { customId, status: 'error', code: String(v.error.code ?? 'error'), message: redactText(String(v.error.message ?? `request failed (${where})`)) };
  }
  const response = isObj(v.response) ? v.response : undefined;
  const body = response && isObj(response.body) ? response.body : undefined;
  const statusCode = Number(response?.status_code ?? 0);
  if (!body || statusCode < 200 || statusCode >= 300) {
    const err = body && isObj(body.error) ? body.error : undefined;
    return {
      customId,
      status: 'error',
      code: String(err?.code ?? err?.type ?? `http_${statusCode}`),
      message: redactText(`HTTP ${statusCode}: ${String(err?.message ?? 'request failed')}`),
    };
  }
  const usage = toUsage(body.usage);
  const choice = Array.isArray(body.choices) && isObj(body.choices[0]) ? body.choices[0] : undefined;
  const message = choice && isObj(choice.message) ? choice.message : undefined;
  if (message && typeof message.refusal === 'string' && message.refusal.length > 0) {
    return { customId, status: 'error', code: 'refusal', message: redactText(`the model refused: ${message.refusal}`), ...(usage ? { usage } : {}) };
  }
  const content = message?.content;
  if (typeof content !== 'string') {
    return { customId, status: 'error', code: 'invalid_output', message: 'the answer has no text content', ...(usage ? { usage } : {}) };
  }
  const logprobs = choice ? toLogprobs(choice) : undefined;
  return { customId, status: 'ok', text: content, usage: usage ?? { inputTokens: 0, outputTokens: 0 }, ...(logprobs ? { logprobs } : {}) };
}

/** A provider batch object -> BatchInfo. */
export function toBatchInfo(v: unknown): BatchInfo & { outputFileId?: string; errorFileId?: string } {
  if (!isObj(v) || typeof v.id !== 'string' || typeof v.status !== 'string' || !BATCH_STATUSES.has(v.status)) {
    throw new LlmError(`OpenAI batch API: unexpected batch object ${redactText(JSON.stringify(v)).slice(0, 200)}`, { kind: 'unknown' });
  }
  const counts = isObj(v.request_counts) ? v.request_counts : {};
  const errors = isObj(v.errors) && Array.isArray(v.errors.data)
    ? v.errors.data.filter(isObj).map((e) => redactText(`${String(e.code ?? 'error')}${e.line !== undefined && e.line !== null ? ` (line ${String(e.line)})` : ''}: ${String(e.message ?? '')}`))
    : undefined;
  const info = BatchInfoSchema.parse({
    id: v.id,
    status: v.status as BatchStatus,
    counts: { total: Number(counts.total ?? 0), completed: Number(counts.completed ?? 0), failed: Number(counts.failed ?? 0) },
    ...(errors && errors.length > 0 ? { errors } : {}),
  });
  return {
    ...info,
    ...(typeof v.output_file_id === 'string' ? { outputFileId: v.output_file_id } : {}),
    ...(typeof v.error_file_id === 'string' ? { errorFileId: v.error_file_id } : {}),
  };
}

/**
 * OpenAI Batch API client (Files API upload with purpose "batch", /v1/batches) for one chat model, over fetch with
 * the provider's base URL and key. The key goes only into the Authorization header; every message built from a
 * server answer is redacted.
 */
export function createOpenAIBatchClient(
  modelName: string,
  s: ResolvedOpenAISettings,
  options: { limits?: { maxRequests: number; maxBytes: number }; fetch?: typeof fetch } = {},
): BatchClient {
  const limits = options.limits ?? { ...OPENAI_BATCH_LIMITS };
  const doFetch = options.fetch ?? fetch;
  const headers = (): Record<string, string> => ({
    authorization: `Bearer ${s.apiKey}`,
    ...(s.organization ? { 'openai-organization': s.organization } : {}),
  });

  /**
   * One HTTP exchange. 429 and 5xx answers are retried (the server said no, nothing was created); a network failure is
   * not retried for POSTs (the batch might exist) and surfaces to the caller.
   */
  async function call(method: string, path: string, init: { json?: unknown; form?: FormData; signal?: AbortSignal; text?: boolean } = {}): Promise<unknown> {
    const url = `${s.baseURL}${path}`;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await doFetch(url, {
          method,
          headers: { ...headers(), ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
          ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : init.form ? { body: init.form } : {}),
          ...(init.signal ? { signal: init.signal } : {}),
        });
      } catch (err) {
        const aborted = init.signal?.aborted === true;
        throw new LlmError(`OpenAI batch API ${method} ${path}: ${aborted ? 'aborted' : redactText(err instanceof Error ? err.message : String(err))}`, {
          kind: aborted ? 'aborted' : 'network',
          cause: err,
        });
      }
      const text = await res.text();
      if (res.ok) {
        if (init.text) return text;
        try {
          return JSON.parse(text) as unknown;
        } catch {
          throw new LlmError(`OpenAI batch API ${method} ${path}: the answer is not JSON`, { kind: 'server', status: res.status });
        }
      }
      const kind = kindOfStatus(res.status);
      if ((kind === 'rate_limit' || kind === 'server') && attempt < 4 && !init.signal?.aborted) {
        await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
        continue;
      }
      let detail = text.slice(0, 300);
      try {
        const parsed = JSON.parse(text) as { error?: { message?: string; code?: string } };
        if (parsed.error?.message) detail = parsed.error.message;
      } catch {
        /* not JSON: keep the text */
      }
      throw new LlmError(`OpenAI batch API ${method} ${path}: HTTP ${res.status}: ${redactText(detail)}`, { kind, status: res.status });
    }
  }

  async function submitOne(lines: { customId: string; line: string }[], signal?: AbortSignal, metadata?: Record<string, string>): Promise<string> {
    const form = new FormData();
    form.append('purpose', 'batch');
    form.append('file', new Blob([lines.map((l) => l.line).join('\n') + '\n'], { type: 'application/jsonl' }), 'taxonomist-batch.jsonl');
    const file = await call('POST', '/files', { form, ...(signal ? { signal } : {}) });
    if (!isObj(file) || typeof file.id !== 'string') throw new LlmError('OpenAI batch API: file upload answered without an id', { kind: 'server' });
    const batch = await call('POST', '/batches', {
      json: { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', ...(metadata ? { metadata } : {}) },
      ...(signal ? { signal } : {}),
    });
    return toBatchInfo(batch).id;
  }

  async function readFile(fileId: string, signal?: AbortSignal): Promise<BatchResult[]> {
    const text = (await call('GET', `/files/${encodeURIComponent(fileId)}/content`, { text: true, ...(signal ? { signal } : {}) })) as string;
    const out: BatchResult[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const r = parseResultLine(line, `file ${fileId}`);
      // A line without a custom id cannot be matched to a request; its request is reported missing by the caller.
      if (r) out.push(r);
    }
    return out;
  }

  return {
    provider: 'openai',
    model: modelName,
    priceFactor: OPENAI_BATCH_PRICE_FACTOR,
    limits,
    async submit(requests: readonly BatchRequest[], opts: BatchSubmitOptions = {}): Promise<string[]> {
      const seen = new Set<string>();
      const lines = requests.map((r, i) => {
        const parsed = BatchRequestSchema.safeParse(r);
        if (!parsed.success) throw new TypeError(`batch request #${i}: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
        if (seen.has(r.customId)) throw new TypeError(`batch request #${i}: custom id "${r.customId}" is used twice`);
        seen.add(r.customId);
        return { customId: r.customId, line: requestLine(modelName, parsed.data) };
      });
      const ids: string[] = [];
      let start = 0;
      for (const chunk of splitWithinBatchLimits(lines, limits)) {
        // The key and the chunk's place among the requests: findSubmitted maps a found batch back to its requests.
        const metadata = opts.submissionKey === undefined ? undefined : { [BATCH_METADATA_KEYS.key]: opts.submissionKey, [BATCH_METADATA_KEYS.start]: String(start), [BATCH_METADATA_KEYS.count]: String(chunk.length) };
        start += chunk.length;
        const id = await submitOne(chunk, opts.signal, metadata);
        ids.push(id);
        await opts.onSubmitted?.({ id, customIds: chunk.map((l) => l.customId) });
      }
      return ids;
    },
    async poll(id, opts = {}) {
      const { outputFileId: _o, errorFileId: _e, ...info } = toBatchInfo(await call('GET', `/batches/${encodeURIComponent(id)}`, opts));
      return info;
    },
    async fetchResults(id, opts = {}) {
      const info = toBatchInfo(await call('GET', `/batches/${encodeURIComponent(id)}`, opts));
      const out: BatchResult[] = [];
      if (info.outputFileId) out.push(...(await readFile(info.outputFileId, opts.signal)));
      if (info.errorFileId) out.push(...(await readFile(info.errorFileId, opts.signal)));
      return out;
    },
    async findSubmitted(submissionKey, opts = {}): Promise<FoundBatch[]> {
      // GET /batches lists newest first, 100 a page: stop at the end, or at batches created well before the key was
      // recorded (an hour of slack for clock skew between this machine and the provider).
      const oldest = opts.since === undefined ? undefined : Math.floor(opts.since / 1000) - 3600;
      const found: FoundBatch[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await call('GET', `/batches?limit=100${after ? `&after=${encodeURIComponent(after)}` : ''}`, opts.signal ? { signal: opts.signal } : {});
        const data = isObj(page) && Array.isArray(page.data) ? page.data.filter(isObj) : [];
        let older = false;
        for (const b of data) {
          if (oldest !== undefined && typeof b.created_at === 'number' && b.created_at < oldest) older = true;
          const m = isObj(b.metadata) ? b.metadata : undefined;
          if (m === undefined || m[BATCH_METADATA_KEYS.key] !== submissionKey || typeof b.id !== 'string') continue;
          const start = Number(m[BATCH_METADATA_KEYS.start]);
          const count = Number(m[BATCH_METADATA_KEYS.count]);
          if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 1) {
            throw new LlmError(`OpenAI batch API: batch ${b.id} carries the submission key but unreadable request positions`, { kind: 'unknown' });
          }
          found.push({ id: b.id, start, count });
        }
        const last = data.at(-1)?.id;
        if (older || !(isObj(page) && page.has_more === true) || typeof last !== 'string') break;
        after = last;
      }
      return found.sort((a, b) => a.start - b.start);
    },
    async cancel(id, opts = {}) {
      const { outputFileId: _o, errorFileId: _e, ...info } = toBatchInfo(await call('POST', `/batches/${encodeURIComponent(id)}/cancel`, opts));
      return info;
    },
  };
}
