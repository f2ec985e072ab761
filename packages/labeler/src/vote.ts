import type { Interpretation } from './interpret.js';

export type OkInterpretation = Extract<Interpretation, { kind: 'ok' }>;

/** The key a vote is counted on: the primary label id, or "none". */
export function voteKey(i: OkInterpretation): string {
  return i.none ? '\u0000none' : i.primaryId!;
}

export interface VoteResult {
  winner: OkInterpretation;
  /** Votes for the winner / votes cast. */
  share: number;
  votes: number;
}

/**
 * Majority vote over answers, in a fixed order (sample index for self-consistency, model order for ensembles).
 * The label with most votes wins; a tie goes to the tied label that appears FIRST in that order, which makes the
 * result deterministic and, for ensembles, lets the first-listed model act as the tie-breaker.
 * Multi-label ids: every id listed by more than half of the answers, by votes then first appearance, with the
 * winner first. Mapped flags are merged from all answers (they are about what the models said); the rationale is the
 * first one given for the winning label.
 */
export function majorityVote(answers: readonly OkInterpretation[]): VoteResult {
  if (answers.length === 0) throw new RangeError('majorityVote: no answers');
  const counts = new Map<string, number>();
  const firstSeen = new Map<string, number>();
  answers.forEach((a, i) => {
    const k = voteKey(a);
    counts.set(k, (counts.get(k) ?? 0) + 1);
    if (!firstSeen.has(k)) firstSeen.set(k, i);
  });
  let bestKey = voteKey(answers[0]!);
  for (const [k, c] of counts) {
    const best = counts.get(bestKey)!;
    if (c > best || (c === best && firstSeen.get(k)! < firstSeen.get(bestKey)!)) bestKey = k;
  }
  const votes = counts.get(bestKey)!;
  const first = answers[firstSeen.get(bestKey)!]!;

  const idCounts = new Map<string, number>();
  const idFirst = new Map<string, number>();
  let pos = 0;
  for (const a of answers) {
    for (const id of a.ids) {
      idCounts.set(id, (idCounts.get(id) ?? 0) + 1);
      if (!idFirst.has(id)) idFirst.set(id, pos++);
    }
  }
  const mapped: OkInterpretation['mapped'] = [];
  const seenMapped = new Set<string>();
  for (const a of answers) {
    for (const m of a.mapped) {
      const key = `${m.from}\u0000${m.to}`;
      if (!seenMapped.has(key)) {
        seenMapped.add(key);
        mapped.push(m);
      }
    }
  }
  const rationale = answers.find((a) => voteKey(a) === bestKey && a.rationale !== undefined)?.rationale;
  let winner: OkInterpretation;
  if (first.none) {
    winner = { ...first, ids: [], mapped };
  } else {
    const majority = [...idCounts.entries()]
      .filter(([id, c]) => c * 2 > answers.length && id !== first.primaryId)
      .sort((a, b) => b[1] - a[1] || idFirst.get(a[0])! - idFirst.get(b[0])!)
      .map(([id]) => id);
    winner = { ...first, ids: [first.primaryId!, ...majority], mapped };
  }
  if (rationale !== undefined) winner.rationale = rationale;
  return { winner, share: votes / answers.length, votes };
}
