import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TaxonomySchema } from '../../src/schemas/index.js';
import { DataFileError, readJsonFile, writeJsonAtomic } from '../../src/io/index.js';
import { tempDir } from './tmp.js';

const t = tempDir();
const taxonomy = {
  schemaVersion: 1,
  useCase: 'intents',
  labels: [
    { id: 'L1', name: 'card', description: 'card things' },
    { id: 'L2', name: 'lost card', description: 'lost', parent: 'L1' },
  ],
};

describe('writeJsonAtomic / readJsonFile', () => {
  it('writes pretty JSON with a trailing newline, replacing the file, leaving no temp files', async () => {
    const dir = join(t.dir, 'run');
    const path = join(dir, 'taxonomy.json');
    await writeJsonAtomic(path, { old: true });
    await writeJsonAtomic(path, taxonomy);
    expect(readFileSync(path, 'utf8')).toBe(JSON.stringify(taxonomy, null, 2) + '\n');
    expect(readdirSync(dir)).toEqual(['taxonomy.json']);
    expect(await readJsonFile(path, TaxonomySchema)).toEqual(taxonomy);
    await expect(writeJsonAtomic(path, undefined)).rejects.toThrow(/cannot write undefined/);
    expect(readdirSync(dir)).toEqual(['taxonomy.json']);
  });

  it('names the file and the zod path of an invalid field', async () => {
    const path = t.file('bad-tax.json', JSON.stringify({ ...taxonomy, labels: [taxonomy.labels[0], { id: 'L1', name: '', description: 'x' }] }));
    const err = await readJsonFile(path, TaxonomySchema).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataFileError);
    expect(err).toMatchObject({ file: path, field: 'labels.1.name' });
    expect((err as Error).message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: field "labels\\.1\\.name": .*; field "labels\\.1\\.id": duplicate label id "L1"`));
  });

  it('gives the line of a JSON syntax error, and names a missing file', async () => {
    const path = t.file('syntax.json', '{\n  "a": 1,\n  "b": ,\n}\n');
    await expect(readJsonFile(path, TaxonomySchema)).rejects.toThrow(new RegExp(`syntax\\.json:3:\\d+: invalid JSON`));
    await expect(readJsonFile(join(t.dir, 'missing.json'), TaxonomySchema)).rejects.toThrow(/cannot read .*missing\.json: ENOENT/);
  });
});
