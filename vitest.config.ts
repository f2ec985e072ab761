import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Tests run from TypeScript sources: every workspace package exports a "source" condition
// pointing at src/index.ts, so `npm test` needs no prior build.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'plugins/*/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default is one worker fewer than the cores: one on a 2-core CI machine. Most test time is waiting on
    // child processes and local servers, so two workers there halve the wall time.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
