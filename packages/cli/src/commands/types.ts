import type { OptionTable } from '../args/options.js';
import type { OptionValue } from '../args/parse.js';
import type { ExitCode } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import type { LoadedConfig } from '../config/schema.js';
import type { Ui } from '../ui/ui.js';

export interface PositionalSpec {
  name: string;
  description: string;
  required: boolean;
  /** The last positional only: takes every remaining argument (one or more when required). */
  variadic?: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  positionals: PositionalSpec[];
  /** Every flag this command accepts (global ones included). */
  options: OptionTable;
  description?: string;
  examples: { command: string; note: string }[];
  /** Loaded only when the command runs, so `--help` and start-up stay fast. */
  load(): Promise<CommandModule>;
}

export interface CommandContext {
  command: string;
  /** Flag values (camelCase), command line over config defaults. */
  values: Record<string, OptionValue | undefined>;
  positionals: string[];
  io: CliIO;
  ui: Ui;
  config: LoadedConfig;
  signal: AbortSignal;
}

export interface CommandModule {
  execute(ctx: CommandContext): Promise<ExitCode>;
}
