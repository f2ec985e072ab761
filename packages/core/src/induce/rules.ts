import type { LabelRules } from './validate.js';

/** The numbered rules shown in taxonomy prompts; the same rules `checkLabels`/`checkRevision` enforce. */
export function formatRules(rules: LabelRules): string {
  const lines = [
    rules.minLabels === rules.maxLabels
      ? `Use exactly ${rules.maxLabels} labels.`
      : `Use between ${rules.minLabels} and ${rules.maxLabels} labels; fewer, well separated labels beat many thin ones.`,
    `Each name has at most ${rules.maxNameWords} words and names one specific category.`,
    `Each description has at most ${rules.maxDescriptionWords} words and says what belongs under the label (and, where useful, what does not).`,
    'Labels are mutually exclusive: every text belongs under exactly one label.',
    'No catch-all labels such as "Other", "General", "Misc", "Unknown" or "None".',
    'No two labels share a name.',
  ];
  if (rules.language !== undefined) lines.push(`Write names and descriptions in the language "${rules.language}".`);
  if (rules.locked.length > 0) {
    lines.push(
      `These labels are fixed by the user: keep each with its id and exact name, never merge, split or drop them: ${rules.locked
        .map((l) => `[${l.id}] "${l.name}"`)
        .join(', ')}.`,
    );
  }
  return lines.map((l, i) => `${i + 1}. ${l}`).join('\n');
}
