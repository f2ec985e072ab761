import type { TaxonomyLabel } from '../schemas/taxonomy.js';
import { createRng, hashString32 } from '../util/random.js';
import { PairwiseJudgeAnswerSchema, SCHEMA_NAMES, type PairwiseJudgeAnswer } from './answers.js';
import type { BatchItem } from './batch.js';
import { mapLimit } from './concurrency.js';
import { memoAsk, type RunContext } from './context.js';
import { renderPrompt } from './prompt-render.js';
import type { JudgeDecision, TrialComparison } from './result.js';
import { formatLabelLine, oneLine } from './text.js';

export interface JudgeOutcome {
  comparisons: TrialComparison[];
  /** Records won by each candidate over all its comparisons. */
  scores: number[];
  chosen: number;
  firstPositionRate: number | null;
}

/**
 * Pick the best of several candidate taxonomies: every pair is compared on the same validation records, one
 * judge call per record, with a seeded coin deciding which candidate is shown first (so position bias averages
 * out instead of favouring one candidate; `judgeBothOrders` asks both orders and only counts agreeing verdicts).
 * The candidate winning the most records overall is chosen; ties go to the earlier trial.
 */
export async function judgeCandidates(
  ctx: RunContext,
  candidates: readonly (readonly TaxonomyLabel[])[],
  records: readonly BatchItem[],
): Promise<JudgeOutcome> {
  const { settings } = ctx;
  const texts = candidates.map((labels) => labels.map(formatLabelLine).join('\n'));
  const scores = candidates.map(() => 0);
  const comparisons: TrialComparison[] = [];
  let first = 0;
  let decided = 0;

  for (let a = 0; a < candidates.length; a++) {
    for (let b = a + 1; b < candidates.length; b++) {
      const ask = async (record: BatchItem, shownFirst: number, suffix: string) => {
        const shownSecond = shownFirst === a ? b : a;
        return memoAsk<PairwiseJudgeAnswer>(ctx, `judge/${a}-${b}/${record.id}${suffix}`, PairwiseJudgeAnswerSchema, async () => ({
          stage: 'judge',
          promptId: 'judge-pairwise',
          model: ctx.models.judge.ref,
          modelId: ctx.models.judge.id,
          messages: renderPrompt(
            'judge-pairwise',
            { useCase: settings.useCase, firstText: texts[shownFirst]!, secondText: texts[shownSecond]!, recordText: oneLine(record.text) },
            ctx.prompts,
          ),
          schema: PairwiseJudgeAnswerSchema,
          schemaName: SCHEMA_NAMES['judge-pairwise'],
          temperature: settings.temperatures.judge,
          temperatureStep: settings.temperatureStep,
          maxAttempts: settings.maxAttempts,
          check: () => [],
          subject: 'verdict',
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        }));
      };
      const results = await mapLimit(records, settings.concurrency, async (record) => {
        const coin = createRng(hashString32(`${settings.seed}:judge:${a}:${b}:${record.id}`)).next();
        const shownFirst = coin < 0.5 ? a : b;
        const one = await ask(record, shownFirst, '');
        const other = settings.judgeBothOrders ? await ask(record, shownFirst === a ? b : a, '/swapped') : undefined;
        return { record, shownFirst, one, other };
      });

      const decisions: JudgeDecision[] = [];
      let aWins = 0;
      let bWins = 0;
      let ties = 0;
      for (const { record, shownFirst, one, other } of results) {
        ctx.ledger.add('judge', one.usage);
        if (other) ctx.ledger.add('judge', other.usage);
        const shownSecond = shownFirst === a ? b : a;
        const winnerOf = (verdict: string | undefined, firstIdx: number, secondIdx: number) =>
          verdict === 'first' ? firstIdx : verdict === 'second' ? secondIdx : null;
        const v1 = one.value?.verdict;
        let winner = winnerOf(v1, shownFirst, shownSecond);
        let choice: JudgeDecision['choice'] = v1 ?? 'tie';
        if (v1 === 'first' || v1 === 'second') {
          decided++;
          if (v1 === 'first') first++;
        }
        if (other) {
          const v2 = other.value?.verdict;
          if (v2 === 'first' || v2 === 'second') {
            decided++;
            if (v2 === 'first') first++;
          }
          const w2 = winnerOf(v2, shownSecond, shownFirst);
          if (w2 !== winner) {
            choice = 'inconsistent';
            winner = null;
          }
        }
        if (winner === a) aWins++;
        else if (winner === b) bWins++;
        else ties++;
        if (winner !== null) scores[winner]!++;
        decisions.push({
          recordId: record.id,
          first: shownFirst,
          choice,
          winner,
          reason: one.value?.reason ?? `no valid verdict in ${one.attempts} attempts`,
        });
      }
      await ctx.store.flush();
      comparisons.push({ a, b, aWins, bWins, ties, decisions });
      await ctx.progress({ type: 'judged', a, b, aWins, bWins, ties });
    }
  }
  let chosen = 0;
  scores.forEach((s, i) => {
    if (s > scores[chosen]!) chosen = i;
  });
  return { comparisons, scores, chosen, firstPositionRate: decided === 0 ? null : first / decided };
}
