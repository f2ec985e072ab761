/**
 * The learning curve's table in the report: per active-learning round, the LLM labels bought, the classifier's
 * agreement with the LLM on the held-out labels with its 95% interval, and what the labels bought so far cost
 * (the label stage's cost per record bought, from the manifest, times the labels bought: rounds are not billed
 * separately, and a resumed run's manifest still holds the whole stage's cost).
 */
import type { ReportData } from './data.js';

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const int = (x: number): string => Math.round(x).toLocaleString('en-US');

export function learningCurveTable(d: ReportData): string {
  const l = d.learning;
  if (!l) return '';
  const label = d.usage.find((u) => u.stage === 'label');
  const perLabel = label && l.bought > 0 && label.costUsd > 0 ? label.costUsd / l.bought : undefined;
  const costNote =
    perLabel === undefined
      ? '<p class="muted">No labeling cost was recorded (no prices known for the model, or answers came from the cache).</p>'
      : `<p>Labeling cost $${label!.costUsd.toFixed(4)} for ${int(l.bought)} labels bought ($${perLabel.toFixed(5)} a label, re-labeling included when it ran); the cost column is labels bought x that.</p>`;
  return `${costNote}
<table><thead><tr><th class="num">Round</th><th class="num">Labels bought</th><th class="num">Held out</th><th class="num">Agreement</th><th class="num">95% interval</th>${perLabel === undefined ? '' : '<th class="num">Cost (USD)</th>'}</tr></thead><tbody>
${l.rounds
  .map(
    (r, i) =>
      `<tr><td class="num">${i}</td><td class="num">${int(r.bought)}</td><td class="num">${int(r.n)}</td><td class="num">${r.agreement === null ? '' : pct(r.agreement)}</td><td class="num">${r.low === null || r.high === null ? '' : `${pct(r.low)} – ${pct(r.high)}`}</td>${perLabel === undefined ? '' : `<td class="num">${(r.bought * perLabel).toFixed(4)}</td>`}</tr>`,
  )
  .join('\n')}
</tbody></table>
<p class="muted">Active learning vs a random sample is not measured within a run (that would buy the labels twice); <code>npm run bench:active</code> measures both on BANKING77 (figures in the @taxonomist/distill README).</p>`;
}
