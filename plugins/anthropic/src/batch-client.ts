import {
  BatchInfoSchema,
  BatchRequestSchema,
  LlmError,
  splitWithinBatchLimits,
  type BatchClient,
  type BatchInfo,
  type BatchRequest,
  type BatchResult,
  type BatchSubmitOptions,
  type LlmErrorKind,
} from '@taxonomist/core';
import { redactText } from '@taxonomist/core/redact';
import { ANTHROPIC_BATCH_PRICE_FACTOR } from './prices.js';
import type { ResolvedAnthropicSettings } from './settings.js';

/** Message Batches limits per batch (https://docs.anthropic.com/en/docs/build-with-claude/batch-processing). */
export const ANTHROPIC_BATCH_LIMITS = { maxRequests: 100_000, maxBytes: 256 * 1024 * 1024 } as const;
/** Anthropic requires max_tokens; used when a request sets none. */
export const ANTHROPIC_BATCH_DEFAULT_MAX_TOKENS = 1024;
const ANTHROPIC_VERSION = '2023-06-01';

type AnyObj = Record<string, unknown>;
const isObj = (v: unknown): v is AnyObj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The Messages API params of one request: system prompt apart, and structured output as a forced tool call (the
 * provider's structured method, 'functionCalling'), whose input is the answer.
 */
export function messageParams(model: string, r: BatchRequest): AnyObj {
  const system = r.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
  const params: AnyObj = {
    model,
    max_tokens: r.maxTokens ?? ANTHROPIC_BATCH_DEFAULT_MAX_TOKENS,
    messages: r.messages.filter((m) => m.role !== 'system').map((m) => ({ role: m.role, content: m.content })),
  };
  if (system !== '') params.system = system;
  if (r.temperature !== undefined) params.temperature = r.temperature;
  if (r.schema !== undefined) {
    const name = r.schemaName ?? 'answer';
    params.tools = [{ name, description: `Answer with ${name}`, input_schema: r.schema }];
    params.tool_choice = { type: 'tool', name };
  }
  return params;
}

/** One line of a results file -> a result; undefined for a line without a custom id. */
export function parseAnthropicResultLine(line: string): BatchResult | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObj(v) || typeof v.custom_id !== 'string' || !isObj(v.result)) return undefined;
  const customId = v.custom_id;
  const result = v.result;
  if (result.type === 'canceled') return { customId, status: 'error', code: 'batch_cancelled', message: 'the request was not run: the batch was cancelled' };
  if (result.type === 'expired') return { customId, status: 'error', code: 'batch_expired', message: 'the request was not run before the batch expired' };
  if (result.type === 'errored') {
    const outer = isObj(result.error) ? result.error : {};
    const inner = isObj(outer.error) ? outer.error : outer;
    return { customId, status: 'error', code: String(inner.type ?? 'error'), message: redactText(String(inner.message ?? 'the request failed')) };
  }
  const message = isObj(result.message) ? result.message : {};
  const u = isObj(message.usage) ? message.usage : {};
  const usage = { inputTokens: Number(u.input_tokens ?? 0) || 0, outputTokens: Number(u.output_tokens ?? 0) || 0 };
  if (message.stop_reason === 'refusal') return { customId, status: 'error', code: 'refusal', message: 'the model refused', usage };
  const content = Array.isArray(message.content) ? message.content.filter(isObj) : [];
  const tool = content.find((c) => c.type === 'tool_use');
  if (tool !== undefined) return { customId, status: 'ok', text: JSON.stringify(tool.input ?? {}), usage };
  const text = content.filter((c) => c.type === 'text').map((c) => String(c.text ?? '')).join('');
  return { customId, status: 'ok', text, usage };
}

/** A message batch object -> BatchInfo (Anthropic has one 'ended' status: the counts say how it ended). */
export function toAnthropicBatchInfo(v: unknown): BatchInfo & { resultsUrl?: string } {
  if (!isObj(v) || typeof v.id !== 'string' || typeof v.processing_status !== 'string') {
    throw new LlmError(`Anthropic batch API: unexpected batch object ${redactText(JSON.stringify(v)).slice(0, 200)}`, { kind: 'unknown' });
  }
  const c = isObj(v.request_counts) ? v.request_counts : {};
  const n = (k: string): number => Number(c[k] ?? 0) || 0;
  const total = n('processing') + n('succeeded') + n('errored') + n('canceled') + n('expired');
  let status: BatchInfo['status'];
  if (v.processing_status === 'in_progress') status = 'in_progress';
  else if (v.processing_status === 'canceling') status = 'cancelling';
  else if (n('succeeded') + n('errored') === 0 && n('expired') > 0) status = 'expired';
  else if (n('succeeded') + n('errored') === 0 && n('canceled') > 0) status = 'cancelled';
  else status = 'completed';
  const info = BatchInfoSchema.parse({ id: v.id, status, counts: { total, completed: n('succeeded'), failed: n('errored') + n('canceled') + n('expired') } });
  return { ...info, ...(typeof v.results_url === 'string' ? { resultsUrl: v.results_url } : {}) };
}

function kindOfStatus(status: number): LlmErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate_limit';
  if (status >= 500) return 'server';
  return 'bad_request';
}

/**
 * Anthropic Message Batches client (POST /v1/messages/batches with the requests inline, GET /v1/messages/batches/{id},
 * the results_url JSONL, POST .../cancel) for one model, over fetch. The key goes only into the x-api-key header;
 * every message built from a server answer is redacted.
 */
export function createAnthropicBatchClient(
  modelName: string,
  s: ResolvedAnthropicSettings,
  options: { limits?: { maxRequests: number; maxBytes: number }; fetch?: typeof fetch } = {},
): BatchClient {
  const limits = options.limits ?? { ...ANTHROPIC_BATCH_LIMITS };
  const doFetch = options.fetch ?? fetch;
  async function call(method: string, url: string, init: { json?: unknown; signal?: AbortSignal; text?: boolean } = {}): Promise<unknown> {
    let res: Response;
    try {
      res = await doFetch(url, {
        method,
        headers: { 'x-api-key': s.apiKey, 'anthropic-version': ANTHROPIC_VERSION, ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
        ...(init.signal ? { signal: init.signal } : {}),
      });
    } catch (err) {
      const aborted = init.signal?.aborted === true;
      throw new LlmError(`Anthropic batch API ${method}: ${aborted ? 'aborted' : redactText(err instanceof Error ? err.message : String(err))}`, { kind: aborted ? 'aborted' : 'network', cause: err });
    }
    const text = await res.text();
    if (!res.ok) {
      let detail = text.slice(0, 300);
      try {
        const e = JSON.parse(text) as { error?: { message?: string } };
        if (e.error?.message) detail = e.error.message;
      } catch {
        /* not JSON */
      }
      throw new LlmError(`Anthropic batch API ${method} ${new URL(url).pathname}: HTTP ${res.status}: ${redactText(detail)}`, { kind: kindOfStatus(res.status), status: res.status });
    }
    if (init.text) return text;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new LlmError(`Anthropic batch API ${method}: the answer is not JSON`, { kind: 'server', status: res.status });
    }
  }
  const batchUrl = (id?: string, suffix = ''): string => `${s.baseURL}/v1/messages/batches${id !== undefined ? `/${encodeURIComponent(id)}` : ''}${suffix}`;
  const info = async (v: Promise<unknown>): Promise<BatchInfo> => {
    const { resultsUrl: _r, ...rest } = toAnthropicBatchInfo(await v);
    return rest;
  };
  return {
    provider: 'anthropic',
    model: modelName,
    priceFactor: ANTHROPIC_BATCH_PRICE_FACTOR,
    limits,
    async submit(requests: readonly BatchRequest[], opts: BatchSubmitOptions = {}): Promise<string[]> {
      const seen = new Set<string>();
      const items = requests.map((r, i) => {
        const parsed = BatchRequestSchema.safeParse(r);
        if (!parsed.success) throw new TypeError(`batch request #${i}: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
        if (seen.has(r.customId)) throw new TypeError(`batch request #${i}: custom id "${r.customId}" is used twice`);
        seen.add(r.customId);
        const entry = { custom_id: r.customId, params: messageParams(modelName, parsed.data) };
        return { customId: r.customId, entry, line: JSON.stringify(entry) };
      });
      const ids: string[] = [];
      for (const chunk of splitWithinBatchLimits(items, limits)) {
        const created = toAnthropicBatchInfo(await call('POST', batchUrl(), { json: { requests: chunk.map((c) => c.entry) }, ...(opts.signal ? { signal: opts.signal } : {}) }));
        ids.push(created.id);
        await opts.onSubmitted?.({ id: created.id, customIds: chunk.map((c) => c.customId) });
      }
      return ids;
    },
    poll: (id, opts = {}) => info(call('GET', batchUrl(id), opts)),
    cancel: (id, opts = {}) => info(call('POST', batchUrl(id, '/cancel'), opts)),
    async fetchResults(id, opts = {}) {
      const batch = toAnthropicBatchInfo(await call('GET', batchUrl(id), opts));
      if (batch.resultsUrl === undefined) return [];
      const text = (await call('GET', batch.resultsUrl, { text: true, ...(opts.signal ? { signal: opts.signal } : {}) })) as string;
      const out: BatchResult[] = [];
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        const r = parseAnthropicResultLine(line);
        if (r) out.push(r);
      }
      return out;
    },
  };
}
