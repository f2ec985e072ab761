import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { COMMANDS } from '../src/commands/specs.js';
import { memoryIO } from './helpers.js';

describe('taxonomist help and usage errors', () => {
  it('--help lists every command, the exit codes and the offline first command', async () => {
    const io = memoryIO();
    expect(await main(['--help'], io)).toBe(0);
    for (const c of COMMANDS) expect(io.out()).toMatch(new RegExp(`^  ${c.name} `, 'm'));
    expect(io.out()).toContain('Exit codes:');
    expect(io.out()).toContain('OPENAI_API_KEY');
    expect(io.out()).toContain('taxonomist run examples/data/banking-sample.jsonl');
    expect(io.err()).toBe('');
  });

  it('no arguments prints help and exits with the usage code', async () => {
    const io = memoryIO();
    expect(await main([], io)).toBe(2);
    expect(io.out()).toContain('Usage: taxonomist <command>');
  });

  it.each(COMMANDS.map((c) => c.name))('%s --help shows usage, every flag and examples', async (name) => {
    const io = memoryIO();
    expect(await main([name, '--help'], io)).toBe(0);
    const spec = COMMANDS.find((c) => c.name === name)!;
    expect(io.out()).toContain(`Usage: ${spec.usage}`);
    for (const flag of Object.keys(spec.options)) expect(io.out()).toContain(`--${flag}`);
    expect(spec.examples.length).toBeGreaterThan(0);
    expect(io.out()).toContain('Examples:');
    expect(io.out()).toContain(spec.examples[0]!.command);
  });

  it('`help <command>` is the same as `<command> --help`', async () => {
    const a = memoryIO();
    const b = memoryIO();
    await main(['help', 'distill'], a);
    await main(['distill', '--help'], b);
    expect(a.out()).toBe(b.out());
  });

  it('an unknown command suggests the closest one', async () => {
    const io = memoryIO();
    expect(await main(['lable', 'x.jsonl'], io)).toBe(2);
    expect(io.err()).toContain('error: unknown command "lable"');
    expect(io.err()).toContain('did you mean `taxonomist label`?');
  });

  it('a missing argument prints the command usage', async () => {
    const io = memoryIO();
    expect(await main(['predict', 'model.json'], io)).toBe(2);
    expect(io.err()).toContain('error: missing <corpus>');
    expect(io.err()).toContain('usage: taxonomist predict <model.json> <corpus>');
  });

  it('an unknown flag is a usage error with a suggestion', async () => {
    const io = memoryIO();
    expect(await main(['run', 'c.jsonl', '--use-cse', 'x'], io)).toBe(2);
    expect(io.err()).toContain('unknown option --use-cse');
    expect(io.err()).toContain('did you mean --use-case?');
  });

  it('an unquoted multi-word value gets a quoting hint', async () => {
    const io = memoryIO();
    expect(await main(['induce', 'c.jsonl', '--use-case', 'user', 'intent'], io)).toBe(2);
    expect(io.err()).toContain('unexpected argument "intent"');
    expect(io.err()).toContain('quote values that contain spaces');
  });

  it('--version prints the package version', async () => {
    const io = memoryIO();
    expect(await main(['--version'], io)).toBe(0);
    expect(io.out()).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
