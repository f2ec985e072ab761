import { rejectsPathFor, type ReadCorpusOptions } from '@taxonomist/core';
import { PipelineInputError } from './errors.js';
import type { Reporter } from './reporter.js';
import { IssueTally, reportEmptyTexts, reportIssues } from './corpus.js';

/**
 * A corpus file handed to the labeler to stream (instead of loadCorpus's array): the reader's issues are tallied as
 * they come and reported once the run is over, exactly as loadCorpus reports them (first few, counts by kind, the
 * rejects file), so memory stays flat however big the corpus.
 */
export class StreamedCorpus {
  readonly tally = new IssueTally();
  readonly corpusOptions: ReadCorpusOptions;

  constructor(
    readonly path: string,
    flags: ReadCorpusOptions,
  ) {
    // Empty texts are kept: every record read gets exactly one line (failed 'input' for those).
    this.corpusOptions = { ...flags, maxIssues: 1000, keepEmptyTexts: true, onIssue: (i) => this.tally.add(i) };
  }

  /**
   * Report what was skipped; fail like loadCorpus when the file had nothing to label (`otherShards`: records another
   * shard has, so an empty shard of a usable corpus is fine).
   */
  async report(ui: Reporter, out: string, records: number, otherShards = 0): Promise<void> {
    const { tally, path } = this;
    reportIssues(path, tally, tally.rejected, ui, await tally.writeRejects(rejectsPathFor(out)));
    reportEmptyTexts(tally, ui);
    if (records - tally.keptCount > 0 || otherShards > 0) return;
    const missing = tally.rejected.find((i) => i.kind === 'missing_field');
    throw new PipelineInputError(`${path}: no usable records (${tally.skipped} line(s) skipped${tally.keptCount > 0 ? `, ${tally.keptCount} with an empty text` : ''})`, {
      location: { file: path },
      hint:
        missing !== undefined
          ? `${missing.message.replace(/; set textField$/, '')}; pass --text-field <name> (and --id-field <name>) to say which fields hold the text and id`
          : tally.skipped === 0 && tally.keptCount === 0
            ? 'the file is empty'
            : 'see the warnings above; --format jsonl|csv|txt if the extension is misleading',
    });
  }
}
