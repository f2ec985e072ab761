import { EXIT_CODE_HELP } from './exit-codes.js';
import type { OptionSpec } from './args/options.js';
import type { CommandSpec } from './commands/types.js';

const WIDTH = 100;

function wrap(text: string, indent: number, width = WIDTH): string {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && indent + line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : ' '.repeat(indent) + l)).join('\n');
}

function flagLabel(name: string, spec: OptionSpec): string {
  const short = spec.short ? `-${spec.short}, ` : '    ';
  const value = spec.type === 'boolean' ? '' : ` ${spec.value ?? '<value>'}`;
  return `${short}--${name}${value}`;
}

function table(rows: [string, string][], indent = 2): string {
  const col = Math.min(34, Math.max(...rows.map(([a]) => a.length)) + 2);
  return rows
    .map(([a, b]) => {
      const left = ' '.repeat(indent) + a;
      const pad = left.length >= indent + col ? `\n${' '.repeat(indent + col)}` : ' '.repeat(indent + col - left.length);
      return left + pad + wrap(b, indent + col);
    })
    .join('\n');
}

export function renderGlobalHelp(commands: readonly CommandSpec[], version: string): string {
  return [
    `taxonomist ${version}: induce a label taxonomy from unlabeled text, label a corpus with it, distill a fast classifier`,
    '',
    'Usage: taxonomist <command> [arguments] [options]',
    '',
    'Commands:',
    table(commands.map((c) => [c.name, c.summary])),
    '',
    'Start here (offline, no API key needed):',
    '  taxonomist run examples/data/banking-sample.jsonl --use-case "the customer\'s intent" --out-dir out',
    '',
    'Use an LLM:',
    '  --model openai:gpt-4o-mini with OPENAI_API_KEY set, or any OpenAI-compatible server:',
    '  --model openai:<model> --base-url http://localhost:11434/v1 (Ollama; vLLM, llama.cpp, LM Studio alike)',
    '',
    'Environment:',
    table([
      ['OPENAI_API_KEY', 'API key of the openai provider (never printed or stored)'],
      ['OPENAI_BASE_URL', 'default for --base-url'],
    ]),
    '',
    'Config file:',
    '  taxonomist.config.ts|mts|js|mjs|json in the current directory (or --config <file>) is loaded by every command.',
    '  It is code: it runs with your rights and environment, so trust it like code. --no-config loads none.',
    '',
    'Exit codes:',
    table(EXIT_CODE_HELP.map(([code, text]) => [String(code), text])),
    '',
    'Run `taxonomist <command> --help` for the options and examples of a command.',
    '',
  ].join('\n');
}

export function renderCommandHelp(spec: CommandSpec): string {
  const out = [`taxonomist ${spec.name}: ${spec.summary}`, '', `Usage: ${spec.usage}`, ''];
  if (spec.description) out.push(wrap(spec.description, 0), '');
  if (spec.positionals.length > 0) {
    out.push('Arguments:', table(spec.positionals.map((p) => [`<${p.name}>`, p.description + (p.required ? '' : ' (optional)')])), '');
  }
  out.push(
    'Options:',
    table(
      Object.entries(spec.options).map(([name, o]) => {
        let text = o.description;
        if (o.choices) text += ` (${o.choices.join(' | ')}${o.openChoices ? ' | a plugin\'s' : ''})`;
        if (o.required) text += ' (required)';
        if (o.defaultText) text += ` [default: ${o.defaultText}]`;
        return [flagLabel(name, o), text];
      }),
    ),
    '',
  );
  if (spec.examples.length > 0) {
    out.push('Examples:');
    for (const ex of spec.examples) {
      if (ex.note) out.push(`  # ${ex.note}`);
      out.push(`  ${ex.command}`);
    }
    out.push('');
  }
  out.push('Exit codes: 0 ok, 2 usage, 3 bad input, 4 provider failure, 5 budget stop, 6 partial (failed records, rejected or degraded induction steps), 7 rule violations (see `taxonomist --help`).', '');
  return out.join('\n');
}
