/**
 * File names inside a run directory (`taxonomist run --out-dir out`). A contract: documented in the README and
 * relied on by `taxonomist report` and by scripts downstream.
 */
export const ARTIFACTS = {
  manifest: 'manifest.json',
  taxonomy: 'taxonomy.json',
  taxonomyMarkdown: 'taxonomy.md',
  /** The induction record: history of every step (ratings, edits), sample, summaries, usage. */
  induction: 'induction.json',
  induceCheckpoint: 'induce.checkpoint.json',
  /** Offline engine only: vectorizer + centroids, labels new texts by nearest centroid. */
  clusterModel: 'cluster-model.json',
  labels: 'labels.jsonl',
  /** Active labeling (run --model): one line per round (picks, quality estimate), then why it stopped. */
  activeRounds: 'active-rounds.jsonl',
  /** Active labeling: labels bought, stop reason and the learning curve (agreement vs labels bought). */
  activeLearning: 'active-learning.json',
  /** run --relabel / --relabel-model: the answers of the re-asked (disputed) labels (labeler output, resumable). */
  relabel: 'relabel.jsonl',
  model: 'model.json',
  /** Held-out evaluation of the distilled model. */
  distillEval: 'distill-eval.json',
  predictions: 'predictions.jsonl',
  /** Agreement of the predictions with gold classes (only with --gold-field). */
  goldEval: 'gold-eval.json',
  report: 'report.html',
  /** The LLM response cache of the run (re-runs cost nothing). */
  cache: 'cache',
} as const;
