/**
 * @taxonomist/cli: the `taxonomist` command as a library (run it in-process, render reports, read exit codes).
 */
export { main, runCli } from './main.js';
export { EXIT, EXIT_CODE_HELP, type ExitCode } from './exit-codes.js';
export { CliError, UsageError, InputError, toCliError, renderError, redactSecrets } from './errors.js';
export { COMMANDS, findCommand } from './commands/specs.js';
export type { CommandSpec, CommandContext } from './commands/types.js';
export { parseCommandArgs, type ParsedArgs } from './args/parse.js';
export type { CliIO, OutStream } from './io.js';
export { defineConfig, type TaxonomistConfig } from './config/schema.js';
// The report moved to @taxonomist/report; re-exported so existing imports keep working.
export { renderReportHtml } from '@taxonomist/report';
export { ReportDataSchema, type ReportData, type ReportDataInput } from '@taxonomist/report';
