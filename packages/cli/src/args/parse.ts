import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.js';
import { closest } from './suggest.js';
import { aliasesOf, kebabToCamel, type OptionSpec, type OptionTable } from './options.js';

export type OptionValue = string | number | boolean | string[] | number[];

export interface ParsedArgs {
  /** Option values by camelCase name; only options given on the command line are present. */
  values: Record<string, OptionValue>;
  positionals: string[];
  /** Old spellings used on the command line (accepted as the canonical flag; the caller may say so). */
  renamed: { alias: string; name: string }[];
}

/**
 * Parse a subcommand's arguments strictly: unknown flags, missing values and bad numbers are usage errors
 * that name the flag and suggest the closest known one.
 */
export function parseCommandArgs(argv: readonly string[], options: OptionTable, command?: string): ParsedArgs {
  const config: NonNullable<ParseArgsConfig['options']> = {};
  const aliases = aliasesOf(options);
  for (const [name, spec] of Object.entries(options)) {
    config[name] = {
      type: spec.type === 'boolean' ? 'boolean' : 'string',
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.multiple ? { multiple: true } : {}),
    };
  }
  for (const [alias, name] of aliases) {
    const spec = options[name]!;
    config[alias] = { type: spec.type === 'boolean' ? 'boolean' : 'string', ...(spec.multiple ? { multiple: true } : {}) };
  }
  let parsed: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options: config, strict: true, allowPositionals: true });
  } catch (err) {
    throw translateParseError(err, options, command);
  }
  const values: Record<string, OptionValue> = {};
  const renamed: ParsedArgs['renamed'] = [];
  for (const [given, raw] of Object.entries(parsed.values)) {
    if (raw === undefined) continue;
    const name = aliases.get(given) ?? given;
    if (name !== given) {
      if (parsed.values[name] !== undefined) throw new UsageError(`--${given} is the old name of --${name}: give only --${name}`, { command });
      renamed.push({ alias: given, name });
    }
    const spec = options[name]!;
    values[kebabToCamel(name)] = convertValue(name, spec, raw, command);
  }
  return { values, positionals: parsed.positionals, renamed };
}

function convertValue(name: string, spec: OptionSpec, raw: string | boolean | (string | boolean)[], command?: string): OptionValue {
  if (spec.type === 'boolean') return raw === true;
  const list = (Array.isArray(raw) ? raw : [raw]).map(String);
  if (spec.type === 'string') {
    for (const v of list) checkChoice(name, spec, v, command);
    return spec.multiple ? list : list[list.length - 1]!;
  }
  const nums = list.map((v) => toNumber(name, spec, v, command));
  return spec.multiple ? nums : nums[nums.length - 1]!;
}

function checkChoice(name: string, spec: OptionSpec, v: string, command?: string): void {
  if (spec.choices && !spec.openChoices && !spec.choices.includes(v)) {
    const guess = closest(v, spec.choices);
    throw new UsageError(`--${name} must be one of ${spec.choices.join(', ')}; got "${v}"`, {
      hint: guess ? `did you mean --${name} ${guess}?` : undefined,
      command,
    });
  }
}

function toNumber(name: string, spec: OptionSpec, v: string, command?: string): number {
  const n = v.trim() === '' ? NaN : Number(v);
  const kind = spec.type === 'integer' ? 'an integer' : 'a number';
  if (!Number.isFinite(n) || (spec.type === 'integer' && !Number.isInteger(n))) {
    throw new UsageError(`--${name} must be ${kind}; got "${v}"`, { command, hint: `e.g. --${name} ${spec.min ?? 1}` });
  }
  if (spec.min !== undefined && n < spec.min) throw new UsageError(`--${name} must be at least ${spec.min}; got ${v}`, { command });
  if (spec.above !== undefined && n <= spec.above) throw new UsageError(`--${name} must be greater than ${spec.above}; got ${v}`, { command });
  if (spec.max !== undefined && n > spec.max) throw new UsageError(`--${name} must be at most ${spec.max}; got ${v}`, { command });
  return n;
}

function translateParseError(err: unknown, options: OptionTable, command?: string): UsageError {
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  const names = Object.keys(options);
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flag = /'([^']+)'/.exec(message)?.[1] ?? '';
    const bare = flag.replace(/^-+/, '').split('=')[0]!;
    // Old spellings count as near misses too, but the suggestion is always the canonical name.
    const aliases = aliasesOf(options);
    const near = closest(bare, [...names, ...aliases.keys()]);
    const guess = near === undefined ? undefined : (aliases.get(near) ?? near);
    return new UsageError(`unknown option ${flag}`, {
      hint: guess ? `did you mean --${guess}?` : `see: taxonomist ${command ?? ''} --help`.replace('  ', ' '),
      command,
    });
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    // "Option '--out <value>' argument missing" / "Option '--json' does not take an argument"
    const flag = /(--[\w-]+)/.exec(message)?.[1] ?? /'(-[^' ,]+)/.exec(message)?.[1] ?? 'option';
    if (/argument missing/.test(message)) {
      const spec = options[flag.replace(/^-+/, '')];
      return new UsageError(`${flag} needs a value`, { hint: spec ? `${flag} ${spec.value ?? '<value>'}: ${spec.description}` : undefined, command });
    }
    return new UsageError(message.replace(/^Option /, 'option '), { command });
  }
  return new UsageError(message, { command });
}
