import { rename, writeFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { hashValue, stableStringify } from '../util/hash.js';
import { redactText } from '../util/redact.js';
import { ensureDir } from '../io/ensure-dir.js';
import { readTextIfExists } from '../io/json-file.js';

/**
 * Content-addressed store for model answers. Keys are sha256 hex digests of the request (see `chatCacheKey`);
 * values are JSON. Implementations must never be handed secrets: the gateway builds keys and values only from
 * explicit safe fields (model id, parameters, messages, schema, answer, usage).
 */
export interface CacheStore {
  get(key: string): Promise<unknown | undefined>;
  set(key: string, value: unknown): Promise<void>;
}

const KEY_RE = /^[0-9a-f]{16,128}$/;

function checkKey(key: string): void {
  // Keys become file names: only hex digests are accepted, so no key can escape the cache directory.
  if (!KEY_RE.test(key)) throw new Error(`invalid cache key "${key}": expected a lowercase hex digest`);
}

export class MemoryCacheStore implements CacheStore {
  private readonly map = new Map<string, string>();

  async get(key: string): Promise<unknown | undefined> {
    checkKey(key);
    const v = this.map.get(key);
    return v === undefined ? undefined : (JSON.parse(v) as unknown);
  }

  async set(key: string, value: unknown): Promise<void> {
    checkKey(key);
    // Stored as text so callers cannot mutate cached entries through shared references.
    this.map.set(key, stableStringify(value));
  }

  get size(): number {
    return this.map.size;
  }

  keys(): string[] {
    return [...this.map.keys()];
  }
}

let tmpCounter = 0;

/** One JSON file per key at `dir/ab/abcdef....json`, written atomically (temp file + rename). */
export class FileCacheStore implements CacheStore {
  /** Entries that could not be parsed (treated as misses and overwritten on the next set). */
  corruptEntries = 0;

  constructor(readonly dir: string) {}

  pathFor(key: string): string {
    checkKey(key);
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  async get(key: string): Promise<unknown | undefined> {
    const path = this.pathFor(key);
    const text = await readTextIfExists(path);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      this.corruptEntries++;
      return undefined;
    }
  }

  async set(key: string, value: unknown): Promise<void> {
    const path = this.pathFor(key);
    await ensureDir(join(this.dir, key.slice(0, 2)));
    const tmp = `${path}.${process.pid}.${++tmpCounter}.tmp`;
    try {
      // An answer that echoes a key (or an error body quoted in it) must not be kept on disk.
      await writeFile(tmp, redactText(stableStringify(value)) + '\n', 'utf8');
      await rename(tmp, path);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }
}

export type CacheOption = { dir: string } | CacheStore | false | undefined;

export function createCacheStore(option: CacheOption): CacheStore | undefined {
  if (!option) return undefined;
  if ('get' in option && typeof option.get === 'function') return option as CacheStore;
  if ('dir' in option && typeof option.dir === 'string') return new FileCacheStore(option.dir);
  throw new Error('cache option must be { dir } or a CacheStore ({ get, set })');
}

const UsageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  estimated: z.boolean().optional(),
});

const LogprobSchema = z.object({
  token: z.string(),
  logprob: z.number(),
  top: z.array(z.object({ token: z.string(), logprob: z.number() })).optional(),
});

/** A cached chat answer: the raw text, the parsed JSON (structured calls) and what it cost the first time. */
export const ChatCacheEntrySchema = z.object({
  v: z.literal(1),
  kind: z.enum(['structured', 'text']),
  modelId: z.string(),
  raw: z.string(),
  json: z.unknown().optional(),
  usage: UsageSchema,
  repairs: z.number().int().nonnegative(),
  logprobs: z.array(LogprobSchema).optional(),
});
export type ChatCacheEntry = z.infer<typeof ChatCacheEntrySchema>;

export const EmbedCacheEntrySchema = z.object({
  v: z.literal(1),
  kind: z.literal('embed'),
  modelId: z.string(),
  vector: z.array(z.number()),
});
export type EmbedCacheEntry = z.infer<typeof EmbedCacheEntrySchema>;

export interface ChatCacheKeyParts {
  kind: 'structured' | 'text';
  modelId: string;
  /**
   * Which server answers (normalised base URL, no credentials): the same model name on two servers is two models.
   * Undefined when the model does not say (a provider's default endpoint; the provider is in modelId).
   */
  endpoint?: string;
  messages: { role: string; content: string }[];
  temperature?: number;
  maxTokens?: number;
  method?: string;
  logprobs?: boolean;
  jsonSchema?: unknown;
  schemaName?: string;
  cacheSalt?: string;
}

/** Cache key of a chat call; every part is an explicit, secret-free field. */
export function chatCacheKey(p: ChatCacheKeyParts): string {
  return hashValue({
    v: 1,
    kind: p.kind,
    modelId: p.modelId,
    endpoint: p.endpoint,
    params: { temperature: p.temperature, maxTokens: p.maxTokens, method: p.method, logprobs: p.logprobs || undefined },
    messages: p.messages.map((m) => ({ role: m.role, content: m.content })),
    jsonSchema: p.jsonSchema,
    schemaName: p.schemaName,
    cacheSalt: p.cacheSalt,
  });
}

export function embedCacheKey(modelId: string, text: string, endpoint?: string): string {
  return hashValue({ v: 1, kind: 'embed', modelId, endpoint, text });
}
