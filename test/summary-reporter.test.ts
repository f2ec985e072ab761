/**
 * The plain closing line (`Tests: N passed, N failed, N skipped`, test/support/summary-reporter.ts) must not hide a
 * failure: vitest runs, as a child process, fixture files (test/fixtures/reporter/*.fixture.ts, outside the main
 * include globs) that fail in every way a test run can fail without a failing test: a suite's beforeAll, a file-level
 * beforeAll, an afterAll, a module that fails to import, an unhandled rejection after a passing test.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const CONFIG = 'test/fixtures/reporter/vitest.config.ts';
const VITEST = join(createRequire(import.meta.url).resolve('vitest/package.json'), '..', 'vitest.mjs');

/** Run the fixture config (optionally only the files matching `filter`); the closing line and the exit code. */
function runFixtures(filter?: string): Promise<{ code: number | null; line: string | undefined; output: string }> {
  return new Promise((done, reject) => {
    // A clean environment: the child must not think it is one of this run's workers.
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', CI: '1' };
    const args = [VITEST, 'run', '--config', CONFIG, ...(filter !== undefined ? [filter] : [])];
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => done({ code, line: output.match(/^Tests: .*$/m)?.[0], output }));
  });
}

describe('summary reporter', () => {
  it('counts failed hooks, suites, imports and unhandled errors as failed, and a clean run as 0 failed', async () => {
    const [all, fileHook, clean] = await Promise.all([runFixtures(), runFixtures('file-before-all'), runFixtures('passing')]);

    // Every fixture file. failed: 1 failing test + suite beforeAll + file beforeAll + afterAll + import error +
    // unhandled rejection. skipped: it.skip + the 3 tests whose beforeAll failed. passed: the 5 others.
    expect(all.line, all.output).toBe('Tests: 5 passed, 6 failed, 4 skipped');
    expect(all.code).not.toBe(0);

    // The case of issue 9: a file whose beforeAll fails has no failed test, yet the line must say it failed.
    expect(fileHook.line, fileHook.output).toBe('Tests: 0 passed, 1 failed, 1 skipped');
    expect(fileHook.code).not.toBe(0);

    expect(clean.line, clean.output).toBe('Tests: 1 passed, 0 failed, 1 skipped');
    expect(clean.code).toBe(0);
  }, 120_000);
});
