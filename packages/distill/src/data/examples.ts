/**
 * Training examples and where they come from: arrays, a plain labeled JSONL/CSV file, or a labeler output file
 * (LabelAssignment lines, joined with the corpus by id). Only `status: ok` assignments with a label are used; every
 * other line is counted, never silently dropped.
 */
import { DataFileError, LabelAssignmentSchema, readCorpus, readJsonl, type CorpusIssue, type LabelAssignment } from '@taxonomist/core';

export interface LabeledExample {
  id?: string;
  text: string;
  /** The (primary) label. */
  label: string;
  /** All labels (multi-label data); `label` is the first. */
  labels?: string[];
}

export interface ExampleCounts {
  /** Examples produced. */
  used: number;
  /** Assignments with status failed. */
  failed: number;
  /** Assignments answered "none of these" (no label to learn). */
  none: number;
  /** Assignments whose id has no text in the corpus. */
  missingText: number;
  /** Lines/records skipped by the readers (malformed, wrong type...), see `issues`. */
  invalid: number;
}

export interface LoadedExamples {
  examples: LabeledExample[];
  counts: ExampleCounts;
  issues: CorpusIssue[];
  /** The taxonomy the labels belong to (labeler output: the `taxonomyId` its lines carry, when they carry one). */
  taxonomyId?: string;
  /** Label name -> the `labelId` the assignment lines give it (labeler output; absent when no line has one). */
  labelIds?: Record<string, string>;
}

/** Assignment lines of one file name different taxonomies. */
export class TaxonomyIdMismatchError extends Error {
  override name = 'TaxonomyIdMismatchError';
}

/**
 * The one taxonomy id the assignment lines carry (lines without one are ignored); an error naming both ids and the
 * records carrying them when the lines disagree (labels of two taxonomies cannot train one model).
 */
export function taxonomyIdOf(assignments: Iterable<LabelAssignment>, source = 'assignments'): string | undefined {
  let first: { id: string; taxonomyId: string } | undefined;
  for (const a of assignments) {
    if (a.taxonomyId === undefined) continue;
    if (!first) first = { id: a.id, taxonomyId: a.taxonomyId };
    else if (a.taxonomyId !== first.taxonomyId) {
      throw new TaxonomyIdMismatchError(
        `${source}: lines carry different taxonomyId values (${JSON.stringify(first.taxonomyId)} on id ${JSON.stringify(first.id)}, ` +
          `${JSON.stringify(a.taxonomyId)} on id ${JSON.stringify(a.id)}): one model learns the labels of one taxonomy`,
      );
    }
  }
  return first?.taxonomyId;
}

/**
 * The labels of ok lines must be labels of their taxonomy, or a classifier learns a class that does not exist (a
 * hand-edited line). With `taxonomyLabels` (the taxonomy's label names) every label is checked against it; without
 * it, lines must at least agree with each other: one `labelId`, one name. A DataFileError names the file, the field
 * and the record id.
 */
export function checkAssignmentLabels(assignments: Iterable<LabelAssignment>, source: string, taxonomyLabels?: readonly string[]): void {
  const known = taxonomyLabels === undefined ? undefined : new Set(taxonomyLabels);
  const nameOfId = new Map<string, { name: string; id: string }>();
  for (const a of assignments) {
    if (a.status !== 'ok' || a.none) continue;
    const fail = (field: string, why: string): never => {
      throw new DataFileError(`${source}: id ${JSON.stringify(a.id)}: field "${field}": ${why}`, { file: source, field });
    };
    if (known !== undefined) {
      if (a.label !== undefined && !known.has(a.label)) fail('label', `${JSON.stringify(a.label)} is not a label of the taxonomy (labels: ${[...known].map((l) => JSON.stringify(l)).join(', ')})`);
      const stray = a.labels?.find((l) => !known.has(l));
      if (stray !== undefined) fail('labels', `${JSON.stringify(stray)} is not a label of the taxonomy`);
    }
    if (a.labelId !== undefined && a.label !== undefined) {
      const seen = nameOfId.get(a.labelId);
      if (seen === undefined) nameOfId.set(a.labelId, { name: a.label, id: a.id });
      else if (seen.name !== a.label) {
        fail('label', `labelId ${JSON.stringify(a.labelId)} is ${JSON.stringify(a.label)} here but ${JSON.stringify(seen.name)} on id ${JSON.stringify(seen.id)}: one label, two names (a line edited by hand?)`);
      }
    }
  }
}

/** Check an in-memory array, with a message naming the offending index and id. */
export function validateExamples(examples: readonly LabeledExample[]): void {
  examples.forEach((e, i) => {
    const where = `examples[${i}]${e?.id !== undefined ? ` (id ${JSON.stringify(e.id)})` : ''}`;
    if (e === null || typeof e !== 'object') throw new TypeError(`${where}: expected an object with text and label`);
    if (typeof e.text !== 'string') throw new TypeError(`${where}: field "text" must be a string, got ${typeof e.text}`);
    if (typeof e.label !== 'string' || e.label === '') throw new TypeError(`${where}: field "label" must be a non-empty string`);
    if (e.labels !== undefined && (!Array.isArray(e.labels) || e.labels.some((l) => typeof l !== 'string' || l === ''))) {
      throw new TypeError(`${where}: field "labels" must be an array of non-empty strings`);
    }
  });
}

/** Examples from a labeled corpus file (JSONL/CSV/TSV) with a label field (default "label"). */
export async function readLabeledFile(
  path: string,
  opts: { textField?: string; idField?: string; labelField?: string; strict?: boolean } = {},
): Promise<LoadedExamples> {
  const reader = readCorpus(path, {
    labelField: opts.labelField ?? 'label',
    ...(opts.textField ? { textField: opts.textField } : {}),
    ...(opts.idField ? { idField: opts.idField } : {}),
    ...(opts.strict ? { strict: true } : {}),
  });
  const examples: LabeledExample[] = [];
  let unlabeled = 0;
  const issues: CorpusIssue[] = [];
  for await (const r of reader) {
    if (r.label === undefined) {
      unlabeled++;
      issues.push({ file: path, line: 0, field: opts.labelField ?? 'label', kind: 'missing_field', message: `${path}: record ${r.id} has no label` });
      continue;
    }
    examples.push({ id: r.id, text: r.text, label: r.label, ...(r.labels ? { labels: r.labels } : {}) });
  }
  return {
    examples,
    counts: { used: examples.length, failed: 0, none: 0, missingText: 0, invalid: reader.stats.skipped + unlabeled },
    issues: [...reader.issues, ...issues],
  };
}

/**
 * Examples in a canonical order, so that what is trained (and held out) does not depend on the order lines were
 * written in (labeler output comes in completion order until its run compacts it): by corpus position when
 * `corpusOrder` (id -> position) is given, else by id (code-unit order). Examples whose id has no position come after
 * those that have one, by id; examples without an id come last, in their given order (the sort is stable).
 */
export function canonicalExampleOrder<T extends { id?: string }>(examples: readonly T[], corpusOrder?: ReadonlyMap<string, number>): T[] {
  // group 0: has a corpus position; 1: has an id only; 2: no id.
  const keyed = examples.map((e) => {
    const position = e.id === undefined ? undefined : corpusOrder?.get(e.id);
    return { e, group: position !== undefined ? 0 : e.id !== undefined ? 1 : 2, position: position ?? 0 };
  });
  keyed.sort((x, y) => {
    if (x.group !== y.group) return x.group - y.group;
    if (x.group === 0) return x.position - y.position;
    if (x.group === 1) return x.e.id! < y.e.id! ? -1 : x.e.id! > y.e.id! ? 1 : 0;
    return 0;
  });
  return keyed.map((k) => k.e);
}

/**
 * Join labeler assignments with corpus texts by id. Only ok assignments with a label become examples; failed and
 * "none" ones are counted. An ok assignment whose id is not in the corpus is an error unless `skipMissingText`.
 * Examples come in corpus order (the insertion order of `texts`), whatever the order of the assignments, so a
 * labels file and a shuffled copy of it give the same examples (see canonicalExampleOrder).
 */
export function examplesFromAssignments(
  assignments: Iterable<LabelAssignment>,
  texts: ReadonlyMap<string, string>,
  opts: { skipMissingText?: boolean; source?: string; taxonomyLabels?: readonly string[] } = {},
): { examples: LabeledExample[]; counts: ExampleCounts } {
  const list = Array.isArray(assignments) ? (assignments as LabelAssignment[]) : [...assignments];
  checkAssignmentLabels(list, opts.source ?? 'assignments', opts.taxonomyLabels);
  assignments = list;
  const counts: ExampleCounts = { used: 0, failed: 0, none: 0, missingText: 0, invalid: 0 };
  const examples: LabeledExample[] = [];
  for (const a of assignments) {
    if (a.status !== 'ok') {
      counts.failed++;
      continue;
    }
    if (a.label === undefined || a.none) {
      counts.none++;
      continue;
    }
    const text = texts.get(a.id);
    if (text === undefined) {
      if (!opts.skipMissingText) {
        throw new Error(`${opts.source ?? 'assignments'}: id ${JSON.stringify(a.id)} is labeled but not in the corpus (pass skipMissingText to skip such ids)`);
      }
      counts.missingText++;
      continue;
    }
    const labels = a.labels && a.labels.length > 0 ? a.labels : undefined;
    examples.push({ id: a.id, text, label: a.label, ...(labels ? { labels } : {}) });
  }
  counts.used = examples.length;
  const corpusOrder = new Map<string, number>();
  for (const id of texts.keys()) corpusOrder.set(id, corpusOrder.size);
  return { examples: canonicalExampleOrder(examples, corpusOrder), counts };
}

/** Label name -> labelId as the ok lines give them (one taxonomy per file, checked by taxonomyIdOf: names map to one id). */
export function labelIdsOf(assignments: Iterable<LabelAssignment>): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let any = false;
  for (const a of assignments) {
    if (a.status !== 'ok' || a.label === undefined || a.labelId === undefined || Object.hasOwn(out, a.label)) continue;
    out[a.label] = a.labelId;
    any = true;
  }
  return any ? out : undefined;
}

/** Examples from a labeler output file (labels.jsonl) and the corpus it labeled. */
export async function readLabelerOutput(
  labelsPath: string,
  corpusPath: string,
  opts: { textField?: string; idField?: string; skipMissingText?: boolean; strict?: boolean; taxonomyLabels?: readonly string[] } = {},
): Promise<LoadedExamples> {
  const corpus = readCorpus(corpusPath, {
    ...(opts.textField ? { textField: opts.textField } : {}),
    ...(opts.idField ? { idField: opts.idField } : {}),
    ...(opts.strict ? { strict: true } : {}),
  });
  const texts = new Map<string, string>();
  for await (const r of corpus) texts.set(r.id, r.text);
  const reader = readJsonl<LabelAssignment>(labelsPath, { schema: LabelAssignmentSchema, ...(opts.strict ? { strict: true } : {}) });
  const assignments: LabelAssignment[] = [];
  for await (const a of reader) assignments.push(a);
  const { examples, counts } = examplesFromAssignments(assignments, texts, {
    ...(opts.skipMissingText !== undefined ? { skipMissingText: opts.skipMissingText } : {}),
    ...(opts.taxonomyLabels !== undefined ? { taxonomyLabels: opts.taxonomyLabels } : {}),
    source: labelsPath,
  });
  counts.invalid = reader.stats.skipped + corpus.stats.skipped;
  const taxonomyId = taxonomyIdOf(assignments, labelsPath);
  const labelIds = labelIdsOf(assignments);
  return {
    examples,
    counts,
    issues: [...corpus.issues, ...reader.issues],
    ...(taxonomyId !== undefined ? { taxonomyId } : {}),
    ...(labelIds !== undefined ? { labelIds } : {}),
  };
}
