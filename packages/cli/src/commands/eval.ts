import { classificationReport, clusteringReport, type ClassificationReport, type ClusteringReport } from '@taxonomist/core';
import { InputError, UsageError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { loadAssignments, corpusFlags, loadCorpus, inputPath } from '@taxonomist/pipeline';
import { formatCount } from '../ui/format.js';
import { renderTable } from '../ui/table.js';
import type { CommandContext } from './types.js';

export interface EvalResult {
  predicted: string;
  gold: string;
  mode: 'classification' | 'clustering';
  counts: { gold: number; predicted: number; joined: number; failed: number; missingPrediction: number; notInGold: number };
  /** Share of joined predictions whose label is a gold class name (drives the auto mode). */
  labelOverlap: number;
  clustering: ClusteringReport;
  classification?: Omit<ClassificationReport, 'confusion'> & { confusion?: ClassificationReport['confusion'] };
}

/** `taxonomist eval`: join predictions and gold labels by id and score them. */
export async function execute(ctx: CommandContext): Promise<ExitCode> {
  const predictedPath = inputPath(ctx.io.cwd, ctx.positionals[0]!);
  const goldPath = ctx.values.gold;
  if (typeof goldPath !== 'string') throw new UsageError('missing --gold <file>', { command: 'eval', hint: 'the file with the reference labels, e.g. --gold test.jsonl' });
  const goldField = typeof ctx.values.goldField === 'string' ? ctx.values.goldField : 'label';
  const result = await evaluateFiles(ctx, predictedPath, inputPath(ctx.io.cwd, goldPath), goldField, (ctx.values.mode as string | undefined) ?? 'auto');
  ctx.ui.result(renderEval(result), result);
  return EXIT.OK;
}

export async function evaluateFiles(ctx: CommandContext, predictedPath: string, goldPath: string, goldField: string, mode: string): Promise<EvalResult> {
  const predictions = await loadAssignments(predictedPath, ctx.ui);
  // The gold file needs ids and labels, not texts: read the label field as the "text" so a gold file of
  // { id, label } lines works as well as a full corpus.
  const gold = await loadCorpus(goldPath, { ...corpusFlags(ctx.values), textField: goldField }, ctx.ui, ctx.signal);
  const goldLabels: string[] = [];
  const predLabels: string[] = [];
  let failed = 0;
  let missingPrediction = 0;
  const goldIds = new Set<string>();
  for (const r of gold.records) {
    goldIds.add(r.id);
    const p = predictions.byId.get(r.id);
    if (!p) missingPrediction++;
    else if (p.status !== 'ok' || p.label === undefined) failed++;
    else {
      goldLabels.push(r.text);
      predLabels.push(p.label);
    }
  }
  let notInGold = 0;
  for (const id of predictions.byId.keys()) if (!goldIds.has(id)) notInGold++;
  if (goldLabels.length === 0) {
    throw new InputError(`no record of ${predictedPath} has an ok label for an id of ${goldPath}`, {
      hint: `the files are joined by id: ${missingPrediction} gold ids have no prediction, ${notInGold} predicted ids are not in the gold file; check --id-field / --gold-field`,
    });
  }
  if (missingPrediction > 0) ctx.ui.warn(`${missingPrediction} gold record(s) have no prediction in ${predictedPath}`);
  if (notInGold > 0) ctx.ui.warn(`${notInGold} predicted id(s) are not in ${goldPath}`);
  if (failed > 0) ctx.ui.warn(`${failed} prediction(s) have status "failed" and are not scored`);

  const goldSet = new Set(goldLabels);
  const labelOverlap = predLabels.filter((l) => goldSet.has(l)).length / predLabels.length;
  const chosen = mode === 'auto' ? (labelOverlap >= 0.5 ? 'classification' : 'clustering') : (mode as 'classification' | 'clustering');
  const result: EvalResult = {
    predicted: predictedPath,
    gold: goldPath,
    mode: chosen,
    counts: { gold: gold.records.length, predicted: predictions.byId.size, joined: goldLabels.length, failed, missingPrediction, notInGold },
    labelOverlap,
    clustering: clusteringReport(goldLabels, predLabels),
  };
  if (chosen === 'classification') {
    const report = classificationReport(goldLabels, predLabels, { labels: [...goldSet].sort() });
    result.classification = report;
  }
  return result;
}

const f3 = (x: number): string => x.toFixed(3);

export function renderEval(r: EvalResult): string {
  const c = r.counts;
  const out: string[] = [
    `${r.predicted} vs ${r.gold}: ${formatCount(c.joined)} records scored (${formatCount(c.gold)} gold, ${formatCount(c.predicted)} predicted, ${c.failed} failed, ${c.missingPrediction} without prediction, ${c.notInGold} not in gold)`,
    `mode: ${r.mode}${r.mode === 'clustering' ? ` (only ${(r.labelOverlap * 100).toFixed(0)}% of predicted labels are gold class names: label names are not compared)` : ''}`,
    '',
  ];
  const metrics: [string, string][] = [];
  if (r.classification) {
    const k = r.classification;
    metrics.push(['accuracy', f3(k.accuracy)], ['macro-F1', f3(k.macroF1)], ['weighted-F1', f3(k.weightedF1)], ["Cohen's kappa", f3(k.kappa)]);
  }
  const cl = r.clustering;
  metrics.push(['NMI', f3(cl.nmi)], ['ARI', f3(cl.ari)], ['purity', f3(cl.purity)], ['inverse purity', f3(cl.inversePurity)], ['harmonic purity', f3(cl.harmonicPurity)]);
  metrics.push(['gold classes', String(cl.goldClasses)], ['predicted labels', String(cl.clusters)]);
  out.push(renderTable([{ header: 'metric' }, { header: 'value', align: 'right' }], metrics));
  if (r.classification) {
    out.push('');
    out.push(
      renderTable(
        [{ header: 'label' }, { header: 'precision', align: 'right' }, { header: 'recall', align: 'right' }, { header: 'F1', align: 'right' }, { header: 'support', align: 'right' }],
        r.classification.perLabel.map((p) => [p.label, f3(p.precision), f3(p.recall), f3(p.f1), String(p.support)]),
      ),
    );
    if (r.classification.topConfusions.length > 0) {
      out.push('most frequent confusions (gold -> predicted):');
      for (const t of r.classification.topConfusions) out.push(`  ${t.gold} -> ${t.predicted}: ${t.count}`);
    }
  }
  return out.join('\n');
}
