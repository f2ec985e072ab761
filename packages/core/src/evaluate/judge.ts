import type { ChatModelRef, Gateway, UsageReport } from '../llm/types.js';
import type { PluginHost, PromptOverride } from '../plugins/types.js';
import type { LabeledRecord } from '../schemas/corpus.js';
import type { Taxonomy, TaxonomyLabel } from '../schemas/taxonomy.js';
import { normalizeName } from '../induce/text.js';

/** Shared parts of the LLM-judge evaluations of a taxonomy (label accuracy, use-case relevance). */

export interface JudgeEvaluationOptions {
  gateway: Gateway;
  /** The judge model. */
  model: ChatModelRef;
  /** The purpose the taxonomy serves (default: the taxonomy's useCase). */
  useCase?: string;
  /** Records judged, drawn with the seed (default: all). */
  sampleSize?: number;
  seed?: number;
  /** Confidence level of the interval (default 0.95). */
  level?: number;
  /** Texts are cut to this many tokens on token boundaries (default 1000). */
  maxTextTokens?: number;
  concurrency?: number;
  temperature?: number;
  /** Attempts per record when the answer is unusable (default 3). */
  maxAttempts?: number;
  prompts?: Partial<Record<string, PromptOverride>>;
  host?: Pick<PluginHost, 'prompt'>;
  /** Appended to every judge prompt. */
  instructions?: string;
  signal?: AbortSignal;
}

export interface ConfidenceInterval {
  low: number;
  high: number;
  level: number;
}

/** Records left out of a judge evaluation, by reason. */
export interface JudgeSkips {
  total: number;
  byReason: Record<string, number>;
  /** A few of the skipped record ids per reason (for finding them). */
  examples: Record<string, string[]>;
}

export interface JudgeRateByLabel {
  labelId: string;
  name: string;
  n: number;
  hits: number;
  rate: number | null;
}

/** Common part of the judge evaluation reports. */
export interface JudgeReportBase {
  /** Records with a verdict. */
  n: number;
  /** Records the judge gave no usable verdict for within maxAttempts (not in n). */
  failed: number;
  skipped: JudgeSkips;
  perLabel: JudgeRateByLabel[];
  usage: UsageReport;
}

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9), for the z of a
 * confidence level.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/**
 * Wilson score interval of a proportion: unlike the normal approximation it stays inside [0, 1] and behaves for
 * small n and rates near 0 or 1, which is what judge samples of a few hundred records give. Null for n = 0.
 */
export function wilsonInterval(hits: number, n: number, level = 0.95): ConfidenceInterval | null {
  if (n === 0) return null;
  if (hits < 0 || hits > n) throw new RangeError(`wilsonInterval: hits ${hits} outside 0..${n}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`confidence level must be in (0, 1), got ${level}`);
  const z = normalQuantile(1 - (1 - level) / 2);
  const p = hits / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { low: Math.max(0, center - half), high: Math.min(1, center + half), level };
}

/** Find a record's label in the taxonomy: by id, then by name (exact, then ignoring case and punctuation). */
export function resolveRecordLabel(label: string, taxonomy: Taxonomy): TaxonomyLabel | undefined {
  const byId = taxonomy.labels.find((l) => l.id === label);
  if (byId) return byId;
  const exact = taxonomy.labels.filter((l) => l.name === label);
  if (exact.length === 1) return exact[0];
  const key = normalizeName(label);
  const loose = taxonomy.labels.filter((l) => normalizeName(l.name) === key);
  return loose.length === 1 ? loose[0] : undefined;
}

/** Depth of a label in its hierarchy (0 for top labels); comparisons pick rivals at the same depth. */
export function labelDepth(label: TaxonomyLabel, taxonomy: Taxonomy): number {
  let depth = 0;
  let current: TaxonomyLabel | undefined = label;
  const seen = new Set<string>();
  while (current?.parent !== undefined && !seen.has(current.id)) {
    seen.add(current.id);
    current = taxonomy.labels.find((l) => l.id === current!.parent);
    depth++;
  }
  return depth;
}

export function emptySkips(): JudgeSkips {
  return { total: 0, byReason: {}, examples: {} };
}

export function addSkip(skips: JudgeSkips, reason: string, id: string): void {
  skips.total++;
  skips.byReason[reason] = (skips.byReason[reason] ?? 0) + 1;
  const list = (skips.examples[reason] ??= []);
  if (list.length < 5) list.push(id);
}

/** Per-label hit rates, in taxonomy order, for labels with at least one judged record. */
export function rateByLabel(taxonomy: Taxonomy, outcomes: readonly { labelId: string; hit: boolean }[]): JudgeRateByLabel[] {
  const counts = new Map<string, { n: number; hits: number }>();
  for (const o of outcomes) {
    const c = counts.get(o.labelId) ?? { n: 0, hits: 0 };
    c.n++;
    if (o.hit) c.hits++;
    counts.set(o.labelId, c);
  }
  return taxonomy.labels
    .filter((l) => counts.has(l.id))
    .map((l) => {
      const c = counts.get(l.id)!;
      return { labelId: l.id, name: l.name, n: c.n, hits: c.hits, rate: c.n === 0 ? null : c.hits / c.n };
    });
}

/** One label as judge prompts show it. */
export function labelText(label: TaxonomyLabel): string {
  return `${label.name}: ${label.description}`;
}

export type JudgeInputRecord = Pick<LabeledRecord, 'id' | 'text' | 'label'>;
