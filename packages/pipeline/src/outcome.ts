/**
 * How a stage that did not throw came out. Stages report failed records, budget stops and provider stops as an
 * outcome (so that `runPipeline` can record them in the manifest), not as exceptions; the CLI maps outcomes to
 * its exit codes like PipelineError kinds.
 */
export const OUTCOME = {
  OK: 'ok',
  /** Finished, but some records failed or induction rounds were rejected. */
  PARTIAL: 'partial',
  PROVIDER: 'provider',
  BUDGET: 'budget',
  INTERRUPTED: 'interrupted',
} as const;

export type Outcome = (typeof OUTCOME)[keyof typeof OUTCOME];

/**
 * manifest.json records a partial stage's outcome as the number `taxonomist` used to write there (counts are
 * numbers; a run directory written before the pipeline became a library must resume the same way).
 */
const RECORDED_CODE: Record<Outcome, number> = { ok: 0, partial: 6, provider: 4, budget: 5, interrupted: 130 };

export function recordedCodeOf(outcome: Outcome): number {
  return RECORDED_CODE[outcome];
}

export function outcomeOfRecordedCode(code: number | undefined): Outcome | undefined {
  if (code === undefined) return undefined;
  return (Object.entries(RECORDED_CODE) as [Outcome, number][]).find(([, c]) => c === code)?.[0];
}
