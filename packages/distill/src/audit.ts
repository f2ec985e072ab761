/**
 * Label audit by confident learning (Northcutt, Jiang & Chuang, JAIR 2021). From out-of-fold probabilities:
 *   t_j = mean probability of label j over the examples labeled j (per-label confidence threshold);
 *   an example labeled i is counted as "truly j" when j is its most probable label among those with p_j >= t_j;
 *   the counts (confident joint), rescaled to the label counts, estimate the joint of given and true labels, whose
 *   off-diagonal mass is the estimated noise rate.
 * Examples whose confident label differs from the given one are flagged; all examples are ranked by self-confidence
 * (probability of the given label, lowest = most suspicious) so the most doubtful LLM labels can be re-checked first.
 */

export interface LabelIssue {
  /** Position of the example in the input. */
  index: number;
  id?: string;
  givenLabel: string;
  suggestedLabel: string;
  /** Out-of-fold probability of the given label (self-confidence). */
  givenProbability: number;
  suggestedProbability: number;
}

export interface ConfidentLearningResult {
  /** Estimated share of examples whose given label is wrong. */
  noiseRate: number;
  /** noiseRate x examples, rounded. */
  estimatedNoisyExamples: number;
  thresholds: number[];
  /** confidentJoint[given][true] counts (before calibration). */
  confidentJoint: number[][];
  /** Flagged examples (confident label != given label), most suspicious first. */
  issues: LabelIssue[];
  /** Every example index, most suspicious first (ascending self-confidence; ties by index). */
  ranking: Int32Array;
  /** Per given label: examples, flagged, estimated noise share. */
  perLabel: { label: string; examples: number; flagged: number; noiseRate: number }[];
}

export function confidentLearning(
  probabilities: Float64Array,
  given: Int32Array,
  labels: readonly string[],
  ids?: readonly (string | undefined)[],
): ConfidentLearningResult {
  const K = labels.length;
  const n = given.length;
  if (probabilities.length !== n * K) throw new RangeError(`probabilities: ${probabilities.length} values for ${n} x ${K}`);
  const sums = new Float64Array(K);
  const counts = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    const g = given[i]!;
    sums[g] += probabilities[i * K + g]!;
    counts[g]++;
  }
  // A label nobody was given gets threshold Infinity: it cannot be anyone's confident label (no evidence of its scale).
  const thresholds = Array.from({ length: K }, (_, j) => (counts[j]! > 0 ? sums[j]! / counts[j]! : Infinity));
  const joint: number[][] = Array.from({ length: K }, () => new Array<number>(K).fill(0));
  const confidentOf = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestP = -1;
    for (let j = 0; j < K; j++) {
      const p = probabilities[i * K + j]!;
      if (p >= thresholds[j]! && p > bestP) {
        best = j;
        bestP = p;
      }
    }
    if (best >= 0) {
      confidentOf[i] = best;
      joint[given[i]!]![best]!++;
    }
  }
  // Calibrate rows to the given-label counts, then normalise to a joint distribution.
  let total = 0;
  const cal: number[][] = joint.map((row, i) => {
    const rs = row.reduce((a, b) => a + b, 0);
    const r = rs > 0 ? row.map((c) => (c / rs) * counts[i]!) : row.map(() => 0);
    total += r.reduce((a, b) => a + b, 0);
    return r;
  });
  let off = 0;
  const perLabelNoise = new Array<number>(K).fill(0);
  cal.forEach((row, i) => {
    const rs = row.reduce((a, b) => a + b, 0);
    row.forEach((c, j) => {
      if (i !== j) off += c;
    });
    perLabelNoise[i] = rs > 0 ? 1 - row[i]! / rs : 0;
  });
  const noiseRate = total > 0 ? off / total : 0;
  const selfConf = Float64Array.from({ length: n }, (_, i) => probabilities[i * K + given[i]!]!);
  const ranking = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => selfConf[a]! - selfConf[b]! || a - b);
  const issues: LabelIssue[] = [];
  const flagged = new Array<number>(K).fill(0);
  for (const i of ranking) {
    const c = confidentOf[i]!;
    if (c < 0 || c === given[i]) continue;
    flagged[given[i]!]!++;
    const id = ids?.[i];
    issues.push({
      index: i,
      ...(id !== undefined ? { id } : {}),
      givenLabel: labels[given[i]!]!,
      suggestedLabel: labels[c]!,
      givenProbability: selfConf[i]!,
      suggestedProbability: probabilities[i * K + c]!,
    });
  }
  return {
    noiseRate,
    estimatedNoisyExamples: Math.round(noiseRate * n),
    thresholds,
    confidentJoint: joint,
    issues,
    ranking,
    perLabel: labels.map((label, j) => ({ label, examples: counts[j]!, flagged: flagged[j]!, noiseRate: perLabelNoise[j]! })),
  };
}
