/**
 * The `@taxonomist/pipeline/distill` entry: what `taxonomist distill` needs (the distill stage and the corpus and
 * flag helpers) without the package index, which loads every stage (labeler, report, LLM setup): ~50-70 ms less
 * start-up for a command whose whole run is a second or two. Same functions as the index exports.
 */
export { runDistillStage, type DistillStageResult } from './distill-stage.js';
export { corpusFlags, loadCorpus, reportIssues, type CorpusFlags } from './corpus.js';
export { inputPath, seedOf, str } from './values.js';
