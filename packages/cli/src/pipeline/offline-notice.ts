import type { Ui } from '../ui/ui.js';
import { HOW_TO_CONFIGURE_LLM } from '../model/setup.js';

/** Said once per process, on stderr, whenever a result comes from the non-LLM baseline. */
export function offlineNotice(ui: Ui): void {
  ui.notice(
    'offline-baseline',
    'note: no model configured, so these results come from the offline non-LLM baseline (TF-IDF + SVD + k-means, ' +
      `clusters named by their most distinctive words). For LLM quality, ${HOW_TO_CONFIGURE_LLM}.`,
  );
}
