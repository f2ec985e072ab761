/** predictFile holds its output's lock: a second writer of the same predictions file fails instead of interleaving. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileLockedError, acquireFileLock } from '@taxonomist/core';
import { predictFile, train } from '../src/index.js';
import { syntheticExamples } from './helpers.js';

describe('predictFile and the output lock', async () => {
  const { model } = await train(syntheticExamples(120, 3), { seed: 1 });

  it('refuses an output another writer holds, leaves it untouched, and releases its own lock', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'predict-lock-'));
    const input = join(dir, 'in.jsonl');
    const out = join(dir, 'predictions.jsonl');
    writeFileSync(input, '{"id":"a","text":"my card was stolen"}\n{"id":"b","text":"refund my purchase"}\n');
    writeFileSync(out, 'previous content\n');
    const held = await acquireFileLock(out, { purpose: 'another writer' });
    await expect(predictFile(model, input, out)).rejects.toBeInstanceOf(FileLockedError);
    expect(readFileSync(out, 'utf8')).toBe('previous content\n');
    await held.release();
    const r = await predictFile(model, input, out);
    expect(r.written).toBe(2);
    expect(existsSync(`${out}.lock`)).toBe(false);
  });
});
