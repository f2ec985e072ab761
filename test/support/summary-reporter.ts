import type { Reporter, TestModule, TestRunEndReason } from 'vitest/node';

/** What the closing line counts. */
export interface SummaryCounts {
  passed: number;
  failed: number;
  skipped: number;
}

/**
 * Counts a run honestly: every failed test, AND every error that is not a test's own (a file that failed to import, a
 * failing beforeAll/afterAll hook of a file or of a suite), each as one failure. Tests that never ran because their
 * hook failed stay "skipped"; the hook's error is the failure. A file vitest marks failed without any error we can see
 * still counts once, and so does each unhandled error (an unhandled rejection after a passing test, for instance).
 */
export function countRun(
  testModules: ReadonlyArray<TestModule>,
  unhandledErrors: ReadonlyArray<unknown>,
  reason: TestRunEndReason | undefined,
): SummaryCounts {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const mod of testModules) {
    let failedHere = 0;
    for (const test of mod.children.allTests()) {
      const state = test.result().state;
      if (state === 'passed') passed++;
      else if (state === 'failed') failedHere++;
      else skipped++;
    }
    // Errors outside tests: the module's own (import errors, file-level hooks) and each suite's (its hooks).
    failedHere += mod.errors().length;
    for (const suite of mod.children.allSuites()) failedHere += suite.errors().length;
    if (failedHere === 0 && mod.state() === 'failed') failedHere = 1;
    failed += failedHere;
  }
  failed += unhandledErrors.length;
  // vitest says the run failed (or was interrupted) for a reason none of the above shows: never print "0 failed".
  if (failed === 0 && reason !== undefined && reason !== 'passed') failed = 1;
  return { passed, failed, skipped };
}

/**
 * Prints one plain closing line, `Tests: N passed, N failed[, N skipped]`, after vitest's own output.
 * CI reads this line (not vitest's coloured summary) to know how many tests ran and whether anything failed.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>, reason?: TestRunEndReason): void {
    const { passed, failed, skipped } = countRun(testModules, unhandledErrors, reason);
    const tail = skipped > 0 ? `, ${skipped} skipped` : '';
    process.stdout.write(`\nTests: ${passed} passed, ${failed} failed${tail}\n`);
  }
}
