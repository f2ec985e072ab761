import type { Reporter } from './reporter.js';
import { HOW_TO_CONFIGURE_LLM } from './models.js';

/** Said once per process, on stderr, whenever a result comes from the non-LLM baseline. */
export function offlineNotice(ui: Reporter): void {
  ui.notice(
    'offline-baseline',
    'note: no model configured, so these results come from the offline non-LLM baseline (TF-IDF + SVD + k-means, ' +
      `clusters named by their most distinctive phrases). For LLM quality, ${HOW_TO_CONFIGURE_LLM}.`,
  );
}

/** Flags that only mean something with an LLM (camelCase value key -> flag). */
const LLM_ONLY = ['multi', 'pack', 'concurrency', 'budget', 'rationale', 'confidence', 'allowNone', 'instructions', 'maxLabels', 'batchSize', 'epochs', 'trials', 'levels', 'seedTaxonomy', 'lock', 'relabel', 'relabelModel', 'batch', 'pollInterval'];

/** Say which of the given flags the offline engine ignores, instead of ignoring them silently. */
export function warnIgnoredOffline(values: Record<string, unknown>, ui: Reporter): void {
  const given = LLM_ONLY.filter((k) => values[k] !== undefined && values[k] !== false);
  if (given.length > 0) ui.warn(`without --model these flags have no effect: ${given.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')}`);
}
