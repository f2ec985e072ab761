/**
 * The verdict line of bench:cluster's scikit-learn comparison, computed from the run's own figures (never written by
 * hand), so it can say "not met".
 */

export interface SizeVerdict {
  n: number;
  /** Engine total (incl. naming) / scikit-learn KMeans pipeline total, CPU and wall. */
  cpu: number;
  wall: number;
  nmi: number;
  skNmi: number;
}

/**
 * The issue-14 goal, judged from this run's figures: faster than scikit-learn's KMeans pipeline at every size with NMI
 * no lower. CPU seconds decide (on a shared machine wall time mostly measures the other jobs); wall is reported too.
 */
export function verdictLines(rows: readonly SizeVerdict[]): string[] {
  if (rows.length === 0) return [];
  const failing = rows.filter((r) => !(r.cpu < 1 && r.nmi >= r.skNmi));
  const slowWall = rows.filter((r) => !(r.wall < 1));
  const per = rows.map((r) => `${r.n}: CPU ${r.cpu.toFixed(2)}x, wall ${r.wall.toFixed(2)}x, NMI ${r.nmi.toFixed(3)} vs ${r.skNmi.toFixed(3)}`).join('; ');
  return [
    '',
    `goal (engine faster than scikit-learn's KMeans pipeline at every size, NMI no lower; by CPU time): ${failing.length === 0 ? 'MET' : `NOT MET at ${failing.map((r) => r.n).join(', ')} texts`} (${per})`,
    `by wall time (meaningful only on a quiet machine): ${slowWall.length === 0 ? 'faster at every size' : `not faster at ${slowWall.map((r) => r.n).join(', ')} texts`}`,
  ];
}

