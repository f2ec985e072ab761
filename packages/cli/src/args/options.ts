/**
 * Flag declarations: one table drives parsing (node:util parseArgs), value checking and the help text,
 * so the three never disagree.
 */
export type OptionType = 'string' | 'boolean' | 'number' | 'integer';

export interface OptionSpec {
  type: OptionType;
  short?: string;
  /** May be given several times (values collected in a list). */
  multiple?: boolean;
  /** Placeholder shown in help, e.g. "<file>". */
  value?: string;
  description: string;
  choices?: readonly string[];
  /** Inclusive lower bound for number/integer options. */
  min?: number;
  /** Exclusive lower bound (e.g. a budget must be > 0). */
  above?: number;
  max?: number;
  /** Shown in help only; defaults are applied by the command so config files can override them. */
  defaultText?: string;
  /** A boolean that is on by default and documented as `--no-<name>`. */
  negatable?: boolean;
  /** The command cannot run without it (from the command line or a config default): a usage error names it. */
  required?: boolean;
  /** Old spellings still accepted (hidden from help, a one-line notice says the canonical name). */
  aliases?: readonly string[];
  /**
   * `choices` are the built-in values and plugins may register more: shown in help, checked by the command
   * (which knows the plugins) instead of the parser.
   */
  openChoices?: boolean;
}

export type OptionTable = Record<string, OptionSpec>;

/** Flags every subcommand accepts. */
export const GLOBAL_OPTIONS: OptionTable = {
  config: {
    type: 'string',
    value: '<file>',
    description: 'config file (JSON, or taxonomist.config.ts|js|mjs exporting { plugins, defaults }); default: taxonomist.config.* in the current directory. A config is code: trust it like code',
  },
  'no-config': { type: 'boolean', description: 'load no config file (not even taxonomist.config.* in the current directory)' },
  json: { type: 'boolean', description: 'print one machine-readable JSON object on stdout instead of tables' },
  quiet: { type: 'boolean', short: 'q', description: 'no progress bars or notices on stderr (errors are still printed)' },
  help: { type: 'boolean', short: 'h', description: 'show help for this command' },
};

/** Flags of commands that may call a model. */
export const MODEL_OPTIONS: OptionTable = {
  model: {
    type: 'string',
    short: 'm',
    value: '<provider:model>',
    description: 'chat model, e.g. openai:gpt-4o-mini; without it the offline clustering engine is used',
  },
  'base-url': {
    type: 'string',
    value: '<url>',
    description: 'OpenAI-compatible server for the openai provider (Ollama, vLLM, llama.cpp, LM Studio); env OPENAI_BASE_URL',
  },
  cache: { type: 'string', value: '<dir>', description: 'LLM response cache directory, so a re-run costs nothing', defaultText: '.taxonomist-cache' },
  'no-cache': { type: 'boolean', description: 'do not read or write the LLM response cache' },
  timeout: { type: 'number', above: 0, value: '<seconds>', description: 'give up on one model request after this long (a timeout, retried like other transient errors)', defaultText: '60' },
  'max-consecutive-failures': {
    type: 'integer',
    min: 0,
    value: '<n>',
    description: 'stop (exit 4, resumable) after n model calls in a row fail the same way, e.g. a hanging server; 0 = never. A rejected API key (401/403) or exhausted quota stops at once',
    defaultText: '10',
  },
  rpm: {
    type: 'number',
    above: 0,
    value: '<n>',
    description: "the provider's requests-per-minute limit: requests are paced evenly under it (without it the limit is learnt from 429s)",
  },
  tpm: { type: 'number', above: 0, value: '<n>', description: "the provider's tokens-per-minute limit: requests are paced under it (tokens estimated before sending)" },
};

/** Flags of commands that induce a taxonomy with a model (not of `label`, which summarizes nothing). */
export const SUMMARIZE_MODEL_OPTION: OptionTable = {
  'summarize-model': { type: 'string', value: '<provider:model>', description: 'cheaper model for summarizing texts during induction (default: --model)' },
};

/** Flags of commands that read a corpus. */
export const CORPUS_OPTIONS: OptionTable = {
  'text-field': { type: 'string', value: '<name>', description: 'field holding the text (JSONL: dotted paths allowed; CSV: column)', defaultText: 'text' },
  'id-field': { type: 'string', value: '<name>', description: 'field holding the record id (ids are derived from the text when absent)', defaultText: 'id' },
  format: { type: 'string', value: '<fmt>', choices: ['jsonl', 'csv', 'txt'], description: 'corpus format', defaultText: 'by file extension' },
  strict: { type: 'boolean', description: 'stop at the first malformed corpus line instead of skipping and counting it' },
};

export const SEED_OPTION: OptionTable = {
  seed: { type: 'integer', value: '<n>', description: 'random seed: same inputs + seed give the same outputs', defaultText: '42' },
};

/** Old spelling -> canonical flag name, over the options of a table. */
export function aliasesOf(options: OptionTable): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, spec] of Object.entries(options)) for (const alias of spec.aliases ?? []) out.set(alias, name);
  return out;
}

export function kebabToCamel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function camelToKebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
