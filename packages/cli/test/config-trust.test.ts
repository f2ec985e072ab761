/**
 * A config file is code: a taxonomist.config.mjs (or a JSON config's plugin modules) runs with the user's rights and
 * environment. The command says which file it loads, --no-config loads none, and a misspelled key is an error
 * instead of a setting silently dropped.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { memoryIO } from './helpers.js';

/** A fresh directory (ES modules are imported once per process: every case gets its own files). */
function workdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'taxonomist-config-trust-'));
  writeFileSync(join(dir, 'corpus.jsonl'), '{"id":"1","text":"hello"}\n');
  return dir;
}

/** Module code that proves it ran by writing a marker file next to itself. */
const MARKER_CODE = `import { writeFileSync } from 'node:fs';\nwriteFileSync(new URL('./marker.txt', import.meta.url), 'ran');\n`;

async function cli(dir: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIO({ cwd: dir });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

// `estimate` without --model sends nothing and answers at once: the cheapest command that loads a config.
const ESTIMATE = ['estimate', 'induce', 'corpus.jsonl'];

describe('config files', () => {
  it('a taxonomist.config.mjs in the current directory is announced on stderr, once, with its path', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'taxonomist.config.mjs'), `${MARKER_CODE}export default { defaults: { seed: 7 } };\n`);
    const r = await cli(dir, ESTIMATE);
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, 'marker.txt'))).toBe(true);
    const announced = r.err.split('\n').filter((l) => l.startsWith('config: loading '));
    expect(announced).toEqual([`config: loading ${join(dir, 'taxonomist.config.mjs')} (its code runs now; --no-config skips it)`]);
  });

  it('--no-config does not run the config in the current directory', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'taxonomist.config.mjs'), `${MARKER_CODE}export default {};\n`);
    const r = await cli(dir, [...ESTIMATE, '--no-config']);
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, 'marker.txt'))).toBe(false);
    expect(r.err).not.toContain('config:');
  });

  it("--no-config does not import a JSON config's plugin modules either", async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'plugin.mjs'), `${MARKER_CODE}export default { name: 'marker-plugin' };\n`);
    writeFileSync(join(dir, 'taxonomist.config.json'), JSON.stringify({ plugins: ['./plugin.mjs'] }));
    const skipped = await cli(dir, [...ESTIMATE, '--no-config']);
    expect(skipped.code).toBe(0);
    expect(existsSync(join(dir, 'marker.txt'))).toBe(false);
    const loaded = await cli(dir, ESTIMATE);
    expect(loaded.code).toBe(0);
    expect(loaded.err).toContain(`config: loading ${join(dir, 'taxonomist.config.json')}`);
    expect(existsSync(join(dir, 'marker.txt'))).toBe(true);
  });

  it('--config and --no-config together are a usage error', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'c.json'), '{}');
    const r = await cli(dir, [...ESTIMATE, '--config', 'c.json', '--no-config']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--config and --no-config');
  });

  it('an explicit --config is announced as given', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'team.json'), JSON.stringify({ defaults: { seed: 3 } }));
    const r = await cli(dir, [...ESTIMATE, '--config', 'team.json']);
    expect(r.code).toBe(0);
    expect(r.err).toContain('config: loading team.json');
  });

  it('a misspelled top-level key is bad input naming the key, with a "did you mean"', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'taxonomist.config.json'), JSON.stringify({ defualts: { model: 'openai:gpt-4o-mini' } }));
    const r = await cli(dir, ESTIMATE);
    expect(r.code).toBe(3);
    expect(r.err).toContain('unknown config key "defualts"');
    expect(r.err).toContain('did you mean "defaults"?');
    expect(r.err).toContain('taxonomist.config.json');
  });

  it('a misspelled key of an ES module config is caught too', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'taxonomist.config.mjs'), `export default { plugin: [], defaults: {} };\n`);
    const r = await cli(dir, ESTIMATE);
    expect(r.code).toBe(3);
    expect(r.err).toContain('unknown config key "plugin"');
    expect(r.err).toContain('did you mean "plugins"?');
  });

  it('defaults may use the old flag names; they apply under the canonical one', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'taxonomist.config.json'), JSON.stringify({ defaults: { sample: 1, labelField: 'intent' } }));
    const { loadConfig } = await import('../src/config/load.js');
    const { COMMANDS } = await import('../src/commands/specs.js');
    const known = Object.assign({}, ...COMMANDS.map((c) => c.options)) as Parameters<typeof loadConfig>[2];
    const c = await loadConfig(undefined, dir, known);
    expect(c.defaults).toEqual({ labelSample: 1, goldField: 'intent' });
  });
});

describe('help', () => {
  it('the global help says a config is code and how to skip it', async () => {
    const io = memoryIO();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.out()).toContain('It is code: it runs with your rights and environment, so trust it like code. --no-config loads none.');
  });
});
