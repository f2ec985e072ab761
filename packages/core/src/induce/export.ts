import { TaxonomySchema, taxonomyId, type Taxonomy, type TaxonomyLabel } from '../schemas/taxonomy.js';
import { stableStringify } from '../util/hash.js';
import { InductionError } from './options.js';
import { oneLine } from './text.js';

// The content id lives with the schema, which checks it (an edited taxonomy keeping its old id is refused).
export { taxonomyId };

/**
 * The id a taxonomy goes by, for everything that records which taxonomy it used (label lines, cluster and distilled
 * models): its own `id` as written in its JSON, else (a taxonomy built in memory) its content id `taxonomyId(t)`, the
 * id `taxonomyToJson` would write. Use this rather than hashing a taxonomy yourself, so all artifacts agree.
 */
export function taxonomyIdOf(t: Pick<Taxonomy, 'id' | 'useCase' | 'labels'>): string {
  return t.id ?? taxonomyId(t);
}

/** The taxonomy with its content id set, keys in a fixed order (what `taxonomyToJson` writes). */
export function normalizeTaxonomy(t: Taxonomy): Taxonomy {
  const parsed = TaxonomySchema.safeParse(t);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InductionError(`invalid taxonomy: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const v = parsed.data;
  return {
    schemaVersion: v.schemaVersion,
    id: taxonomyId(v),
    useCase: v.useCase,
    ...(v.method !== undefined ? { method: v.method } : {}),
    labels: v.labels.map(orderLabel),
    ...(v.metadata !== undefined ? { metadata: JSON.parse(stableStringify(v.metadata)) as Record<string, unknown> } : {}),
  };
}

function orderLabel(l: TaxonomyLabel): TaxonomyLabel {
  return {
    id: l.id,
    name: l.name,
    description: l.description,
    ...(l.parent !== undefined ? { parent: l.parent } : {}),
    ...(l.examples !== undefined ? { examples: l.examples } : {}),
  };
}

/**
 * Schema-versioned JSON of a taxonomy: validated, content id recomputed, stable key order, 2-space indent,
 * trailing newline. Equal taxonomies give byte-identical text.
 */
export function taxonomyToJson(t: Taxonomy): string {
  return `${JSON.stringify(normalizeTaxonomy(t), null, 2)}\n`;
}

/** Parse taxonomy JSON (e.g. a file written by `taxonomyToJson`); errors name the source and the field. */
export function parseTaxonomyJson(text: string, source = 'taxonomy JSON'): Taxonomy {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InductionError(`${source}: not valid JSON: ${(err as Error).message}`);
  }
  const parsed = TaxonomySchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InductionError(`${source}: field "${issue.path.join('.') || '(root)'}": ${issue.message}`);
  }
  return parsed.data;
}

export interface TaxonomyMarkdownOptions {
  /**
   * Examples column: a number caps the label's own `examples` (default 3); a map gives examples by label id
   * (e.g. labeled records); false leaves the column out.
   */
  examples?: number | false | Record<string, readonly string[]>;
  /** Heading (default "Taxonomy"). */
  title?: string;
  /** Examples longer than this many characters are cut at a word boundary (default 160). */
  maxExampleChars?: number;
}

/**
 * A readable Markdown rendering: use case, then a table of labels (id, name, description, examples). With a
 * hierarchy, the table lists the top labels and each top label with sub-labels gets its own section and table.
 */
export function taxonomyToMarkdown(t: Taxonomy, options: TaxonomyMarkdownOptions = {}): string {
  const tax = normalizeTaxonomy(t);
  const maxChars = options.maxExampleChars ?? 160;
  const examplesOf = (l: TaxonomyLabel): string[] => {
    const opt = options.examples;
    if (opt === false) return [];
    if (typeof opt === 'object') return [...(opt[l.id] ?? [])].slice(0, 3);
    return (l.examples ?? []).slice(0, opt ?? 3);
  };
  const withExamples = options.examples !== false && tax.labels.some((l) => examplesOf(l).length > 0);
  const children = new Map<string, TaxonomyLabel[]>();
  for (const l of tax.labels) if (l.parent !== undefined) children.set(l.parent, [...(children.get(l.parent) ?? []), l]);
  const top = tax.labels.filter((l) => l.parent === undefined);
  const hierarchical = children.size > 0;

  const table = (labels: TaxonomyLabel[]): string[] => {
    const head = ['Id', 'Label', 'Description'];
    if (hierarchical && labels === top) head.push('Sub-labels');
    if (withExamples) head.push('Examples');
    const rows = labels.map((l) => {
      const cells = [`\`${l.id}\``, cell(l.name), cell(l.description)];
      if (hierarchical && labels === top) cells.push(String(children.get(l.id)?.length ?? 0));
      if (withExamples) cells.push(examplesOf(l).map((e) => cell(`“${clip(e, maxChars)}”`)).join('<br>'));
      return `| ${cells.join(' | ')} |`;
    });
    return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows];
  };

  const lines = [`# ${options.title ?? 'Taxonomy'}`, '', `**Use case:** ${cell(tax.useCase)}`, ''];
  const facts = [`${tax.labels.length} labels`];
  if (hierarchical) facts.push(`${top.length} top-level`);
  if (tax.method) facts.push(`method: ${tax.method}`);
  lines.push(`Id \`${tax.id}\` · ${facts.join(' · ')}`, '', ...table(top));
  for (const parent of top) {
    const kids = children.get(parent.id);
    if (!kids) continue;
    lines.push('', `## ${cell(parent.name)} (\`${parent.id}\`)`, '', cell(parent.description), '', ...table(kids));
  }
  return `${lines.join('\n')}\n`;
}

function cell(text: string): string {
  return oneLine(text).replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
}

function clip(text: string, max: number): string {
  const chars = Array.from(oneLine(text));
  if (chars.length <= max) return chars.join('');
  const cut = chars.slice(0, max).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
