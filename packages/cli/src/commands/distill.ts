import { resolve } from 'node:path';
import { LabelAssignmentSchema } from '@taxonomist/core';
import { InputError, UsageError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
// The narrow entry, not the package index (which loads every stage): start-up counts in a one-second command.
import { corpusFlags, loadCorpus, reportIssues, runDistillStage, inputPath, seedOf, str } from '@taxonomist/pipeline/distill';
import { pluginDistillRegistry } from '../model/plugin-registry.js';
import { formatPercent } from '../ui/format.js';
import type { CommandContext } from './types.js';

/**
 * `taxonomist distill <labeled>`: labels.jsonl (+ --corpus for the texts) or a labeled corpus -> model.json.
 * Which of the two the file is, is decided by its first line: LabelAssignment lines have "status".
 */
export async function execute(ctx: CommandContext): Promise<ExitCode> {
  const labeledPath = inputPath(ctx.io.cwd, ctx.positionals[0]!);
  const { values, ui } = ctx;
  const out = resolve(ctx.io.cwd, str(values, 'out') ?? 'model.json');
  const labelField = str(values, 'goldField') ?? 'label';
  const distill = await import('@taxonomist/distill');
  const flags = corpusFlags(values);
  const readerOpts = { ...(flags.textField ? { textField: flags.textField } : {}), ...(flags.idField ? { idField: flags.idField } : {}), ...(flags.strict ? { strict: true } : {}) };

  const looksLikeAssignments = await firstLineIsAssignment(labeledPath);
  let loaded;
  if (looksLikeAssignments) {
    const corpusPath = str(values, 'corpus');
    if (corpusPath === undefined) {
      throw new UsageError(`${labeledPath} holds labels without texts: pass --corpus <file> with the texts (joined by id)`, { command: 'distill' });
    }
    try {
      loaded = await distill.readLabelerOutput(labeledPath, inputPath(ctx.io.cwd, corpusPath), { ...readerOpts, skipMissingText: true });
    } catch (e) {
      if (e instanceof distill.TaxonomyIdMismatchError) throw new InputError(e.message, { hint: 'train on the labels of one taxonomy (one label run) at a time' });
      throw e;
    }
  } else {
    loaded = await distill.readLabeledFile(labeledPath, { ...readerOpts, labelField });
  }
  const c = loaded.counts;
  if (loaded.issues.length > 0) reportIssues(labeledPath, { skipped: c.invalid, byKind: countKinds(loaded.issues) }, loaded.issues, ui);
  if (c.failed + c.none + c.missingText > 0) {
    ui.warn(`not used for training: ${c.failed} failed, ${c.none} "none of these", ${c.missingText} without a text in the corpus`);
  }
  if (loaded.examples.length === 0) throw new InputError(`${labeledPath}: no usable labeled examples`, { hint: looksLikeAssignments ? 'no line has status "ok" with a label' : `no record has a "${labelField}" (see --gold-field)` });

  // Classifiers and featurizers registered by the config's plugins.
  const registry = await pluginDistillRegistry(ctx);
  const result = await runDistillStage({
    examples: loaded.examples,
    ...(loaded.taxonomyId !== undefined ? { taxonomyId: loaded.taxonomyId } : {}),
    ...(loaded.labelIds !== undefined ? { labelIds: loaded.labelIds } : {}),
    holdout: 0, seed: seedOf(values), ...(str(values, 'classifier') ? { classifier: str(values, 'classifier') } : {}), modelPath: out, source: 'labeled examples', ui,
    ...(str(values, 'featurizer') ? { featurizer: str(values, 'featurizer') } : {}),
    ...(registry ? { registry } : {}),
  });
  const lines = [`trained ${result.classifier} on ${result.examples} examples, ${result.labels} labels; wrote ${out}`];
  let evaluation: unknown;
  const evalPath = str(values, 'eval');
  if (evalPath !== undefined) {
    const gold = await loadCorpus(inputPath(ctx.io.cwd, evalPath), { ...flags, labelField }, ui, ctx.signal);
    const examples = gold.records.filter((r) => r.label !== undefined).map((r) => ({ id: r.id, text: r.text, label: r.label! }));
    if (examples.length === 0) throw new InputError(`${evalPath}: no record has a "${labelField}"`, { hint: 'see --gold-field' });
    const model = await distill.loadClassifier(out, registry ? { registry } : {});
    const known = new Set(model.labels);
    const shared = examples.filter((e) => known.has(e.label)).length / examples.length;
    if (shared < 0.5) {
      ui.warn(`only ${Math.round(shared * 100)}% of the --eval labels are labels of the model: accuracy compares names, so it is meaningless here; \`taxonomist eval\` on the predictions gives NMI/ARI/purity for differently named labels`);
    }
    const report = await distill.evaluate(model, examples);
    evaluation = { n: report.n, accuracy: report.accuracy, macroF1: report.macroF1, kappa: report.kappa, topK: report.topK };
    lines.push(`on ${evalPath} (${report.n} records): accuracy ${formatPercent(report.accuracy)}, macro-F1 ${report.macroF1.toFixed(3)}, kappa ${report.kappa.toFixed(3)}`);
  }
  ui.result(lines.join('\n'), { model: out, classifier: result.classifier, examples: result.examples, labels: result.labels, counts: c, ...(evaluation ? { evaluation } : {}) });
  return EXIT.OK;
}

async function firstLineIsAssignment(path: string): Promise<boolean> {
  const { createReadStream } = await import('node:fs');
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }) });
  try {
    for await (const line of rl) {
      if (line.trim() === '') continue;
      try {
        const v = JSON.parse(line) as Record<string, unknown>;
        return 'status' in v && !('text' in v) && LabelAssignmentSchema.safeParse(v).success;
      } catch {
        return false;
      }
    }
    return false;
  } finally {
    rl.close();
  }
}

function countKinds(issues: readonly { kind: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of issues) out[i.kind] = (out[i.kind] ?? 0) + 1;
  return out;
}
