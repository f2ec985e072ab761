/**
 * One name per idea, and no flag that does nothing: every flag a command's --help lists is accepted by its parser
 * and read by its handler. The handlers run for real (in-process, through the local OpenAI-compatible server with
 * the scripted model, so the LLM paths run too) with their flag values behind a Proxy that records every read; a
 * flag listed in help that no handler run reads fails the test. Flags added to any command later are covered
 * without touching this file: the list comes from the help text.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIServer, type OpenAIServer } from '@taxonomist/testing';
import { DistillRegistry } from '@taxonomist/distill';
import { aliasesOf, kebabToCamel, type OptionSpec } from '../src/args/options.js';
import { parseCommandArgs } from '../src/args/parse.js';
import { COMMANDS, findCommand } from '../src/commands/specs.js';
import type { CommandContext, CommandModule, CommandSpec } from '../src/commands/types.js';
import { renderCommandHelp } from '../src/help.js';
import { main } from '../src/main.js';
import { memoryIO } from './helpers.js';
import { scriptedLlm } from './scripted-llm.js';

const SAMPLE = resolve(import.meta.dirname, '../../../examples/data/banking-sample.jsonl');

/** Flags main itself consumes before the handler runs (help, output mode, config); each has its own tests. */
const CONSUMED_BY_MAIN = new Set(['help', 'json', 'quiet', 'config', 'no-config']);

/** The flags of the Options section of a command's help text, as a user reads them. */
function helpFlags(help: string): string[] {
  const section = help.split('\nOptions:\n')[1]!.split('\n\n')[0]!;
  return [...section.matchAll(/^ {2}(?:-\w, | {4})--([a-z][a-z0-9-]*)/gm)].map((m) => m[1]!);
}

/** Flags listed in help that no recorded read used (globals consumed by main aside). */
function unreadFlags(help: string, reads: ReadonlySet<string>): string[] {
  return helpFlags(help).filter((flag) => !CONSUMED_BY_MAIN.has(flag) && !reads.has(kebabToCamel(flag)));
}

/** A valid command-line value for a flag. */
function sampleArgs(flag: string, spec: OptionSpec): string[] {
  if (spec.type === 'boolean') return [`--${flag}`];
  if (spec.choices) return [`--${flag}`, spec.choices[spec.choices.length - 1]!];
  if (spec.type === 'integer' || spec.type === 'number') return [`--${flag}`, String(spec.max ?? Math.max(spec.min ?? 1, (spec.above ?? 0) + 1))];
  return [`--${flag}`, 'x'];
}

describe('help text lists exactly the accepted flags', () => {
  it.each(COMMANDS.map((c) => c.name))('%s: every flag in help parses to its own value', (name) => {
    const spec = findCommand(name)!;
    const flags = helpFlags(renderCommandHelp(spec));
    // The help text and the table agree, and no hidden alias leaks into help.
    expect(flags).toEqual(Object.keys(spec.options));
    for (const alias of aliasesOf(spec.options).keys()) expect(flags).not.toContain(alias);
    for (const flag of flags) {
      const parsed = parseCommandArgs(sampleArgs(flag, spec.options[flag]!), spec.options, name);
      expect(Object.keys(parsed.values)).toEqual([kebabToCamel(flag)]);
    }
  });

  it.each(COMMANDS.map((c) => c.name))('%s: the flags its usage line shows as required are enforced, and only those', (name) => {
    const spec = findCommand(name)!;
    const outsideBrackets = spec.usage.replace(/\[[^\]]*\]/g, '');
    const shown = [...outsideBrackets.matchAll(/--([a-z][a-z0-9-]*)/g)].map((m) => m[1]!);
    const required = Object.entries(spec.options).filter(([, o]) => o.required).map(([flag]) => flag);
    expect(shown).toEqual(required);
  });

  it('old spellings are hidden aliases of the canonical flag', () => {
    const cases: [string, string, string, string][] = [
      ['induce', 'sample-size', '50', 'induceSample'],
      ['run', 'sample-size', '50', 'induceSample'],
      ['label', 'sample', '20', 'labelSample'],
      ['estimate', 'sample', '20', 'labelSample'],
      ['distill', 'label-field', 'intent', 'goldField'],
    ];
    for (const [command, alias, value, key] of cases) {
      const spec = findCommand(command)!;
      const parsed = parseCommandArgs(['c.jsonl', `--${alias}`, value], spec.options, command);
      expect(parsed.values).toEqual({ [key]: Number.isNaN(Number(value)) ? value : Number(value) });
      expect(parsed.renamed).toEqual([{ alias, name: Object.entries(spec.options).find(([, o]) => o.aliases?.includes(alias))![0] }]);
      expect(renderCommandHelp(spec)).not.toMatch(new RegExp(`--${alias}\\b`));
    }
    // The old and the new name together are a contradiction, not a silent pick.
    expect(() => parseCommandArgs(['--sample', '1', '--label-sample', '2'], findCommand('label')!.options, 'label')).toThrow(/old name of --label-sample/);
  });

  it('the --classifier choices are the classifiers the distill registry has built in', () => {
    const builtins = [...new DistillRegistry().classifiers.keys()];
    for (const name of ['distill', 'run']) {
      expect(findCommand(name)!.options.classifier!.choices).toEqual(builtins);
      expect(renderCommandHelp(findCommand(name)!).replace(/\s+/g, ' ')).toContain(`(${builtins.join(' | ')} | a plugin's)`);
    }
  });

  it('the check fails for a flag its handler never reads', () => {
    const fake: CommandSpec = { ...findCommand('report')!, options: { ...findCommand('report')!.options, unused: { type: 'boolean', description: 'does nothing' } } };
    expect(unreadFlags(renderCommandHelp(fake), new Set(['out', 'title', 'map']))).toEqual(['unused']);
    expect(unreadFlags(renderCommandHelp(fake), new Set(['out', 'title', 'map', 'unused']))).toEqual([]);
  });
});

describe('the flags main consumes itself', () => {
  /** For each flag of CONSUMED_BY_MAIN: the same command with and without it must differ as the flag says. */
  const effects: Record<string, (run: (extra: string[]) => Promise<{ code: number; out: string; err: string }>) => Promise<void>> = {
    help: async (run) => {
      expect((await run(['--help'])).out).toContain('Usage: taxonomist estimate');
      expect((await run([])).out).not.toContain('Usage:');
    },
    json: async (run) => {
      expect(JSON.parse((await run(['--json'])).out)).toMatchObject({ costUsd: 0 });
      const plain = (await run([])).out;
      expect(() => JSON.parse(plain) as unknown).toThrow();
    },
    quiet: async (run) => {
      expect((await run([])).err).toContain('config: loading');
      expect((await run(['--quiet'])).err).toBe('');
    },
    config: async (run) => {
      expect((await run(['--config', 'other.json'])).err).toContain('config: loading other.json');
    },
    'no-config': async (run) => {
      expect((await run(['--no-config'])).err).not.toContain('config: loading');
    },
  };

  it('each one changes what the command does', async () => {
    expect(Object.keys(effects).sort()).toEqual([...CONSUMED_BY_MAIN].sort());
    const dir = mkdtempSync(join(tmpdir(), 'taxonomist-main-flags-'));
    writeFileSync(join(dir, 'corpus.jsonl'), '{"id":"1","text":"hello"}\n');
    writeFileSync(join(dir, 'taxonomist.config.json'), '{}');
    writeFileSync(join(dir, 'other.json'), '{}');
    const run = async (extra: string[]) => {
      const io = memoryIO({ cwd: dir });
      const code = await main(['estimate', 'induce', 'corpus.jsonl', ...extra], io);
      expect(code).toBe(0);
      return { code, out: io.out(), err: io.err() };
    };
    for (const check of Object.values(effects)) await check(run);
  });
});

describe('every flag in help is read by its command', () => {
  let server: OpenAIServer;
  let dir: string;
  const reads = new Map<string, Set<string>>();
  const originalLoads = new Map<CommandSpec, CommandSpec['load']>();

  beforeAll(async () => {
    server = await startOpenAIServer({ script: scriptedLlm });
    dir = mkdtempSync(join(tmpdir(), 'taxonomist-flags-'));
    writeFileSync(join(dir, 'corpus.jsonl'), readFileSync(SAMPLE, 'utf8').trim().split('\n').slice(0, 80).join('\n') + '\n');
    // Every command's handler gets its flag values behind a Proxy that records which ones it reads.
    for (const spec of COMMANDS) {
      const load = spec.load;
      originalLoads.set(spec, load);
      spec.load = async (): Promise<CommandModule> => {
        const mod = await load();
        return {
          execute: (ctx: CommandContext) => {
            const seen = reads.get(spec.name) ?? new Set<string>();
            reads.set(spec.name, seen);
            const values = new Proxy(ctx.values, {
              get: (target, key, receiver) => {
                if (typeof key === 'string') seen.add(key);
                return Reflect.get(target, key, receiver) as unknown;
              },
              has: (target, key) => {
                if (typeof key === 'string') seen.add(key);
                return Reflect.has(target, key);
              },
            });
            return mod.execute({ ...ctx, values });
          },
        };
      };
    }
  });
  afterAll(async () => {
    for (const [spec, load] of originalLoads) spec.load = load;
    await server.close();
  });

  const cli = async (args: string[]): Promise<{ code: number; err: string }> => {
    const io = memoryIO({ cwd: dir, env: { OPENAI_API_KEY: 'k' } });
    const code = await main([...args, '--no-config', '-q'], io);
    return { code, err: io.err() };
  };
  const online = (): string[] => ['--model', 'openai:test-model', '--base-url', server.url];

  it('the handlers of every command, on their LLM paths where they have one', async () => {
    // Each command runs to the end (exit 0), so every read on its path happened.
    const runs: string[][] = [
      ['induce', 'corpus.jsonl', '--use-case', 'intent', '--out', 'tax.json', '--batch-size', '40', ...online()],
      ['label', 'corpus.jsonl', '--taxonomy', 'tax.json', '--label-sample', '20', '--out', 'labels.jsonl', ...online()],
      ['distill', 'labels.jsonl', '--corpus', 'corpus.jsonl', '--out', 'model.json', '--eval', 'corpus.jsonl'],
      ['predict', 'model.json', 'corpus.jsonl', '--out', 'pred.jsonl'],
      ['predict', 'model.json', 'corpus.jsonl', '--out', 'pred.0.jsonl', '--shard', '0/2'],
      ['predict', 'model.json', 'corpus.jsonl', '--out', 'pred.1.jsonl', '--shard', '1/2'],
      ['merge', 'pred.0.jsonl', 'pred.1.jsonl', '--corpus', 'corpus.jsonl', '--out', 'merged.jsonl'],
      ['eval', 'pred.jsonl', '--gold', 'corpus.jsonl'],
      ['estimate', 'induce', 'corpus.jsonl', '--use-case', 'intent', ...online()],
      ['estimate', 'label', 'corpus.jsonl', '--taxonomy', 'tax.json', ...online()],
      ['estimate', 'run', 'corpus.jsonl', '--use-case', 'intent', ...online()],
      ['run', 'corpus.jsonl', '--use-case', 'intent', '--out-dir', 'out', '--batch-size', '40', '--label-sample', '40', ...online()],
      ['report', 'out'],
    ];
    for (const args of runs) {
      const r = await cli(args);
      expect({ args: args.join(' '), code: r.code, err: r.err }).toMatchObject({ code: 0 });
    }
    const unread: Record<string, string[]> = {};
    for (const spec of COMMANDS) {
      const missing = unreadFlags(renderCommandHelp(spec), reads.get(spec.name) ?? new Set());
      if (missing.length > 0) unread[spec.name] = missing;
    }
    expect(unread).toEqual({});
  }, 240_000);
});
