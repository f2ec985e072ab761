import { TaxonomySchema, type Taxonomy } from '@taxonomist/core';
import type { CliIO } from '../src/io.js';

/** An in-memory CliIO: captured stdout/stderr, a fixed environment and a controllable clock. */
export function memoryIO(options: { cwd?: string; env?: Record<string, string | undefined>; tty?: boolean } = {}): CliIO & { out(): string; err(): string; advance(ms: number): void } {
  let stdout = '';
  let stderr = '';
  let t = 0;
  return {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s), isTTY: options.tty ?? false, columns: 120 },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    now: () => t,
    out: () => stdout,
    err: () => stderr,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/** A six-label banking taxonomy for label tests (what an LLM run would have induced on the bundled sample). */
export function bankingTaxonomy(): Taxonomy {
  return TaxonomySchema.parse({
    schemaVersion: 1,
    useCase: 'intent',
    labels: ['Top-up problems', 'Transfers', 'Currency exchange', 'Charges and refunds', 'Cards and PINs', 'Account and identity'].map((name, i) => ({
      id: `L${i + 1}`,
      name,
      description: `${name}.`,
    })),
  });
}
