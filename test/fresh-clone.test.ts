/**
 * A fresh clone has nothing beside it: `npm test` must pass without ../shared/data. Tests use examples/data or
 * fixtures they write; only benchmarks read the full data sets, through bench/shared-data.ts (TAXONOMIST_DATA or
 * <repo root>/../shared/data), and say what is missing when they are absent.
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_ENV, MISSING_DATA_EXIT, benchDataRoot, findBenchData } from '../bench/shared-data.js';

const ROOT = resolve(import.meta.dirname, '..');
// Built so that this file does not match itself.
const SHARED_DATA = new RegExp(['shared', '[/\\\\]data'].join(''));
const SHARED_DIR = new RegExp(['\\.\\./', 'shared\\b'].join(''));
// A quoted relative path to it, like '../../../../shared/data/banking77' (comments may name the default place).
const SHARED_PATH_LITERAL = new RegExp(['[\'"`](\\.\\./)+', 'shared\\b'].join(''));

function filesUnder(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    if (name === 'node_modules' || name === 'dist') return [];
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Benchmarks may read the shared data (through the helper); everything else under a test folder is a test. */
const isBench = (path: string): boolean => /(^|\/)bench(\/|-)|\.bench\.ts$/.test(relative(ROOT, path));

const testFolders = [
  join(ROOT, 'test'),
  ...['packages', 'plugins', 'examples'].flatMap((group) => readdirSync(join(ROOT, group)).map((name) => join(ROOT, group, name, 'test'))),
];

describe('tests need nothing outside the repository', () => {
  it('no test file, helper or fixture refers to the shared data sets', () => {
    const files = testFolders.flatMap(filesUnder).filter((p) => /\.(ts|js|mjs|json|jsonl|csv)$/.test(p) && !isBench(p));
    expect(files.length).toBeGreaterThan(50);
    const offenders = files
      .filter((p) => p !== import.meta.filename)
      .flatMap((p) =>
        readFileSync(p, 'utf8')
          .split('\n')
          .map((line, i) => ({ line, at: `${relative(ROOT, p)}:${i + 1}` }))
          .filter(({ line }) => SHARED_DATA.test(line) || SHARED_DIR.test(line) || line.includes(DATA_ENV)),
      )
      .map(({ at, line }) => `${at}: ${line.trim()}`);
    expect(offenders).toEqual([]);
  });

  it('benchmarks find their data through the one helper, not by a path of their own', () => {
    const benches = [
      ...['packages', 'plugins'].flatMap((group) => readdirSync(join(ROOT, group)).flatMap((name) => filesUnder(join(ROOT, group, name, 'bench')))),
      ...testFolders.flatMap(filesUnder).filter(isBench),
    ].filter((p) => p.endsWith('.ts'));
    expect(benches.length).toBeGreaterThan(5);
    for (const p of benches) {
      const text = readFileSync(p, 'utf8');
      expect(SHARED_PATH_LITERAL.test(text), `${relative(ROOT, p)} builds a ../shared path itself`).toBe(false);
      if (/banking77\/|train\.jsonl|test\.jsonl/.test(text)) expect(text, `${relative(ROOT, p)} reads data without requireBenchData`).toContain('requireBenchData(');
    }
  });
});

describe('bench/shared-data.ts', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'taxonomist-bench-data-'));
    await mkdir(join(dir, 'full', 'banking77'), { recursive: true });
    await writeFile(join(dir, 'full', 'banking77', 'train.jsonl'), '{}\n');
    await mkdir(join(dir, 'empty'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('looks in TAXONOMIST_DATA, else beside the repository', () => {
    expect(benchDataRoot({})).toBe(resolve(ROOT, '..', 'shared', 'data'));
    expect(benchDataRoot({ [DATA_ENV]: join(dir, 'full') })).toBe(join(dir, 'full'));
    expect(findBenchData('banking77', ['train.jsonl', 'test.jsonl'], { [DATA_ENV]: join(dir, 'full') })).toEqual({
      dir: join(dir, 'full', 'banking77'),
      missing: [join(dir, 'full', 'banking77', 'test.jsonl')],
    });
  });

  it('a benchmark without its data says what is missing and where it looked, and exits non-zero', async () => {
    // One benchmark per package; each exits before doing any work.
    const benches = ['packages/core/bench/cluster-banking77.ts', 'packages/distill/bench/banking77.ts', 'packages/labeler/bench/throughput.ts'];
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', [DATA_ENV]: join(dir, 'empty') };
    const results = await Promise.all(
      benches.map(
        (bench) =>
          new Promise<{ bench: string; code: number | null; stderr: string }>((done) => {
            const child = execFile(process.execPath, ['--conditions=source', '--import', 'tsx', bench], { cwd: ROOT, env, timeout: 60_000 }, (_err, _stdout, stderr) =>
              done({ bench, code: child.exitCode, stderr }),
            );
          }),
      ),
    );
    for (const r of results) {
      expect(r.code, `${r.bench}: ${r.stderr}`).toBe(MISSING_DATA_EXIT);
      expect(r.stderr, r.bench).toContain('benchmark data missing: data set "banking77"');
      expect(r.stderr, r.bench).toContain(join(dir, 'empty', 'banking77', 'test.jsonl'));
      expect(r.stderr, r.bench).toContain(`${DATA_ENV}=${join(dir, 'empty')}`);
    }
  }, 90_000);
});
