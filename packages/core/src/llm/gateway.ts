import { z } from 'zod';
import type { PluginHost, ProviderDefinition, ProviderSettings } from '../plugins/types.js';
import { createRng } from '../util/random.js';
import { countTokens } from '../tokens/index.js';
import { countPromptMessagesTokens } from './prompt-tokens.js';
import type {
  ChatMessage,
  ChatModelRef,
  Clock,
  EmbedRequest,
  EmbedResult,
  EmbeddingsRef,
  Gateway,
  PriceTable,
  ResolvedChatModel,
  ResolvedEmbeddings,
  RetryPolicy,
  StructuredRequest,
  StructuredResult,
  TextRequest,
  TextResult,
  TokenUsage,
} from './types.js';
import { LlmError, classifyError } from './errors.js';
import { systemClock } from './clock.js';
import { DEFAULT_ATTEMPT_TIMEOUT_MS, DEFAULT_RETRY_POLICY, runWithRetry, type RetryInfo } from './retry.js';
import { Semaphore, requestsPerMinuteBucket, tokensPerMinuteBucket } from './limits.js';
import { RateGovernor } from './rate-governor.js';
import type { StatedRateLimits } from './rate-limit-hints.js';
import {
  ChatCacheEntrySchema,
  EmbedCacheEntrySchema,
  FileCacheStore,
  chatCacheKey,
  createCacheStore,
  embedCacheKey,
  type CacheStore,
  type ChatCacheEntry,
} from './cache.js';
import { GuardedCache } from './cache-guard.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { extractJson } from './json-extract.js';
import { PriceBook } from './prices.js';
import { UsageLedger } from './accounting.js';
import { SpendBudget, type BudgetHold, type BudgetTicket } from './budget.js';
import { createBatchAccount } from './batch-account.js';
import { ModelResolver, providerListResolver, type ProviderResolver } from './resolve.js';
import {
  bindStructured,
  findLogprobs,
  findRefusal,
  findUsage,
  messageText,
  modelWithParams,
  providerJsonSchema,
  structuredRaw,
  toLangChainMessages,
  unwrapMessage,
  type Invocable,
} from './model-call.js';

/**
 * Where observer and transform hooks go (the plugin host provides both). Loosely typed on purpose so any host
 * implementation fits; payloads follow ObserverHooks / TransformHooks in plugins/types.ts.
 */
export interface GatewayHooks {
  emit?(name: string, payload: any): unknown;
  transform?(name: string, value: any, ctx: any): unknown;
}

/** A resolver that is a whole plugin host (core's createPluginHost), not just a provider lookup. */
function isPluginHost(r: unknown): r is PluginHost {
  const o = r as Partial<PluginHost> | undefined;
  return typeof o?.emit === 'function' && typeof o.prompt === 'function' && typeof o.registry === 'function' && typeof o.hasHook === 'function';
}

export interface GatewayOptions {
  /** Providers for "provider:model" ids (alternative to `resolver`). */
  providers?: ProviderDefinition[];
  /** Provider lookup, typically the plugin host. Its emit/transform/prices are used when present. */
  resolver?: ProviderResolver & GatewayHooks & { prices?(): PriceTable };
  /** Settings handed to provider factories, by provider id (API keys go here or in the environment; never cached). */
  providerSettings?: Record<string, ProviderSettings>;
  /** Observer/transform hooks (default: the resolver's, if it has them). */
  hooks?: GatewayHooks;
  /**
   * `{ dir }` for the on-disk cache, a CacheStore, or false/undefined for none. A cache that fails (unwritable or
   * missing directory, a path that is a file, a store that throws) is warned about once through `onWarning` and
   * then left alone: calls go on without it. Corrupt entries are misses (warned once) and get overwritten.
   */
  cache?: { dir: string } | CacheStore | false;
  /** Recoverable problems the caller should hear about, one line each (default: process.emitWarning). */
  onWarning?: (message: string) => void;
  retry?: Partial<RetryPolicy>;
  /** Per-attempt timeout in ms (default 60 000): a request unanswered after this long is a 'timeout' (retried). */
  attemptTimeoutMs?: number;
  /**
   * Stop calling the provider after this many calls in a row failed (after retries) with the same kind of error
   * (default 10; 0 = never): every later call fails at once with ProviderStoppedError. An auth or quota error stops
   * it at the first occurrence whatever this says.
   */
  maxConsecutiveFailures?: number;
  clock?: Clock;
  /** Uniform [0, 1) source for backoff jitter (default: seeded with `seed`). */
  random?: () => number;
  seed?: number;
  /** Requests in flight at once, across all models (default 8). */
  maxConcurrency?: number;
  /**
   * The provider's rate limit, when known: requests and tokens per minute, paced per second on the client (token
   * buckets holding one second's worth, as providers enforce their limits over short windows), so the provider
   * sees no bursts. Without it the gateway learns the limit from the 429s (see `adaptiveConcurrency`).
   */
  rateLimit?: { rpm?: number; tpm?: number };
  /** Same as `rateLimit.rpm`. */
  requestsPerMinute?: number;
  /** Same as `rateLimit.tpm`. */
  tokensPerMinute?: number;
  /**
   * Adapt each model's requests in flight to its provider's rate limit (default true): a 429 halves them (AIMD),
   * successes grow them back by one per window up to `maxConcurrency`, and a 429's Retry-After holds every new
   * request of that model until then. false: a fixed `maxConcurrency`.
   */
  adaptiveConcurrency?: boolean;
  /** Output tokens assumed for the tokens-per-minute limit and the spending budget when a request sets no maxTokens (default 512). */
  assumedOutputTokens?: number;
  /** Re-asks after invalid structured answers (default 2). */
  maxRepairs?: number;
  /** USD per 1M tokens; overrides providers' and the default prices. */
  prices?: PriceTable;
  /** Texts per embeddings request (default 64). */
  embedBatchSize?: number;
  /**
   * One spending cap in USD for every call through this gateway (or a SpendBudget shared with other gateways).
   * Each attempt is checked before it is made with its estimated cost: prompt tokens (tiktoken) plus the request's
   * maxTokens, else its expectedOutputTokens, else `assumedOutputTokens`, as output. A call that would go over is not made: it
   * throws BudgetExceededError (kind 'budget'). Models without a known price cost 0 and are never stopped.
   */
  budget?: number | SpendBudget;
}

const SCHEMA_NAME_RE = /[^a-zA-Z0-9_-]/g;

function schemaNameOf(name: string | undefined): string {
  const cleaned = (name ?? 'response').replace(SCHEMA_NAME_RE, '_').slice(0, 64);
  return cleaned || 'response';
}

function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  const out: TokenUsage = { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens };
  if (a.estimated || b.estimated) out.estimated = true;
  return out;
}

type Check<T> = { ok: true; value: T; json: unknown } | { ok: false; error: string };

function checkAnswer<T>(raw: string, schema: z.ZodType<T>, validate?: (v: T) => string[]): Check<T> {
  const extracted = extractJson(raw);
  if (!extracted.ok) return { ok: false, error: `the answer is not valid JSON: ${extracted.error}` };
  return checkValue(extracted.value, schema, validate);
}

function checkValue<T>(json: unknown, schema: z.ZodType<T>, validate?: (v: T) => string[]): Check<T> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, error: `the JSON does not match the schema:\n${z.prettifyError(parsed.error)}` };
  const problems = validate ? validate(parsed.data) : [];
  if (problems.length > 0) return { ok: false, error: `the answer is not acceptable:\n${problems.map((p) => `- ${p}`).join('\n')}` };
  return { ok: true, value: parsed.data, json };
}

/**
 * A 200 response without choices (a non-JSON body the openai client returns as text, or `choices: []`) makes
 * LangChain's invoke() (or the openai client's json_schema parser) read a property of nothing and throw a TypeError. It is a bad response
 * from the server, so it is retried like a malformed body.
 */
const NO_GENERATION = /Cannot read properties of (undefined|null) \(reading '(message|text|0|map|choices)'\)/;

function asMalformedResponse(err: unknown): unknown {
  if (err instanceof TypeError && NO_GENERATION.test(err.message)) {
    const e = new Error(`malformed response: the provider answered without a message (${err.message})`, { cause: err });
    e.name = 'MalformedResponseError';
    return e;
  }
  return err;
}

/** An error the client threw after the model answered (cut off at the token limit, content filter): billed. */
function clientDiscardedAnswer(err: unknown): boolean {
  const kind = classifyError(err).kind;
  return kind === 'invalid_output' || kind === 'refusal';
}

const jsonSchemas = new WeakMap<object, Record<string, unknown>>();

/**
 * JSON Schema sent to the model, memoised per schema object. The output shape is preferred (closed objects, which
 * strict structured output needs); schemas with transforms only have an input shape, which is what the model
 * writes anyway since we parse its answer with the schema.
 */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  let out = jsonSchemas.get(schema);
  if (!out) {
    let raw: unknown;
    try {
      raw = z.toJSONSchema(schema);
    } catch {
      try {
        raw = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
      } catch (err) {
        throw new Error(`the schema cannot be expressed as JSON Schema: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    out = providerJsonSchema(raw as Record<string, unknown>);
    jsonSchemas.set(schema, out);
  }
  return out;
}

function repairMessage(error: string): string {
  return `Your previous answer was invalid: ${error}\nReply again with only the corrected JSON, matching the schema exactly.`;
}

/** Build the gateway: the one way every phase calls a model (see README "LLM gateway"). */
export function createGateway(options: GatewayOptions = {}): Gateway {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? ((rng) => () => rng.next())(createRng(options.seed ?? 0x7a3));
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const attemptTimeoutMs = options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
  const maxRepairsDefault = options.maxRepairs ?? 2;
  const embedBatchSize = Math.max(1, options.embedBatchSize ?? 64);
  const assumedOutputTokens = options.assumedOutputTokens ?? 512;
  const warn = options.onWarning ?? ((message: string) => process.emitWarning(message, 'TaxonomistWarning'));
  const store = createCacheStore(options.cache);
  const cache = store
    ? new GuardedCache(store, warn, store instanceof FileCacheStore ? store.dir : 'store')
    : undefined;
  const semaphore = new Semaphore(options.maxConcurrency ?? 8);
  // One breaker per model id: a dead key or server for one model says nothing about another (ensembles).
  if (options.maxConsecutiveFailures !== undefined && !(options.maxConsecutiveFailures >= 0)) {
    throw new RangeError(`maxConsecutiveFailures must be >= 0, got ${options.maxConsecutiveFailures}`);
  }
  const breakers = new Map<string, CircuitBreaker>();
  const breakerFor = (modelId: string): CircuitBreaker => {
    let b = breakers.get(modelId);
    if (!b) {
      const breakerOptions = { clock, rateLimitStallMs: policy.rateLimitPatienceMs, maxRetryAfterMs: policy.maxRetryAfterMs };
      breakers.set(modelId, (b = new CircuitBreaker(options.maxConsecutiveFailures, breakerOptions)));
    }
    return b;
  };
  // Rate limits are per model (per provider key, really): one model's 429s do not slow another (ensembles).
  const governors = new Map<string, RateGovernor>();
  const adaptive = options.adaptiveConcurrency ?? true;
  const governorFor = (modelId: string): RateGovernor | undefined => {
    if (!adaptive) return undefined;
    let g = governors.get(modelId);
    if (!g) governors.set(modelId, (g = new RateGovernor(semaphore.max, clock)));
    return g;
  };
  const rpmLimit = options.rateLimit?.rpm ?? options.requestsPerMinute;
  const tpmLimit = options.rateLimit?.tpm ?? options.tokensPerMinute;
  for (const [name, v] of [['rpm', rpmLimit], ['tpm', tpmLimit]] as const) {
    if (v !== undefined && !(v > 0 && Number.isFinite(v))) throw new RangeError(`rateLimit.${name} must be a positive number, got ${v}`);
  }
  // Requests are paced evenly (one every 60/rpm s, catching up after a stall with at most half a second's worth);
  // tokens may burst up to one second's worth, since request sizes vary. A minute's budget spent at once is what
  // providers answer with 429s.
  const rpm = rpmLimit ? requestsPerMinuteBucket(rpmLimit, clock) : undefined;
  const tpm = tpmLimit ? tokensPerMinuteBucket(tpmLimit, clock) : undefined;
  const hooks: GatewayHooks = options.hooks ?? options.resolver ?? {};

  const prices = new PriceBook(options.prices ?? {});
  const resolverParts: ProviderResolver[] = [];
  if (options.resolver) resolverParts.push(options.resolver);
  if (options.providers?.length) resolverParts.push(providerListResolver(options.providers));
  for (const p of options.providers ?? []) if (p.prices) prices.addProviderPrices(p.id, p.prices);
  const hostPrices = options.resolver?.prices?.();
  if (hostPrices) prices.addPrices(hostPrices);
  const resolver: ProviderResolver = {
    getProvider: (id) => {
      for (const r of resolverParts) {
        const p = r.getProvider(id);
        if (p) return p;
      }
      return undefined;
    },
    providers: () => resolverParts.flatMap((r) => (r.providers?.() ?? []).map((p) => (typeof p === 'string' ? p : p.id))),
  };
  const models = new ModelResolver({
    resolver,
    providerSettings: options.providerSettings ?? {},
    onProvider: (p) => {
      if (p.prices) prices.addProviderPrices(p.id, p.prices);
    },
  });
  const ledger = new UsageLedger(prices);
  const budget = options.budget === undefined ? undefined : options.budget instanceof SpendBudget ? options.budget : new SpendBudget(options.budget);

  const emit = async (name: string, payload: unknown): Promise<void> => {
    if (hooks.emit) await hooks.emit(name, payload);
  };

  const transformMessages = async (messages: ChatMessage[], promptId: string, stage: string): Promise<ChatMessage[]> => {
    if (!hooks.transform) return messages;
    const out = (await hooks.transform('prompt:messages', messages, { promptId, stage })) as ChatMessage[] | undefined;
    if (!Array.isArray(out)) throw new Error(`'prompt:messages' transform for prompt "${promptId}" did not return a message list`);
    return out;
  };

  /**
   * Concurrency slot, then request and token limits, then the spending budget (last, so the estimate is reserved
   * only for an attempt about to start); the slot is given back if a wait is aborted or the budget refuses.
   */
  const acquire = async (signal: AbortSignal | undefined, tokens: () => number, stage: string, modelId: string, reserve?: () => void): Promise<() => void> => {
    // Checked before and after waiting for a slot: calls queued when the provider was stopped send nothing.
    const breaker = breakerFor(modelId);
    breaker.check(`${stage} ${modelId}`);
    // The model's own (adaptive) limit and pause first, so a rate-limited model holds no slot other models could use.
    const leave = await governorFor(modelId)?.enter(signal);
    let release: (() => void) | undefined;
    try {
      release = await semaphore.acquire(signal);
      breaker.check(`${stage} ${modelId}`);
      const governor = governorFor(modelId);
      const estimate = tpm || governor?.statedLimits ? tokens() : 0;
      if (rpm) await rpm.take(1, signal);
      if (tpm) await tpm.take(estimate, signal);
      // Limits the provider stated in its 429s' headers pace like configured ones.
      if (governor?.statedLimits) await governor.paceStated(estimate, signal);
      reserve?.();
    } catch (err) {
      release?.();
      leave?.();
      throw err;
    }
    const slot = release;
    return () => {
      slot();
      leave?.();
    };
  };

  /** Retry hooks feeding a model's governor: 429s cut its concurrency and pause it, successes grow it back. */
  const governorHooks = (modelId: string) => {
    const g = governorFor(modelId);
    return g
      ? {
          onRateLimited: (i: { startedAt: number; delayMs: number; statedLimits?: StatedRateLimits }) => g.rateLimited(i.startedAt, i.delayMs, i.statedLimits),
          onSuccess: () => g.succeeded(),
        }
      : {};
  };

  const retryHook = (stage: string, modelId: string) => (info: RetryInfo) =>
    emit('llm:retry', { stage, modelId, attempt: info.attempt, delayMs: info.delayMs, error: info.error });

  const abortedNow = (stage: string, modelId: string): LlmError =>
    new LlmError(`${stage} ${modelId}: aborted by the caller`, { kind: 'aborted', attempts: 0, retryable: false });

  /** One chat request through retries and limits; returns the answer message and its (maybe estimated) usage. */
  const chatTransport = async (
    runnable: Invocable,
    convo: ChatMessage[],
    callOptions: Record<string, unknown>,
    ctx: { stage: string; modelId: string; maxTokens?: number; expectedOutputTokens?: number; signal?: AbortSignal; hold?: BudgetHold },
  ): Promise<{ msg: unknown; attempts: number; usage: TokenUsage }> => {
    let estimate = 0;
    const outputEstimate = ctx.maxTokens ?? ctx.expectedOutputTokens ?? assumedOutputTokens;
    let ticket: BudgetTicket | undefined;
    const { hold } = ctx;
    const lcMessages = await toLangChainMessages(convo);
    const reserve = hold
      ? () => {
          const worst = { inputTokens: countPromptMessagesTokens(convo), outputTokens: outputEstimate };
          ticket = hold.reserve(prices.cost(ctx.modelId, worst));
        }
      : undefined;
    let out: Awaited<ReturnType<typeof runWithRetry<unknown>>>;
    try {
      out = await runWithRetry(
        async (signal) => {
          const mine = ticket;
          try {
            return unwrapMessage(await runnable.invoke(lcMessages, { ...callOptions, signal, maxRetries: 0 }));
          } catch (err) {
            // An attempt that failed unbilled gives its reservation back; an answer the client threw away (cut off,
            // filtered) was billed and is charged below.
            if (!clientDiscardedAnswer(err)) hold?.drop(mine);
            throw asMalformedResponse(err);
          }
        },
        {
          policy,
          clock,
          random,
          signal: ctx.signal,
          attemptTimeoutMs,
          label: `${ctx.stage} ${ctx.modelId}`,
          acquire: (signal) =>
            acquire(signal, () => (estimate = countPromptMessagesTokens(convo) + outputEstimate), ctx.stage, ctx.modelId, reserve),
          onRetry: retryHook(ctx.stage, ctx.modelId),
          ...governorHooks(ctx.modelId),
        },
      );
    } catch (err) {
      const billed = discardedAnswerUsage(err, convo, ctx.maxTokens);
      if (billed) hold?.charge(ticket, prices.cost(ctx.modelId, billed));
      throw err;
    }
    const reported = findUsage(out.value);
    const usage: TokenUsage = reported ?? {
      inputTokens: countPromptMessagesTokens(convo),
      outputTokens: countTokens(structuredRaw(out.value, 'prompt') || messageText(out.value)),
      estimated: true,
    };
    hold?.charge(ticket, prices.cost(ctx.modelId, usage));
    tpm?.adjust(usage.inputTokens + usage.outputTokens - estimate);
    governorFor(ctx.modelId)?.settleTokens(usage.inputTokens + usage.outputTokens - estimate);
    return { msg: out.value, attempts: out.attempts, usage };
  };

  /**
   * The tokens of an answer the client threw away with its usage (openai's LengthFinishReasonError /
   * ContentFilterFinishReasonError, surfacing as an LlmError without raw): billed, so estimated. A cut-off answer
   * is maxTokens long; a filtered one's length is unknown, only its prompt is counted.
   */
  const discardedAnswerUsage = (err: unknown, convo: ChatMessage[], maxTokens: number | undefined): TokenUsage | undefined => {
    if (!(err instanceof LlmError) || err.raw !== undefined || (err.kind !== 'invalid_output' && err.kind !== 'refusal')) return undefined;
    const output = err.kind === 'invalid_output' ? (maxTokens ?? assumedOutputTokens) : 0;
    return { inputTokens: countPromptMessagesTokens(convo), outputTokens: output, estimated: true };
  };

  const readChatCache = async (key: string | undefined, kind: ChatCacheEntry['kind']): Promise<ChatCacheEntry | undefined> => {
    if (!key || !cache) return undefined;
    const value = await cache.get(key);
    if (value === undefined) return undefined;
    const entry = ChatCacheEntrySchema.safeParse(value);
    if (entry.success && entry.data.kind === kind) return entry.data;
    cache.corrupt(key);
    return undefined;
  };

  const fail = async (stage: string, modelId: string, err: unknown, attempts: number, usage: TokenUsage): Promise<never> => {
    if (err instanceof LlmError) {
      err.attempts = attempts;
      // Answered attempts were billed even though the call failed: the caller's budget must see them too.
      if (usage.inputTokens > 0 || usage.outputTokens > 0) err.usage = { ...usage };
    }
    // A failure that stops the provider (auth, quota, too many in a row) comes back as ProviderStoppedError.
    const thrown = breakerFor(modelId).failure(err);
    ledger.record({ stage, modelId, cached: false, failed: true, attempts, usage });
    await emit('llm:error', { stage, modelId, error: thrown instanceof Error ? thrown : new Error(String(thrown)) });
    throw thrown;
  };

  const gateway: Gateway = {
    ...(isPluginHost(options.resolver) ? { host: options.resolver } : {}),
    resolveChatModel: (ref: ChatModelRef): Promise<ResolvedChatModel> => models.resolveChat(ref),
    resolveEmbeddings: (ref: EmbeddingsRef): Promise<ResolvedEmbeddings> => models.resolveEmbeddings(ref),
    resolveBatch: (modelId: string) => models.resolveBatch(modelId),
    usage: () => ledger.report(),
    budget: () => budget?.state(),
    batchAccount: (stage, modelId, priceFactor) => createBatchAccount({ ledger, prices, budget, stage, modelId, priceFactor }),
    rateLimits: () => Object.fromEntries([...governors].map(([id, g]) => [id, g.state()])),
    cost: (modelId, usage) => prices.cost(modelId, usage),

    async structured<T>(req: StructuredRequest<T>): Promise<StructuredResult<T>> {
      const started = clock.now();
      const resolved = await models.resolveChat(req.model);
      const modelId = resolved.id;
      if (req.signal?.aborted) throw abortedNow(req.stage, modelId);
      const method = req.method && req.method !== 'auto' ? req.method : resolved.structuredMethod;
      const messages = await transformMessages(req.messages, req.promptId ?? req.stage, req.stage);
      const schemaName = schemaNameOf(req.schemaName);
      const jsonSchema = jsonSchemaOf(req.schema);
      const logprobs = Boolean(req.logprobs && resolved.supportsLogprobs);
      const key =
        cache && req.cache !== false
          ? chatCacheKey({
              kind: 'structured',
              modelId,
              endpoint: resolved.endpoint,
              messages,
              temperature: req.temperature,
              maxTokens: req.maxTokens,
              method,
              logprobs,
              jsonSchema,
              schemaName,
              cacheSalt: req.cacheSalt,
            })
          : undefined;

      const hit = await readChatCache(key, 'structured');
      if (hit) {
        const checked = checkValue(hit.json, req.schema, req.validate);
        if (checked.ok) {
          const usage = { inputTokens: 0, outputTokens: 0 };
          ledger.record({ stage: req.stage, modelId, cached: true, failed: false, attempts: 0, usage });
          await emit('llm:response', { stage: req.stage, modelId, usage, cached: true, attempts: 0, durationMs: clock.now() - started });
          // A hit costs nothing: usage is zero so callers summing result usage do not count the first run twice.
          return {
            value: checked.value,
            usage,
            raw: hit.raw,
            modelId,
            attempts: 0,
            repairs: hit.repairs,
            cached: true,
            ...(hit.logprobs ? { logprobs: hit.logprobs } : {}),
          };
        }
      }

      await emit('llm:request', { stage: req.stage, modelId, messages });
      const { model: variant, callOptions } = modelWithParams(resolved.model, {
        temperature: req.temperature,
        maxTokens: req.maxTokens,
        logprobs,
      });
      let attempts = 0;
      let usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
      const hold = budget?.open(req.stage, modelId);
      try {
        const binding = bindStructured(variant, method, jsonSchema, schemaName, messages);
        const maxRepairs = Math.max(0, req.maxRepairs ?? maxRepairsDefault);
        let convo = binding.messages;
        for (let repairs = 0; ; repairs++) {
          let raw: string;
          let error: string | undefined;
          let msg: unknown;
          let transported = false;
          try {
            const out = await chatTransport(binding.runnable, convo, callOptions, {
              stage: req.stage,
              modelId,
              maxTokens: req.maxTokens,
              ...(req.expectedOutputTokens !== undefined ? { expectedOutputTokens: req.expectedOutputTokens } : {}),
              signal: req.signal,
              ...(hold ? { hold } : {}),
            });
            attempts += out.attempts;
            usage = addUsage(usage, out.usage);
            transported = true;
            msg = out.msg;
            const refusal = findRefusal(msg);
            if (refusal !== undefined) {
              throw new LlmError(`${req.stage} ${modelId}: the model refused: ${refusal}`, {
                kind: 'refusal',
                retryable: false,
                raw: refusal,
                attempts,
              });
            }
            raw = structuredRaw(msg, method);
          } catch (err) {
            const cutOff = err instanceof LlmError && err.kind === 'invalid_output' && err.raw === undefined;
            // The model answered, but the client threw the answer away with its usage (see discardedAnswerUsage):
            // the attempt was billed, so it is estimated.
            const discarded = transported ? undefined : discardedAnswerUsage(err, convo, req.maxTokens);
            if (discarded) usage = addUsage(usage, discarded);
            // An answer cut off at the length limit is a bad answer, not a transport failure: re-ask like any other
            // invalid answer.
            if (cutOff && err instanceof LlmError && repairs < maxRepairs) {
              attempts += err.attempts;
              raw = '';
              error = 'the answer was cut off at the output token limit; answer more briefly';
            } else {
              // A transport error counts only its own attempts: add the earlier ones (our own refusal has them all).
              if (err instanceof LlmError && !transported) err.attempts += attempts;
              throw err;
            }
          }
          const checked: Check<T> = error === undefined ? checkAnswer(raw, req.schema, req.validate) : { ok: false, error };
          if (checked.ok) {
            const logprobList = logprobs ? findLogprobs(msg) : undefined;
            if (key && cache) {
              const entry: ChatCacheEntry = {
                v: 1,
                kind: 'structured',
                modelId,
                raw,
                json: checked.json,
                usage,
                repairs,
                ...(logprobList ? { logprobs: logprobList } : {}),
              };
              await cache.set(key, entry);
            }
            breakerFor(modelId).success();
            ledger.record({ stage: req.stage, modelId, cached: false, failed: false, attempts, usage });
            await emit('llm:response', { stage: req.stage, modelId, usage, cached: false, attempts, durationMs: clock.now() - started });
            return {
              value: checked.value,
              usage,
              raw,
              modelId,
              attempts,
              repairs,
              cached: false,
              ...(logprobList ? { logprobs: logprobList } : {}),
            };
          }
          if (repairs >= maxRepairs) {
            throw new LlmError(
              `${req.stage} ${modelId}: invalid structured output after ${repairs} repair(s): ${checked.error}`,
              { kind: 'invalid_output', retryable: false, raw, attempts },
            );
          }
          convo = [
            ...convo,
            { role: 'assistant', content: raw || '(empty answer)' },
            { role: 'user', content: repairMessage(checked.error) },
          ];
        }
      } catch (err) {
        const total = err instanceof LlmError ? err.attempts : attempts;
        return fail(req.stage, modelId, err, total, usage);
      } finally {
        hold?.close();
      }
    },

    async text(req: TextRequest): Promise<TextResult> {
      const started = clock.now();
      const resolved = await models.resolveChat(req.model);
      const modelId = resolved.id;
      if (req.signal?.aborted) throw abortedNow(req.stage, modelId);
      const messages = await transformMessages(req.messages, req.promptId ?? req.stage, req.stage);
      const key =
        cache && req.cache !== false
          ? chatCacheKey({
              kind: 'text',
              modelId,
              endpoint: resolved.endpoint,
              messages,
              temperature: req.temperature,
              maxTokens: req.maxTokens,
              cacheSalt: req.cacheSalt,
            })
          : undefined;
      const hit = await readChatCache(key, 'text');
      if (hit) {
        const usage = { inputTokens: 0, outputTokens: 0 };
        ledger.record({ stage: req.stage, modelId, cached: true, failed: false, attempts: 0, usage });
        await emit('llm:response', { stage: req.stage, modelId, usage, cached: true, attempts: 0, durationMs: clock.now() - started });
        return { text: hit.raw, usage, modelId, attempts: 0, cached: true };
      }
      await emit('llm:request', { stage: req.stage, modelId, messages });
      const { model: variant, callOptions } = modelWithParams(resolved.model, {
        temperature: req.temperature,
        maxTokens: req.maxTokens,
      });
      let attempts = 0;
      let usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
      const hold = budget?.open(req.stage, modelId);
      try {
        const out = await chatTransport(variant as unknown as Invocable, messages, callOptions, {
          stage: req.stage,
          modelId,
          maxTokens: req.maxTokens,
          signal: req.signal,
          ...(hold ? { hold } : {}),
        });
        attempts = out.attempts;
        usage = out.usage;
        const refusal = findRefusal(out.msg);
        if (refusal !== undefined) {
          throw new LlmError(`${req.stage} ${modelId}: the model refused: ${refusal}`, {
            kind: 'refusal',
            retryable: false,
            raw: refusal,
            attempts,
          });
        }
        const text = messageText(out.msg);
        if (key && cache) {
          const entry: ChatCacheEntry = { v: 1, kind: 'text', modelId, raw: text, usage, repairs: 0 };
          await cache.set(key, entry);
        }
        breakerFor(modelId).success();
        ledger.record({ stage: req.stage, modelId, cached: false, failed: false, attempts, usage });
        await emit('llm:response', { stage: req.stage, modelId, usage, cached: false, attempts, durationMs: clock.now() - started });
        return { text, usage, modelId, attempts, cached: false };
      } catch (err) {
        return fail(req.stage, modelId, err, err instanceof LlmError ? err.attempts : attempts, usage);
      } finally {
        hold?.close();
      }
    },

    async embed(req: EmbedRequest): Promise<EmbedResult> {
      const started = clock.now();
      const { id: modelId, model, endpoint } = await models.resolveEmbeddings(req.model);
      if (req.signal?.aborted) throw abortedNow(req.stage, modelId);
      const vectors: (number[] | undefined)[] = new Array(req.texts.length);
      const useCache = Boolean(cache && req.cache !== false);
      // Identical texts are embedded once.
      const positions = new Map<string, number[]>();
      req.texts.forEach((t, i) => {
        if (typeof t !== 'string') throw new TypeError(`embed: texts[${i}] is not a string`);
        const list = positions.get(t);
        if (list) list.push(i);
        else positions.set(t, [i]);
      });
      const misses: string[] = [];
      for (const [text, idx] of positions) {
        let vector: number[] | undefined;
        if (useCache) {
          const key = embedCacheKey(modelId, text, endpoint);
          const value = await cache!.get(key);
          if (value !== undefined) {
            const entry = EmbedCacheEntrySchema.safeParse(value);
            if (entry.success) vector = entry.data.vector;
            else cache!.corrupt(key);
          }
        }
        if (vector) for (const i of idx) vectors[i] = vector;
        else misses.push(text);
      }
      const cachedCount = req.texts.length - misses.reduce((n, t) => n + positions.get(t)!.length, 0);
      if (misses.length > 0) await emit('llm:request', { stage: req.stage, modelId, messages: [] });

      const batches: string[][] = [];
      for (let i = 0; i < misses.length; i += embedBatchSize) batches.push(misses.slice(i, i + embedBatchSize));
      let attempts = 0;
      let usage: TokenUsage = { inputTokens: 0, outputTokens: 0, estimated: misses.length > 0 || undefined };
      const hold = budget?.open(req.stage, modelId);
      const settled = await Promise.allSettled(
        batches.map(async (batch) => {
          const tokens = batch.reduce((n, t) => n + countTokens(t, 'cl100k_base'), 0);
          const batchCost = prices.cost(modelId, { inputTokens: tokens, outputTokens: 0 });
          let ticket: BudgetTicket | undefined;
          let batchAttempts = 0;
          try {
            const out = await runWithRetry(
              async () => {
                batchAttempts++;
                return model.embedDocuments(batch);
              },
              {
                policy,
                clock,
                random,
                signal: req.signal,
                attemptTimeoutMs,
                label: `${req.stage} ${modelId}`,
                acquire: (signal) => acquire(signal, () => tokens, req.stage, modelId, hold ? () => void (ticket = hold.reserve(batchCost)) : undefined),
                onRetry: retryHook(req.stage, modelId),
                ...governorHooks(modelId),
              },
            );
            const got = out.value;
            if (!Array.isArray(got) || got.length !== batch.length) {
              throw new LlmError(
                `${req.stage} ${modelId}: embeddings returned ${Array.isArray(got) ? got.length : typeof got} vectors for ${batch.length} texts`,
                { kind: 'invalid_output', retryable: false },
              );
            }
            usage = addUsage(usage, { inputTokens: tokens, outputTokens: 0, estimated: true });
            hold?.charge(ticket, batchCost);
            const fresh: number[][] = [];
            for (let j = 0; j < batch.length; j++) {
              const v = got[j];
              if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
                throw new LlmError(`${req.stage} ${modelId}: embeddings returned an invalid vector for text ${j} of a batch`, {
                  kind: 'invalid_output',
                  retryable: false,
                });
              }
              fresh.push(Array.from(v));
            }
            for (let j = 0; j < batch.length; j++) {
              for (const i of positions.get(batch[j]!)!) vectors[i] = fresh[j];
              if (useCache) await cache!.set(embedCacheKey(modelId, batch[j]!, endpoint), { v: 1, kind: 'embed', modelId, vector: fresh[j] });
            }
          } finally {
            attempts += batchAttempts;
          }
        }),
      );
      hold?.close();
      const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failure) return fail(req.stage, modelId, failure.reason, attempts, usage);
      const dims = new Set(vectors.map((v) => v?.length));
      if (dims.size > 1 || vectors.some((v) => !v)) {
        return fail(
          req.stage,
          modelId,
          new LlmError(`${req.stage} ${modelId}: embeddings have inconsistent dimensions (${[...dims].join(', ')})`, {
            kind: 'invalid_output',
            retryable: false,
          }),
          attempts,
          usage,
        );
      }
      const cached = req.texts.length > 0 && misses.length === 0;
      if (!cached) breakerFor(modelId).success();
      ledger.record({ stage: req.stage, modelId, cached, failed: false, attempts, usage });
      await emit('llm:response', { stage: req.stage, modelId, usage, cached, attempts, durationMs: clock.now() - started });
      return { vectors: vectors as number[][], modelId, usage, cachedCount };
    },
  };
  return gateway;
}
