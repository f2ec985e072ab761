import { classificationReport, readJsonl } from '@taxonomist/core';
import type { ClassificationReport } from '@taxonomist/core';

/** A label line: an output line of `label()` (LabelAssignment), a gold record ({ id, label }) or a prediction. */
export interface LabelLike {
  id: string;
  status?: 'ok' | 'failed';
  label?: string;
  labelId?: string;
  none?: boolean;
}

/** A label set: a JSONL file path or records. */
export type LabelSetInput = string | Iterable<LabelLike> | AsyncIterable<LabelLike>;

export interface AgreementOptions {
  /** Compare label names (default) or label ids ('labelId'; gold files usually only have names). */
  by?: 'label' | 'labelId';
  /** How "none of these" answers count: as a label named NONE_LABEL (default), or excluded like failures. */
  none?: 'label' | 'exclude';
  /** Labels to report per-label rows for (default: the sorted union). */
  labels?: string[];
}

/** The value "none of these" takes in agreement reports. */
export const NONE_LABEL = '(none)';

export interface AgreementReport {
  /** Ids labeled in both sets: the ones compared. */
  compared: number;
  /** Ids labeled in A but absent from B, and the reverse. */
  onlyInA: number;
  onlyInB: number;
  /** Ids present in a set without a usable label (failed, or none excluded). */
  unlabeledInA: number;
  unlabeledInB: number;
  /** Accuracy (= observed agreement), Cohen's kappa, per-label P/R/F1 (A as reference), confusion, top confusions. */
  report: ClassificationReport;
}

async function loadLabels(input: LabelSetInput, options: AgreementOptions, what: string): Promise<{ labels: Map<string, string>; unlabeled: Set<string> }> {
  const labels = new Map<string, string>();
  const unlabeled = new Set<string>();
  const source: AsyncIterable<unknown> | Iterable<unknown> = typeof input === 'string' ? readJsonl<unknown>(input) : input;
  let i = 0;
  for await (const raw of source as AsyncIterable<unknown>) {
    const r = raw as LabelLike;
    const where = typeof input === 'string' ? `${input}: record #${i + 1}` : `${what}: record #${i}`;
    i++;
    if (r === null || typeof r !== 'object' || (typeof r.id !== 'string' && typeof r.id !== 'number')) {
      throw new TypeError(`${where}: field "id": expected a string`);
    }
    const id = String(r.id);
    if (labels.has(id) || unlabeled.has(id)) throw new TypeError(`${where}: duplicate id "${id}" (compact the file first)`);
    let value: string | undefined;
    if (r.status !== 'failed') {
      if (r.none === true) value = options.none === 'exclude' ? undefined : NONE_LABEL;
      else value = options.by === 'labelId' ? r.labelId : r.label;
    }
    if (typeof value === 'string' && value !== '') labels.set(id, value);
    else unlabeled.add(id);
  }
  return { labels, unlabeled };
}

/**
 * Agreement between two label sets joined by id (e.g. LLM labels vs gold, or two models): accuracy, Cohen's kappa,
 * per-label precision/recall/F1 with A as the reference, confusion pairs; plus counts of ids that could not be
 * compared, so a high score on few joined ids cannot pass unnoticed.
 */
export async function agreement(a: LabelSetInput, b: LabelSetInput, options: AgreementOptions = {}): Promise<AgreementReport> {
  const A = await loadLabels(a, options, 'set A');
  const B = await loadLabels(b, options, 'set B');
  const gold: string[] = [];
  const pred: string[] = [];
  let onlyInA = 0;
  for (const [id, la] of A.labels) {
    const lb = B.labels.get(id);
    if (lb !== undefined) {
      gold.push(la);
      pred.push(lb);
    } else if (!B.unlabeled.has(id)) onlyInA++;
  }
  let onlyInB = 0;
  for (const id of B.labels.keys()) if (!A.labels.has(id) && !A.unlabeled.has(id)) onlyInB++;
  return {
    compared: gold.length,
    onlyInA,
    onlyInB,
    unlabeledInA: A.unlabeled.size,
    unlabeledInB: B.unlabeled.size,
    report: classificationReport(gold, pred, options.labels ? { labels: options.labels } : {}),
  };
}

export interface CoverageReport {
  /** Lines read. */
  records: number;
  ok: number;
  failed: number;
  /** ok answers "none of these". */
  none: number;
  /** Share of ok answers that got a real label: 1 - none / ok (0 when nothing is ok). */
  coverage: number;
  /** ok records per label name (none excluded), most frequent first. */
  byLabel: { label: string; count: number; share: number }[];
}

/** How much of a corpus a taxonomy covers: the share of answers that were not "none of these". */
export async function coverage(input: LabelSetInput): Promise<CoverageReport> {
  const source: AsyncIterable<unknown> | Iterable<unknown> = typeof input === 'string' ? readJsonl<unknown>(input) : input;
  let records = 0;
  let ok = 0;
  let failed = 0;
  let none = 0;
  const counts = new Map<string, number>();
  for await (const raw of source as AsyncIterable<unknown>) {
    const r = raw as LabelLike;
    records++;
    if (r.status === 'failed') {
      failed++;
      continue;
    }
    ok++;
    if (r.none === true) none++;
    else if (typeof r.label === 'string') counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
  }
  const labeled = ok - none;
  return {
    records,
    ok,
    failed,
    none,
    coverage: ok === 0 ? 0 : labeled / ok,
    byLabel: [...counts.entries()]
      .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
      .map(([label, count]) => ({ label, count, share: labeled === 0 ? 0 : count / labeled })),
  };
}
