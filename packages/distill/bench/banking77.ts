/**
 * Benchmark of @taxonomist/distill on banking77 (train 10,003 / test 3,080, gold labels), against scikit-learn and
 * fastText measured in the same run when they are installed (Debian: `apt-get install -y python3-sklearn fasttext`).
 *
 *   npx tsx --conditions=source packages/distill/bench/banking77.ts [--configs] [--no-noise] [--no-quantize] [--no-memory] [--quick] [--repeat N] [--json out.json]
 *
 * The CLI-process rows and the SVM memory rows use the built packages when they exist (`npm run build`: what users
 * run), else the sources under tsx; the output says which.
 *
 * Every system runs in its own child process, one after the other, so peak RSS and process wall time are its own.
 * Figures: accuracy and macro-F1 on the test split; train = featurize + fit time inside the process; spawn→trained =
 * wall time from spawning the child process to a trained model (start-up, imports, data loading, training); predict
 * = single-threaded batch prediction over the test texts, repeated for at least a second.
 * The label-noise section flips 10% / 30% of the training labels to each class's most confusable class (from the
 * clean model's out-of-fold confusions, seeded), trains on them, scores on the clean test split, and counts how many
 * flipped records the label audit ranks in its top 10%.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng } from '@taxonomist/core';
import { auditLabels, crossValidate, evaluate, loadClassifier, train, type LabeledExample, type TrainOptions } from '../src/index.js';
import { requireBenchData } from '../../../bench/shared-data.js';

// <repo root>/../shared/data/banking77, or $TAXONOMIST_DATA/banking77.
const DATA_DIR = requireBenchData('banking77', ['train.jsonl', 'test.jsonl']);
const SELF = fileURLToPath(import.meta.url);
const SKLEARN_SCRIPT = fileURLToPath(new URL('./sklearn_baseline.py', import.meta.url));
const CLI_BUILT = fileURLToPath(new URL('../../cli/bin/taxonomist.js', import.meta.url));
const CLI_BUILT_MAIN = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));
const CLI_SOURCE_MAIN = new URL('../../cli/src/main.ts', import.meta.url).href;
const MEMORY_SCRIPT = fileURLToPath(new URL('./svm-memory.mjs', import.meta.url));
const DISTILL_BUILT_WORKERS = fileURLToPath(new URL('../dist/classifiers/svm-workers.js', import.meta.url));
/** Rows of the SVM memory measurement (banking77 train replicated; see svm-memory.mjs). */
const MEMORY_ROWS = Number(process.env.BENCH_MEMORY_ROWS ?? 200_000);

interface Row {
  system: string;
  accuracy: number;
  macroF1: number;
  trainS: number;
  processS: number;
  /** Top label only (scikit-learn's predict, fastText's predict, our predictLabelsSync). */
  predictPerS: number;
  /** Our predict() with top-5 labels and probabilities, as objects / as typed arrays (predictBatch). */
  top5PerS?: number;
  batchPerS?: number;
  rssMb: number;
  note?: string;
}

async function loadSplit(name: 'train' | 'test'): Promise<LabeledExample[]> {
  const text = await readFile(join(DATA_DIR, `${name}.jsonl`), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as LabeledExample);
}

/** Configurations compared with --configs (the first is the default). */
const CONFIGS: Record<string, TrainOptions> = {
  default: {},
  'svm tol 0.1 (liblinear eps)': { classifier: { type: 'linear-svm', tol: 0.1 } },
  'svm C=1': { classifier: { type: 'linear-svm', C: 1 } },
  'svm word 1-2 + char_wb 2-5': {
    featurizer: { type: 'sparse', blocks: [{ analyzer: 'word', ngramRange: [1, 2] }, { analyzer: 'char_wb', ngramRange: [2, 5] }] },
  },
  'svm word 1-2 only': { featurizer: { type: 'sparse', blocks: [{ analyzer: 'word', ngramRange: [1, 2] }] } },
  'svm class weights balanced': { classifier: { type: 'linear-svm', classWeight: 'balanced' } },
  'naive Bayes': { classifier: { type: 'naive-bayes', alpha: 0.05 } },
  'logistic regression C=20': { classifier: { type: 'logistic', C: 20, maxIterations: 150 } },
};

// ---------------------------------------------------------------------------------------------------------------
// Child: one of our configurations.

async function childOurs(configName: string): Promise<void> {
  const options = CONFIGS[configName];
  if (!options) throw new Error(`unknown config ${configName}`);
  const [trainSet, testSet] = [await loadSplit('train'), await loadSplit('test')];
  const t0 = performance.now();
  const { model } = await train(trainSet, { seed: 0, ...options });
  const trainS = (performance.now() - t0) / 1000;
  const trainedAtS = (Date.now() - Number(process.env.BENCH_SPAWN_MS)) / 1000;
  const ev = await evaluate(model, testSet);
  const texts = testSet.map((e) => e.text);
  // Throughput of one call pattern: after a warm-up batch, three windows of >= 0.7 s each repeating the whole test
  // batch; the best window is reported (the machine is shared, the best window is the least disturbed one).
  const throughput = (fn: () => unknown): number => {
    fn();
    let best = 0;
    for (let w = 0; w < 3; w++) {
      let n = 0;
      const p0 = performance.now();
      while (performance.now() - p0 < 700) {
        fn();
        n += texts.length;
      }
      best = Math.max(best, n / ((performance.now() - p0) / 1000));
    }
    return best;
  };
  let labelsPerS = NaN;
  let top5PerS = NaN;
  let batchPerS = NaN;
  if (model.canPredictSync) {
    labelsPerS = throughput(() => model.predictLabelsSync(texts));
    top5PerS = throughput(() => model.predictSync(texts, { k: 5 }));
    batchPerS = throughput(() => model.predictBatch(texts, { k: 5 }));
  }
  const out = {
    accuracy: ev.accuracy,
    macroF1: ev.macroF1,
    top5: ev.topK['5'],
    logLoss: ev.logLoss,
    trainS,
    trainedAtS,
    labelsPerS,
    top5PerS,
    batchPerS,
    rssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
}

// ---------------------------------------------------------------------------------------------------------------
// Child: label-noise robustness of the default configuration.

async function childNoise(): Promise<void> {
  const [trainSet, testSet] = [await loadSplit('train'), await loadSplit('test')];
  // Most confusable class of each class, from the clean model's out-of-fold predictions on the training split.
  const cv = await crossValidate(trainSet, { seed: 0, folds: 5 });
  const { labels, matrix } = cv.report.confusion;
  const confusable = new Map<string, string>();
  labels.forEach((l, g) => {
    let best = -1;
    matrix[g]!.forEach((count, p) => {
      if (p !== g && (best < 0 || count > matrix[g]![best]!)) best = p;
    });
    confusable.set(l, labels[best]!);
  });
  const results = [];
  for (const rate of [0.1, 0.3]) {
    const rng = createRng(rate === 0.1 ? 101 : 103);
    const order = trainSet.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const flipped = new Set(order.slice(0, Math.round(rate * trainSet.length)));
    const noisy = trainSet.map((e, i) => (flipped.has(i) ? { ...e, label: confusable.get(e.label)! } : e));
    const { model } = await train(noisy, { seed: 0 });
    const ev = await evaluate(model, testSet);
    const audit = await auditLabels(noisy, { seed: 0, folds: 5 });
    const top = Math.round(0.1 * noisy.length);
    const found = Array.from(audit.ranking.subarray(0, top)).filter((i) => flipped.has(i)).length;
    results.push({
      rate,
      flipped: flipped.size,
      accuracy: ev.accuracy,
      macroF1: ev.macroF1,
      auditTop: top,
      flippedInTop: found,
      estimatedNoiseRate: audit.noiseRate,
      flagged: audit.issues.length,
    });
  }
  process.stdout.write(`RESULT ${JSON.stringify({ cleanCvAccuracy: cv.report.accuracy, results })}\n`);
}

// ---------------------------------------------------------------------------------------------------------------
// Parent.

function runChild(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<{ code: number; stdout: string; stderr: string; wallS: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, {
      cwd: opts.cwd ?? process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Children report "time from spawn to trained model" against this clock.
      env: { ...process.env, ...opts.env, BENCH_SPAWN_MS: String(Date.now()) },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, wallS: (performance.now() - t0) / 1000 }));
  });
}

function resultOf(stdout: string): any {
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`child printed no RESULT line:\n${stdout.slice(-2000)}`);
  return JSON.parse(line.slice(7));
}

async function runOurs(name: string): Promise<Row> {
  // Same runtime as this process (node + tsx loader + source condition), so start-up costs are counted honestly.
  const r = await runChild(process.execPath, [...process.execArgv, SELF, '--child', 'ours', name]);
  if (r.code !== 0) throw new Error(`ours/${name} failed:\n${r.stderr.slice(-3000)}`);
  const o = resultOf(r.stdout);
  return {
    system: `distill: ${name}`,
    accuracy: o.accuracy,
    macroF1: o.macroF1,
    trainS: o.trainS,
    processS: o.trainedAtS,
    predictPerS: o.labelsPerS,
    top5PerS: o.top5PerS,
    batchPerS: o.batchPerS,
    rssMb: o.rssMb,
  };
}

/**
 * The whole `taxonomist distill` process on the training split, from spawn to exit (model written): the built CLI
 * (what users run) when packages/cli/dist exists (`npm run build`), else the CLI from TypeScript sources under tsx
 * (slower start: it compiles as it loads), said in the row's name. The written model is then scored on the test split.
 */
async function runCliDistill(): Promise<Row> {
  const dir = await mkdtemp(join(tmpdir(), 'b77-cli-'));
  try {
    const model = join(dir, 'model.json');
    const cliArgs = ['distill', join(DATA_DIR, 'train.jsonl'), '--out', model, '--seed', '0'];
    const built = spawnSync(process.execPath, ['-e', `require('node:fs').accessSync(${JSON.stringify(CLI_BUILT_MAIN)})`]).status === 0;
    const r = built
      ? await runChild(process.execPath, [CLI_BUILT, ...cliArgs])
      : await runChild(process.execPath, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', `const m = await import(${JSON.stringify(CLI_SOURCE_MAIN)}); await m.runCli(${JSON.stringify(cliArgs)});`]);
    if (r.code !== 0) throw new Error(`taxonomist distill failed (exit ${r.code}):\n${r.stderr.slice(-3000)}`);
    const ev = await evaluate(await loadClassifier(model), await loadSplit('test'));
    return {
      system: `taxonomist distill CLI process (${built ? 'built' : 'from sources under tsx: run npm run build for the built CLI'})`,
      accuracy: ev.accuracy,
      macroF1: ev.macroF1,
      trainS: NaN,
      processS: r.wallS,
      predictPerS: NaN,
      rssMb: NaN,
      note: 'spawn→trained = spawn to exit, model written',
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function findPython(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import sklearn'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return undefined;
}

async function runSklearn(py: string, model: string, label: string, timingOnly = false): Promise<Row> {
  const r = await runChild(py, [SKLEARN_SCRIPT, DATA_DIR, model], timingOnly ? { env: { BENCH_SKIP_THROUGHPUT: '1' } } : {});
  if (r.code !== 0) throw new Error(`sklearn ${model} failed:\n${r.stderr.slice(-3000)}`);
  const o = JSON.parse(r.stdout.trim().split('\n').pop()!);
  return { system: label, accuracy: o.accuracy, macroF1: o.macro_f1 ?? NaN, trainS: o.fit_s, processS: o.trained_at_s, predictPerS: o.predict_per_s ?? NaN, rssMb: o.max_rss_mb ?? NaN };
}

function macroF1Of(gold: string[], pred: string[]): number {
  const labels = [...new Set(gold)];
  let sum = 0;
  for (const l of labels) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    gold.forEach((g, i) => {
      if (pred[i] === l && g === l) tp++;
      else if (pred[i] === l) fp++;
      else if (g === l) fn++;
    });
    sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return sum / labels.length;
}

async function runFastText(quantize: boolean): Promise<Row[]> {
  const dir = await mkdtemp(join(tmpdir(), 'b77-fasttext-'));
  try {
    const fmt = (e: LabeledExample) => e.text.toLowerCase().split(/\s+/).filter(Boolean).join(' ');
    const [trainSet, testSet] = [await loadSplit('train'), await loadSplit('test')];
    await writeFile(join(dir, 'train.txt'), trainSet.map((e) => `__label__${e.label} ${fmt(e)}`).join('\n') + '\n');
    await writeFile(join(dir, 'test.txt'), testSet.map(fmt).join('\n') + '\n');
    // Throughput file: the test texts 20 times (one process start and model load per run).
    await writeFile(join(dir, 'many.txt'), Array.from({ length: 20 }, () => testSet.map(fmt).join('\n')).join('\n') + '\n');
    const gold = testSet.map((e) => e.label);
    const args = ['-epoch', '25', '-wordNgrams', '2', '-lr', '1.0', '-bucket', '200000', '-minn', '3', '-maxn', '5', '-thread', '2', '-verbose', '0'];
    const rows: Row[] = [];
    const tr = await runChild('fasttext', ['supervised', '-input', 'train.txt', '-output', 'model', ...args], { cwd: dir });
    if (tr.code !== 0) throw new Error(`fasttext supervised failed: ${tr.stderr}`);
    const variants: [string, string, number][] = [['model.bin', 'fastText (25 epochs, word bigrams, char 3-5)', tr.wallS]];
    if (quantize) {
      const q = await runChild('fasttext', ['quantize', '-input', 'train.txt', '-output', 'model', '-qnorm', '-retrain', '-cutoff', '100000', ...args], { cwd: dir });
      if (q.code !== 0) throw new Error(`fasttext quantize failed: ${q.stderr}`);
      variants.push(['model.ftz', 'fastText quantized (retrained)', tr.wallS + q.wallS]);
    }
    for (const [file, label, trainS] of variants) {
      const p = await runChild('fasttext', ['predict', file, 'test.txt'], { cwd: dir });
      const pred = p.stdout.trim().split('\n').map((l) => l.replace(/^__label__/, '').trim());
      const many = await runChild('fasttext', ['predict', file, 'many.txt'], { cwd: dir });
      const acc = pred.filter((l, i) => l === gold[i]).length / gold.length;
      rows.push({
        system: label,
        accuracy: acc,
        macroF1: macroF1Of(gold, pred),
        trainS,
        processS: trainS,
        predictPerS: (20 * testSet.length) / many.wallS,
        rssMb: NaN,
        note: 'train = process wall (CLI, 2 threads); predict = CLI process incl. model load',
      });
    }
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const int = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    if (argv[1] === 'ours') return childOurs(argv[2]!);
    if (argv[1] === 'noise') return childNoise();
    throw new Error(`unknown child ${argv[1]}`);
  }
  const jsonPath = argv.includes('--json') ? argv[argv.indexOf('--json') + 1] : undefined;
  const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);
  const rows: Row[] = [];
  log('distill default');
  const ours = await runOurs('default');
  rows.push(ours);
  log('taxonomist distill (CLI process)');
  const cli = await runCliDistill();
  rows.push(cli);
  const py = findPython();
  let svc: Row | undefined;
  if (py) {
    const sklearnModels = [
      ['linearsvc', 'scikit-learn TF-IDF(1-2) + LinearSVC'],
      ['sgd-hashing', 'scikit-learn hashing(1-2) + SGDClassifier'],
      ['logreg', 'scikit-learn TF-IDF(1-2) + LogisticRegression'],
    ] as const;
    // --quick: LinearSVC only (the baseline of the ratios; LogisticRegression alone takes minutes on a busy machine).
    for (const [model, label] of argv.includes('--quick') ? sklearnModels.slice(0, 1) : sklearnModels) {
      log(label);
      const r = await runSklearn(py, model, label);
      if (model === 'linearsvc') svc = r;
      rows.push(r);
    }
  } else log('scikit-learn not installed: skipping its rows (apt-get install -y python3-sklearn)');
  // The CLI-process ratio is a difference of fixed costs of a few seconds, so one pair of runs on a shared machine is
  // mostly noise: --repeat N (default 5) runs the pair N times, alternating, and compares the best and median runs.
  const repeat = argv.includes('--repeat') ? Number(argv[argv.indexOf('--repeat') + 1]) : 5;
  const pairs: { cli: number; sklearn: number }[] = [];
  if (svc && repeat > 1) {
    pairs.push({ cli: cli.processS, sklearn: svc.processS });
    for (let i = 1; i < repeat; i++) {
      log(`CLI process vs scikit-learn process, pair ${i + 1} of ${repeat}`);
      const c = await runCliDistill();
      const k = await runSklearn(py!, 'linearsvc', 'scikit-learn TF-IDF(1-2) + LinearSVC', true);
      pairs.push({ cli: c.processS, sklearn: k.processS });
    }
  }
  if (spawnSync('fasttext', [], { stdio: 'ignore' }).error === undefined) {
    log('fastText');
    rows.push(...(await runFastText(!argv.includes('--no-quantize'))));
  } else log('fastText not installed: skipping its rows (apt-get install -y fasttext)');
  const configRows: Row[] = [];
  if (argv.includes('--configs')) {
    for (const name of Object.keys(CONFIGS).slice(1)) {
      log(`distill ${name}`);
      configRows.push(await runOurs(name));
    }
  }
  const memory: { mode: string; r: any }[] = [];
  // The built packages when they exist (what users run: the worker loads plain JavaScript), else the sources under tsx
  // (each worker then also loads tsx and compiles the sources: a larger fixed cost per worker).
  const memoryBuilt = existsSync(DISTILL_BUILT_WORKERS);
  if (!argv.includes('--no-memory')) {
    for (const mode of ['1', '2-shared', '2-copied']) {
      log(`SVM solve memory, ${mode} thread(s), ${MEMORY_ROWS} rows, ${memoryBuilt ? 'built packages' : 'sources under tsx'}`);
      const r = await runChild(process.execPath, [
        ...(memoryBuilt ? [] : ['--conditions=source', '--import', 'tsx']),
        MEMORY_SCRIPT,
        DATA_DIR,
        mode,
        memoryBuilt ? 'built' : 'source',
      ]);
      if (r.code !== 0) throw new Error(`memory child failed:\n${r.stderr.slice(-3000)}`);
      memory.push({ mode, r: resultOf(r.stdout) });
    }
  }
  let noise: any;
  if (!argv.includes('--no-noise')) {
    log('label-noise robustness (5-fold CV + 2 x (train + 5-fold audit))');
    const r = await runChild(process.execPath, [...process.execArgv, SELF, '--child', 'noise']);
    if (r.code !== 0) throw new Error(`noise child failed:\n${r.stderr.slice(-3000)}`);
    noise = resultOf(r.stdout);
  }

  const lines: string[] = [];
  lines.push('| system | accuracy | macro-F1 | train s | spawn→trained s | labels/s | top-5 objects/s | top-5 batch/s | peak RSS MB |');
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of [...rows, ...configRows]) {
    lines.push(
      `| ${r.system} | ${f3(r.accuracy)} | ${f3(r.macroF1)} | ${f2(r.trainS)} | ${f2(r.processS)} | ${int(r.predictPerS)} | ${int(r.top5PerS ?? NaN)} | ${int(r.batchPerS ?? NaN)} | ${int(r.rssMb)} |`,
    );
  }
  lines.push('');
  lines.push('labels/s: top label only (scikit-learn/fastText predict, distill predictLabelsSync); top-5 objects/s: distill');
  lines.push('predict() with the 5 best labels and probabilities as objects; top-5 batch/s: the same as typed arrays (predictBatch).');
  if (svc) {
    lines.push('');
    lines.push('Ratios, distill default vs scikit-learn LinearSVC (same run):');
    lines.push(`- accuracy ${f3(ours.accuracy)} vs ${f3(svc.accuracy)} (${ours.accuracy >= svc.accuracy ? '+' : ''}${f3(ours.accuracy - svc.accuracy)}), macro-F1 ${f3(ours.macroF1)} vs ${f3(svc.macroF1)}`);
    lines.push(`- our train time / their process time from spawn to trained model: ${f2(ours.trainS)} s / ${f2(svc.processS)} s = ${f2(ours.trainS / svc.processS)}`);
    lines.push(`- spawn to trained model, ours / theirs: ${f2(ours.processS)} s / ${f2(svc.processS)} s = ${f2(ours.processS / svc.processS)}`);
    lines.push(
      `- whole \`taxonomist distill\` process (spawn to exit, model written) / their spawn to trained model: ${f2(cli.processS)} s / ${f2(svc.processS)} s = ${f2(cli.processS / svc.processS)}` +
        ` (CLI model accuracy ${f3(cli.accuracy)})`,
    );
    if (pairs.length > 1) {
      const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
      const median = (xs: number[]) => sorted(xs)[Math.floor((xs.length - 1) / 2)]!;
      const cliS = pairs.map((p) => p.cli);
      const skS = pairs.map((p) => p.sklearn);
      lines.push(
        `- the same over ${pairs.length} alternating pairs of runs: best ${f2(Math.min(...cliS))} s / ${f2(Math.min(...skS))} s = ${f2(Math.min(...cliS) / Math.min(...skS))}, ` +
          `median ${f2(median(cliS))} s / ${f2(median(skS))} s = ${f2(median(cliS) / median(skS))} (CLI ${cliS.map(f2).join(', ')}; scikit-learn ${skS.map(f2).join(', ')})`,
      );
    }
    lines.push(`- train time (featurize + fit in process), ours / theirs: ${f2(ours.trainS)} s / ${f2(svc.trainS)} s = ${f2(ours.trainS / svc.trainS)}`);
    lines.push(`- prediction throughput, top label: ${f2(ours.predictPerS / svc.predictPerS)}x (${int(ours.predictPerS)} vs ${int(svc.predictPerS)} texts/s)`);
    lines.push(`- peak RSS: ${int(ours.rssMb)} MB vs ${int(svc.rssMb)} MB`);
  }
  if (memory.length > 0) {
    const one = memory[0]!.r;
    lines.push('');
    lines.push(
      `SVM solve peak memory (banking77 train replicated to ${one.rows.toLocaleString('en-US')} rows, matrix ${int(one.matrixMb)} MB, 3 epochs; BENCH_MEMORY_ROWS to change; ` +
        `${memoryBuilt ? 'built packages' : 'from sources under tsx: run npm run build for the built packages'}):`,
    );
    for (const { mode, r } of memory) {
      lines.push(`- ${mode === '1' ? '1 thread          ' : mode === '2-shared' ? '2 threads, shared ' : '2 threads, copied '}: peak RSS ${int(r.peakRssMb)} MB (${f2(r.peakRssMb / one.peakRssMb)}x the 1-thread run; RSS before the solve ${int(r.rssBeforeSolveMb)} MB), solve ${f2(r.solveS)} s`);
    }
    const shared = memory.find((m) => m.mode === '2-shared')?.r;
    const copied = memory.find((m) => m.mode === '2-copied')?.r;
    if (shared && copied) {
      lines.push(
        `- memory ratio, 2 threads / 1 thread: ${f2(shared.peakRssMb / one.peakRssMb)} with the matrix shared (goal <= 1.05), ${f2(copied.peakRssMb / one.peakRssMb)} copied; ` +
          `sharing saves ${int(copied.peakRssMb - shared.peakRssMb)} MB`,
      );
    }
  }
  if (noise) {
    lines.push('');
    lines.push(`Label noise (default config; flips to the most confusable class; clean 5-fold CV accuracy ${f3(noise.cleanCvAccuracy)}):`);
    lines.push('');
    lines.push('| flipped | test accuracy | test macro-F1 | flipped in audit top 10% | estimated noise rate | flagged |');
    lines.push('| ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of noise.results) {
      lines.push(
        `| ${Math.round(r.rate * 100)}% (${r.flipped}) | ${f3(r.accuracy)} | ${f3(r.macroF1)} | ${r.flippedInTop} of ${r.auditTop} (${f3(r.flippedInTop / r.flipped)} of flipped) | ${f3(r.estimatedNoiseRate)} | ${r.flagged} |`,
      );
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
  if (jsonPath) await writeFile(jsonPath, JSON.stringify({ rows, configRows, noise, memory }, null, 2));
}

await main();
