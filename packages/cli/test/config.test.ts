import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findConfigFile, loadConfig } from '../src/config/load.js';
import { COMMANDS } from '../src/commands/specs.js';
import type { OptionTable } from '../src/args/options.js';
import { InputError, UsageError } from '../src/errors.js';

const known = Object.assign({}, ...COMMANDS.map((c) => c.options)) as OptionTable;
const dir = (): string => mkdtempSync(join(tmpdir(), 'taxonomist-config-'));

describe('config files', () => {
  it('no config file: empty config', async () => {
    expect(await loadConfig(undefined, dir(), known)).toEqual({ plugins: [], defaults: {} });
  });

  it('JSON config: defaults by camelCase or kebab-case flag name', async () => {
    const d = dir();
    writeFileSync(join(d, 'taxonomist.config.json'), JSON.stringify({ defaults: { model: 'openai:gpt-4o-mini', 'text-field': 'body', concurrency: 4 } }));
    expect(findConfigFile(d)).toBe(join(d, 'taxonomist.config.json'));
    const c = await loadConfig(undefined, d, known);
    expect(c.defaults).toEqual({ model: 'openai:gpt-4o-mini', textField: 'body', concurrency: 4 });
  });

  it('names the file and the field of a bad default', async () => {
    const d = dir();
    writeFileSync(join(d, 'c.json'), JSON.stringify({ defaults: { concurency: 4 } }));
    const err = await loadConfig('c.json', d, known).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).location).toEqual({ file: join(d, 'c.json'), field: 'defaults.concurency' });
    writeFileSync(join(d, 'c2.json'), JSON.stringify({ defaults: { pack: 'five' } }));
    await expect(loadConfig('c2.json', d, known)).rejects.toThrow('default "pack" must be an integer, got "five"');
  });

  it('a missing --config file is a usage error', async () => {
    await expect(loadConfig('nope.json', dir(), known)).rejects.toBeInstanceOf(UsageError);
  });

  it('TypeScript config exporting plugins and defaults (loaded through tsx)', async () => {
    const d = dir();
    writeFileSync(
      join(d, 'taxonomist.config.ts'),
      `const plugin: { name: string; providers: { id: string }[] } = { name: 'my-plugin', providers: [{ id: 'mine' }] };
export default { plugins: [plugin], defaults: { model: 'mine:small' as string, seed: 7 } };
`,
    );
    const c = await loadConfig(undefined, d, known);
    expect(c.plugins.map((p) => p.name)).toEqual(['my-plugin']);
    expect(c.defaults).toEqual({ model: 'mine:small', seed: 7 });
  });

  it('JSON config naming a plugin module relative to the file', async () => {
    const d = dir();
    writeFileSync(join(d, 'plugin.mjs'), `export default () => ({ name: 'from-module' });\n`);
    writeFileSync(join(d, 'taxonomist.config.json'), JSON.stringify({ plugins: ['./plugin.mjs'] }));
    const c = await loadConfig(undefined, d, known);
    expect(c.plugins.map((p) => p.name)).toEqual(['from-module']);
    writeFileSync(join(d, 'bad.json'), JSON.stringify({ plugins: [{ nope: 1 }] }));
    await expect(loadConfig('bad.json', d, known)).rejects.toThrow(/must be an object with a "name"/);
  });
});
