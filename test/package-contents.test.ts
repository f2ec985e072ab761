/**
 * What `npm pack` ships for every published package (packages/*, plugins/* not marked private): the MIT LICENSE
 * (the packages say MIT), the README, and never a TypeScript build-info file (.tsbuildinfo holds absolute paths of
 * the build machine). Offline and fast: `npm pack --dry-run --json --ignore-scripts`, one npm process per check.
 *
 * Whether dist/ is built depends on what ran before (the CLI end-to-end test builds it), so the packages are also
 * packed from a mirror where a build has surely happened: package.json as is, a file in every "files" entry, and
 * build-info files both where tsconfig puts them and where an older build left them (dist/.tsbuildinfo).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const run = promisify(execFile);

interface Manifest {
  name: string;
  private?: boolean;
  license?: string;
  files?: string[];
}

const published = ['packages', 'plugins']
  .flatMap((group) => readdirSync(join(ROOT, group)).map((name) => `${group}/${name}`))
  .filter((dir) => existsSync(join(ROOT, dir, 'package.json')))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Manifest }))
  .filter((p) => p.manifest.private !== true);

/** `npm pack --dry-run` of the given workspaces of `cwd`: package name -> shipped paths. */
async function packList(cwd: string, dirs: string[]): Promise<Map<string, string[]>> {
  const args = ['pack', '--dry-run', '--json', '--ignore-scripts', '--offline', ...dirs.flatMap((d) => ['-w', d])];
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  const { stdout } = await run('npm', args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
  const packs = JSON.parse(stdout) as { name: string; files: { path: string }[] }[];
  return new Map(packs.map((p) => [p.name, p.files.map((f) => f.path)]));
}

/** tsconfig's tsBuildInfoFile (relative to the package), read without a JSON-with-comments parser. */
function buildInfoPath(dir: string): string | undefined {
  return /"tsBuildInfoFile"\s*:\s*"([^"]+)"/.exec(readFileSync(join(ROOT, dir, 'tsconfig.json'), 'utf8'))?.[1];
}

let mirror: string | undefined;
afterAll(async () => {
  if (mirror) await rm(mirror, { recursive: true, force: true });
});

function expectShipsRightFiles(name: string, files: string[] | undefined): void {
  expect(files, `npm pack listed nothing for ${name}`).toBeDefined();
  expect(files, name).toContain('LICENSE');
  expect(files, name).toContain('README.md');
  expect(files!.filter((f) => f.endsWith('.tsbuildinfo')), name).toEqual([]);
}

describe('published packages', () => {
  it('are all found', () => {
    expect(published.map((p) => p.manifest.name)).toEqual(expect.arrayContaining(['@taxonomist/core', '@taxonomist/cli', '@taxonomist/openai']));
  });

  it('say MIT and carry the MIT LICENSE of the repository', () => {
    const root = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(root).toMatch(/^MIT License\n/);
    for (const { dir, manifest } of published) {
      expect(manifest.license, dir).toBe('MIT');
      expect(readFileSync(join(ROOT, dir, 'LICENSE'), 'utf8'), dir).toBe(root);
    }
  });

  it('ship LICENSE and README and no .tsbuildinfo, as they are and after a build', async () => {
    mirror = await mkdtemp(join(tmpdir(), 'taxonomist-pack-'));
    for (const { dir, manifest } of published) {
      const to = join(mirror, dir);
      await mkdir(to, { recursive: true });
      for (const f of ['package.json', 'README.md', 'LICENSE']) await copyFile(join(ROOT, dir, f), join(to, f));
      // What a build leaves: a file in every shipped directory, build info where tsconfig says and in dist/.
      for (const entry of manifest.files ?? []) {
        if (entry.startsWith('!') || ['README.md', 'LICENSE', 'package.json'].includes(entry) || /\.\w+$/.test(entry)) continue;
        await mkdir(join(to, entry), { recursive: true });
        await writeFile(join(to, entry, 'index.js'), '');
      }
      const info = buildInfoPath(dir);
      expect(info, `${dir}/tsconfig.json sets no tsBuildInfoFile`).toBeDefined();
      for (const p of [info!, 'dist/.tsbuildinfo', 'dist/tsconfig.tsbuildinfo']) {
        await mkdir(dirname(join(to, p)), { recursive: true });
        await writeFile(join(to, p), '{}');
      }
    }
    await writeFile(join(mirror, 'package.json'), JSON.stringify({ name: 'mirror', private: true, workspaces: published.map((p) => p.dir) }));

    const dirs = published.map((p) => p.dir);
    const [real, built] = await Promise.all([packList(ROOT, dirs), packList(mirror, dirs)]);
    for (const { manifest } of published) {
      expectShipsRightFiles(manifest.name, real.get(manifest.name));
      expectShipsRightFiles(manifest.name, built.get(manifest.name));
      expect(built.get(manifest.name), manifest.name).toContain('dist/index.js');
    }
  }, 60_000);
});
