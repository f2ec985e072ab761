import { parseCommandArgs } from './args/parse.js';
import { kebabToCamel, type OptionTable } from './args/options.js';
import { closest } from './args/suggest.js';
import { COMMANDS, findCommand } from './commands/specs.js';
import type { CommandContext } from './commands/types.js';
import { CliError, UsageError, interruptedReason, renderError, toCliError } from './errors.js';
import { EXIT, EXIT_CODE_HELP, type ExitCode } from './exit-codes.js';
import { renderCommandHelp, renderGlobalHelp } from './help.js';
import { processIO, type CliIO } from './io.js';
import { Ui } from './ui/ui.js';
import { cliVersion } from './version.js';

/**
 * The `taxonomist` command. Returns the exit code instead of exiting, so tests can run it in-process.
 * Start-up cost is only this module graph (node:util + the command table); every command module is imported
 * when it runs.
 */
export async function main(argv: readonly string[], io: CliIO = processIO(), signal?: AbortSignal): Promise<ExitCode> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') {
    io.stdout.write(renderGlobalHelp(COMMANDS, cliVersion()));
    return first === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (first === '--version' || first === '-v') {
    io.stdout.write(`${cliVersion()}\n`);
    return EXIT.OK;
  }
  if (first === 'help') {
    const target = rest[0] === undefined ? undefined : findCommand(rest[0]);
    if (rest[0] !== undefined && target === undefined) return fail(unknownCommand(rest[0]), io);
    io.stdout.write(target ? renderCommandHelp(target) : renderGlobalHelp(COMMANDS, cliVersion()));
    return EXIT.OK;
  }
  const spec = findCommand(first);
  if (spec === undefined) return fail(unknownCommand(first), io);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(renderCommandHelp(spec));
    return EXIT.OK;
  }

  let ui = new Ui(io, { json: rest.includes('--json'), quiet: rest.includes('--quiet') || rest.includes('-q') });
  try {
    const parsed = parseCommandArgs(rest, spec.options, spec.name);
    checkPositionals(spec.name, parsed.positionals, spec.positionals);
    ui = new Ui(io, { json: parsed.values.json === true, quiet: parsed.values.quiet === true });
    for (const r of parsed.renamed) ui.info(`note: --${r.alias} is now --${r.name} (the old name still works)`);
    const config = await loadCommandConfig(parsed.values, io, ui);
    // Command line over config defaults; defaults for flags this command does not have are ignored.
    const values: CommandContext['values'] = {};
    for (const [key, v] of Object.entries(config.defaults)) {
      if (commandHasOption(spec.options, key)) values[key] = v as CommandContext['values'][string];
    }
    Object.assign(values, parsed.values);
    checkRequired(spec.name, spec.options, values);
    const controller = new AbortController();
    const onSigint = (): void => controller.abort(interruptedReason());
    signal?.addEventListener('abort', onSigint, { once: true });
    process.once('SIGINT', onSigint);
    // SIGTERM (kill, a CI timeout, a container stop) unwinds the same way, so output locks are released and
    // completed work is saved; a second signal kills as usual.
    process.once('SIGTERM', onSigint);
    try {
      const mod = await spec.load();
      const code = await mod.execute({ command: spec.name, values, positionals: parsed.positionals, io, ui, config, signal: controller.signal });
      // Every non-zero exit says why on stderr, also when the command finished without an error (partial results).
      if (code !== EXIT.OK) io.stderr.write(`taxonomist ${spec.name}: exit ${code}: ${EXIT_CODE_HELP.find(([c]) => c === code)?.[1] ?? 'see taxonomist --help'}\n`);
      return code;
    } finally {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
      signal?.removeEventListener('abort', onSigint);
    }
  } catch (err) {
    return fail(toCliError(err), io, spec.name);
  }
}

function fail(err: CliError, io: CliIO, command?: string): ExitCode {
  io.stderr.write(renderError(err, io.env));
  if (err instanceof UsageError) {
    const usage = (err.command ?? command) ? findCommand(err.command ?? command!)?.usage : undefined;
    io.stderr.write(usage ? `usage: ${usage}\n       (taxonomist ${err.command ?? command} --help for all options)\n` : 'see: taxonomist --help\n');
  }
  return err.exitCode;
}

function unknownCommand(name: string): UsageError {
  const guess = closest(name, COMMANDS.map((c) => c.name));
  return new UsageError(`unknown command "${name}"`, {
    hint: guess ? `did you mean \`taxonomist ${guess}\`?` : `commands: ${COMMANDS.map((c) => c.name).join(', ')}`,
  });
}

function checkPositionals(command: string, given: string[], expected: { name: string; required: boolean; variadic?: boolean }[]): void {
  const required = expected.filter((p) => p.required);
  if (given.length < required.length) {
    const missing = required.slice(given.length).map((p) => `<${p.name}>`);
    throw new UsageError(`missing ${missing.join(' and ')}`, { command });
  }
  if (given.length > expected.length && expected.at(-1)?.variadic !== true) {
    throw new UsageError(`unexpected argument "${given[expected.length]}"`, {
      command,
      hint: given[expected.length]!.startsWith('-') ? undefined : 'quote values that contain spaces, e.g. --use-case "the user\'s intent"',
    });
  }
}

/**
 * The config file, unless --no-config. A config is code (a .ts/.js/.mjs file, or a JSON file's plugin modules) and
 * runs with the user's rights and environment, API keys included: say which file was loaded, every time.
 */
async function loadCommandConfig(given: Record<string, unknown>, io: CliIO, ui: Ui): Promise<CommandContext['config']> {
  if (given.noConfig === true) {
    if (typeof given.config === 'string') throw new UsageError('--config and --no-config contradict each other: give one');
    return { plugins: [], defaults: {} };
  }
  const { findConfigFile, loadConfig } = await import('./config/load.js');
  const path = typeof given.config === 'string' ? given.config : findConfigFile(io.cwd);
  if (path !== undefined) ui.info(`config: loading ${path} (its code runs now; --no-config skips it)`);
  return loadConfig(path, io.cwd, allOptions());
}

/** Flags marked required, after config defaults are applied: a usage error naming the flag and what it is for. */
function checkRequired(command: string, options: OptionTable, values: CommandContext['values']): void {
  for (const [name, spec] of Object.entries(options)) {
    if (!spec.required || values[kebabToCamel(name)] !== undefined) continue;
    throw new UsageError(`missing --${name} ${spec.value ?? ''}`.trimEnd(), { command, hint: `--${name}: ${spec.description}` });
  }
}

function commandHasOption(options: OptionTable, camelKey: string): boolean {
  return Object.keys(options).some((k) => k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) === camelKey);
}

let allOptionsCache: OptionTable | undefined;
function allOptions(): OptionTable {
  allOptionsCache ??= Object.assign({}, ...COMMANDS.map((c) => c.options)) as OptionTable;
  return allOptionsCache;
}

/** Entry point of bin/taxonomist.js: run and set the process exit code (without cutting off buffered output). */
export async function runCli(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  process.exitCode = await main(argv);
}
