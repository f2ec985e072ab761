import { CORPUS_OPTIONS, GLOBAL_OPTIONS, MODEL_OPTIONS, SEED_OPTION, SUMMARIZE_MODEL_OPTION, type OptionTable } from '../args/options.js';
import type { CommandSpec } from './types.js';

/**
 * The subcommand table. Only this light file is loaded at start-up; each command's module (and with it the
 * heavy packages: LangChain, the labeler, the classifier) is imported when that command runs.
 */

const INDUCE_OPTIONS: OptionTable = {
  'use-case': { type: 'string', short: 'u', value: '<text>', required: true, description: 'what the taxonomy is for, e.g. "the customer\'s intent in support chats"' },
  strategy: { type: 'string', value: '<name>', choices: ['llm', 'cluster'], description: 'llm (TnT-LLM) or cluster (offline k-means baseline)', defaultText: 'llm with --model, else cluster' },
  labels: { type: 'integer', min: 2, value: '<n>', aliases: ['k'], description: 'cluster strategy: number of labels (clusters) to make', defaultText: 'chosen by silhouette' },
  'max-labels': { type: 'integer', min: 2, value: '<n>', description: 'llm strategy: most labels the taxonomy may have' },
  'induce-sample': { type: 'integer', min: 1, value: '<n>', aliases: ['sample-size'], description: 'records sampled (seeded) to induce from' },
  'batch-size': { type: 'integer', min: 1, value: '<n>', description: 'llm strategy: summaries per update batch' },
  epochs: { type: 'integer', min: 1, value: '<n>', description: 'llm strategy: passes over the batches' },
  trials: { type: 'integer', min: 1, value: '<n>', description: 'llm strategy: independent runs judged against each other' },
  levels: { type: 'integer', min: 1, max: 2, value: '<n>', description: 'llm strategy: 2 grows sub-labels under each label' },
  instructions: { type: 'string', value: '<text>', description: 'extra instructions appended to every prompt' },
  'seed-taxonomy': { type: 'string', value: '<file>', description: 'taxonomy.json to start from (llm strategy)' },
  lock: { type: 'string', multiple: true, value: '<label>', description: 'label name or id the model may not remove or rename (repeatable)' },
};

const LABEL_OPTIONS: OptionTable = {
  multi: { type: 'boolean', description: 'also give every applicable label (`labels`), not only the primary one' },
  pack: { type: 'integer', min: 1, value: '<k>', description: 'texts per model call (cheaper prompts; answers matched back by id)', defaultText: '1' },
  concurrency: { type: 'integer', min: 1, value: '<n>', description: 'model calls in flight', defaultText: '8' },
  budget: { type: 'number', above: 0, value: '<usd>', description: 'cap on US dollars for model calls: a call that would go over is not made, the run stops cleanly (resumable)' },
  rationale: { type: 'boolean', description: 'ask the model for a short rationale per record' },
  confidence: {
    type: 'string',
    value: '<method>',
    choices: ['none', 'auto', 'logprobs', 'self-consistency'],
    description: 'confidence per record: token log-probabilities, or the vote share of several samples (costs more calls); auto picks logprobs when the provider has them',
    defaultText: 'none',
  },
  'allow-none': { type: 'boolean', description: 'let the model answer "none of these" (recorded as none: true; measures taxonomy coverage)' },
  instructions: { type: 'string', value: '<text>', description: 'extra instructions appended to every prompt' },
};

/** `--shard i/n` of label and predict (parsed and checked by args/shard.ts when the command runs). */
/** label / run: through the provider's batch API instead of the chat endpoint (labeler's labelBatchToFile). */
const BATCH_OPTIONS: OptionTable = {
  batch: { type: 'boolean', description: "label through the provider's batch API (OpenAI: half price, results within 24 h); batch ids are saved in <labels>.batch.json, a re-run attaches to them" },
  'poll-interval': { type: 'number', above: 0, value: '<seconds>', description: 'with --batch: first wait between status checks (doubles while nothing changes, up to 10 min)', defaultText: '30' },
};

const SHARD_OPTION: OptionTable = {
  shard: { type: 'string', value: '<i/n>', description: 'process only shard i of n (0-based: 0/4 .. 3/4, by a stable hash of the record id); join with `taxonomist merge`' },
};

/** Some options of a table, by name (a command that shares a table but has no use for all of its flags). */
function pick(table: OptionTable, ...names: string[]): OptionTable {
  return Object.fromEntries(Object.entries(table).filter(([name]) => names.includes(name)));
}

/** One name for "how many records are labeled", in every command that labels a sample. */
const LABEL_SAMPLE_OPTION = (description: string, defaultText?: string): OptionTable => ({
  'label-sample': { type: 'integer', min: 1, value: '<n>', aliases: ['sample'], description, ...(defaultText ? { defaultText } : {}) },
});

/** One name for "the corpus field holding the known (gold) label", in every command that reads one. */
const GOLD_FIELD_OPTION = (description: string, defaultText?: string): OptionTable => ({
  'gold-field': { type: 'string', value: '<name>', aliases: ['label-field'], description, ...(defaultText ? { defaultText } : {}) },
});

/**
 * The built-in classifier kinds of @taxonomist/distill (not imported: this file must stay light; a test checks the
 * list against the distill registry). Plugins may register more, so the command checks the name, not the parser.
 */
const CLASSIFIER_OPTION: OptionTable = {
  classifier: {
    type: 'string',
    value: '<name>',
    choices: ['linear-svm', 'logistic', 'ovr-logistic', 'naive-bayes'],
    openChoices: true,
    description: 'classifier kind to distill: a built-in or one a config plugin registers',
    defaultText: 'linear-svm',
  },
};

const corpusArg = { name: 'corpus', description: 'JSONL (id, text), CSV (header row) or plain text (one record a line)', required: true };

const commands: CommandSpec[] = [
  {
    name: 'run',
    summary: 'induce -> label a sample -> distill -> predict everything -> report, all resumable, all in --out-dir',
    usage: 'taxonomist run <corpus> --use-case <text> [--out-dir out] [options]',
    positionals: [corpusArg],
    options: {
      'out-dir': { type: 'string', short: 'o', value: '<dir>', description: 'where every artifact goes', defaultText: 'out' },
      ...INDUCE_OPTIONS,
      ...LABEL_SAMPLE_OPTION('records labeled (seeded sample) to train the classifier', '1000'),
      selection: { type: 'string', value: '<strategy>', description: 'with --model: how records are chosen for the LLM: diverse-balanced, diverse, balanced, margin, entropy (active learning) or random (a seeded sample)', defaultText: 'diverse-balanced; random with --batch' },
      'label-budget': { type: 'integer', min: 1, value: '<n>', description: 'with --model: most records active learning sends to the LLM', defaultText: '--label-sample' },
      'target-agreement': { type: 'number', above: 0, max: 1, value: '<fraction>', description: 'with --model: stop buying labels once the classifier agrees with the LLM this well on held-out labels (lower 95% bound)' },
      relabel: { type: 'boolean', description: 'with --model: re-ask the labels the audit disputes (at most 10%) with the same model by self-consistency; a differing vote replaces the label' },
      'relabel-model': { type: 'string', value: '<provider:model>', description: 'with --model: re-ask the disputed labels with this (stronger) model instead; its answer replaces the label' },
      ...BATCH_OPTIONS,
      shard: { type: 'string', value: '<i/n>', description: "this machine's share (0-based: 0/4 .. 3/4, by a stable hash of the record id): label its share of the sample and stop; once labels.jsonl holds the merged shards' labels, distill and predict its share (see README: many machines)" },
      ...LABEL_OPTIONS,
      holdout: { type: 'number', min: 0, max: 0.5, value: '<fraction>', description: 'share of the labeled sample held out to measure the distilled model', defaultText: '0.2' },
      ...GOLD_FIELD_OPTION('corpus field with gold classes: also report NMI/ARI/purity of the predictions against them'),
      ...CLASSIFIER_OPTION,
      'no-resume': { type: 'boolean', description: 'start over: ignore out/manifest.json and existing artifacts' },
      featurizer: { type: 'string', value: '<name>', description: 'featurizer to distill with (built-in or registered by a config plugin)', defaultText: 'the package default' },
      ...CORPUS_OPTIONS,
      ...SEED_OPTION,
      ...MODEL_OPTIONS,
      ...SUMMARIZE_MODEL_OPTION,
      ...GLOBAL_OPTIONS,
    },
    description:
      'Without --model everything runs offline with the built-in clustering engine (TF-IDF + SVD + k-means, ' +
      'keyword-named labels). With --model, the taxonomy is induced and the sample labeled by the LLM. ' +
      'Re-running the same command resumes: finished stages are skipped, unfinished ones continue.',
    examples: [
      { command: 'taxonomist run examples/data/banking-sample.jsonl --use-case "the customer\'s intent" --out-dir out', note: 'offline, no API key' },
      { command: 'OPENAI_API_KEY=... taxonomist run tickets.csv --text-field message --use-case "why customers write" --model openai:gpt-4o-mini --budget 2', note: 'with OpenAI, capped at $2' },
      { command: 'taxonomist run chats.jsonl --use-case "user intent" --model openai:llama3.1 --base-url http://localhost:11434/v1', note: 'any OpenAI-compatible server (Ollama here)' },
    ],
    load: () => import('./run.js'),
  },
  {
    name: 'induce',
    summary: 'induce a label taxonomy from unlabeled texts',
    usage: 'taxonomist induce <corpus> --use-case <text> [--out taxonomy.json] [options]',
    positionals: [corpusArg],
    options: {
      out: { type: 'string', short: 'o', value: '<file>', description: 'taxonomy JSON to write', defaultText: 'taxonomy.json' },
      markdown: { type: 'string', value: '<file>', description: 'also write a readable Markdown table of the taxonomy' },
      checkpoint: { type: 'string', value: '<file>', description: 'llm strategy: checkpoint for resume', defaultText: '<out>.checkpoint.json' },
      budget: LABEL_OPTIONS.budget!,
      ...INDUCE_OPTIONS,
      ...CORPUS_OPTIONS,
      ...SEED_OPTION,
      ...MODEL_OPTIONS,
      ...SUMMARIZE_MODEL_OPTION,
      ...GLOBAL_OPTIONS,
    },
    description:
      'With --model the TnT-LLM pipeline runs (summarize, generate, update per batch, review). Without it the ' +
      'offline clustering engine groups the texts and names each group by its most distinctive phrase; it also ' +
      'writes <out>.cluster.json so `taxonomist label` can label new texts offline by nearest centroid.',
    examples: [
      { command: 'taxonomist induce chats.jsonl --use-case "the user\'s intent" --model openai:gpt-4o-mini --out taxonomy.json', note: 'LLM induction' },
      { command: 'taxonomist induce chats.jsonl --use-case "topics" --labels 20 --out taxonomy.json', note: 'offline clustering into 20 labels' },
    ],
    load: () => import('./induce.js'),
  },
  {
    name: 'label',
    summary: 'label a corpus with a taxonomy (resumes when the output exists)',
    usage: 'taxonomist label <corpus> --taxonomy <file> [--out labels.jsonl] [options]',
    positionals: [corpusArg],
    options: {
      taxonomy: { type: 'string', short: 't', value: '<file>', required: true, description: 'taxonomy.json to label with' },
      out: { type: 'string', short: 'o', value: '<file>', description: 'labels JSONL to write (one line per record)', defaultText: 'labels.jsonl' },
      ...LABEL_SAMPLE_OPTION('label only a seeded random sample of n records', 'every record'),
      'no-resume': { type: 'boolean', description: 'start over instead of resuming an existing output file' },
      ...SHARD_OPTION,
      ...BATCH_OPTIONS,
      ...LABEL_OPTIONS,
      ...CORPUS_OPTIONS,
      ...SEED_OPTION,
      ...MODEL_OPTIONS,
      ...GLOBAL_OPTIONS,
    },
    description:
      'Every input record yields exactly one output line: status "ok" with a label, or status "failed" with an error. ' +
      'Re-running with the same --out skips records already labeled and retries failed ones. Without --model, ' +
      'labels come from the nearest cluster centroid (needs a taxonomy made offline by `induce`).',
    examples: [
      { command: 'taxonomist label chats.jsonl --taxonomy taxonomy.json --model openai:gpt-4o-mini --pack 5 --budget 1', note: '5 texts per call, stop at $1' },
      { command: 'taxonomist label chats.jsonl --taxonomy taxonomy.json --out labels.jsonl', note: 'offline: nearest centroid' },
      { command: 'taxonomist label chats.jsonl --taxonomy taxonomy.json --model openai:gpt-4o-mini --pack 5 --batch', note: 'OpenAI Batch API, half price' },
    ],
    load: () => import('./label.js'),
  },
  {
    name: 'distill',
    summary: 'train a fast classifier on labeled records',
    usage: 'taxonomist distill <labeled.jsonl> [--corpus <corpus>] [--out model.json] [--eval gold.jsonl]',
    positionals: [{ name: 'labeled', description: 'labels.jsonl from `label` (joined with --corpus for texts) or a labeled corpus with id, text, label', required: true }],
    options: {
      out: { type: 'string', short: 'o', value: '<file>', description: 'model file to write', defaultText: 'model.json' },
      corpus: { type: 'string', value: '<file>', description: 'corpus with the texts, when the labeled file has only ids and labels' },
      eval: { type: 'string', value: '<file>', description: 'labeled file (id, text, label) to measure the model on' },
      ...GOLD_FIELD_OPTION('field with the known label, in a labeled corpus and in the --eval file', 'label'),
      ...CLASSIFIER_OPTION,
      featurizer: { type: 'string', value: '<name>', description: 'featurizer (see the distill package README; config plugins add more)', defaultText: 'the package default' },
      ...CORPUS_OPTIONS,
      ...SEED_OPTION,
      ...GLOBAL_OPTIONS,
    },
    examples: [
      { command: 'taxonomist distill labels.jsonl --corpus chats.jsonl --out model.json', note: 'train on LLM labels' },
      { command: 'taxonomist distill train.jsonl --out model.json --eval test.jsonl', note: 'train on a labeled corpus, report test accuracy' },
    ],
    load: () => import('./distill.js'),
  },
  {
    name: 'predict',
    summary: 'label a corpus with a distilled model (no LLM, fast)',
    usage: 'taxonomist predict <model.json> <corpus> [--out predictions.jsonl]',
    positionals: [
      { name: 'model', description: 'model.json written by `distill`', required: true },
      corpusArg,
    ],
    options: {
      out: { type: 'string', short: 'o', value: '<file>', description: 'predictions JSONL to write', defaultText: 'predictions.jsonl' },
      ...SHARD_OPTION,
      ...CORPUS_OPTIONS,
      ...GLOBAL_OPTIONS,
    },
    examples: [{ command: 'taxonomist predict model.json chats.jsonl --out predictions.jsonl', note: '' }],
    load: () => import('./predict.js'),
  },
  {
    name: 'merge',
    summary: 'join the outputs of sharded label or predict runs (--shard i/n) into one file',
    usage: 'taxonomist merge <shard-output>... --out <file> [--corpus <corpus>]',
    positionals: [{ name: 'shard-output', description: 'the output files of the n shard runs (each with its <file>.shard.json)', required: true, variadic: true }],
    options: {
      out: { type: 'string', short: 'o', value: '<file>', required: true, description: 'merged JSONL to write' },
      corpus: { type: 'string', value: '<file>', description: 'the corpus the shards were run on: every record must be in exactly one shard; output in corpus order', defaultText: 'no corpus check; shards one after the other' },
      ...CORPUS_OPTIONS,
      ...GLOBAL_OPTIONS,
    },
    description:
      'Checks that the outputs are the n shards of one run (same shard count, every index once, same taxonomy id and ' +
      'model id) and that every record appears exactly once, then writes the lines as the shards wrote them: with ' +
      '--corpus the result is byte-identical to an unsharded run. Any problem stops the merge naming the file and line (exit 3).',
    examples: [
      { command: 'taxonomist merge labels.*.jsonl --corpus chats.jsonl --out labels.jsonl', note: 'after `label --shard i/4` on 4 machines' },
      { command: 'taxonomist merge preds.0.jsonl preds.1.jsonl --out predictions.jsonl', note: 'no corpus: no id twice, shard order' },
    ],
    load: () => import('./merge.js'),
  },
  {
    name: 'eval',
    summary: 'score predictions against gold labels (accuracy, macro-F1, kappa; NMI, ARI, purity)',
    usage: 'taxonomist eval <predicted.jsonl> --gold <gold.jsonl> [options]',
    positionals: [{ name: 'predicted', description: 'labels.jsonl or predictions.jsonl', required: true }],
    options: {
      gold: { type: 'string', short: 'g', value: '<file>', required: true, description: 'corpus with gold labels, joined by id' },
      ...GOLD_FIELD_OPTION('field with the gold label in the --gold file', 'label'),
      mode: {
        type: 'string',
        value: '<mode>',
        choices: ['auto', 'classification', 'clustering'],
        description: 'classification (same label set), clustering (induced labels vs gold classes)',
        defaultText: 'auto: by label overlap',
      },
      ...CORPUS_OPTIONS,
      ...GLOBAL_OPTIONS,
    },
    description:
      'Records are joined by id; ids missing on either side and failed predictions are counted and reported. ' +
      'NMI, ARI and harmonic purity are always given; accuracy, macro-F1, kappa and the per-label table when the ' +
      'predicted labels are (mostly) gold class names.',
    examples: [
      { command: 'taxonomist eval out/predictions.jsonl --gold examples/data/banking-sample.jsonl', note: 'induced labels vs gold intents' },
      { command: 'taxonomist eval predictions.jsonl --gold test.jsonl --json', note: 'machine-readable' },
    ],
    load: () => import('./eval.js'),
  },
  {
    name: 'estimate',
    summary: 'calls, tokens and cost of an induce, label or run before spending anything',
    usage: 'taxonomist estimate <induce|label|run> <corpus> [--model <provider:model>] [options]',
    positionals: [
      { name: 'what', description: 'induce, label or run', required: true },
      corpusArg,
    ],
    options: {
      taxonomy: { type: 'string', short: 't', value: '<file>', description: 'label: the taxonomy to label with (required for label)' },
      ...LABEL_SAMPLE_OPTION('records labeled (seeded sample)', 'run: 1000, label: every record'),
      // Estimates send nothing and spend nothing: only the flags that change the prompts and the number of calls
      // (an allow-list, so that transport flags added to the shared tables later do not show up here doing nothing).
      ...pick(INDUCE_OPTIONS, 'use-case', 'max-labels', 'induce-sample', 'batch-size', 'epochs', 'trials', 'levels', 'instructions', 'seed-taxonomy', 'lock'),
      // Needed by `estimate induce|run` only (checked there), not by `estimate label`.
      'use-case': { ...INDUCE_OPTIONS['use-case']!, required: false },
      ...pick(LABEL_OPTIONS, 'multi', 'pack', 'rationale', 'confidence', 'allow-none', 'instructions'),
      ...CORPUS_OPTIONS,
      ...SEED_OPTION,
      ...pick(MODEL_OPTIONS, 'model', 'base-url'),
      ...SUMMARIZE_MODEL_OPTION,
      ...GLOBAL_OPTIONS,
    },
    description: 'Counts tokens locally (tiktoken) and prices them with the model\'s price table; makes no model call.',
    examples: [
      { command: 'taxonomist estimate label chats.jsonl --taxonomy taxonomy.json --model openai:gpt-4o-mini --pack 5', note: '' },
      { command: 'taxonomist estimate run chats.jsonl --use-case "intent" --model openai:gpt-4o-mini', note: '' },
    ],
    load: () => import('./estimate.js'),
  },
  {
    name: 'report',
    summary: 'render report.html from the artifacts of a run directory',
    usage: 'taxonomist report <out-dir> [--out <file>]',
    positionals: [{ name: 'out-dir', description: 'directory written by `taxonomist run`', required: true }],
    options: {
      out: { type: 'string', short: 'o', value: '<file>', description: 'HTML file to write', defaultText: '<out-dir>/report.html' },
      title: { type: 'string', value: '<text>', description: 'report title' },
      map: { type: 'string', value: '<projection>', choices: ['umap', 'pca'], description: 'how the map places the documents: UMAP (seeded) or the first two principal components', defaultText: 'umap' },
      ...GLOBAL_OPTIONS,
    },
    examples: [{ command: 'taxonomist report out', note: 'rewrites out/report.html' }],
    load: () => import('./report.js'),
  },
];

export const COMMANDS: readonly CommandSpec[] = commands;

export function findCommand(name: string): CommandSpec | undefined {
  return commands.find((c) => c.name === name);
}
