import { createRng, type Rng } from '@taxonomist/core';

/**
 * Generates a value that FOLLOWS a JSON Schema (the subset zod 4's `z.toJSONSchema` and OpenAI structured outputs
 * use: type / type arrays, properties + required, additionalProperties as a schema, items / prefixItems, enum, const,
 * anyOf / oneOf / allOf, $ref into $defs / definitions (recursion bounded), string formats and length bounds, number
 * bounds incl. exclusive ones and multipleOf). This is what lets the local server and the scripted model give a
 * schema-valid answer to any structured call without a script. Deterministic: the same schema and seed always give
 * the same value.
 */
export type JsonSchema = boolean | { [key: string]: unknown };

export interface SampleOptions {
  /** Seed for the choices made when `choice` is 'seeded' (default 0). */
  seed?: number;
  /** How enums, unions and free numbers are chosen: the first option (default) or a seeded choice. */
  choice?: 'first' | 'seeded';
  /** Depth after which optional and array content is left out so recursive schemas terminate (default 4). */
  maxDepth?: number;
}

interface Ctx {
  root: JsonSchema;
  rng: Rng;
  seeded: boolean;
  maxDepth: number;
  /** Counter giving successive free strings distinct contents. */
  counter: { n: number };
}

type Obj = { [key: string]: unknown };

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function sampleFromJsonSchema(schema: JsonSchema, options: SampleOptions = {}): unknown {
  const ctx: Ctx = {
    root: schema,
    rng: createRng(options.seed ?? 0),
    seeded: options.choice === 'seeded',
    maxDepth: options.maxDepth ?? 4,
    counter: { n: 0 },
  };
  return sample(schema, ctx, 0, 'value');
}

function pick<T>(items: readonly T[], ctx: Ctx): T {
  if (items.length === 0) throw new Error('cannot pick from an empty list');
  return ctx.seeded ? items[ctx.rng.int(items.length)]! : items[0]!;
}

function resolveRef(ref: string, ctx: Ctx): JsonSchema {
  if (ref === '#') return ctx.root;
  if (!ref.startsWith('#/')) throw new Error(`unsupported $ref "${ref}" (only local refs like #/$defs/x are supported)`);
  let node: unknown = ctx.root;
  for (const raw of ref.slice(2).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObj(node) || !(part in node)) throw new Error(`$ref "${ref}" does not resolve`);
    node = node[part];
  }
  return node as JsonSchema;
}

function mergeAllOf(schema: Obj, ctx: Ctx): Obj {
  const parts = (schema.allOf as JsonSchema[]).map((s) => (isObj(s) && typeof s.$ref === 'string' ? resolveRef(s.$ref, ctx) : s));
  const merged: Obj = { ...schema };
  delete merged.allOf;
  for (const part of parts) {
    if (!isObj(part)) continue;
    for (const [k, v] of Object.entries(part)) {
      if (k === 'properties' && isObj(v)) merged.properties = { ...(merged.properties as Obj | undefined), ...v };
      else if (k === 'required' && Array.isArray(v))
        merged.required = [...new Set([...((merged.required as string[] | undefined) ?? []), ...(v as string[])])];
      else if (!(k in merged)) merged[k] = v;
    }
  }
  return merged;
}

function sample(schema: JsonSchema, ctx: Ctx, depth: number, name: string): unknown {
  if (schema === true) return `${name} ${++ctx.counter.n}`;
  if (schema === false) throw new Error(`schema for "${name}" is false: no value can satisfy it`);
  if (!isObj(schema)) return null;
  if (typeof schema.$ref === 'string') return sample(resolveRef(schema.$ref, ctx), ctx, depth, name);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return pick(schema.enum, ctx);
  if (Array.isArray(schema.allOf)) return sample(mergeAllOf(schema, ctx), ctx, depth, name);
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(union) && union.length > 0) {
    // Prefer a non-null branch: a null answer is valid but tells a test nothing.
    const nonNull = union.filter((s) => !(isObj(s) && s.type === 'null'));
    const { anyOf: _a, oneOf: _o, ...rest } = schema;
    const branch = pick(nonNull.length > 0 ? nonNull : union, ctx);
    return sample(isObj(branch) ? { ...rest, ...branch } : branch, ctx, depth, name);
  }
  let type = schema.type;
  if (Array.isArray(type)) {
    const nonNull = type.filter((t) => t !== 'null');
    type = pick(nonNull.length > 0 ? nonNull : type, ctx);
  }
  if (type === undefined) {
    if (isObj(schema.properties) || schema.additionalProperties !== undefined) type = 'object';
    else if (schema.items !== undefined || schema.prefixItems !== undefined) type = 'array';
    else type = 'string';
  }
  switch (type) {
    case 'object':
      return sampleObject(schema, ctx, depth);
    case 'array':
      return sampleArray(schema, ctx, depth, name);
    case 'string':
      return sampleString(schema, ctx, name);
    case 'integer':
      return sampleNumber(schema, ctx, true);
    case 'number':
      return sampleNumber(schema, ctx, false);
    case 'boolean':
      return ctx.seeded ? ctx.rng.next() < 0.5 : true;
    case 'null':
      return null;
    default:
      throw new Error(`unsupported JSON Schema type "${String(type)}" for "${name}"`);
  }
}

function sampleObject(schema: Obj, ctx: Ctx, depth: number): Obj {
  const out: Obj = {};
  const properties = isObj(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  for (const [key, sub] of Object.entries(properties)) {
    // Optional properties are filled too (more of the schema exercised), except past maxDepth where leaving them out
    // is what ends recursion.
    if (!required.has(key) && depth >= ctx.maxDepth) continue;
    out[key] = sample(sub as JsonSchema, ctx, depth + 1, key);
  }
  for (const key of required) {
    if (!(key in out)) out[key] = `${key} ${++ctx.counter.n}`;
  }
  const extra = schema.additionalProperties;
  if (Object.keys(properties).length === 0 && isObj(extra) && depth < ctx.maxDepth) {
    const minProps = typeof schema.minProperties === 'number' ? schema.minProperties : 1;
    for (let i = 0; i < Math.max(1, minProps); i++) out[`key${i + 1}`] = sample(extra, ctx, depth + 1, `key${i + 1}`);
  }
  return out;
}

function sampleArray(schema: Obj, ctx: Ctx, depth: number, name: string): unknown[] {
  const prefix = Array.isArray(schema.prefixItems) ? (schema.prefixItems as JsonSchema[]) : [];
  const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
  const max = typeof schema.maxItems === 'number' ? schema.maxItems : Infinity;
  const itemSchema = schema.items as JsonSchema | undefined;
  // One item shows the shape; past maxDepth only what minItems forces, so recursive schemas end.
  let count = Math.max(prefix.length, min, depth < ctx.maxDepth && itemSchema !== false ? 1 : 0);
  if (itemSchema === false) count = Math.min(count, prefix.length);
  count = Math.min(count, max);
  const out: unknown[] = [];
  const unique = schema.uniqueItems === true;
  for (let i = 0; i < count; i++) {
    const sub = i < prefix.length ? prefix[i]! : (itemSchema ?? true);
    let value = sample(sub, ctx, depth + 1, name);
    if (unique && isObj(sub) && Array.isArray(sub.enum)) value = sub.enum[i % sub.enum.length];
    out.push(value);
  }
  return out;
}

const FORMATS: Record<string, (n: number) => string> = {
  email: (n) => `user${n}@example.com`,
  uri: (n) => `https://example.com/item/${n}`,
  url: (n) => `https://example.com/item/${n}`,
  'date-time': (n) => `2024-01-${String((n % 28) + 1).padStart(2, '0')}T12:00:00Z`,
  date: (n) => `2024-01-${String((n % 28) + 1).padStart(2, '0')}`,
  time: () => '12:00:00',
  uuid: (n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  ipv4: (n) => `192.0.2.${n % 255}`,
  ipv6: (n) => `2001:db8::${(n % 65535).toString(16)}`,
  hostname: (n) => `host${n}.example.com`,
};

function sampleString(schema: Obj, ctx: Ctx, name: string): string {
  const n = ++ctx.counter.n;
  const format = typeof schema.format === 'string' ? FORMATS[schema.format] : undefined;
  let text = format ? format(n) : `${name} ${n}`;
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
  if (text.length < min) text = text + 'x'.repeat(min - text.length);
  if (text.length > max) text = text.slice(0, max);
  if (typeof schema.pattern === 'string' && !format) {
    const re = new RegExp(schema.pattern, 'u');
    if (!re.test(text)) {
      // A general regex generator is out of scope; try a few simple shapes that satisfy common patterns.
      const candidates = [String(n), 'a'.repeat(Math.max(1, min)), 'A'.repeat(Math.max(1, min)), '0'.repeat(Math.max(1, min)), `${name}_${n}`, `${name}-${n}`];
      const found = candidates.find((c) => c.length >= min && c.length <= max && re.test(c));
      if (found) text = found;
    }
  }
  return text;
}

function sampleNumber(schema: Obj, ctx: Ctx, integer: boolean): number {
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  let lo = num(schema.minimum) ?? -Infinity;
  let hi = num(schema.maximum) ?? Infinity;
  const exLo = num(schema.exclusiveMinimum);
  const exHi = num(schema.exclusiveMaximum);
  // Exclusive bounds: step inside by 1 for integers, by a small fraction of the range otherwise.
  if (exLo !== undefined) lo = Math.max(lo, integer ? Math.floor(exLo) + 1 : exLo);
  if (exHi !== undefined) hi = Math.min(hi, integer ? Math.ceil(exHi) - 1 : exHi);
  if (integer) {
    lo = Math.ceil(lo);
    hi = Math.floor(hi);
  }
  let value: number;
  if (Number.isFinite(lo) && Number.isFinite(hi)) {
    const u = ctx.seeded ? ctx.rng.next() : 0.5;
    value = integer ? lo + Math.floor(u * (hi - lo + 1)) : lo + u * (hi - lo);
    if (!integer && (value === exLo || value === exHi)) value = (lo + hi) / 2;
  } else if (Number.isFinite(lo)) {
    value = integer ? lo + (ctx.seeded ? ctx.rng.int(10) : 0) : lo + (exLo !== undefined ? 0.5 : 0);
  } else if (Number.isFinite(hi)) {
    value = integer ? hi - (ctx.seeded ? ctx.rng.int(10) : 0) : hi - (exHi !== undefined ? 0.5 : 0);
  } else {
    value = ctx.seeded ? (integer ? ctx.rng.int(100) : Math.round(ctx.rng.next() * 1000) / 1000) : integer ? 1 : 0.5;
  }
  const step = num(schema.multipleOf);
  if (step !== undefined && step > 0) {
    let m = Math.ceil(value / step) * step;
    if (m > hi) m = Math.floor(value / step) * step;
    value = Number(m.toFixed(10));
  }
  return integer ? Math.round(value) : value;
}

/**
 * A value that does NOT follow the schema, the way a sloppy model gets it wrong: for an object with required
 * properties, an object missing them; otherwise a value of another JSON type. Used for 'schema_invalid' faults.
 */
export function violateJsonSchema(schema: JsonSchema): unknown {
  const root = schema;
  let s: JsonSchema = schema;
  for (let i = 0; i < 10 && isObj(s) && typeof s.$ref === 'string'; i++) {
    s = resolveRef(s.$ref, { root } as Ctx);
  }
  if (!isObj(s)) return { unexpected: true };
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  if ((type === 'object' || isObj(s.properties)) && Array.isArray(s.required) && s.required.length > 0) {
    return { unexpected_field: 'this answer does not follow the schema' };
  }
  if (type === 'array') return { not: 'an array' };
  if (type === 'string' || Array.isArray(s.enum)) return 12345;
  if (type === 'number' || type === 'integer' || type === 'boolean') return 'not a number';
  return ['not', 'an', 'object'];
}
